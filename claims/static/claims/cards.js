// The claim cards of the side panel: a claim with its links and evidence, and the forms to
// edit or delete it, link it to a claim of another document, and attach evidence.

import { api, dateOf, field, node, plural, select, shorten, showError, submitForm, uniqueId } from "./api.js";

// The kinds of evidence the panel's form adds (a passage is attached in evidence mode).
const KINDS = [
  ["citation", "Citation"],
  ["url", "Web address"],
  ["quote", "Quoted text"],
];
const SEARCH_DELAY_MS = 200;
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
  "October", "November", "December"];
// A passage of evidence the correction of its text could not carry over, by anchor state.
const LEFT_BEHIND = { needs_check: "needs a check", orphaned: "orphaned" };
// How each symmetric relation reads of the two claims together.
const BOTH_WAYS = { contradicts: "contradict", corroborates: "corroborate" };

/**
 * How a link reads on the card of one of its claims ("this" claim; the link's `other` is
 * shown below it): symmetric relations of both claims, qualifies from the claim that
 * narrows to the one narrowed, as the link's `direction` seen from this claim says.
 */
export function relationLine(link) {
  if (link.relation in BOTH_WAYS) return `These claims ${BOTH_WAYS[link.relation]} each other`;
  if (link.direction === "qualifies_other") return "This claim qualifies (narrows) the other";
  if (link.direction === "qualified_by_other") return "The other claim qualifies (narrows) this one";
  return "One of these claims qualifies the other: direction not recorded";
}

/**
 * The direction of a qualifies link in a form: the reading ("“this” narrows “that”") and
 * a Swap button. `thisFirst` is whether this claim narrows the other; `otherLabel()` the
 * other claim's words as the form knows them. Returns [the group, {thisFirst(), refresh()}].
 */
function directionControl(thisLabel, otherLabel, thisFirst, note) {
  const reading = node("p", { class: "direction-reading", "aria-live": "polite" });
  const swap = node("button", { type: "button", class: "link-like", text: "Swap direction" });
  const group = node("fieldset", { class: "direction" }, node("legend", { text: "Which claim narrows the other" }), reading);
  if (note) group.append(node("p", { class: "help", text: note }));
  group.append(swap);
  const state = {
    thisFirst: () => thisFirst,
    refresh() {
      const [first, second] = thisFirst ? [thisLabel, otherLabel()] : [otherLabel(), thisLabel];
      reading.replaceChildren(first, " ", node("strong", { text: "narrows" }), " ", second);
    },
  };
  swap.addEventListener("click", () => {
    thisFirst = !thisFirst;
    state.refresh();
  });
  state.refresh();
  return [group, state];
}

/** A panel form's row of buttons, Save (submitting) and Cancel: [the row, Cancel]. */
function formActions(saveText) {
  const save = node("button", { type: "submit", class: "button", text: saveText });
  const cancel = node("button", { type: "button", class: "link-like", text: "Cancel" });
  return [node("div", { class: "form-actions" }, save, cancel), cancel];
}

/**
 * The panel's list of claim cards. `config` is the page's (endpoint addresses with the
 * placeholder id `idPlaceholder`, the relation and bearing choices); `hooks` tell the page
 * what changed.
 */
export class ClaimPanel {
  constructor(container, config, hooks) {
    this.container = container;
    this.config = config;
    this.hooks = hooks; // {changed(claim), deleted(id), say(message), claimById(id), pickPassage(target)}
  }

  /** An endpoint's address: the page's address template with the real id in place. */
  url(template, id) {
    return template.replace(this.config.idPlaceholder, id);
  }

  show(claims) {
    this.container.replaceChildren();
    if (claims.length === 0) return;
    this.container.append(node("h3", { text: `${plural(claims.length, "claim", "claims")} here` }));
    const list = node("ol", { class: "claims-here" });
    for (const claim of claims) list.append(this.card(claim));
    this.container.append(list);
  }

  card(claim) {
    const card = node("li", { class: "claim-card", "data-claim": claim.id });
    this.fill(card, claim);
    return card;
  }

