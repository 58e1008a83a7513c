// "Possibly about the same thing in other sources": on the document page, in a claim's card
// and for a fresh selection, the passages of other documents the suggestions endpoints
// find, each in its context with what it shares and what differs; one key makes the
// counterpart claim there and links it, another dismisses it as not related (per claim).
// It meets the page through the events of claims/extensions.py.
//
// Keys, with a suggestion focused: ↓/↑ (Home/End) move between suggestions, "c" opens the
// form that makes the claim there and links it, "x" dismisses; "s" anywhere on the page goes
// to the suggestions; in the form, Ctrl+Enter saves and Esc closes it.

import { api, field, node, plural, select, shorten, showError, submitForm, uniqueId } from "../claims/api.js";

const config = JSON.parse(document.getElementById("suggestions-config").textContent);
const HEADING = "Possibly about the same thing in other sources";
const SELECTION_DELAY_MS = 500; // the selection settles (keyboard selection moves by steps)
const CARD_DELAY_MS = 250; // j/k through claims does not ask for each one passed
const MIN_SELECTION = 12; // characters: shorter selections find nothing useful
const CONTEXT = 100; // characters of context shown either side of a passage
const DIRECTIONS = [
  ["qualifies_other", "This claim narrows the one there"],
  ["qualified_by_other", "The claim there narrows this one"],
];

const url = (template, id) => template.replace(config.idPlaceholder, id);
const say = (message) => document.dispatchEvent(new CustomEvent("crosscheck:say", { detail: { message } }));

/** The end of `text` (the context before a passage), at most `limit` characters, from a word. */
function tail(text, limit = CONTEXT) {
  if (text.length <= limit) return text;
  const cut = text.slice(-limit);
  const space = cut.search(/\s/);
  return `…${space >= 0 && space < limit / 3 ? cut.slice(space + 1) : cut}`;
}

/** The start of `text` (the context after a passage), at most `limit` characters, to a word. */
function head(text, limit = CONTEXT) {
  if (text.length <= limit) return text;
  const cut = text.slice(0, limit);
  const space = cut.search(/\s\S*$/);
  return `${space > (limit * 2) / 3 ? cut.slice(0, space) : cut}…`;
}

/** The passage in its context: before, the passage marked, after. */
function inContext(suggestion) {
  return node("blockquote", { class: "counterpart-context" },
    tail(suggestion.before), node("mark", { text: suggestion.quote }), head(suggestion.after));
}

/**
 * The suggestions for one claim (`claim`) or for the selection (`span`, no claim yet), in
 * a section the caller places. Nothing is asked for until `load()`.
 */
class Suggestions {
  constructor({ claim = null, span = null, collapsed = false, level = "h4", onCounterpart }) {
    this.claim = claim;
    this.span = span;
    this.onCounterpart = onCounterpart; // (suggestion): a selection's "make a claim there"
    this.items = [];
    this.request = 0; // only the latest answer is shown
    const headingId = uniqueId("counterparts");
    this.heading = node(level, { id: headingId, tabindex: "-1", text: HEADING });
    this.status = node("p", { class: "counterparts-status", "aria-live": "polite" });
    this.list = node("ol", { class: "counterparts-list", "aria-labelledby": headingId, hidden: true });
    this.section = node("section", { class: "counterparts", "aria-labelledby": headingId }, this.heading);
    this.loaded = false;
    if (collapsed) {
      this.toggle = node("button", { type: "button", class: "link-like", text: "Show passages in other sources" });
      this.toggle.addEventListener("click", () => this.load());
      this.section.append(this.toggle);
    }
    this.section.append(this.status, this.list);
    this.list.addEventListener("keydown", (event) => this.keydown(event));
  }

  get endpoint() {
    const params = new URLSearchParams({ limit: String(config.limit) });
    if (this.claim) return `${url(config.claimUrl, this.claim.id)}?${params}`;
    params.set("start", String(this.span.start));
    params.set("end", String(this.span.end));
    return `${config.selectionUrl}?${params}`;
  }

