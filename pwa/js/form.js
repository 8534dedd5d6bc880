// A declaration form rendered from the catalogue's JSON Schema, one widget per x-widget, with the
// problems of formcheck.js shown under their fields.

import { descriptionOf, lang, message, t, titleOf } from "./i18n.js";
import { field, h, radios } from "./ui.js";

const RADIO_LIMIT = 4; // more choices than this become a drop-down

function today() {
  const now = new Date();
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, "0")}-${String(now.getDate()).padStart(2, "0")}`;
}

function textInput(spec, widget, value) {
  const props = { name: spec.name, autocomplete: "off", value: value ?? "" };
  if (spec.maxLength) props.maxlength = spec.maxLength;
  switch (widget) {
    case "long-text":
      return h("textarea", { ...props, rows: 3 });
    case "date":
      return h("input", { ...props, type: "date", max: today() });
    case "personal-id":
      return h("input", { ...props, type: "text", inputmode: "numeric", maxlength: 12 });
    case "phone":
      return h("input", { ...props, type: "tel", inputmode: "tel", autocomplete: "tel" });
    case "number":
      return h("input", {
        ...props,
        type: "number",
        inputmode: "numeric",
        min: spec.minimum,
        max: spec.maximum,
        step: 1,
      });
    case "village-address":
      return h("textarea", { ...props, rows: 2 });
    default:
      return h("input", { ...props, type: "text" });
  }
}

function optionLabel(option) {
  return lang() === "en" ? (option["x-title-en"] ?? option.title) : option.title;
}

/** A choice: big radio buttons when there are few options, a list otherwise. */
function choiceField(name, spec, widget, value, isRequired) {
  const label = titleOf(spec);
  const options =
    widget === "yes-no"
      ? [
          { value: true, label: t("yes") },
          { value: false, label: t("no") },
        ]
      : spec.oneOf.map((option) => ({ value: option.const, label: optionLabel(option) }));
  if (options.length <= RADIO_LIMIT) {
    const group = radios({ legend: label + (isRequired ? "" : ` (${t("optional")})`), name, options, value });
    if (descriptionOf(spec))
      group.element.insertBefore(h("p", { class: "hint" }, descriptionOf(spec)), group.element.children[1]);
    return {
      element: group.element,
      control: { read: group.read, setError: group.setError, focus: group.focus },
    };
  }
  const select = h(
    "select",
    { name },
    h("option", { value: "" }, t("choose")),
    options.map((option) =>
      h("option", { value: option.value, selected: option.value === value }, option.label),
    ),
  );
  const wrapped = field({ label, control: select, hint: descriptionOf(spec), optional: !isRequired, name });
  const control = {
    read: () => select.value || null,
    setError: wrapped.setError,
    focus: () => select.focus(),
  };
  return { element: wrapped.element, control };
}

/** A typed answer; a village address also offers the ready-made addresses of the villages. */
function textField(name, spec, widget, value, isRequired, addresses) {
  const input = textInput({ ...spec, name }, widget, value);
  const wrapped = field({
    label: titleOf(spec),
    control: input,
    hint: descriptionOf(spec),
    optional: !isRequired,
    name,
  });
  if (widget === "village-address" && addresses.length) {
    const picker = h(
      "select",
      { class: "address-pick", "aria-label": t("address_pick") },
      h("option", { value: "" }, t("address_pick")),
      addresses.map((text) => h("option", { value: text }, text)),
    );
    picker.addEventListener("change", () => {
      if (picker.value) input.value = picker.value;
      picker.value = "";
    });
    wrapped.element.append(picker);
  }
  const read = () => {
    const raw = input.value.trim();
    if (!raw) return null;
    if (spec.type === "integer" || spec.type === "number") {
      const number = Number(raw);
      return Number.isFinite(number) ? number : raw; // a wrong value is shown as a type problem
    }
    return raw;
  };
  return {
    element: wrapped.element,
    control: { read, setError: wrapped.setError, focus: () => input.focus() },
  };
}

/** Show problems under their fields (the rest in the summary), focus the first; returns the count. */
function showProblems(controls, general, problems) {
  const byField = new Map();
  for (const problem of problems) {
    const name = problem.field.replace(/^form\./, "");
    if (!byField.has(name)) byField.set(name, message(problem));
  }
  const other = [];
  for (const [name, text] of byField) if (!controls.has(name)) other.push(`${name}: ${text}`);
  for (const [name, control] of controls) control.setError(byField.get(name) ?? null);
  general.hidden = problems.length === 0;
  general.textContent = problems.length ? [t("fix_fields", { n: byField.size }), ...other].join(" ") : "";
  const first = [...controls.keys()].find((name) => byField.has(name));
  if (first) controls.get(first).focus();
  return problems.length;
}

/** A procedure's form, pre-filled with ``values``: {element, read(), show(problems)}. */
export function renderForm(document, values = {}, { addresses = [] } = {}) {
  const schema = document.form;
  const required = new Set(schema.required ?? []);
  const controls = new Map();
  const general = h("div", { class: "form-problems", role: "alert", hidden: true });
  const element = h("div", { class: "form" }, general);

  for (const [name, spec] of Object.entries(schema.properties)) {
    const widget = spec["x-widget"] ?? "text";
    const value = values[name] ?? spec.default;
    const part =
      widget === "choice" || widget === "yes-no"
        ? choiceField(name, spec, widget, value, required.has(name))
        : textField(name, spec, widget, value, required.has(name), addresses);
    element.append(part.element);
    controls.set(name, part.control);
  }

  return {
    element,
    read() {
      const data = {};
      for (const [name, control] of controls) {
        const value = control.read();
        if (value !== null && value !== undefined) data[name] = value;
      }
      return data;
    },
    show: (problems) => showProblems(controls, general, problems),
  };
}

/** The answers as [label, text] pairs, in form order, for the review and the receipt. */
export function describeAnswers(document, data) {
  const rows = [];
  for (const [name, spec] of Object.entries(document.form.properties)) {
    if (!(name in data)) continue;
    let text = data[name];
    if (spec["x-widget"] === "yes-no") text = data[name] ? t("yes") : t("no");
    else if (spec.oneOf)
      text = optionLabel(
        spec.oneOf.find((option) => option.const === data[name]) ?? { title: String(data[name]) },
      );
    rows.push([titleOf(spec), String(text)]);
  }
  return rows;
}

// The form fields that take each fact of the resident's record.
const FROM_RESIDENT = {
  full_name: ["full_name", "requester_full_name"],
  personal_id: ["personal_id", "requester_personal_id"],
  birth_date: ["birth_date"],
  sex: ["sex"],
  phone: ["phone"],
  ethnicity: ["ethnicity"],
};
const ADDRESS_FIELDS = /^(requester_residence|residence|permanent_address|permanent_residence)$/;

/** Answers taken from the resident's record; the ethnic group only while its consent stands. */
export function prefillFromResident(document, resident, address, consents = []) {
  const properties = document.form.properties;
  const facts = { ...resident };
  if (!consents.some((consent) => consent.body?.purpose === "ethnicity" && consent.body.given))
    delete facts.ethnicity;
  const values = {};
  for (const [fact, names] of Object.entries(FROM_RESIDENT)) {
    const value = facts[fact];
    if (value === null || value === undefined || value === "") continue;
    for (const name of names) {
      const spec = properties[name];
      if (!spec) continue;
      if (spec.oneOf && !spec.oneOf.some((option) => option.const === value)) continue;
      values[name] = value;
    }
  }
  if (address)
    for (const [name, spec] of Object.entries(properties))
      if (spec["x-widget"] === "village-address" && ADDRESS_FIELDS.test(name)) values[name] = address;
  return values;
}