  fill(card, claim) {
    card.replaceChildren(
      node("p", { class: "claim-statement", text: claim.statement }),
      node("blockquote", { class: "claim-quote", text: shorten(claim.quote, 240) }),
      node("p", { class: "claim-meta", text: `by ${claim.author} on ${dateOf(claim.created)}` }),
      node("div", { class: "claim-date" }, node("p", { text: `Event date: ${claim.date ? claim.date.label : "not given"}` })),
    );
    if (claim.topics.length) {
      const topics = node("ul", { class: "topics", "aria-label": "Topics" });
      for (const topic of claim.topics) {
        // Each topic opens its claims side by side, a column per source (/compare/topics/).
        const url = this.config.topicUrl && this.url(this.config.topicUrl, encodeURIComponent(topic));
        topics.append(node("li", { class: "topic" }, url
          ? node("a", { href: url, text: topic, "aria-label": `Topic ${topic}: sources side by side` })
          : topic));
      }
      card.append(topics);
    }
    const label = shorten(claim.statement, 60);
    const actions = node("div", { class: "card-actions" });
    if (claim.can_edit) {
      actions.append(
        this.button("Edit", `Edit claim: ${label}`, () => this.editClaim(card, claim)),
        this.button("Delete", `Delete claim: ${label}`, () => this.confirmDeleteClaim(card, claim), "danger"),
      );
    }
    card.append(actions);
    const sections = node("div", { class: "card-details", "aria-live": "polite" });
    const slot = node("div", { class: "card-parts" }); // filled by feature apps
    card.append(sections, slot);
    this.loadDetails(card, claim, sections, actions, slot);
  }

  button(text, label, onClick, extra = "") {
    const button = node("button", { type: "button", class: `link-like ${extra}`.trim(), text, "aria-label": label });
    button.addEventListener("click", onClick);
    return button;
  }

  async loadDetails(card, claim, sections, actions, slot) {
    const { ok, data } = await api("GET", this.url(this.config.claimUrl, claim.id));
    if (ok) this.showDetails(card, claim, data, sections, actions);
    else showError(sections, data.error);
    // The card is shown: the parts feature apps add to the page may fill its slot
    // (claims/extensions.py).
    if (card.isConnected) {
      card.dispatchEvent(new CustomEvent("crosscheck:card", {
        bubbles: true,
        detail: { claim, slot, first: card.parentElement.firstElementChild === card, reload: () => this.reload(card, claim) },
      }));
    }
  }

  showDetails(card, claim, data, sections, actions) {
    card.details = data;
    Object.assign(claim, { version: data.claim.version });
    if (claim.can_edit) this.dateActions(card, claim, data.date_suggestions);
    sections.replaceChildren(this.linksSection(card, claim, data.links), this.evidenceSection(card, claim, data.evidence));
    if (this.config.canAnnotate) {
      const label = shorten(claim.statement, 60);
      actions.append(
        this.button("Link to claim…", `Link to claim… (from claim: ${label})`, () => this.linkForm(card, claim)),
        this.button("Add evidence", `Add evidence to claim: ${label}`, () =>
          this.evidenceForm(card, { type: "claim", id: claim.id, label })),
        this.button("Use a passage as evidence…", `Use a passage as evidence for claim: ${label}`, () =>
          this.hooks.pickPassage({ type: "claim", id: claim.id, label: `claim “${label}”` })),
      );
    }
  }

  reload(card, claim) {
    this.fill(card, claim);
  }

  // --- Links ---------------------------------------------------------------------------

  linksSection(card, claim, links) {
    const section = node("section", { class: "card-section" });
    section.append(node("h4", { text: links.length ? `Links (${links.length})` : "Links: none yet" }));
    const list = node("ul", { class: "evidence-list" });
    for (const link of links) list.append(this.linkItem(card, claim, link));
    section.append(list);
    return section;
  }

