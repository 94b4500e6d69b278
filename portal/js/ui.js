// DOM helpers: elements built with textContent (never innerHTML with data), forms whose
// errors are the API's own words, and page changes that move focus to the new heading.

/** h("p", {class: "x"}, "text", child) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(el.dataset, value);
    else if (value === true) el.setAttribute(name, "");
    else el.setAttribute(name, String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

let uid = 0;
const nextId = (name) => `f-${name.replace(/[^A-Za-z0-9_-]/g, "-")}-${++uid}`;

/** A labelled input; `name` is the API's field name, so a field error lands next to it. */
export function input({ label, name, type = "text", value, hint, autocomplete, required, options = [], attrs = {} }) {
  const id = nextId(name);
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = `${id}-error`;
  const control = type === "select"
    ? h("select", { id, name, "aria-describedby": [hintId, errorId].filter(Boolean).join(" "), ...attrs },
        options.map(([v, text]) => h("option", { value: v, selected: v === value }, text)))
    : h("input", {
      id, name, type, value: value ?? undefined, autocomplete,
      "aria-describedby": [hintId, errorId].filter(Boolean).join(" "), ...attrs,
    });
  return h("div", { class: "field" },
    h("label", { for: id }, label, required ? " (required)" : ""),
    hint ? h("span", { class: "hint", id: hintId }, hint) : null,
    h("span", { class: "field-error", id: errorId, "data-error-for": name }),
    control);
}

/** A checkbox with its label on the right; `error`: a place for the API's word on it. */
export function checkbox({ label, name, checked, value = "true", hint, error = false }) {
  const id = nextId(name);
  const errorId = error ? `${id}-error` : undefined;
  return h("div", { class: "check" },
    h("input", { type: "checkbox", id, name, value, checked: !!checked, "aria-describedby": errorId }),
    h("label", { for: id }, label, hint ? h("span", { class: "hint" }, hint) : null,
      error ? h("span", { class: "field-error", id: errorId, "data-error-for": name }) : null));
}

/** The region where a page says what happened: errors as the API worded them. */
export function statusRegion() {
  return h("div", { class: "status", role: "status", "aria-live": "polite" });
}

export function showMessage(region, text, { ok = true, title } = {}) {
  region.replaceChildren(h("div", { class: ok ? "alert ok" : "alert" },
    title ? h("h2", {}, title) : null,
    h("p", {}, text)));
  region.querySelector(".alert").setAttribute("tabindex", "-1");
  region.querySelector(".alert").focus();
}

/** Shows an ApiError: its message, its code, and each field it names, also next to the
 * field in `form` when there is one. Nothing is reworded. */
export function showError(region, err, form) {
  if (form) {
    for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
    for (const el of form.querySelectorAll("[data-error-for]")) el.textContent = "";
  }
  const body = err && err.body ? err.body : { message: String(err && err.message ? err.message : err), code: "portal_error" };
  const fieldErrors = Array.isArray(body.errors) ? body.errors : [];
  const items = [];
  for (const fe of fieldErrors) {
    const slot = form && form.querySelector(`[data-error-for="${CSS.escape(fe.field)}"]`);
    if (slot) {
      slot.textContent = fe.message;
      const control = (slot.closest(".field, .check") || slot.parentElement).querySelector("input, select");
      if (control) control.setAttribute("aria-invalid", "true");
    }
    items.push(h("li", {}, h("code", {}, fe.field), ": ", fe.message));
  }
  const where = err && err.source ? `${err.source} answered` : "Error";
  region.replaceChildren(h("div", { class: "alert", tabindex: "-1", dataset: { code: body.code || "" } },
    h("h2", {}, `${where}${err && err.status ? ` ${err.status}` : ""}`),
    h("p", { class: "error-message" }, body.message),
    h("p", {}, "Code: ", h("code", { class: "error-code" }, body.code || "")),
    items.length ? h("ul", {}, items) : null));
  region.querySelector(".alert").focus();
}

/** A form that calls `action(values, form)` on submit; errors go to the form's status
 * region. The browser's own validation is off: the API decides and says why. */
export function form({ fields, submit, action, region, secondary }) {
  const status = region || statusRegion();
  const button = h("button", { type: "submit" }, submit);
  const f = h("form", { novalidate: true }, fields, h("div", {}, button, secondary || null));
  f.addEventListener("submit", async (event) => {
    event.preventDefault();
    button.disabled = true;
    status.replaceChildren();  // the next message is this submit's answer
    try {
      await action(values(f), f, status);
    } catch (err) {
      showError(status, err, f);
    } finally {
      button.disabled = false;
    }
  });
  return region ? f : h("div", {}, status, f);
}

/** The form's values: text as typed (trimming is the API's job), checkboxes as lists. */
export function values(f) {
  const out = {};
  for (const el of f.elements) {
    if (!el.name) continue;
    if (el.type === "checkbox") {
      out[el.name] = out[el.name] || [];
      if (el.checked) out[el.name].push(el.value);
    } else if (el.type === "radio") {
      if (el.checked) out[el.name] = el.value;
    } else {
      out[el.name] = el.value;
    }
  }
  return out;
}

/** Replaces the page: title, heading (focused, so a screen reader hears the new page). */
export function render(title, ...content) {
  const main = document.getElementById("main");
  document.title = `${title} · Office portal`;
  const heading = h("h1", { tabindex: "-1" }, title);
  main.replaceChildren(heading, ...content.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
  heading.focus();
  return main;
}

export function badge(status) {
  return h("span", { class: `badge ${status}` }, status);
}

export function details(pairs) {
  return h("dl", { class: "details" }, pairs.filter(Boolean).map(([k, v]) => [h("dt", {}, k), h("dd", {}, v ?? "—")]));
}
