// Registering a resident with consent: checked with the shared validators, each consent purpose
// read out in plain Vietnamese, ticked by the resident, and signed on screen (or a fingerprint).
// The form has three parts, each built and read by its own functions: who the resident is, what
// they consent to, and their signature.
// ``#/resident/<id>/edit``: the first part alone fixes or edits a resident (docs/pwa.md).

import { photoButton, storeBlob } from "../camera.js";
import { lang, message, t, vi } from "../i18n.js";
import { enqueueRevision, makeEnvelope, storedRecord } from "../queue.js";
import { SignaturePad } from "../signature.js";
import {
  allResidents,
  CONSENT_PURPOSES,
  childrenOf,
  getResident,
  givenConsents,
  NEEDS,
  places,
  residentEditReason,
} from "../store.js";
import { field, h, heading, radios, toast } from "../ui.js";
import { checkDateNotFuture, checkMobilePhone, checkPersonalId } from "../validators.js";
import { reasonLines } from "./resident.js";

const problemText = (problem) => (lang() === "en" ? problem.message_en : problem.message_vi);

export async function render(app, [editing], query) {
  if (editing) return renderEdit(app, editing);
  const person = personPart(await places(app.db), query.get("village"));
  const consent = consentPart();
  const signing = signingPart(app);
  const duplicate = h("div", { class: "notice warn", role: "alert", hidden: true });
  const summary = h("p", { class: "form-problems", role: "alert", hidden: true });
  const submit = h("button", { type: "submit", class: "primary" }, t("save_resident"));

  async function save(event) {
    event.preventDefault();
    const { problems, fail } = collector();
    const answers = readPerson(person, fail, problems);
    const given = readConsents(consent, fail, problems);
    checkSigned(signing, problems);

    if ((await isDuplicate(app, duplicate, answers, problems)) || !allRight(summary, problems)) return;
    submit.disabled = true;
    const resident = await queueResident(app, residentBody(person, consent, answers, given), given, signing);
    toast(t("saved_queued"));
    app.navigate(`#/resident/${resident.id}`);
  }

  const form = h(
    "form",
    { class: "screen-form", novalidate: true, onsubmit: save },
    summary,
    person.elements(),
    consent.elements(),
    signing.elements(),
    duplicate,
    submit,
  );
  requestAnimationFrame(() => signing.pad.fit());
  return h("section", { class: "screen" }, heading(t("register_title"), "#/residents"), form);
}

function collector() {
  const problems = [];
  const fail = (target, text) => {
    target.setError(text);
    problems.push(text);
  };
  return { problems, fail };
}

/** True when no field needs fixing; otherwise says how many do. */
function allRight(summary, problems) {
  summary.hidden = problems.length === 0;
  summary.textContent = t("fix_fields", { n: problems.length });
  if (problems.length) summary.scrollIntoView({ block: "center" });
  return !problems.length;
}

// ---- Who the resident is ----

function personPart(placeList, wantedVillage) {
  const villages = placeList.flatMap((commune) => commune.villages.map((village) => ({ village, commune })));
  const chosenVillage = wantedVillage ?? (villages.length === 1 ? villages[0].village.id : "");
  const part = {
    name: field({
      label: t("full_name"),
      control: h("input", { type: "text", autocomplete: "off", maxlength: 120, name: "full_name" }),
      name: "full_name",
    }),
    birth: field({
      label: t("birth_date"),
      control: h("input", { type: "date", name: "birth_date", max: new Date().toISOString().slice(0, 10) }),
      name: "birth_date",
    }),
    sex: radios({
      legend: t("sex"),
      name: "sex",
      options: [
        { value: "female", label: t("female") },
        { value: "male", label: t("male") },
      ],
    }),
    village: field({
      label: t("village"),
      name: "village_id",
      control: villageSelect(villages, chosenVillage, placeList.length > 1),
    }),
    personalId: field({
      label: t("personal_id"),
      hint: t("personal_id_hint"),
      optional: true,
      name: "personal_id",
      control: h("input", {
        type: "text",
        inputmode: "numeric",
        maxlength: 12,
        autocomplete: "off",
        name: "personal_id",
      }),
    }),
    phone: field({
      label: t("phone"),
      optional: true,
      name: "phone",
      control: h("input", { type: "tel", inputmode: "tel", autocomplete: "off", name: "phone" }),
    }),
    needBoxes: NEEDS.map((need) => h("input", { type: "checkbox", value: need, name: "needs" })),
    language: field({
      label: t("interpreter_language"),
      name: "interpreter_language",
      control: h("input", { type: "text", maxlength: 60, name: "interpreter_language" }),
    }),
    elements: () => [
      part.name.element,
      part.birth.element,
      part.sex.element,
      part.village.element,
      part.personalId.element,
      part.phone.element,
      h(
        "fieldset",
        { class: "field checks" },
        h("legend", {}, t("needs")),
        NEEDS.map((need, i) =>
          h("label", { class: "check" }, part.needBoxes[i], h("span", {}, t(`need.${need}`))),
        ),
      ),
      part.language.element,
    ],
  };
  part.language.element.hidden = true;
  part.needBoxes[NEEDS.indexOf("interpreter")].addEventListener("change", (event) => {
    part.language.element.hidden = !event.target.checked;
  });
  return part;
}

