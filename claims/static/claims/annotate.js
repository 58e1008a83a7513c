// The reading and annotating page: highlights, selection → new claim, the claim panel with
// editing in place, and keyboard navigation. The page's settings arrive through
// json_script; its claims through the claims endpoint, which the page preloads while the
// text is still arriving.

import {
  buildIndex,
  claimsAt,
  neighbourClaim,
  readingOrder,
  toCodePoints,
  toUtf16,
} from "./anchoring.js";
import { api, field, node, plural, select, shortcuts, submitForm } from "./api.js";
import { ClaimPanel, topicList } from "./cards.js";
import { Painter, TextMap, selectedSpan } from "./highlights.js";
import { BucketBar, StackCounts, passageFromHash } from "./overview.js";

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
  countLine.textContent = `${plural(claims.length, "claim", "claims")} in this document.`;
  // Both drawn when the browser is idle, after the text's layout (overview.js).
  overview.update(readingOrder(claims));
  stackCounts.update(painter.pieces ?? []);
}

function say(message) {
  statusLine.textContent = message;
}

// --- Selection → new claim -------------------------------------------------------------

function selectionSpan() {
  return selectedSpan(container, textMap, index);
}

// The selection, for the parts feature apps add to the page (claims/extensions.py): told
// only when it changes.
let toldSelection = null;
function tellSelection(span) {
  const key = span ? `${span.start}-${span.end}` : null;
  if (key === toldSelection) return;
  toldSelection = key;
  document.dispatchEvent(new CustomEvent("crosscheck:selection", { detail: { span } }));
}

