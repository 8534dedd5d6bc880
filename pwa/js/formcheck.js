// Checking a declaration offline as the server will (catalogue/validation.py): normalisation, the
// form's JSON Schema, the shared validators, then cross-field checks; every problem names its field.

import {
  checkAge,
  checkDateNotFuture,
  checkMobilePhone,
  checkPersonalId,
  normalisePersonalId,
} from "./validators.js";

const NORMALISED_WIDGETS = new Set(["phone", "personal-id"]);

/** The answers to store: phones as 0XXXXXXXXX, ID numbers without spaces (a new object if changed). */
export function normaliseDeclaration(document, data) {
  if (data === null || typeof data !== "object" || Array.isArray(data)) return data;
  let normalised = null;
  for (const [name, spec] of Object.entries(document.form.properties)) {
    const value = Object.hasOwn(data, name) ? data[name] : undefined;
    if (typeof value !== "string") continue;
    let next;
    if (spec["x-widget"] === "phone") {
      const checked = checkMobilePhone(value);
      next = typeof checked === "string" ? checked : value;
    } else if (spec["x-widget"] === "personal-id") {
      next = normalisePersonalId(value);
    } else {
      continue;
    }
    if (next !== value) {
      normalised ??= { ...data };
      normalised[name] = next;
    }
  }
  return normalised ?? data;
}

const ISO_DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;

function isDate(text) {
  const match = ISO_DATE.exec(text);
  if (!match) return false;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return (
    date.getUTCFullYear() === Number(match[1]) &&
    date.getUTCMonth() === Number(match[2]) - 1 &&
    date.getUTCDate() === Number(match[3])
  );
}

// As catalogue/validation.py's _keyword_message.
function keywordMessage(keyword, value) {
  switch (keyword) {
    case "required":
    case "dependentRequired":
      return ["Chưa điền mục này.", "This field is required."];
    case "minLength":
      return value === 1
        ? ["Chưa điền mục này.", "This field is required."]
        : [`Cần ít nhất ${value} ký tự.`, `At least ${value} characters are needed.`];
    case "maxLength":
      return [`Tối đa ${value} ký tự.`, `At most ${value} characters.`];
    case "pattern":
      return ["Không đúng định dạng.", "Not in the expected format."];
    case "format":
      return ["Ngày không hợp lệ (cần dạng năm-tháng-ngày).", "Not a valid date (YYYY-MM-DD)."];
    case "oneOf":
    case "enum":
    case "const":
      return ["Lựa chọn không hợp lệ.", "Not one of the choices."];
    case "type":
      return ["Giá trị không đúng loại.", `Must be of type ${value}.`];
    case "minimum":
      return [`Phải từ ${value} trở lên.`, `Must be at least ${value}.`];
    case "maximum":
      return [`Không được quá ${value}.`, `Must be at most ${value}.`];
    case "additionalProperties":
      return ["Mục này không có trong tờ khai.", "This field is not part of the declaration."];
    default:
      return ["Giá trị không hợp lệ.", "Not a valid value."];
  }
}

function fieldProblem(field, keyword, value) {
  const [vi, en] = keywordMessage(keyword, value);
  return { field, code: `form.${keyword}`, message_vi: vi, message_en: en };
}

function typeOk(type, value) {
  switch (type) {
    case "string":
      return typeof value === "string";
    case "integer":
      return Number.isInteger(value);
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "boolean":
      return typeof value === "boolean";
    default:
      return true;
  }
}

/** Problems of one value against its property schema. */
function propertyProblems(name, spec, value) {
  const problems = [];
  if (spec.type && !typeOk(spec.type, value)) return [fieldProblem(name, "type", spec.type)];
  if (typeof value === "string") {
    const length = [...value].length;
    if (spec.minLength !== undefined && length < spec.minLength)
      problems.push(fieldProblem(name, "minLength", spec.minLength));
    if (spec.maxLength !== undefined && length > spec.maxLength)
      problems.push(fieldProblem(name, "maxLength", spec.maxLength));
    if (spec.pattern && !new RegExp(spec.pattern, "u").test(value))
      problems.push(fieldProblem(name, "pattern", spec.pattern));
    if (spec.format === "date" && !isDate(value)) problems.push(fieldProblem(name, "format", "date"));
  }
  if (typeof value === "number") {
    if (spec.minimum !== undefined && value < spec.minimum)
      problems.push(fieldProblem(name, "minimum", spec.minimum));
    if (spec.maximum !== undefined && value > spec.maximum)
      problems.push(fieldProblem(name, "maximum", spec.maximum));
  }
  if (spec.oneOf && spec.oneOf.filter((option) => option.const === value).length !== 1)
    problems.push(fieldProblem(name, "oneOf"));
  if (spec.enum && !spec.enum.includes(value)) problems.push(fieldProblem(name, "enum"));
  if (spec.const !== undefined && spec.const !== value) problems.push(fieldProblem(name, "const"));
  return problems;
}

/** Whether ``data`` meets an ``if`` sub-schema (required, const, enum). */
function meets(condition, data) {
  if ((condition.required ?? []).some((name) => !(name in data))) return false;
  for (const [name, spec] of Object.entries(condition.properties ?? {})) {
    if (!(name in data)) continue;
    if (propertyProblems(name, spec, data[name]).length) return false;
  }
  return true;
}

function requiredProblems(schema, data) {
  const problems = [];
  for (const name of schema.required ?? [])
    if (!(name in data)) problems.push(fieldProblem(name, "required"));
  for (const [trigger, needed] of Object.entries(schema.dependentRequired ?? {})) {
    if (!(trigger in data)) continue;
    for (const name of needed) if (!(name in data)) problems.push(fieldProblem(name, "dependentRequired"));
  }
  for (const part of schema.allOf ?? []) {
    if (part.if && part.then && meets(part.if, data)) problems.push(...requiredProblems(part.then, data));
  }
  return problems;
}