/** The villages of this user's communes; the commune is named only when there are several. */
function villageSelect(villages, chosenVillage, nameCommunes) {
  return h(
    "select",
    { name: "village_id" },
    h("option", { value: "" }, t("choose")),
    villages.map(({ village: v, commune }) =>
      h(
        "option",
        { value: v.id, selected: v.id === chosenVillage },
        nameCommunes ? `${v.name} — ${commune.name}` : v.name,
      ),
    ),
  );
}

/** Check the person's fields, marking each problem; the answers as they will be sent. */
function readPerson(person, fail, problems) {
  const { name, birth, sex, village, personalId, phone, language } = person;
  for (const target of [name, birth, village, personalId, phone, language]) target.setError(null);
  sex.setError(null);
  const fullName = name.control.value.trim().replace(/\s+/g, " ");
  if (!fullName) fail(name, t("form_required"));
  const birthDate = birth.control.value;
  if (!birthDate) fail(birth, t("form_required"));
  else for (const problem of checkDateNotFuture(birthDate, new Date())) fail(birth, problemText(problem));
  const sexValue = sex.read();
  if (!sexValue) {
    sex.setError(t("form_required"));
    problems.push("sex");
  }
  if (!village.control.value) fail(village, t("form_required"));
  const idNumber = personalId.control.value.trim();
  if (idNumber) {
    const birthYear = birthDate ? Number(birthDate.slice(0, 4)) : null;
    const idProblems = checkPersonalId(idNumber, { sex: sexValue, birthYear });
    if (idProblems.length) fail(personalId, idProblems.map(problemText).join(" "));
  }
  let phoneNumber = null;
  if (phone.control.value.trim()) {
    const checked = checkMobilePhone(phone.control.value);
    if (typeof checked === "string") phoneNumber = checked;
    else fail(phone, problemText(checked));
  }
  const needs = person.needBoxes.filter((box) => box.checked).map((box) => box.value);
  if (needs.includes("interpreter") && !language.control.value.trim()) fail(language, t("form_required"));
  return { fullName, birthDate, sexValue, idNumber, phoneNumber, needs };
}

/** Someone else on the phone has this ID number: shown instead of saving. */
async function isDuplicate(app, duplicate, answers, problems, self = null) {
  duplicate.hidden = true;
  if (!answers.idNumber || problems.length) return false;
  const known = (await allResidents(app.db)).find((r) => r.personal_id === answers.idNumber && r.id !== self);
  if (known) showDuplicate(duplicate, known);
  return Boolean(known);
}

function showDuplicate(duplicate, known) {
  duplicate.replaceChildren(
    h("p", {}, t("already_registered", { name: known.full_name })),
    h("a", { class: "button secondary", href: `#/resident/${known.id}` }, t("open_existing")),
  );
  duplicate.hidden = false;
  duplicate.scrollIntoView({ block: "center" });
}

// ---- What the resident consents to ----

function consentPart() {
  const boxes = new Map();
  const ethnicity = ethnicityField(t("ethnicity_hint"));
  ethnicity.element.hidden = true;
  const list = h(
    "div",
    { class: "consents" },
    CONSENT_PURPOSES.map((purpose) => {
      const box = h("input", { type: "checkbox", name: `consent-${purpose}`, value: purpose });
      boxes.set(purpose, box);
      if (purpose === "ethnicity") {
        box.addEventListener("change", () => {
          ethnicity.element.hidden = !box.checked;
        });
      }
      return consentItem(purpose, box);
    }),
  );
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const elements = () => [
    h("h2", {}, t("consent_title")),
    h("p", { class: "hint" }, t("consent_intro")),
    list,
    error,
    ethnicity.element,
  ];
  return { boxes, ethnicity, error, elements };
}