  /** Ask for the suggestions (again); `focus`: move to the first one when they arrive. */
  async load({ focus = false } = {}) {
    this.toggle?.remove();
    this.loaded = true;
    const request = ++this.request;
    this.section.setAttribute("aria-busy", "true");
    this.status.classList.remove("counterparts-error");
    this.status.replaceChildren("Looking for passages in other sources…");
    const { ok, status, data } = await api("GET", this.endpoint);
    if (request !== this.request || !this.section.isConnected) return;
    this.section.removeAttribute("aria-busy");
    if (!ok) {
      const reason = status === 0
        ? "The suggestions could not be loaded: Crosscheck could not be reached."
        : `The suggestions could not be loaded: ${data.error}`;
      const retry = node("button", { type: "button", class: "link-like", text: "Try again" });
      retry.addEventListener("click", () => this.load({ focus: true }));
      this.status.classList.add("counterparts-error");
      this.status.replaceChildren(reason, " ", retry);
      this.list.hidden = true;
      if (focus) retry.focus();
      return;
    }
    this.show(data.suggestions);
    if (focus) this.focus();
  }

  show(suggestions) {
    this.items = suggestions.map((suggestion, i) => this.item(suggestion, i, suggestions.length));
    this.list.replaceChildren(...this.items);
    this.list.hidden = this.items.length === 0;
    this.count();
    this.items[0]?.setAttribute("tabindex", "0"); // the list's one stop in the tab order
  }

  count() {
    const sources = new Set(this.items.map((item) => item.suggestion.source)).size;
    this.status.replaceChildren(this.items.length === 0
      ? "No passage of another source looks like it is about the same thing."
      : `${plural(this.items.length, "passage", "passages")} in ${plural(sources, "other source", "other sources")}.`);
  }

  /** Focus the first suggestion (or, still loading or none, the heading). */
  focus() {
    if (!this.loaded) {
      this.load({ focus: true });
      this.heading.focus();
      return;
    }
    const target = this.items.find((item) => item.getAttribute("tabindex") === "0") ?? this.items[0];
    (target ?? this.heading).focus();
  }

  item(suggestion, i, total) {
    const titleId = uniqueId("suggestion");
    const item = node("li", { class: "counterpart", tabindex: "-1", "aria-labelledby": titleId });
    item.suggestion = suggestion;
    item.append(
      node("p", { class: "counterpart-source", id: titleId },
        node("span", { class: "visually-hidden", text: `Suggestion ${i + 1} of ${total}: ` }),
        node("strong", { text: suggestion.source }), " · ", suggestion.title),
      inContext(suggestion),
    );
    if (suggestion.shared.length) {
      item.append(node("p", { class: "counterpart-shared" }, node("strong", { text: "Both mention: " }), suggestion.shared.join(", ")));
    }
    if (suggestion.differs.length) {
      item.append(node("p", { class: "counterpart-differs" }, node("strong", { text: "Differs: " }), suggestion.differs.join("; ")));
    }
    const actions = node("div", { class: "card-actions" });
    const where = `${suggestion.source}, ${shorten(suggestion.title, 40)}`;
    if (suggestion.claim) {
      item.append(node("p", { class: "counterpart-claim" }, "Claimed there: ",
        node("q", { text: shorten(suggestion.claim_statement, 120) }), " ",
        node("a", { href: suggestion.claim_url, text: "Open the claim there" })));
    } else {
      actions.append(node("a", { href: suggestion.url, text: "Open", "aria-label": `Open the passage in ${where}` }));
    }
    if (config.canTriage) {
      const make = node("button", { type: "button", class: "link-like", "aria-keyshortcuts": "c",
        text: suggestion.claim ? "Link to the claim there (c)" : "Claim and link (c)",
        "aria-label": `${suggestion.claim ? "Link to the claim there" : "Claim and link"}: ${where}` });
      make.addEventListener("click", () => this.counterpart(item));
      actions.append(make);
      if (this.claim) {
        const dismiss = node("button", { type: "button", class: "link-like", "aria-keyshortcuts": "x",
          text: "Not related (x)", "aria-label": `Not related: ${where}` });
        dismiss.addEventListener("click", () => this.dismiss(item));
        actions.append(dismiss);
      }
    }
    item.append(actions);
    return item;
  }

