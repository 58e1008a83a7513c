// The reading and annotating page: highlights, selection → new claim, the claim panel with
// editing in place, and keyboard navigation. Server data arrives through json_script.

import {
  buildIndex,
  claimsAt,
  neighbourClaim,
  readingOrder,
  spanFromSelection,
  toUtf16,
} from "./anchoring.js";
import { Painter, TextMap } from "./highlights.js";

const config = JSON.parse(document.getElementById("annotate-config").textContent);
const csrfToken = document.querySelector('meta[name="csrf-token"]').content;
const container = document.getElementById("document-text");
const textMap = new TextMap(container);
const index = buildIndex(textMap.text);
const painter = new Painter(textMap);

const el = (id) => document.getElementById(id);
const newClaimButton = el("new-claim");
const form = el("claim-form");
const formQuote = el("claim-form-quote");
const formError = el("claim-form-error");
const statementInput = el("claim-statement");
const topicsInput = el("claim-topics");
const details = el("claim-details");
const statusLine = el("annotate-status");
const countLine = el("claim-count");

let claims = JSON.parse(document.getElementById("claims-data").textContent).map(locate);
let pendingSpan = null; // the current selection, as a claim span
let formSpan = null; // the span the open new-claim form is for
let current = null; // the claim the reader is on

function locate(claim) {
  return { ...claim, u16Start: toUtf16(index, claim.start), u16End: toUtf16(index, claim.end) };
}

function repaint() {
  const started = performance.now();
  painter.paint(claims);
  const elapsed = performance.now() - started;
  container.dataset.painted = String(claims.length);
  container.dataset.paintMs = elapsed.toFixed(1);
  countLine.textContent =
    claims.length === 1 ? "1 claim in this document." : `${claims.length} claims in this document.`;
}

function say(message) {
  statusLine.textContent = message;
}

function claimUrl(id) {
  return config.claimUrl.replace("00000000-0000-0000-0000-000000000000", id);
}

const NETWORK_ERROR = "Could not reach Crosscheck; nothing was saved. Check your connection and try again.";

async function api(method, url, body) {
  let response;
  try {
    response = await fetch(url, {
      method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken, Accept: "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    return { ok: false, status: 0, data: { error: NETWORK_ERROR } };
  }
  let data = {};
  try {
    data = await response.json();
  } catch {
    data = { error: `Crosscheck answered with an error (${response.status}); nothing was saved.` };
  }
  return { ok: response.ok, status: response.status, data };
}

// --- Selection → new claim -------------------------------------------------------------

function selectionSpan() {
  const selection = document.getSelection();
  if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
  const range = selection.getRangeAt(0);
  if (!container.contains(range.commonAncestorContainer) && range.commonAncestorContainer !== container) {
    return null;
  }
  const start = textMap.offsetOf(range.startContainer, range.startOffset);
  const end = textMap.offsetOf(range.endContainer, range.endOffset);
  if (start === null || end === null) return null;
  return spanFromSelection(textMap.text, index, start, end);
}

document.addEventListener("selectionchange", () => {
  if (!config.canAnnotate || !form.hidden) return;
  pendingSpan = selectionSpan();
  newClaimButton.hidden = pendingSpan === null;
});

function openForm() {
  if (!config.canAnnotate) return;
  // The live selection: "selectionchange" may not have fired yet after a quick keystroke.
  const span = selectionSpan() ?? pendingSpan;
  if (!span) {
    say("Select the passage of the claim first.");
    return;
  }
  formSpan = span;
  say(""); // so the next "Claim saved." is announced (and seen) afresh
  formQuote.textContent = span.quote;
  formError.hidden = true;
  form.hidden = false;
  newClaimButton.hidden = true;
  painter.mark(span);
  statementInput.focus();
}

function closeForm() {
  form.hidden = true;
  form.reset();
  formSpan = null;
  pendingSpan = selectionSpan();
  newClaimButton.hidden = pendingSpan === null;
  painter.mark(current);
}

function topicList(value) {
  return value.split(",").map((name) => name.trim()).filter(Boolean);
}

function showFormError(message) {
  formError.textContent = message;
  formError.hidden = false;
}

newClaimButton.addEventListener("mousedown", (event) => event.preventDefault()); // keep the selection
newClaimButton.addEventListener("click", openForm);
el("claim-form-cancel").addEventListener("click", closeForm);

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!statementInput.value.trim()) {
    showFormError("Write a statement: one neutral line saying what the passage claims.");
    statementInput.focus();
    return;
  }
  const submit = form.querySelector('button[type="submit"]');
  submit.disabled = true; // one request per click, however often it is pressed
  const { ok, data } = await api("POST", config.claimsUrl, {
    start: formSpan.start,
    end: formSpan.end,
    quote: formSpan.quote,
    statement: statementInput.value,
    topics: topicList(topicsInput.value),
  });
  submit.disabled = false;
  if (!ok) {
    showFormError(data.error);
    return;
  }
  const claim = locate(data.claim);
  claims.push(claim);
  document.getSelection().removeAllRanges();
  closeForm();
  repaint();
  goTo(claim, { scroll: false });
  say("Claim saved.");
});

