// The reading and annotating page: highlights, selection → new claim, the claim panel with
// editing in place, and keyboard navigation. The page's settings arrive through
// json_script; its claims through the claims endpoint, which the page preloads while the
// text is still arriving.

import {
  buildIndex,
  claimsAt,
  neighbourClaim,
  readingOrder,
  spanFromSelection,
  toUtf16,
} from "./anchoring.js";
import { api, node } from "./api.js";
import { ClaimPanel, topicList } from "./cards.js";
import { Painter, TextMap } from "./highlights.js";

const config = JSON.parse(document.getElementById("annotate-config").textContent);
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

let claims = []; // filled by loadClaims()
let claimsLoaded = false;
let pendingSpan = null; // the current selection, as a claim span
let formSpan = null; // the span the open new-claim form is for
let current = null; // the claim the reader is on

// A claim from the server, placed in the page's text; its quote is the text at its span
// (the server sends none: the page already holds the text).
function locate(claim) {
  const u16Start = toUtf16(index, claim.start);
  const u16End = toUtf16(index, claim.end);
  return { ...claim, u16Start, u16End, quote: textMap.text.slice(u16Start, u16End) };
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
  evidenceMode.updateButton();
  if (!config.canAnnotate || !form.hidden) return;
  pendingSpan = selectionSpan();
  newClaimButton.hidden = pendingSpan === null;
});

function openForm() {
  if (!config.canAnnotate) return;
  if (!claimsLoaded) {
    say("The claims have not loaded yet: new claims wait for them, so none is made twice.");
    return;
  }
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

const panel = new ClaimPanel(details, config, {
  changed: (payload) => replaceClaim(locate(payload)),
  deleted: (id) => {
    claims = claims.filter((claim) => claim.id !== id);
    if (current && current.id === id) current = null;
    repaint();
    painter.mark(current);
  },
  say,
  claimById: (id) => claims.find((claim) => claim.id === id),
  pickPassage: (target) => evidenceMode.start(target),
});

function showClaims(list) {
  panel.show(list);
}

function replaceClaim(updated) {
  claims = claims.map((claim) => (claim.id === updated.id ? updated : claim));
  if (current && current.id === updated.id) current = updated;
  return updated;
}

// --- Evidence mode: attach a passage of this (or any) document to a chosen claim or link -

const MODE_KEY = "crosscheck.evidenceTarget";

const evidenceMode = {
  banner: el("evidence-mode"),

  target() {
    try {
      return JSON.parse(sessionStorage.getItem(MODE_KEY));
    } catch {
      return null;
    }
  },

  start(target) {
    sessionStorage.setItem(MODE_KEY, JSON.stringify({ ...target, returnUrl: window.location.pathname + `#claim-${current ? current.id : ""}` }));
    this.render();
    say("Evidence mode: select a passage here or in any other document.");
  },

  stop() {
    sessionStorage.removeItem(MODE_KEY);
    this.render();
  },

  render() {
    const target = this.target();
    this.banner.hidden = !target || !config.canAnnotate;
    if (this.banner.hidden) return;
    const bearing = node("select", { id: "passage-bearing" },
      node("option", { value: "supports", text: "supports" }), node("option", { value: "refutes", text: "refutes" }));
    const attach = node("button", { type: "button", class: "button", text: "Attach passage as evidence", disabled: true });
    const cancel = node("button", { type: "button", class: "link-like", text: "Stop evidence mode" });
    const result = node("p", { class: "status", role: "status" });
    this.banner.replaceChildren(
      node("p", { text: `Evidence mode: select a passage in any document to attach to ${target.label}.` }),
      node("div", { class: "field" }, node("label", { for: "passage-bearing", text: "The passage" }), bearing),
      node("div", { class: "form-actions" }, attach, cancel),
      result,
    );
    this.attachButton = attach;
    this.updateButton();
    cancel.addEventListener("click", () => this.stop());
    attach.addEventListener("mousedown", (event) => event.preventDefault()); // keep the selection
    attach.addEventListener("click", async () => {
      const span = selectionSpan();
      if (!span) {
        result.textContent = "Select the passage first.";
        return;
      }
      attach.disabled = true;
      const template = target.type === "claim" ? config.claimEvidenceUrl : config.linkEvidenceUrl;
      const { ok, data } = await api("POST", template.replace("00000000-0000-0000-0000-000000000000", target.id), {
        kind: "passage", bearing: bearing.value, document: config.documentId,
        start: span.start, end: span.end, quote: span.quote,
      });
      attach.disabled = false;
      if (!ok) {
        result.textContent = data.error;
        return;
      }
      sessionStorage.removeItem(MODE_KEY);
      this.banner.replaceChildren(
        node("p", { role: "status", text: `Passage attached as evidence to ${target.label}.` }),
        node("a", { href: target.returnUrl, text: "Back to the claim" }),
      );
      document.getSelection().removeAllRanges();
    });
  },

  updateButton() {
    if (this.attachButton) this.attachButton.disabled = selectionSpan() === null;
  },
};

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
  if (!claimsLoaded) return;
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

async function loadClaims() {
  const { ok, status, data } = await api("GET", config.claimsUrl);
  if (!ok) {
    const reason = status === 0 ? "Crosscheck could not be reached" : `Crosscheck answered with error ${status}`;
    countLine.textContent = `The claims could not be loaded: ${reason}. Reload the page to try again.`;
    countLine.setAttribute("role", "alert");
    return;
  }
  claims = data.claims.map(locate);
  claimsLoaded = true;
  repaint();
  openFromHash();
}

evidenceMode.render();
await loadClaims();
container.dataset.readyMs = performance.now().toFixed(1); // since navigation start
container.dataset.ready = "true";