  keydown(event) {
    const item = event.target.closest?.(".counterpart");
    if (!item || event.target !== item || event.ctrlKey || event.altKey || event.metaKey) return;
    const at = this.items.indexOf(item);
    const moves = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: this.items.length - 1 };
    if (event.key in moves) {
      event.preventDefault();
      this.move(moves[event.key]);
    } else if (event.key === "c" && config.canTriage) {
      event.preventDefault();
      event.stopPropagation();
      this.counterpart(item);
    } else if (event.key === "x" && config.canTriage && this.claim) {
      event.preventDefault();
      event.stopPropagation();
      this.dismiss(item);
    }
  }

  move(index) {
    const target = this.items[Math.max(0, Math.min(index, this.items.length - 1))];
    if (!target) return;
    for (const item of this.items) item.setAttribute("tabindex", item === target ? "0" : "-1");
    target.focus();
    target.scrollIntoView({ block: "nearest" });
  }

  /** Make the claim there (or take the one there) and link it: a form in the item. */
  counterpart(item) {
    if (!this.claim) {
      // A fresh selection: its own claim first, through the page's new-claim form.
      this.onCounterpart(item.suggestion);
      return;
    }
    this.form(item, item.suggestion, item);
  }

  /**
   * The counterpart form for `suggestion`, appended to `where`; Cancel goes `back`, and
   * removes `where` too when the form `owns` it.
   */
  form(where, suggestion, back, owns = false) {
    this.section.querySelector(".counterpart-form")?.remove();
    const form = node("form", { class: "panel-form counterpart-form", novalidate: true });
    const heading = `${suggestion.claim ? "Link to the claim" : "Make a claim"} in ${suggestion.source}`;
    form.append(node("h5", { text: heading }));
    let statement = null;
    if (!suggestion.claim) {
      const [statementField, control] = field("Statement of the claim there", node("textarea", { rows: "3" }),
        "Prefilled with the passage: make it one neutral line.");
      control.value = suggestion.quote;
      statement = control;
      form.append(statementField);
    }
    const [relationField, relation] = field("Relation", select(config.relations,
      suggestion.differs.length ? "contradicts" : "corroborates"));
    const [directionField, direction] = field("Which narrows the other", select(DIRECTIONS, "qualifies_other"));
    const showDirection = () => {
      directionField.hidden = relation.value !== "qualifies";
    };
    relation.addEventListener("change", showDirection);
    showDirection();
    const [rationaleField, rationale] = field("Rationale", node("textarea", { rows: "2" }),
      "Why the claims conflict, agree or qualify.");
    if (suggestion.differs.length) rationale.value = `${suggestion.differs.join("; ")}.`;
    const save = node("button", { type: "submit", class: "button", text: suggestion.claim ? "Save link" : "Save claim and link" });
    const cancel = node("button", { type: "button", class: "link-like", text: "Cancel" });
    form.append(relationField, directionField, rationaleField, node("div", { class: "form-actions" }, save, cancel));
    const close = () => {
      (owns ? where : form).remove();
      back.focus();
    };
    cancel.addEventListener("click", close);
    form.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.preventDefault();
        event.stopPropagation();
        close();
      } else if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    submitForm(form, () => {
      if (!rationale.value.trim()) {
        showError(form, "Write the rationale: why these claims conflict, agree or qualify.");
        rationale.focus();
        return null;
      }
      const qualifies = relation.value === "qualifies";
      if (suggestion.claim) {
        const body = { other: suggestion.claim, relation: relation.value, rationale: rationale.value };
        if (qualifies) body.qualifier = direction.value === "qualifies_other" ? this.claim.id : suggestion.claim;
        return ["POST", url(config.linksUrl, this.claim.id), body];
      }
      const body = {
        document: suggestion.document, start: suggestion.start, end: suggestion.end,
        statement: statement.value, relation: relation.value, rationale: rationale.value,
      };
      if (qualifies) body.direction = direction.value;
      return ["POST", url(config.counterpartsUrl, this.claim.id), body];
    }, (data) => {
      const label = config.relations.find(([value]) => value === relation.value)[1].toLowerCase();
      const made = data.created ? `Claim made in ${suggestion.source} and linked` : `Linked to the claim in ${suggestion.source}`;
      this.saved(`${made}: ${label}.`);
    });
    where.append(form);
    const first = statement ?? relation;
    first.focus({ preventScroll: true });
    form.scrollIntoView({ block: "nearest" });
  }

  async dismiss(item) {
    const { document: documentId, start, end, source } = item.suggestion;
    const { ok, data } = await api("POST", url(config.dismissUrl, this.claim.id), { document: documentId, start, end });
    if (!ok) {
      showError(item, data.error);
      return;
    }
    const at = this.items.indexOf(item);
    this.items.splice(at, 1);
    item.remove();
    this.list.hidden = this.items.length === 0;
    this.count();
    say(`Not related: the passage of ${source} is no longer suggested for this claim.`);
    if (this.items.length) this.move(Math.min(at, this.items.length - 1));
    else this.heading.focus();
  }

  saved(message) {
    this.onSaved?.(message);
  }
}

// --- In the claim cards --------------------------------------------------------------