// --- The claim panel -------------------------------------------------------------------

function node(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "text") element.textContent = value;
    else element.setAttribute(name, value);
  }
  element.append(...children);
  return element;
}

function showClaims(list) {
  details.replaceChildren();
  if (list.length === 0) return;
  const heading = list.length === 1 ? "1 claim here" : `${list.length} claims here`;
  details.append(node("h3", { text: heading }));
  const items = node("ol", { class: "claims-here" });
  for (const claim of list) items.append(claimCard(claim));
  details.append(items);
}

function claimCard(claim) {
  const card = node("li", { class: "claim-card", "data-claim": claim.id });
  const when = new Date(claim.created).toISOString().slice(0, 10);
  card.append(
    node("p", { class: "claim-statement", text: claim.statement }),
    node("blockquote", { class: "claim-quote", text: shorten(claim.quote, 240) }),
    node("p", { class: "claim-meta", text: `by ${claim.author} on ${when}` }),
  );
  if (claim.topics.length) {
    const topics = node("ul", { class: "topics", "aria-label": "Topics" });
    for (const topic of claim.topics) topics.append(node("li", { class: "topic", text: topic }));
    card.append(topics);
  }
  if (claim.can_edit) {
    const actions = node("div", { class: "card-actions" });
    const edit = node("button", { type: "button", class: "link-like", text: "Edit" });
    edit.setAttribute("aria-label", `Edit claim: ${shorten(claim.statement, 60)}`);
    edit.addEventListener("click", () => editCard(card, claim));
    const remove = node("button", { type: "button", class: "link-like danger", text: "Delete" });
    remove.setAttribute("aria-label", `Delete claim: ${shorten(claim.statement, 60)}`);
    remove.addEventListener("click", () => confirmDelete(card, claim));
    actions.append(edit, remove);
    card.append(actions);
  }
  return card;
}

