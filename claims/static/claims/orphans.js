// The page that places a claim of the orphan queue: the new revision's text, the places
// the re-anchoring found painted in it, and a selection (mouse, or Shift + arrows in the
// focused text) made into the span the form posts, in code points as the server counts.

import { buildIndex, spanFromSelection, toCodePoints, toUtf16 } from "./anchoring.js";
import { TextMap, selectedSpan } from "./highlights.js";

const config = JSON.parse(document.getElementById("pick-config").textContent);
const container = document.getElementById("document-text");
const textMap = new TextMap(container);
const index = buildIndex(textMap.text);
const form = document.querySelector("[data-pick-form]");
const painting = typeof CSS !== "undefined" && "highlights" in CSS;

let chosen = null; // the last passage selected in the text: {start, end, quote, u16Start, u16End}

function rangeOf([start, end]) {
  return textMap.range(toUtf16(index, start), toUtf16(index, end));
}

function paint(name, ranges) {
  if (!painting) return;
  if (ranges.length) CSS.highlights.set(name, new Highlight(...ranges));
  else CSS.highlights.delete(name);
}

function scrollTo(range) {
  const piece = textMap.pieceAt(textMap.offsetOf(range.startContainer, range.startOffset) ?? 0);
  piece.element.scrollIntoView({ block: "center" });
}

function selectionSpan() {
  return selectedSpan(container, textMap, index);
}

function choose(span) {
  chosen = span;
  paint("orphan-choice", [textMap.range(span.u16Start, span.u16End)]);
  if (!form) return;
  form.querySelector("[data-pick-start]").value = String(span.start);
  form.querySelector("[data-pick-end]").value = String(span.end);
  form.querySelector("[data-pick-quote]").value = span.quote;
  form.querySelector("[data-pick-preview]").textContent = span.quote;
  form.querySelector("[data-pick-error]").hidden = true;
}

document.addEventListener("selectionchange", () => {
  const span = selectionSpan();
  if (span) choose(span);
});

// "Select candidate 2": selects it in the text, to accept as is or adjust with Shift + arrows.
for (const button of document.querySelectorAll("[data-select]")) {
  button.addEventListener("click", () => {
    const range = rangeOf(button.dataset.select.split(" ").map(Number));
    scrollTo(range);
    container.focus({ preventScroll: true });
    const selection = document.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    const u16Start = textMap.offsetOf(range.startContainer, range.startOffset);
    const u16End = textMap.offsetOf(range.endContainer, range.endOffset);
    choose(spanFromSelection(textMap.text, index, u16Start, u16End));
  });
}

form?.addEventListener("submit", (event) => {
  if (chosen) return;
  event.preventDefault();
  const error = form.querySelector("[data-pick-error]");
  error.textContent = "Select the claim’s passage in the text first.";
  error.hidden = false;
});

// Keyboard selection in read-only text: Shift + arrows, Ctrl for words.
const GRANULARITY = { ArrowLeft: "character", ArrowRight: "character", ArrowUp: "line", ArrowDown: "line" };

container.addEventListener("keydown", (event) => {
  if (!event.shiftKey || !GRANULARITY[event.key] || event.altKey || event.metaKey) return;
  event.preventDefault();
  const selection = document.getSelection();
  if (selection.rangeCount === 0 || !container.contains(selection.anchorNode)) {
    const point = textMap.pointAt(chosen ? chosen.u16Start : firstVisibleOffset());
    selection.collapse(point.node, point.offset);
  }
  const direction = event.key === "ArrowLeft" || event.key === "ArrowUp" ? "backward" : "forward";
  const granularity = event.ctrlKey && GRANULARITY[event.key] === "character" ? "word" : GRANULARITY[event.key];
  selection.modify("extend", direction, granularity);
});

function firstVisibleOffset() {
  for (const piece of textMap.pieces) {
    if (piece.node && piece.element.getBoundingClientRect().bottom > 0) return piece.start;
  }
  return 0;
}

// The places found, painted; the text opened at the first (else where the claim was).
const places = config.candidates.map(rangeOf);
paint("orphan-candidate", places);
if (config.focus) {
  scrollTo(rangeOf(config.focus));
} else if (config.oldShare > 0) {
  const u16 = toUtf16(index, Math.floor(config.oldShare * toCodePoints(index, textMap.length)));
  textMap.pieceAt(u16).element.scrollIntoView({ block: "center" });
}
container.dataset.ready = "true";