/** One purpose: ticked by the resident, read out in Vietnamese (with the English beside it in English). */
function consentItem(purpose, box) {
  return h(
    "label",
    { class: "consent" },
    box,
    h(
      "span",
      {},
      h("strong", {}, t(`purpose.${purpose}`)),
      h("span", { lang: "vi" }, vi(`consent.${purpose}`)),
      lang() === "en" ? h("span", { class: "translation", lang: "en" }, t(`consent.${purpose}`)) : null,
    ),
  );
}

function ethnicityField(hint, value = "") {
  const control = h("input", { type: "text", maxlength: 60, name: "ethnicity", value });
  return field({ label: t("ethnicity"), hint, name: "ethnicity", control });
}

/** The purposes ticked; the first one (personal data) is needed, ethnicity needs its answer. */
function readConsents(consent, fail, problems) {
  const { boxes, ethnicity, error } = consent;
  ethnicity.setError(null);
  const given = CONSENT_PURPOSES.filter((purpose) => boxes.get(purpose).checked);
  error.hidden = given.includes("personal_data");
  error.textContent = t("consent_required");
  if (!given.includes("personal_data")) problems.push("consent");
  if (given.includes("ethnicity") && !ethnicity.control.value.trim()) fail(ethnicity, t("form_required"));
  return given;
}

// ---- The signature (or a fingerprint photo) ----

function signingPart(app) {
  const part = {
    pad: new SignaturePad({ label: t("sign_title") }),
    fingerprint: null,
    note: h("p", { class: "status", hidden: true }, t("fingerprint_taken")),
    error: h("p", { class: "error", role: "alert", hidden: true }),
    get missing() {
      return part.pad.isEmpty && !part.fingerprint;
    },
    elements: () => [
      h("h2", {}, t("sign_title")),
      h("p", { class: "hint" }, t("sign_hint")),
      part.pad.canvas,
      h(
        "div",
        { class: "actions" },
        h("button", { type: "button", class: "secondary", onclick: () => part.pad.clear() }, t("sign_clear")),
        photoButton({
          db: app.db,
          label: t("fingerprint"),
          onPhoto: (photo) => {
            part.fingerprint = photo.sha256;
            part.note.hidden = false;
          },
        }),
      ),
      part.note,
      part.error,
    ],
  };
  return part;
}

function checkSigned(signing, problems) {
  signing.error.hidden = !signing.missing;
  signing.error.textContent = t("sign_missing");
  if (signing.missing) problems.push("signature");
}

// ---- Saving ----

function residentBody(person, consent, answers, given) {
  const ethnicity = given.includes("ethnicity") ? consent.ethnicity.control.value.trim() : "";
  return personBody(person, answers, ethnicity);
}

function personBody(person, answers, ethnicity) {
  const { fullName, birthDate, sexValue, idNumber, phoneNumber, needs } = answers;
  const body = {
    village_id: person.village.control.value,
    full_name: fullName,
    birth_date: birthDate,
    sex: sexValue,
    needs,
  };
  if (idNumber) body.personal_id = idNumber;
  if (phoneNumber) body.phone = phoneNumber;
  if (needs.includes("interpreter")) body.interpreter_language = person.language.control.value.trim();
  if (ethnicity) body.ethnicity = ethnicity;
  return body;
}

/** The resident and one consent per purpose, kept on the phone and queued as one group. */
async function queueResident(app, body, given, signing) {
  const method = signing.pad.isEmpty ? "fingerprint" : "signature";
  const signature =
    method === "signature" ? await storeBlob(app.db, await signing.pad.toBlob()) : signing.fingerprint;
  const resident = makeEnvelope("resident", body);
  const consents = given.map((purpose) =>
    makeEnvelope("consent", {
      resident_id: resident.id,
      purpose,
      wording_vi: vi(`consent.${purpose}`),
      given: true,
      method,
      signature_sha256: signature,
    }),
  );
  await app.db.put("residents", { ...body, id: resident.id, on_server: false });
  await app.db.write(["children"], (tx) =>
    Promise.all(
      consents.map((c) =>
        tx.put("children", {
          id: c.id,
          kind: "consent",
          resident_id: resident.id,
          body: c.body,
          at: Date.parse(c.written_at),
        }),
      ),
    ),
  );
  await app.queue([resident, ...consents], { group: resident.id });
  return resident;
}

