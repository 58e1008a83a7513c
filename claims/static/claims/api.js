// Talking to the JSON endpoints, and small DOM helpers shared by the page modules.

const csrfMeta = document.querySelector('meta[name="csrf-token"]');

export const NETWORK_ERROR =
  "Could not reach Crosscheck; nothing was saved. Check your connection and try again.";

/** fetch → {ok, status, data}; never throws. Refusals carry data.error for a person. */
export async function api(method, url, body) {
  let response;
  try {
    response = await fetch(url, {
      method,
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": csrfMeta ? csrfMeta.content : "",
      },
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

/** An element with attributes (``text`` sets its text) and children. Never parses HTML. */
export function node(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "text") element.textContent = value;
    else element.setAttribute(name, value === true ? "" : value);
  }
  element.append(...children);
  return element;
}

/** `text` cut to at most `limit` characters, an ellipsis marking the cut. */
export function shorten(text, limit) {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

/** "1 claim", "2 claims": the count with the word that fits it. */
export function plural(count, one, many) {
  return `${count} ${count === 1 ? one : many}`;
}

let uniqueCounter = 0;
export function uniqueId(prefix) {
  uniqueCounter += 1;
  return `${prefix}-${uniqueCounter}`;
}

/** A labelled form field: returns [wrapper, control]. */
export function field(label, control, help) {
  const id = control.id || uniqueId("field");
  control.id = id;
  const wrapper = node("div", { class: "field" }, node("label", { for: id, text: label }), control);
  if (help) {
    const helpId = `${id}-help`;
    control.setAttribute("aria-describedby", helpId);
    wrapper.append(node("p", { class: "help", id: helpId, text: help }));
  }
  return [wrapper, control];
}

export function select(options, value) {
  const control = node("select");
  for (const [optionValue, label] of options) {
    control.append(node("option", { value: optionValue, text: label, selected: optionValue === value }));
  }
  return control;
}

/** Show a refusal inside `container` (replacing an earlier one) as an alert. */
export function showError(container, message) {
  container.querySelector(":scope > .form-errors")?.remove();
  container.append(node("div", { class: "form-errors", role: "alert", text: message }));
}

/**
 * Send a form's request to its endpoint each time the form is submitted, one request at a
 * time: its submit button stays disabled until the answer. `request()` gives
 * `[method, url, body]`, or null when the form refuses by itself (having said why). The
 * answer's data goes to `saved`; a refusal's message to `refused` (by default shown in the
 * form), with the whole refusal (its `fields`, and what else it names) second.
 */
export function submitForm(form, request, saved, refused = (message) => showError(form, message)) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const call = request();
    if (!call) return;
    const submit = form.querySelector('button[type="submit"]');
    submit.disabled = true;
    const { ok, data } = await api(...call);
    submit.disabled = false;
    if (ok) saved(data);
    else refused(data.error, data);
  });
}

function typing(target) {
  return target.closest("input, textarea, select, [contenteditable=true]") !== null;
}

/**
 * The page's keyboard shortcuts. `actions` maps a key (as `event.key` names it) to what it
 * does; a key named in an element's `data-shortcut` (`data-shortcut="n j"`) clicks that
 * element, so every such shortcut has a visible control with the same effect. "?" and any
 * `data-shortcut-help` button open the list of shortcuts (the dialog `#shortcuts`). No
 * shortcut acts while a field has focus or a dialog is open, or with Ctrl, Alt or Meta held:
 * typing and the browser's own keys are left alone. The list shows only the shortcuts that
 * work here, for this user: an entry `<dt data-keys="n j">` (and its `<dd>`) is hidden when
 * none of its keys has an action or a control on the page.
 */
export function shortcuts(actions = {}) {
  const dialog = document.getElementById("shortcuts");
  const controlFor = (key) => [...document.querySelectorAll("[data-shortcut]")].find((element) =>
    element.dataset.shortcut.split(" ").includes(key));
  const works = (key) => key === "?" || Boolean(actions[key]) || controlFor(key) !== undefined;
  const help = () => {
    for (const term of dialog.querySelectorAll("dt[data-keys]")) {
      const shown = term.dataset.keys.split(" ").some(works);
      term.hidden = !shown;
      if (term.nextElementSibling?.tagName === "DD") term.nextElementSibling.hidden = !shown;
    }
    dialog.showModal();
  };
  for (const button of document.querySelectorAll("[data-shortcut-help]")) button.addEventListener("click", help);
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.altKey || event.metaKey || typing(event.target) || dialog.open) return;
    const control = controlFor(event.key);
    const action = event.key === "?" ? help : actions[event.key] ?? (control && (() => control.click()));
    if (!action) return;
    event.preventDefault();
    action(event);
  });
}

export function dateOf(iso) {
  return new Date(iso).toISOString().slice(0, 10);
}
