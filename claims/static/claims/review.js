// Keyboard shortcuts of the review queue and the claim pair page: c / r / e give a verdict,
// n or j / p or k move through the queue, ? lists the shortcuts. Every shortcut has a
// visible button or link with the same effect.

const form = document.getElementById("verdict-form");
const dialog = document.getElementById("shortcuts");

function typing(target) {
  return target.closest("input, textarea, select, [contenteditable=true]") !== null;
}

function follow(selector) {
  const link = document.querySelector(selector);
  if (link) link.click();
}

document.querySelector("[data-shortcut-help]")?.addEventListener("click", () => dialog.showModal());

document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.altKey || event.metaKey || typing(event.target) || dialog.open) return;
  const key = event.key;
  const verdictButton = form?.querySelector(`button[data-shortcut="${key}"]`);
  if (verdictButton) {
    event.preventDefault();
    form.requestSubmit(verdictButton);
  } else if (key === "n" || key === "j") {
    follow("[data-shortcut-next]");
  } else if (key === "p" || key === "k") {
    follow("[data-shortcut-previous]");
  } else if (key === "?") {
    dialog.showModal();
  }
});
