// The Suggested pairs page from the keyboard: j / k (or the arrows) move between pairs;
// c, s, q choose how the passage relates (contradicts, supports, qualifies) and put the
// cursor in the pair's statement, where Enter creates the claim and links it; x sets the
// pair aside as not related; Esc leaves a field; ? lists the shortcuts. Every shortcut is
// also a visible control of the pair, and the forms work without this module.

import { shortcuts } from "../claims/api.js";

const rows = [...document.querySelectorAll("[data-pair]")];
let current = -1;

function select(index, { focus = true } = {}) {
  if (!rows.length) return;
  const next = Math.max(0, Math.min(rows.length - 1, index));
  rows[current]?.classList.remove("current");
  current = next;
  const row = rows[current];
  row.classList.add("current");
  if (focus) {
    row.focus({ preventScroll: true });
    row.scrollIntoView({ block: "nearest" });
  }
}

function relate(row, relation) {
  const form = row.querySelector("[data-counterpart-form]");
  form.querySelector("[data-relation]").value = relation;
  const statement = form.querySelector("[data-statement]");
  const target = statement ?? form.querySelector('input[name="rationale"]');
  target.focus();
  target.select();
}

for (const [index, row] of rows.entries()) {
  row.addEventListener("focusin", () => select(index, { focus: false }));
  for (const button of row.querySelectorAll("[data-relate]")) {
    button.addEventListener("click", () => relate(row, button.dataset.relate));
  }
  row.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || event.target === row) return;
    event.preventDefault();
    row.focus();
  });
}

const onCurrent = (action) => () => {
  if (current < 0) select(0);
  if (rows[current]) action(rows[current]);
};

shortcuts(rows.length ? {
  j: () => select(current + 1),
  ArrowDown: () => select(current + 1),
  k: () => select(current - 1),
  ArrowUp: () => select(current - 1),
  c: onCurrent((row) => relate(row, "contradicts")),
  s: onCurrent((row) => relate(row, "corroborates")),
  q: onCurrent((row) => relate(row, "qualifies")),
  x: onCurrent((row) => row.querySelector("[data-dismiss-form]").requestSubmit()),
} : {});

// Back from a triage: the pair now at the same place (the next one) is the current one.
const wanted = /^#pair-(\d+)$/.exec(window.location.hash);
if (wanted) select(Number(wanted[1]) - 1);
else select(0, { focus: false });