function birthYear(data, person) {
  const year = data[person.birth_year ?? ""];
  if (year !== undefined && year !== null) return Number.isInteger(year) ? year : null;
  const birth = data[person.birth_date ?? ""];
  return typeof birth === "string" && /^[0-9]{4}/.test(birth) ? Number(birth.slice(0, 4)) : null;
}

function meaningProblems(document, data, today) {
  const problems = [];
  const wrap = (field, problem) => ({ field, ...problem });
  for (const [name, spec] of Object.entries(document.form.properties)) {
    const value = data[name];
    if (typeof value !== "string" || !value) continue;
    const widget = spec["x-widget"];
    if (widget === "personal-id") {
      const person = spec["x-person-fields"] ?? {};
      const sex = data[person.sex ?? ""];
      for (const problem of checkPersonalId(value, {
        sex: sex === "male" || sex === "female" ? sex : null,
        birthYear: birthYear(data, person),
      })) {
        problems.push(wrap(name, problem));
      }
    } else if (widget === "phone") {
      const checked = checkMobilePhone(value);
      if (typeof checked !== "string") problems.push(wrap(name, checked));
    } else if (widget === "date") {
      for (const problem of checkDateNotFuture(value, today)) problems.push(wrap(name, problem));
    }
  }
  const rule = document.age_rule;
  if (rule && typeof data[rule.applies_to] === "string") {
    for (const problem of checkAge(
      data[rule.applies_to],
      today,
      rule.min_age ?? null,
      rule.max_age ?? null,
    )) {
      problems.push(wrap(rule.applies_to, problem));
    }
  }
  return problems;
}

// {year, day: [month, day]}, or day null for a year alone.
function moment(value) {
  if (Number.isInteger(value)) return { year: value, day: null };
  if (typeof value === "string" && isDate(value)) {
    const [year, month, day] = value.split("-").map(Number);
    return { year, day: [month, day] };
  }
  return null;
}

function yearsApart(earlier, later) {
  let years = later.year - earlier.year;
  if (earlier.day && later.day) {
    const [m1, d1] = earlier.day;
    const [m2, d2] = later.day;
    if (m2 < m1 || (m2 === m1 && d2 < d1)) years -= 1;
  }
  return years;
}

function plausible(check, earlier, later) {
  let inOrder;
  if (!earlier.day || !later.day) inOrder = earlier.year <= later.year;
  else {
    const key = (m) => m.year * 10000 + m.day[0] * 100 + m.day[1];
    inOrder = key(earlier) <= key(later);
  }
  const years = yearsApart(earlier, later);
  return (
    inOrder && years >= (check.min_years ?? 0) && (check.max_years === undefined || years <= check.max_years)
  );
}

/** Failing cross-field checks on their later field (plausibility_problems); skips empty or ``flagged`` fields. */
function plausibilityProblems(document, data, flagged) {
  const problems = [];
  for (const check of document.checks ?? []) {
    if (flagged.has(check.earlier) || flagged.has(check.later)) continue;
    const earlier = moment(data[check.earlier]);
    const later = moment(data[check.later]);
    if (!earlier || !later || plausible(check, earlier, later)) continue;
    problems.push({
      field: check.later,
      code: "form.implausible",
      message_vi: check.message.vi,
      message_en: check.message.en,
    });
  }
  return problems;
}

/** Every problem of a declaration, sorted by field, as the server would answer. */
export function checkDeclaration(document, answers, today) {
  const schema = document.form;
  const data = normaliseDeclaration(document, answers);
  let problems = requiredProblems(schema, data);
  for (const [name, value] of Object.entries(data)) {
    const spec = schema.properties[name];
    if (!spec) {
      if (schema.additionalProperties === false) problems.push(fieldProblem(name, "additionalProperties"));
      continue;
    }
    problems.push(...propertyProblems(name, spec, value));
  }
  const meaning = meaningProblems(document, data, today);
  // The validators' precise problem replaces "not in the expected format".
  const explained = new Set(
    meaning
      .filter((p) => NORMALISED_WIDGETS.has(schema.properties[p.field]?.["x-widget"]))
      .map((p) => p.field),
  );
  problems = problems.filter((p) => !(p.code === "form.pattern" && explained.has(p.field)));
  const shapeFailed = new Set(problems.map((p) => p.field));
  problems.push(...meaning.filter((p) => !shapeFailed.has(p.field)));
  problems.push(...plausibilityProblems(document, data, new Set(problems.map((p) => p.field))));
  const unique = new Map();
  for (const problem of problems) {
    const key = `${problem.field}\0${problem.code}`;
    if (!unique.has(key)) unique.set(key, problem);
  }
  return [...unique.values()].sort((a, b) => (a.field < b.field ? -1 : a.field > b.field ? 1 : 0));
}

/** [paper, ...alternatives]: any one meets the requirement. */
export function paperGroup(document, paper) {
  const byId = new Map(document.required_papers.map((other) => [other.id, other]));
  return [paper, ...(paper.alternatives ?? []).map((id) => byId.get(id))];
}

/** The required papers a procedure's alternatives let this paper stand in for. */
export function replacedBy(document, paper) {
  return document.required_papers.filter((other) => (other.alternatives ?? []).includes(paper.id));
}

/** Required paper groups without photos, as records/dossiers.py _check_papers finds them. */
export function missingPapers(document, taken) {
  const photographed = (paper) => (taken[paper.id] ?? []).length >= paper.photos;
  return document.required_papers
    .filter((paper) => paper.required && paper.photos)
    .map((paper) => paperGroup(document, paper))
    .filter((group) => !group.some(photographed));
}