  linkItem(card, claim, link) {
    const other = link.other;
    const item = node("li", { class: "link-item" });
    const label = shorten(other.statement, 50);
    item.append(
      node("p", { class: `link-relation direction-${link.direction}` }, node("strong", { text: relationLine(link) })),
      node("p", { class: "link-other" }, other.statement),
      node("blockquote", { class: "claim-quote", text: shorten(other.quote, 200) }),
      node("p", { class: "claim-meta", text: `${other.source} · ${other.document} · ${link.review_state}` }),
      node("p", { class: "claim-meta", text: `Rationale: ${link.rationale}` }),
      node("p", { class: "claim-meta", text: `linked by ${link.author} on ${dateOf(link.created)}` }),
    );
    const actions = node("div", { class: "card-actions" });
    actions.append(
      node("a", { href: other.url, text: "Open the other claim" }),
      node("a", { href: link.url, text: "Claim pair" }),
    );
    if (this.config.canAnnotate) {
      actions.append(
        this.button("Add evidence", `Add evidence to the link with: ${label}`, () =>
          this.evidenceForm(card, { type: "link", id: link.id, label }, item)),
        this.button("Use a passage…", `Use a passage as evidence for the link with: ${label}`, () =>
          this.hooks.pickPassage({ type: "link", id: link.id, label: `the link with “${label}”` })),
      );
    }
    if (link.can_edit && link.direction === "unknown") {
      actions.append(this.button("Set the direction", `Set the direction of the link with: ${label}`, () =>
        this.editLink(card, claim, link, item)));
    }
    if (link.can_edit) {
      actions.append(
        this.button("Edit", `Edit link with: ${label}`, () => this.editLink(card, claim, link, item)),
        this.button("Delete", `Delete link with: ${label}`, () => this.confirmDeleteLink(card, claim, link, item), "danger"),
      );
    }
    item.append(actions);
    if (link.evidence.length) {
      const evidence = node("ul", { class: "evidence-list", "aria-label": "Evidence for this link" });
      for (const entry of link.evidence) evidence.append(this.evidenceItem(card, claim, entry));
      item.append(evidence);
    }
    return item;
  }