function shorten(text, limit) {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

function cardError(card, message) {
  card.querySelector(".form-errors")?.remove();
  card.append(node("div", { class: "form-errors", role: "alert", text: message }));
}

function editCard(card, claim) {
  const statementId = `edit-statement-${claim.id}`;
  const topicsId = `edit-topics-${claim.id}`;
  const editor = node("form", { class: "claim-edit", novalidate: "" });
  const statement = node("textarea", { id: statementId, rows: "3", required: "" });
  statement.value = claim.statement;
  const topics = node("input", { id: topicsId, type: "text", list: "topic-names", autocomplete: "off" });
  topics.value = claim.topics.join(", ");
  const save = node("button", { type: "submit", class: "button", text: "Save changes" });
  const cancel = node("button", { type: "button", class: "link-like", text: "Cancel" });
  editor.append(
    node("div", { class: "field" }, node("label", { for: statementId, text: "Statement" }), statement),
    node("div", { class: "field" }, node("label", { for: topicsId, text: "Topics" }), topics),
    node("div", { class: "form-actions" }, save, cancel),
  );
  cancel.addEventListener("click", () => card.replaceWith(claimCard(claim)));
  editor.addEventListener("submit", async (event) => {
    event.preventDefault();
    save.disabled = true;
    const { ok, data } = await api("PATCH", claimUrl(claim.id), {
      statement: statement.value,
      topics: topicList(topics.value),
      version: claim.version,
    });
    save.disabled = false;
    if (!ok) {
      cardError(card, data.error);
      return;
    }
    const updated = replaceClaim(locate(data.claim));
    card.replaceWith(claimCard(updated));
    say("Claim updated.");
  });
  card.replaceChildren(editor);
  statement.focus();
}

function confirmDelete(card, claim) {
  const question = node("div", { class: "confirm", role: "group", "aria-label": "Confirm deletion" });
  const yes = node("button", { type: "button", class: "button danger", text: "Delete claim" });
  const no = node("button", { type: "button", class: "link-like", text: "Keep it" });
  question.append(node("p", { text: "Delete this claim? This cannot be undone here." }), yes, no);
  no.addEventListener("click", () => card.replaceWith(claimCard(claim)));
  yes.addEventListener("click", async () => {
    yes.disabled = true;
    const { ok, data } = await api("DELETE", claimUrl(claim.id), { version: claim.version });
    if (!ok) {
      yes.disabled = false;
      cardError(card, data.error);
      return;
    }
    claims = claims.filter((other) => other.id !== claim.id);
    if (current && current.id === claim.id) current = null;
    card.remove();
    repaint();
    painter.mark(current);
    say("Claim deleted.");
  });
  card.append(question);
  yes.focus();
}

function replaceClaim(updated) {
  claims = claims.map((claim) => (claim.id === updated.id ? updated : claim));
  if (current && current.id === updated.id) current = updated;
  return updated;
}

// --- Going to claims: click, j/k, and #claim-<id> links ------------------------------

function scrollToSpan(claim) {
  const rect = textMap.range(claim.u16Start, claim.u16End).getBoundingClientRect();
  if (rect.top < 80 || rect.bottom > window.innerHeight - 40) {
    window.scrollBy({ top: rect.top - window.innerHeight / 3, behavior: "instant" });
  }
}

function goTo(claim, { scroll = true, flash = false } = {}) {
  current = claim;
  painter.mark(claim, { flash });
  if (scroll) scrollToSpan(claim);
  showClaims(claimsAt(claims, claim.u16Start));
}

let pressedAt = null;
container.addEventListener("mousedown", (event) => {
  pressedAt = { x: event.clientX, y: event.clientY };
});

container.addEventListener("click", (event) => {
  // A drag selects text; only a click that stayed in place opens the claims under it.
  const moved = pressedAt && Math.hypot(event.clientX - pressedAt.x, event.clientY - pressedAt.y);
  if (moved > 4) return;
  const u16 = textMap.offsetAtPoint(event.clientX, event.clientY);
  if (u16 === null) return;
  const here = claimsAt(claims, u16);
  if (here.length === 0) {
    current = null;
    painter.mark(null);
    details.replaceChildren();
    return;
  }
  current = here[0];
  painter.mark(current);
  showClaims(here);
});

function firstVisibleOffset() {
  const rect = container.getBoundingClientRect();
  const u16 = textMap.offsetAtPoint(rect.left + 8, Math.max(rect.top, 0) + 8);
  return u16 ?? 0;
}

function step(direction) {
  const next = neighbourClaim(claims, current, firstVisibleOffset(), direction);
  if (!next) {
    say(direction > 0 ? "No claim after this one." : "No claim before this one.");
    return;
  }
  goTo(next);
  const position = readingOrder(claims).indexOf(next) + 1;
  say(`Claim ${position} of ${claims.length}: ${next.statement}`);
}

function openFromHash() {
  const match = /^#claim-([0-9a-f-]{36})$/.exec(window.location.hash);
  if (!match) return;
  const claim = claims.find((candidate) => candidate.id === match[1]);
  if (claim) goTo(claim, { flash: true });
  else say("That claim is no longer in this document.");
}

// --- Keyboard -----------------------------------------------------------------------

const GRANULARITY = { ArrowLeft: "character", ArrowRight: "character", ArrowUp: "line", ArrowDown: "line" };

function extendSelection(event) {
  // Keyboard selection in read-only text: Shift + arrows, Ctrl for words.
  const selection = document.getSelection();
  if (selection.rangeCount === 0 || !container.contains(selection.anchorNode)) {
    const point = textMap.pointAt(current ? current.u16Start : firstVisibleOffset());
    selection.collapse(point.node, point.offset);
  }
  const direction = event.key === "ArrowLeft" || event.key === "ArrowUp" ? "backward" : "forward";
  const granularity = event.ctrlKey && GRANULARITY[event.key] === "character" ? "word" : GRANULARITY[event.key];
  selection.modify("extend", direction, granularity);
}

function typing(target) {
  return target.closest("input, textarea, select, [contenteditable=true]") !== null;
}

document.addEventListener("keydown", (event) => {
  if (event.key === "Escape") {
    if (!form.hidden) closeForm();
    return;
  }
  if (typing(event.target) || event.altKey || event.metaKey) return;
  if (event.shiftKey && GRANULARITY[event.key] && event.target === container) {
    event.preventDefault();
    extendSelection(event);
    return;
  }
  if (event.ctrlKey) return;
  if (event.key === "a") {
    event.preventDefault();
    openForm();
  } else if (event.key === "j") {
    step(1);
  } else if (event.key === "k") {
    step(-1);
  } else if (event.key === "?") {
    el("shortcuts").showModal();
  }
});

window.addEventListener("hashchange", openFromHash);

repaint();
openFromHash();
container.dataset.readyMs = performance.now().toFixed(1); // since navigation start
container.dataset.ready = "true";