// ---- Correcting or editing a resident ----

function fillPerson(person, body) {
  const needs = body.needs ?? [];
  person.name.control.value = body.full_name ?? "";
  person.birth.control.value = body.birth_date ?? "";
  for (const input of person.sex.element.querySelectorAll("input"))
    input.checked = input.dataset.value === JSON.stringify(body.sex);
  person.personalId.control.value = body.personal_id ?? "";
  person.phone.control.value = body.phone ?? "";
  for (const box of person.needBoxes) box.checked = needs.includes(box.value);
  person.language.control.value = body.interpreter_language ?? "";
  person.language.element.hidden = !needs.includes("interpreter");
}

async function renderEdit(app, id) {
  const resident = await getResident(app.db, id);
  const record = await app.db.get("records", id);
  const reason = resident?.id === id ? residentEditReason(resident, record) : null;
  if (!reason) {
    app.navigate(`#/resident/${id}`);
    return h("section", { class: "screen" });
  }
  const refused = reason === "refused";
  const sent = refused ? record.envelope.body : resident;
  const consented = givenConsents(await childrenOf(app.db, id)).some((c) => c.body.purpose === "ethnicity");
  const person = personPart(await places(app.db), sent.village_id ?? "");
  fillPerson(person, sent);
  const ethnicity = ethnicityField(
    t(consented ? "ethnicity_hint" : "ethnicity_without_consent"),
    sent.ethnicity,
  );
  ethnicity.element.hidden = !consented && !sent.ethnicity;
  // The server's field errors on their fields: at first, and while a field still holds what was sent.
  const parts = [...Object.values(person), ethnicity];
  const showServer = (problems) => {
    for (const problem of problems)
      parts.find((part) => part.element?.dataset.field === problem.field)?.setError(message(problem));
    return problems;
  };
  if (refused) showServer(record.reason?.fields ?? []);
  const duplicate = h("div", { class: "notice warn", role: "alert", hidden: true });
  const summary = h("p", { class: "form-problems", role: "alert", hidden: true });
  const submit = h(
    "button",
    { type: "submit", class: "primary" },
    t(refused ? "save_refused" : "save_resident_changes"),
  );

  async function save(event) {
    event.preventDefault();
    const { problems, fail } = collector();
    const answers = readPerson(person, fail, problems);
    ethnicity.setError(null);
    const ethnicGroup = ethnicity.control.value.trim();
    if (ethnicGroup && !consented) fail(ethnicity, t("ethnicity_without_consent"));
    const body = personBody(person, answers, ethnicGroup);
    if (refused && !problems.length) {
      const same = (name) => JSON.stringify(body[name] ?? null) === JSON.stringify(sent[name] ?? null);
      problems.push(...showServer(record.reason.fields.filter((f) => same(f.field))));
    }
    if ((await isDuplicate(app, duplicate, answers, problems, id)) || !allRight(summary, problems)) return;
    submit.disabled = true;
    try {
      await enqueueRevision(app.db, record ?? storedRecord("resident", id, resident.revision), body);
    } catch {
      submit.disabled = false; // being sent: the answer decides the next revision
      toast(t("resident_being_sent"), "error");
      return;
    }
    await app.syncer.counts();
    app.syncer.soon();
    toast(t("saved_queued"));
    app.navigate(`#/resident/${id}`);
  }

  const form = h(
    "form",
    { class: "screen-form", novalidate: true, onsubmit: save },
    refused
      ? h(
          "div",
          { class: "notice warn edit-note", role: "note" },
          h("strong", {}, t("resident_refused_title")),
          ` ${message(record.reason)}`,
          h("ul", {}, reasonLines(record.reason)),
        )
      : null,
    summary,
    person.elements(),
    ethnicity.element,
    duplicate,
    submit,
  );
  return h("section", { class: "screen" }, heading(t("resident_edit_title"), `#/resident/${id}`), form);
}