let pending = null; // {span, suggestion}: a selection's counterpart, waiting for its claim
let afterSave = null; // {claimId, suggestion}: open its form when the new claim's card shows
let focusSection = null; // the claim whose card's suggestions get the focus once redrawn
const timers = new WeakMap();

document.addEventListener("crosscheck:card", (event) => {
  const { claim, slot, first, reload } = event.detail;
  const suggestions = new Suggestions({ claim, collapsed: !first });
  suggestions.onSaved = (message) => {
    focusSection = claim.id;
    reload();
    say(message);
  };
  slot.querySelector(":scope > .counterparts")?.remove();
  slot.append(suggestions.section);
  slot.suggestions = suggestions;
  if (afterSave && afterSave.claimId === claim.id) {
    // The selection's claim is saved: now the counterpart it was made for.
    const { suggestion } = afterSave;
    afterSave = null;
    const holder = node("div", { class: "counterpart counterpart-pending" },
      node("p", { class: "counterpart-source" }, node("strong", { text: suggestion.source }), " · ", suggestion.title),
      inContext(suggestion));
    suggestions.section.insertBefore(holder, suggestions.status);
    suggestions.form(holder, suggestion, suggestions.heading, true);
    suggestions.load();
    return;
  }
  if (focusSection === claim.id) {
    focusSection = null;
    suggestions.heading.focus();
    suggestions.load();
    return;
  }
  if (first) {
    clearTimeout(timers.get(slot));
    timers.set(slot, setTimeout(() => {
      if (slot.isConnected && !suggestions.loaded) suggestions.load();
    }, CARD_DELAY_MS));
  }
});

// --- For the selection -----------------------------------------------------------------

const selectionSlot = document.getElementById("selection-parts");
let selection = null; // the Suggestions of the current selection
let selectionTimer = null;

// Pressing in the panel keeps the reader's selection (a click would collapse it).
selectionSlot.addEventListener("mousedown", (event) => {
  if (!event.target.closest("a")) event.preventDefault();
});

document.addEventListener("crosscheck:selection", (event) => {
  const { span } = event.detail;
  clearTimeout(selectionTimer);
  if (pending && (!span || span.start !== pending.span.start || span.end !== pending.span.end)) pending = null;
  if (!span || [...span.quote].length < MIN_SELECTION) {
    // Kept while the reader works in it (the selection can go when a button is pressed).
    if (!selection || !selectionSlot.contains(document.activeElement)) {
      selection = null;
      selectionSlot.replaceChildren();
    }
    return;
  }
  selection = new Suggestions({ span, level: "h3", onCounterpart: (suggestion) => startFromSelection(span, suggestion) });
  selection.section.classList.add("counterparts-selection");
  selectionSlot.replaceChildren(selection.section);
  if (span.end - span.start > config.maxSpan) {
    selection.status.replaceChildren(`Select at most ${config.maxSpan} characters to see passages of other sources about it.`);
    selection.loaded = true; // nothing to ask for
    return;
  }
  selection.status.replaceChildren("Passages of other sources about your selection show here in a moment.");
  const mine = selection;
  selectionTimer = setTimeout(() => {
    if (selection === mine && !mine.loaded) mine.load();
  }, SELECTION_DELAY_MS);
});

function startFromSelection(span, suggestion) {
  pending = { span, suggestion };
  document.dispatchEvent(new CustomEvent("crosscheck:new-claim"));
  say(`First the claim for your selection; then the form for the passage of ${suggestion.source} opens.`);
}

document.addEventListener("crosscheck:claim-created", (event) => {
  const { claim } = event.detail;
  // Made while a counterpart waits for the selection's claim: that claim (the server may
  // have trimmed its span of white space).
  if (pending && claim.start < pending.span.end && claim.end > pending.span.start) {
    afterSave = { claimId: claim.id, suggestion: pending.suggestion };
  }
  pending = null;
});

// --- "s": go to the suggestions ------------------------------------------------------

function typing(target) {
  return target.closest("input, textarea, select, [contenteditable=true]") !== null;
}

document.addEventListener("keydown", (event) => {
  if (event.key !== "s" || event.ctrlKey || event.altKey || event.metaKey || typing(event.target)) return;
  if (document.getElementById("shortcuts")?.open) return;
  event.preventDefault();
  clearTimeout(selectionTimer);
  const card = document.querySelector("#claim-details .card-parts");
  const target = selection ?? card?.suggestions;
  if (!target) {
    say("Select a passage or go to a claim first: its suggestions show in the panel.");
    return;
  }
  target.focus();
});