  linkForm(card, claim) {
    card.querySelector(".panel-form")?.remove();
    const form = node("form", { class: "panel-form", novalidate: true });
    const listId = uniqueId("results");
    const search = node("input", {
      type: "search", role: "combobox", "aria-autocomplete": "list", "aria-expanded": "false",
      "aria-controls": listId, autocomplete: "off",
    });
    const [searchField] = field("Find a claim in another document", search, "Type words of its quote or statement.");
    const results = node("ul", { class: "search-results", id: listId, role: "listbox", "aria-label": "Matching claims", hidden: true });
    const chosenLine = node("p", { class: "chosen-claim", "aria-live": "polite", text: "No claim chosen yet." });
    const [relationField, relation] = field("Relation", select(this.config.relations));
    let chosen = null;
    const thisLabel = `“${shorten(claim.statement, 60)}”`;
    const [directionGroup, direction] = directionControl(thisLabel,
      () => (chosen ? `“${shorten(chosen.statement, 60)}”` : "the claim you choose"), true);
    const showDirection = () => {
      directionGroup.hidden = relation.value !== "qualifies";
    };
    relation.addEventListener("change", showDirection);
    showDirection();
    const [rationaleField, rationale] = field("Rationale", node("textarea", { rows: "3" }), "Why these claims conflict, agree or qualify.");
    const [actions, cancel] = formActions("Save link");
    form.append(node("h4", { text: "Link to a claim of another document" }), searchField, results, chosenLine,
      relationField, directionGroup, rationaleField, actions);
    let options = [];
    let active = -1;
    let timer = null;

    const choose = (result) => {
      chosen = result;
      chosenLine.textContent = `Chosen: “${shorten(result.statement, 80)}” — ${result.source}, ${result.document}`;
      direction.refresh();
      results.hidden = true;
      search.setAttribute("aria-expanded", "false");
      search.removeAttribute("aria-activedescendant");
      relation.focus();
    };
    const highlight = (index) => {
      active = index;
      [...results.children].forEach((option, i) => option.setAttribute("aria-selected", String(i === index)));
      if (index >= 0) search.setAttribute("aria-activedescendant", results.children[index].id);
    };
    const runSearch = async () => {
      const query = search.value.trim();
      const params = new URLSearchParams({ q: query, exclude_document: String(this.config.documentId) });
      const { ok, data } = await api("GET", `${this.config.searchUrl}?${params}`);
      if (!ok || search.value.trim() !== query) return;
      options = data.results;
      results.replaceChildren(...options.map((result, i) => {
        const option = node("li", { role: "option", id: `${listId}-${i}`, "aria-selected": "false" },
          node("span", { text: shorten(result.statement, 120) }),
          node("span", { class: "result-meta", text: `“${shorten(result.quote, 100)}” — ${result.source}, ${result.document}` }));
        option.addEventListener("mousedown", (event) => event.preventDefault());
        option.addEventListener("click", () => choose(result));
        return option;
      }));
      if (options.length === 0 && query.length >= 2) {
        results.replaceChildren(node("li", { role: "option", "aria-disabled": "true", text: "No matching claim in other documents." }));
      }
      results.hidden = query.length < 2;
      search.setAttribute("aria-expanded", String(!results.hidden));
      highlight(-1);
    };
    search.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(runSearch, SEARCH_DELAY_MS);
    });
    search.addEventListener("keydown", (event) => {
      if (event.key === "ArrowDown" && options.length) {
        event.preventDefault();
        highlight(Math.min(active + 1, options.length - 1));
      } else if (event.key === "ArrowUp" && options.length) {
        event.preventDefault();
        highlight(Math.max(active - 1, 0));
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        choose(options[active]);
      } else if (event.key === "Escape" && !results.hidden) {
        event.stopPropagation();
        results.hidden = true;
        search.setAttribute("aria-expanded", "false");
      }
    });
    cancel.addEventListener("click", () => form.remove());
    submitForm(form, () => {
      if (!chosen) {
        showError(form, "Choose the other claim from the list first.");
        search.focus();
        return null;
      }
      const body = { other: chosen.id, relation: relation.value, rationale: rationale.value };
      if (relation.value === "qualifies") body.qualifier = direction.thisFirst() ? claim.id : chosen.id;
      return ["POST", this.url(this.config.claimLinksUrl, claim.id), body];
    }, () => {
      this.hooks.say("Link saved.");
      this.reload(card, claim);
    });
    card.append(form);
    search.focus();
  }

  editLink(card, claim, link, item) {
    const form = node("form", { class: "panel-form", novalidate: true });
    const [relationField, relation] = field("Relation", select(this.config.relations, link.relation));
    const unknown = link.relation === "qualifies" && link.direction === "unknown";
    const [directionGroup, direction] = directionControl(`“${shorten(claim.statement, 60)}”`,
      () => `“${shorten(link.other.statement, 60)}”`, link.direction !== "qualified_by_other",
      unknown ? "Direction not recorded: saving records the one shown." : null);
    const showDirection = () => {
      directionGroup.hidden = relation.value !== "qualifies";
    };
    relation.addEventListener("change", showDirection);
    showDirection();
    const [rationaleField, rationale] = field("Rationale", node("textarea", { rows: "3" }));
    rationale.value = link.rationale;
    const [actions, cancel] = formActions("Save link");
    form.append(relationField, directionGroup, rationaleField, actions);
    cancel.addEventListener("click", () => this.reload(card, claim));
    submitForm(form, () => {
      const body = { relation: relation.value, rationale: rationale.value, version: link.version };
      if (relation.value === "qualifies") body.qualifier = direction.thisFirst() ? claim.id : link.other.id;
      return ["PATCH", this.url(this.config.linkUrl, link.id), body];
    }, () => {
      this.hooks.say("Link updated.");
      this.reload(card, claim);
    });
    item.replaceChildren(form);
    relation.focus();
  }

  confirmDeleteLink(card, claim, link, item) {
    // `deletes` counts in words what goes along (evidence, comments), as the server's
    // confirmation does (claims.services.describe_dependents).
    const consequence = link.deletes ? ` Its ${link.deletes} will be deleted with it.` : "";
    this.confirm(item, `Delete this link?${consequence}`, "Delete link", async () => {
      const { ok, data } = await api("DELETE", this.url(this.config.linkUrl, link.id), {
        version: link.version, confirm: true,
      });
      if (!ok) return data.error;
      this.hooks.say("Link deleted.");
      this.reload(card, claim);
      return null;
    });
  }

  // --- Evidence ------------------------------------------------------------------------

  evidenceSection(card, claim, evidence) {
    const section = node("section", { class: "card-section" });
    section.append(node("h4", { text: evidence.length ? `Evidence (${evidence.length})` : "Evidence: none yet" }));
    const list = node("ul", { class: "evidence-list" });
    for (const entry of evidence) list.append(this.evidenceItem(card, claim, entry));
    section.append(list);
    return section;
  }

  evidenceItem(card, claim, entry) {
    const note = this.leftBehindNote(entry);
    const item = node("li", { class: `evidence evidence-${entry.bearing}${note ? " evidence-left-behind" : ""}` });
    const bearing = entry.bearing === "refutes" ? "✗ Refutes" : "✓ Supports";
    item.append(node("span", { class: "bearing", text: `${bearing} ` }), node("span", { class: "kind", text: `(${entry.kind_label}) ` }));
    if (entry.kind === "url") {
      item.append(node("a", { href: entry.url, target: "_blank", rel: "noopener noreferrer nofollow", text: entry.citation || entry.url }));
    } else if (entry.kind === "citation") {
      item.append(node("span", { class: "citation", text: entry.citation }));
    } else {
      item.append(node("blockquote", { class: "claim-quote", text: shorten(entry.quote, 300) }));
      if (entry.document) {
        item.append(node("span", { class: "evidence-source" }, "from ", node("a", { href: `${entry.document.url}#span=${entry.start}-${entry.end}`, text: entry.document.title })));
      } else if (entry.citation) {
        item.append(node("span", { class: "evidence-source", text: entry.citation }));
      }
      if (note) item.append(note);
    }
    item.append(node("span", { class: "claim-meta", text: `added by ${entry.author} on ${dateOf(entry.created)}` }));
    if (entry.can_edit) {
      const flip = entry.bearing === "supports" ? "refutes" : "supports";
      const which = shorten(entry.citation || entry.url || entry.quote, 60);
      const actions = node("div", { class: "card-actions" });
      actions.append(
        this.button(`Mark as ${flip === "refutes" ? "refuting" : "supporting"}`,
          `Mark as ${flip === "refutes" ? "refuting" : "supporting"}: ${which}`, async () => {
          const { ok, data } = await api("PATCH", this.url(this.config.evidenceUrl, entry.id), { bearing: flip, version: entry.version });
          if (!ok) showError(item, data.error);
          else this.reload(card, claim);
        }),
        this.button("Remove", `Remove evidence: ${which}`, () =>
          this.confirm(item, "Remove this evidence?", "Remove evidence", async () => {
            const { ok, data } = await api("DELETE", this.url(this.config.evidenceUrl, entry.id), { version: entry.version });
            if (!ok) return data.error;
            this.hooks.say("Evidence removed.");
            this.reload(card, claim);
            return null;
          }), "danger"),
      );
      item.append(actions);
    }
    return item;
  }

  /**
   * For a passage left on an older revision of its text (a correction could not carry it
   * over safely), what happened and what to do, in words; null for any other evidence. The
   * current revision is a link unless this page shows it.
   */
  leftBehindNote(entry) {
    const state = LEFT_BEHIND[entry.anchor_state];
    if (entry.kind !== "passage" || !state || !entry.document) return null;
    const note = node("p", { class: "left-behind-note" },
      node("strong", { text: `Left on revision ${entry.document.revision}` }),
      ` — not carried over to the corrected text (${state}). Add the passage from `);
    const current = entry.current_revision;
    if (!current) note.append("the current revision");
    else if (current.id === this.config.documentId) note.append(`the current revision (revision ${current.revision}, this page)`);
    else note.append(node("a", { href: current.url, text: `the current revision (revision ${current.revision})` }));
    note.append(entry.can_edit ? ", then remove this one." : ", then ask whoever added this one, or an editor, to remove it.");
    return note;
  }

  evidenceForm(card, target, where = card) {
    card.querySelector(".panel-form")?.remove();
    const form = node("form", { class: "panel-form", novalidate: true });
    const [kindField, kind] = field("Kind of evidence", select(KINDS, "citation"));
    const [bearingField, bearing] = field("Bearing", select(this.config.bearings));
    const [citationField, citation] = field("Citation", node("textarea", { rows: "2" }), "Author, title, publisher, year, page.");
    const [urlField, url] = field("Web address", node("input", { type: "url", inputmode: "url", placeholder: "https://" }));
    const [quoteField, quote] = field("Quoted text", node("textarea", { rows: "3" }));
    const [actions, cancel] = formActions("Save evidence");
    const heading = target.type === "claim" ? "Add evidence to this claim" : `Add evidence to the link with “${target.label}”`;
    form.append(node("h4", { text: heading }), kindField, bearingField, urlField, quoteField, citationField, actions);
    const showFields = () => {
      urlField.hidden = kind.value !== "url";
      quoteField.hidden = kind.value !== "quote";
      citationField.querySelector("label").textContent =
        kind.value === "citation" ? "Citation" : kind.value === "url" ? "Title of the page (optional)" : "Where it is from (optional)";
    };
    kind.addEventListener("change", showFields);
    showFields();
    cancel.addEventListener("click", () => form.remove());
    const template = target.type === "claim" ? this.config.claimEvidenceUrl : this.config.linkEvidenceUrl;
    submitForm(form, () => ["POST", this.url(template, target.id),
      { kind: kind.value, bearing: bearing.value, citation: citation.value, url: url.value, quote: quote.value }], () => {
      this.hooks.say("Evidence saved.");
      this.reload(card, this.claimOf(card));
    });
    where.append(form);
    kind.focus();
  }

  claimOf(card) {
    return this.hooks.claimById(card.dataset.claim);
  }

  // --- Claims ----------------------------------------------------------------------------

  editClaim(card, claim) {
    const form = node("form", { class: "claim-edit", novalidate: true });
    const [statementField, statement] = field("Statement", node("textarea", { rows: "3", required: true }));
    statement.value = claim.statement;
    const [topicsField, topics] = field("Topics", node("input", { type: "text", list: "topic-names", autocomplete: "off" }));
    topics.value = claim.topics.join(", ");
    const [actions, cancel] = formActions("Save changes");
    form.append(statementField, topicsField, actions);
    cancel.addEventListener("click", () => this.fill(card, claim));
    submitForm(form, () => ["PATCH", this.url(this.config.claimUrl, claim.id),
      { statement: statement.value, topics: topicList(topics.value), version: claim.version }], (data) => {
      const updated = this.hooks.changed(data.claim);
      this.fill(card, updated);
      this.hooks.say("Claim updated.");
    });
    card.replaceChildren(form);
    statement.focus();
  }

  // --- Event date --------------------------------------------------------------------------

  /** Under the card's "Event date" line: the dates found in its text to accept with one
   * click, and a form to give or change the date, or remove it. */
  dateActions(card, claim, suggestions) {
    const box = card.querySelector(".claim-date");
    if (!box) return;
    const label = shorten(claim.statement, 60);
    const offered = suggestions.filter((date) => date.key !== claim.date?.key);
    const actions = node("div", { class: "card-actions" });
    if (offered.length) {
      actions.append(node("span", { class: "help", text: claim.date ? "Found in its text:" : "Suggested from its text:" }));
    }
    for (const date of offered) {
      const { year, month, day, approximate } = date;
      actions.append(this.button(`Use ${date.label}`, `Use ${date.label} as the event date of claim: ${label}`,
        () => this.saveDate(card, claim, { year, month, day, approximate }, `Event date set to ${date.label}.`)));
    }
    const verb = claim.date ? "Change date…" : "Set date…";
    actions.append(this.button(verb, `${verb} (event date of claim: ${label})`, () => this.dateForm(card, claim, box)));
    if (claim.date) {
      actions.append(this.button("Remove date", `Remove date (event date of claim: ${label})`,
        () => this.saveDate(card, claim, null, "Event date removed.")));
    }
    box.append(actions);
  }

  async saveDate(card, claim, date, message, where = card.querySelector(".claim-date")) {
    const { ok, data } = await api("PATCH", this.url(this.config.claimUrl, claim.id), { date, version: claim.version });
    if (!ok) {
      showError(where, data.error);
      return;
    }
    this.fill(card, this.hooks.changed(data.claim));
    this.hooks.say(message);
  }

  dateForm(card, claim, box) {
    box.querySelector(".panel-form")?.remove();
    const form = node("form", { class: "panel-form date-form", novalidate: true });
    const current = claim.date ?? {};
    const [yearField, year] = field("Year", node("input", { type: "text", inputmode: "numeric", size: "6", autocomplete: "off" }));
    year.value = current.year ?? "";
    const months = [["", "— (year only)"], ...MONTHS.map((name, i) => [String(i + 1), name])];
    const [monthField, month] = field("Month", select(months, current.month ? String(current.month) : ""));
    const [dayField, day] = field("Day", node("input", { type: "text", inputmode: "numeric", size: "3", autocomplete: "off" }), "Leave empty for a month or a year.");
    day.value = current.day ?? "";
    const about = node("input", { type: "checkbox", checked: Boolean(current.approximate) });
    const aboutField = node("div", { class: "field checkbox" }, node("label", {}, about, " About (the source dates it only roughly)"));
    const [actions, cancel] = formActions("Save date");
    form.append(node("fieldset", {}, node("legend", { text: "Event date" }), yearField, monthField, dayField, aboutField), actions);
    cancel.addEventListener("click", () => form.remove());
    const number = (input) => (input.value.trim() === "" ? null : Number(input.value.trim()));
    submitForm(form, () => {
      const date = { year: number(year), month: number(month), day: number(day), approximate: about.checked };
      for (const [name, value] of Object.entries(date)) {
        if (typeof value === "number" && !Number.isInteger(value)) {
          showError(form, `The ${name} must be a whole number.`);
          return null;
        }
      }
      return ["PATCH", this.url(this.config.claimUrl, claim.id), { date, version: claim.version }];
    }, (data) => {
      this.fill(card, this.hooks.changed(data.claim));
      this.hooks.say("Event date saved.");
    });
    box.append(form);
    year.focus();
  }

  confirmDeleteClaim(card, claim) {
    // What goes along (links, evidence, the links' reviews and comments) in words, as the
    // link's. Without the card's details (they did not load) nothing is known: the first
    // press asks the server, whose refusal counts what would go, and only a second deletes.
    const deletes = card.details?.deletes;
    let confirmed = card.details !== undefined;
    const consequence = deletes ? ` Its ${deletes} will be deleted with it.` : "";
    this.confirm(card, `Delete this claim?${consequence}`, "Delete claim", async () => {
      const { ok, status, data } = await api("DELETE", this.url(this.config.claimUrl, claim.id), {
        version: claim.version, confirm: confirmed,
      });
      if (!ok) {
        if (status === 409 && data.fields?.confirm) confirmed = true; // now it has been said
        return data.error;
      }
      card.remove();
      this.hooks.deleted(claim.id);
      this.hooks.say("Claim deleted.");
      return null;
    });
  }

  /** Ask inside `container`; `action` returns null on success or a message. */
  confirm(container, question, yesLabel, action) {
    container.querySelector(":scope > .confirm")?.remove();
    const box = node("div", { class: "confirm", role: "group", "aria-label": "Confirm" });
    const yes = node("button", { type: "button", class: "button danger", text: yesLabel });
    const no = node("button", { type: "button", class: "link-like", text: "Keep it" });
    box.append(node("p", { text: question }), yes, no);
    no.addEventListener("click", () => box.remove());
    yes.addEventListener("click", async () => {
      yes.disabled = true;
      const error = await action();
      if (error) {
        yes.disabled = false;
        showError(box, error);
      }
    });
    container.append(box);
    yes.focus();
  }
}

export function topicList(value) {
  return value.split(",").map((name) => name.trim()).filter(Boolean);
}
