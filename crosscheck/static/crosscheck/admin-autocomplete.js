// The admin's autocomplete widgets (Django's select2, e.g. a claim's topics), made usable
// with assistive technology as select2 draws and redraws them:
// - the search field (inline in a multiple choice, or in the open drop-down of a single
//   one) is named after the field's label, which select2 leaves unlabelled;
// - the widget's combobox is labelled by the field's label, and names the list it opens
//   with aria-controls (select2 writes only aria-owns, which ARIA 1.2 replaced);
// - the list of chosen items holds list items only: select2 puts its "Remove all items"
//   cross straight into the <ul>, so it gets a list item of its own (a list item with
//   another role would not do: axe counts only list items).
// Loaded on every admin page (templates/admin/base_site.html); a static module, as the
// Content-Security-Policy wants.

const CONTAINER = ".select2-container";

// The label of a <select> without its trailing colon ("Topics:" → "Topics").
function fieldName(select) {
  const label = select.id && document.querySelector(`label[for="${CSS.escape(select.id)}"]`);
  const text = (label ? label.textContent : select.name || "").trim().replace(/:$/, "");
  return { label, text: text || "Choice" };
}

function set(element, name, value) {
  if (element && element.getAttribute(name) !== value) element.setAttribute(name, value);
}

function labelId(label, select) {
  if (!label.id) label.id = `${select.id}-label`;
  return label.id;
}

// The widget drawn after ``select`` (select2 inserts its container right after it).
function repairWidget(select) {
  const container = select.nextElementSibling;
  if (!container || !container.matches(CONTAINER)) return;
  const { label, text } = fieldName(select);
  const selection = container.querySelector(".select2-selection");
  if (selection) {
    if (label) {
      const rendered = selection.querySelector(".select2-selection__rendered[id]");
      // A single choice: the field's label, then the choice shown.
      const ids = rendered && !selection.matches(".select2-selection--multiple")
        ? `${labelId(label, select)} ${rendered.id}` : labelId(label, select);
      set(selection, "aria-labelledby", ids);
    } else {
      set(selection, "aria-label", text);
    }
    const owns = selection.getAttribute("aria-owns");
    if (owns) set(selection, "aria-controls", owns);
    else selection.removeAttribute("aria-controls");
  }
  for (const field of container.querySelectorAll(".select2-search__field")) {
    set(field, "aria-label", `${text}: type to search`);
  }
  const list = container.querySelector("ul.select2-selection__rendered");
  if (list) {
    for (const child of [...list.children]) {
      if (child.tagName === "LI") continue;
      const item = document.createElement("li");
      item.className = "select2-selection__extra";
      child.replaceWith(item);
      item.append(child);
    }
  }
}

// The open drop-down, which select2 appends to the end of the page: its search field and
// list are named after the field whose list it shows ("select2-<select id>-results").
function repairDropdown(dropdown) {
  const results = dropdown.querySelector(".select2-results__options[id]");
  const match = results && /^select2-(.+)-results$/.exec(results.id);
  const select = match && document.getElementById(match[1]);
  if (!select) return;
  const { text } = fieldName(select);
  set(results, "aria-label", text);
  const search = dropdown.querySelector(".select2-search__field");
  if (search) set(search, "aria-label", `${text}: type to search`);
}

function repairAll() {
  for (const select of document.querySelectorAll("select.select2-hidden-accessible")) {
    repairWidget(select);
  }
  for (const dropdown of document.querySelectorAll(`${CONTAINER}--open .select2-dropdown`)) {
    repairDropdown(dropdown);
  }
}

let pending = false;
function schedule() {
  if (pending) return;
  pending = true;
  queueMicrotask(() => {
    pending = false;
    repairAll();
  });
}

// The repairs change only attributes not watched here and wrap elements once, so they do
// not set the observer off again and again.
new MutationObserver(schedule).observe(document.documentElement, {
  childList: true,
  subtree: true,
  attributes: true,
  attributeFilter: ["aria-owns", "aria-expanded", "class"],
});
repairAll();
