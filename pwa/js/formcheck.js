// Checking a declaration on the phone, offline, as the server will (catalogue/validation.py):
// phone and ID numbers normalised as people write them, the form's JSON Schema for shape, then the
// shared validators for meaning (whose precise problem replaces "not in the expected format" on a
// phone or ID field), then the procedure's cross-field checks. Covers the keywords the catalogue's meta-schema allows in a form; every
// problem names its field.

import {
  checkAge,
  checkDateNotFuture,
  checkMobilePhone,
  checkPersonalId,
  normalisePersonalId,
} from "./validators.js";

// The widgets whose written forms are normalised before the schema sees them.
const NORMALISED_WIDGETS = new Set(["phone", "personal-id"]);

/**
 * The answers with phone fields as 0XXXXXXXXX and ID numbers without spaces: the form to store.
 * A phone that is not a Vietnamese mobile is left as written (the check names its problem). The data
 * given is not changed; a new object is returned when anything was normalised.
 * @param {object} document a procedure document
 * @param {object} data the answers
 */
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

// The wording of catalogue/validation.py's _keyword_message.
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

/** Whether ``data`` meets a sub-schema used as an ``if``: required names and const/enum values. */
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
  const wrap = (field, problem) => ({
    field,
    code: problem.code,
    message_vi: problem.message_vi,
    message_en: problem.message_en,
  });
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

// A moment a check compares: {year, day: [month, day]} for a date, {year, day: null} for a year alone.
function moment(value) {
  if (Number.isInteger(value)) return { year: value, day: null };
  if (typeof value === "string" && isDate(value)) {
    const [year, month, day] = value.split("-").map(Number);
    return { year, day: [month, day] };
  }
  return null;
}

/** Whole years from earlier to later; by year alone when either is only a year. */
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

/**
 * The procedure's cross-field checks that fail, each on its later field (catalogue/validation.py's
 * plausibility_problems). A check is skipped when either field is empty, not a date or year, or
 * already has a problem (``flagged``).
 */
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

/**
 * Every problem of a declaration, sorted by field, as the server would answer them.
 * @param {object} document a procedure document (schemas/procedures/*.json)
 * @param {object} data the answers
 * @param {string|Date} today the day the dossier is written
 */
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
  // A phone or ID number the validators explain needs no vaguer "not in the expected format" beside it.
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

/**
 * A required paper with its alternatives, the papers any one of which meets it ("one of these
 * papers"): [paper, ...alternatives].
 * @param {object} document a procedure document
 * @param {object} paper one of its required_papers
 */
export function paperGroup(document, paper) {
  const byId = new Map(document.required_papers.map((other) => [other.id, other]));
  return [paper, ...(paper.alternatives ?? []).map((id) => byId.get(id))];
}

/** The required papers a procedure's alternatives let this paper stand in for. */
export function replacedBy(document, paper) {
  return document.required_papers.filter((other) => (other.alternatives ?? []).includes(paper.id));
}

/**
 * The required papers still without their photos, each as its group (paperGroup), as the server's
 * _check_papers (records/dossiers.py) finds them: a paper is met when it, or any one of its
 * alternatives, has its photos.
 * @param {object} document a procedure document
 * @param {Object<string, string[]>} taken the photos taken, by paper id
 */
export function missingPapers(document, taken) {
  const photographed = (paper) => (taken[paper.id] ?? []).length >= paper.photos;
  return document.required_papers
    .filter((paper) => paper.required && paper.photos)
    .map((paper) => paperGroup(document, paper))
    .filter((group) => !group.some(photographed));
}