document.addEventListener("selectionchange", () => {
  evidenceMode.updateButton();
  if (!form.hidden) return;
  const span = selectionSpan();
  tellSelection(span);
  if (!config.canAnnotate) return;
  pendingSpan = span;
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
  tellSelection(pendingSpan);
  newClaimButton.hidden = pendingSpan === null;
  painter.mark(current);
}

function showFormError(message, refusal = {}) {
  formError.replaceChildren(message);
  if (refusal.existing) {
    // A second claim on the same passage: offer the one already there.
    const open = node("button", { type: "button", class: "link-like", text: "Open your claim on this passage" });
    open.addEventListener("click", () => openExisting(refusal.existing));
    formError.append(" ", open);
  }
  formError.hidden = false;
}

async function openExisting(id) {
  if (!claims.some((claim) => claim.id === id)) {
    // Made elsewhere (another tab) since the page loaded.
    const { ok, data } = await api("GET", config.claimsUrl);
    if (ok) {
      claims = data.claims.map(locate);
      repaint();
    }
  }
  const claim = claims.find((candidate) => candidate.id === id);
  closeForm();
  if (!claim) {
    say("That claim is no longer in this document.");
    return;
  }
  goTo(claim, { flash: true });
  const card = details.querySelector(`[data-claim="${id}"]`);
  card?.setAttribute("tabindex", "-1");
  card?.focus();
}

newClaimButton.addEventListener("mousedown", (event) => event.preventDefault()); // keep the selection
newClaimButton.addEventListener("click", openForm);
// Asked for by the parts feature apps add to the page (claims/extensions.py).
document.addEventListener("crosscheck:new-claim", openForm);
document.addEventListener("crosscheck:say", (event) => say(event.detail.message));
el("claim-form-cancel").addEventListener("click", closeForm);

submitForm(form, () => {
  if (!statementInput.value.trim()) {
    showFormError("Write a statement: one neutral line saying what the passage claims.");
    statementInput.focus();
    return null;
  }
  const { start, end, quote } = formSpan;
  return ["POST", config.claimsUrl,
    { start, end, quote, statement: statementInput.value, topics: topicList(topicsInput.value) }];
}, (data) => {
  const claim = locate(data.claim);
  claims.push(claim);
  document.dispatchEvent(new CustomEvent("crosscheck:claim-created", { detail: { claim } }));
  document.getSelection().removeAllRanges();
  closeForm();
  repaint();
  goTo(claim, { scroll: false });
  say("Claim saved.");
}, showFormError);

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
    const [bearingField, bearing] = field("The passage", select(config.bearings));
    const attach = node("button", { type: "submit", class: "button", text: "Attach passage as evidence", disabled: true });
    const cancel = node("button", { type: "button", class: "link-like", text: "Stop evidence mode" });
    const attachForm = node("form", { novalidate: true }, bearingField, node("div", { class: "form-actions" }, attach, cancel));
    const result = node("p", { class: "status", role: "status" });
    this.banner.replaceChildren(
      node("p", { text: `Evidence mode: select a passage in any document to attach to ${target.label}.` }),
      attachForm,
      result,
    );
    this.attachButton = attach;
    this.updateButton();
    cancel.addEventListener("click", () => this.stop());
    attach.addEventListener("mousedown", (event) => event.preventDefault()); // keep the selection
    const template = target.type === "claim" ? config.claimEvidenceUrl : config.linkEvidenceUrl;
    submitForm(attachForm, () => {
      const span = selectionSpan();
      if (!span) {
        result.textContent = "Select the passage first.";
        return null;
      }
      const { start, end, quote } = span;
      return ["POST", panel.url(template, target.id),
        { kind: "passage", bearing: bearing.value, document: config.documentId, start, end, quote }];
    }, () => {
      sessionStorage.removeItem(MODE_KEY);
      this.banner.replaceChildren(
        node("p", { role: "status", text: `Passage attached as evidence to ${target.label}.` }),
        node("a", { href: target.returnUrl, text: "Back to the claim" }),
      );
      document.getSelection().removeAllRanges();
    }, (message) => {
      result.textContent = message;
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

// The overview in the margin and the count badges where claims stack (overview.js).
const overview = new BucketBar(el("overview"), textMap, (claim) => {
  painter.target(null);
  goTo(claim, { flash: true });
  const ordered = readingOrder(claims);
  say(`Claim ${ordered.indexOf(claim) + 1} of ${claims.length}: ${claim.statement}`);
});
const stackCounts = new StackCounts(el("stack-counts"), textMap, (u16) => {
  const here = claimsAt(claims, u16);
  if (here.length === 0) return;
  current = here[0];
  painter.mark(current);
  showClaims(here);
});

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
  painter.target(null);
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

// A link to a passage (#span=<start>-<end>, code points) scrolls to it and flashes it at
// once, before the claims arrive; a claim's (#claim-<id>, or &claim=<id> after a span) is
// opened once they have.
function passageInHash() {
  const found = passageFromHash(window.location.hash);
  if (!found || !found.span) return found;
  const { start, end } = found.span;
  const length = toCodePoints(index, textMap.length);
  if (start >= end || end > length) {
    say(`That passage is not in this document, whose text has ${length} characters.`);
    return { ...found, span: null };
  }
  const span = { u16Start: toUtf16(index, start), u16End: toUtf16(index, end) };
  painter.target(span);
  scrollToSpan(span);
  say(`Showing the passage at characters ${start}–${end}.`);
  return found;
}

function openFromHash(found = passageFromHash(window.location.hash)) {
  if (!claimsLoaded || !found || !found.claim) return;
  const claim = claims.find((candidate) => candidate.id === found.claim);
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

document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && !form.hidden) closeForm(); // from the form's fields too
  if (event.shiftKey && GRANULARITY[event.key] && event.target === container && !event.altKey && !event.metaKey) {
    event.preventDefault();
    extendSelection(event);
  }
});

// "a" only for those who may annotate: the list of shortcuts offers only what works.
shortcuts({ ...(config.canAnnotate ? { a: openForm } : {}), j: () => step(1), k: () => step(-1) });

window.addEventListener("hashchange", () => openFromHash(passageInHash()));
const linked = passageInHash();

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
  openFromHash(linked);
}

evidenceMode.render();
await loadClaims();
container.dataset.readyMs = performance.now().toFixed(1); // since navigation start
container.dataset.ready = "true";
