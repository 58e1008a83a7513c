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

export function shorten(text, limit) {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
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

export function dateOf(iso) {
  return new Date(iso).toISOString().slice(0, 10);
}
