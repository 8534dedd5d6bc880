// Building the screens from plain data (never HTML strings: CSP), fields, dialogs and notices.

import { t } from "./i18n.js";

/** h("button", {class: "primary", onclick: save}, "Lưu"): "on…" props are listeners, booleans toggle. */
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") element.addEventListener(name.slice(2), value);
    else if (name === "class")
      element.className = Array.isArray(value) ? value.filter(Boolean).join(" ") : value;
    else if (name === "text") element.textContent = value;
    else if (name === "dataset") Object.assign(element.dataset, value);
    else if (name === "value" || name === "checked") element[name] = value;
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function fill(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

let uid = 0;
export function nextId(prefix = "f") {
  uid += 1;
  return `${prefix}-${uid}`;
}

/** A labelled field: {element, control, setError(text)}. */
export function field({ label, control, hint = null, optional = false, name = null }) {
  const id = control.id || nextId(name ?? "f");
  control.id = id;
  const hintEl = hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null;
  const error = h("p", { class: "error", id: `${id}-error`, hidden: true, role: "alert" });
  control.setAttribute("aria-describedby", [hintEl?.id, error.id].filter(Boolean).join(" "));
  const element = h(
    "div",
    { class: "field", dataset: name ? { field: name } : {} },
    h("label", { for: id }, label, optional ? h("span", { class: "optional" }, ` (${t("optional")})`) : null),
    hintEl,
    control,
    error,
  );
  return {
    element,
    control,
    setError(text) {
      error.textContent = text ?? "";
      error.hidden = !text;
      element.classList.toggle("invalid", Boolean(text));
      if (text) control.setAttribute("aria-invalid", "true");
      else control.removeAttribute("aria-invalid");
    },
  };
}

export function radios({ legend, name, options, value = null, onchange = null }) {
  const inputs = [];
  const group = nextId(name);
  const error = h("p", { class: "error", hidden: true, role: "alert" });
  const element = h(
    "fieldset",
    { class: "field choices", dataset: { field: name } },
    h("legend", {}, legend),
    options.map((option) => {
      const input = h("input", {
        type: "radio",
        name: group,
        value: String(option.value),
        checked: option.value === value,
        onchange,
      });
      input.dataset.value = JSON.stringify(option.value);
      inputs.push(input);
      return h("label", { class: "choice" }, input, h("span", {}, option.label));
    }),
    error,
  );
  return {
    element,
    read() {
      const chosen = inputs.find((input) => input.checked);
      return chosen ? JSON.parse(chosen.dataset.value) : null;
    },
    setError(text) {
      error.textContent = text ?? "";
      error.hidden = !text;
      element.classList.toggle("invalid", Boolean(text));
    },
    focus() {
      inputs[0]?.focus();
    },
  };
}

/** A search field with a clear (×) button: {element, input, clear()}. */
export function searchBox({ id, label, placeholder = label, value = "", oninput }) {
  const input = h("input", {
    type: "search",
    id,
    placeholder,
    autocomplete: "off",
    enterkeyhint: "search",
    value,
  });
  const button = h(
    "button",
    { type: "button", class: "search-clear", "aria-label": t("search_clear"), hidden: !value },
    "×",
  );
  const changed = () => {
    button.hidden = !input.value;
    oninput?.(input.value);
  };
  const clear = () => {
    input.value = "";
    changed();
  };
  input.addEventListener("input", changed);
  button.addEventListener("click", () => {
    clear();
    input.focus();
  });
  const element = h(
    "div",
    { class: "search" },
    h("label", { for: id, class: "visually-hidden" }, label),
    h("div", { class: "search-row" }, input, button),
  );
  return { element, input, clear };
}

const TOAST_MS = { info: 3000, error: 5000 };

/** A short notice under the top bar, gone after a few seconds or a tap. */
export function toast(text, kind = "info") {
  const region = document.getElementById("toasts");
  if (!region) return;
  for (const shown of region.children) if (shown.textContent === text) shown.remove();
  const note = h("div", { class: `toast ${kind}`, role: kind === "error" ? "alert" : "status" }, text);
  note.addEventListener("click", () => note.remove());
  region.append(note);
  setTimeout(() => note.remove(), TOAST_MS[kind] ?? TOAST_MS.info);
}

/** A modal question: resolves with the chosen action's value (null when dismissed); "danger" comes last. */
export function ask({ title, text, actions }) {
  const ordered = [
    ...actions.filter((action) => action.kind !== "danger"),
    ...actions.filter((action) => action.kind === "danger"),
  ];
  return new Promise((resolve) => {
    const dialog = h("dialog", { class: "dialog", "aria-labelledby": "dialog-title" });
    const close = (value) => {
      dialog.close();
      dialog.remove();
      resolve(value);
    };
    fill(
      dialog,
      h("h2", { id: "dialog-title" }, title),
      text ? h("p", {}, text) : null,
      h(
        "div",
        { class: "actions" },
        ordered.map((action, index) =>
          h(
            "button",
            {
              type: "button",
              class: action.kind ?? "secondary",
              autofocus: index === 0,
              onclick: () => close(action.value),
            },
            action.label,
          ),
        ),
      ),
    );
    dialog.addEventListener("cancel", (event) => {
      event.preventDefault();
      close(null);
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

export function heading(text, backHref = null) {
  return h(
    "div",
    { class: "screen-head" },
    backHref ? h("a", { class: "back", href: backHref, "aria-label": t("back") }, "‹") : null,
    h("h1", { tabindex: "-1" }, text),
  );
}

/** Blob URLs of the current screen, released when it changes. */
const urls = new Set();
export function blobUrl(blob) {
  const url = URL.createObjectURL(blob);
  urls.add(url);
  return url;
}
export function releaseBlobUrls() {
  for (const url of urls) URL.revokeObjectURL(url);
  urls.clear();
}
