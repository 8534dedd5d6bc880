// Registering a resident with consent: checked with the shared validators, each consent purpose
// read out in plain Vietnamese, ticked by the resident, and signed on screen (or a fingerprint).

import { photoButton, storeBlob } from "../camera.js";
import { lang, t, vi } from "../i18n.js";
import { makeEnvelope } from "../queue.js";
import { SignaturePad } from "../signature.js";
import { allResidents, CONSENT_PURPOSES, NEEDS, places } from "../store.js";
import { field, h, radios, toast } from "../ui.js";
import { checkDateNotFuture, checkMobilePhone, checkPersonalId } from "../validators.js";

const problemText = (problem) => (lang() === "en" ? problem.message_en : problem.message_vi);

export async function render(app, _params, query) {
  const placeList = await places(app.db);
  const villages = placeList.flatMap((commune) => commune.villages.map((village) => ({ village, commune })));
  const chosenVillage = query.get("village") ?? (villages.length === 1 ? villages[0].village.id : "");

  const name = field({
    label: t("full_name"),
    control: h("input", { type: "text", autocomplete: "off", maxlength: 120, name: "full_name" }),
    name: "full_name",
  });
  const birth = field({
    label: t("birth_date"),
    control: h("input", { type: "date", name: "birth_date", max: new Date().toISOString().slice(0, 10) }),
    name: "birth_date",
  });
  const sex = radios({
    legend: t("sex"),
    name: "sex",
    options: [
      { value: "female", label: t("female") },
      { value: "male", label: t("male") },
    ],
  });
  const village = field({
    label: t("village"),
    name: "village_id",
    control: h(
      "select",
      { name: "village_id" },
      h("option", { value: "" }, t("choose")),
      villages.map(({ village: v, commune }) =>
        h(
          "option",
          { value: v.id, selected: v.id === chosenVillage },
          placeList.length > 1 ? `${v.name} — ${commune.name}` : v.name,
        ),
      ),
    ),
  });
  const personalId = field({
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
  });
  const phone = field({
    label: t("phone"),
    optional: true,
    name: "phone",
    control: h("input", { type: "tel", inputmode: "tel", autocomplete: "off", name: "phone" }),
  });
  const needBoxes = NEEDS.map((need) => h("input", { type: "checkbox", value: need, name: "needs" }));
  const language = field({
    label: t("interpreter_language"),
    name: "interpreter_language",
    control: h("input", { type: "text", maxlength: 60, name: "interpreter_language" }),
  });
  language.element.hidden = true;
  needBoxes[NEEDS.indexOf("interpreter")].addEventListener("change", (event) => {
    language.element.hidden = !event.target.checked;
  });

  const consentBoxes = new Map();
  const ethnicity = field({
    label: t("ethnicity"),
    hint: t("ethnicity_hint"),
    name: "ethnicity",
    control: h("input", { type: "text", maxlength: 60, name: "ethnicity" }),
  });
  ethnicity.element.hidden = true;
  const consentList = h(
    "div",
    { class: "consents" },
    CONSENT_PURPOSES.map((purpose) => {
      const box = h("input", { type: "checkbox", name: `consent-${purpose}`, value: purpose });
      consentBoxes.set(purpose, box);
      if (purpose === "ethnicity") {
        box.addEventListener("change", () => {
          ethnicity.element.hidden = !box.checked;
        });
      }
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
    }),
  );
  const consentError = h("p", { class: "error", role: "alert", hidden: true });

  const pad = new SignaturePad({ label: t("sign_title") });
  let fingerprint = null;
  const fingerprintNote = h("p", { class: "status", hidden: true }, t("fingerprint_taken"));
  const signError = h("p", { class: "error", role: "alert", hidden: true });
  const duplicate = h("div", { class: "notice warn", role: "alert", hidden: true });
  const summary = h("p", { class: "form-problems", role: "alert", hidden: true });

  const submit = h("button", { type: "submit", class: "primary" }, t("save_resident"));

  async function save(event) {
    event.preventDefault();
    const problems = [];
    const fail = (target, text) => {
      target.setError(text);
      problems.push(text);
    };
    for (const target of [name, birth, village, personalId, phone, language, ethnicity])
      target.setError(null);
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
      const idProblems = checkPersonalId(idNumber, {
        sex: sexValue,
        birthYear: birthDate ? Number(birthDate.slice(0, 4)) : null,
      });
      if (idProblems.length) fail(personalId, idProblems.map(problemText).join(" "));
    }
    let phoneNumber = null;
    if (phone.control.value.trim()) {
      const checked = checkMobilePhone(phone.control.value);
      if (typeof checked === "string") phoneNumber = checked;
      else fail(phone, problemText(checked));
    }
    const needs = needBoxes.filter((box) => box.checked).map((box) => box.value);
    if (needs.includes("interpreter") && !language.control.value.trim()) fail(language, t("form_required"));
    const given = CONSENT_PURPOSES.filter((purpose) => consentBoxes.get(purpose).checked);
    consentError.hidden = given.includes("personal_data");
    consentError.textContent = t("consent_required");
    if (!given.includes("personal_data")) problems.push("consent");
    if (given.includes("ethnicity") && !ethnicity.control.value.trim()) fail(ethnicity, t("form_required"));
    signError.hidden = !(pad.isEmpty && !fingerprint);
    signError.textContent = t("sign_missing");
    if (pad.isEmpty && !fingerprint) problems.push("signature");

    duplicate.hidden = true;
    if (idNumber && !problems.length) {
      const known = (await allResidents(app.db)).find((r) => r.personal_id === idNumber);
      if (known) {
        duplicate.replaceChildren(
          h("p", {}, t("already_registered", { name: known.full_name })),
          h("a", { class: "button secondary", href: `#/resident/${known.id}` }, t("open_existing")),
        );
        duplicate.hidden = false;
        duplicate.scrollIntoView({ block: "center" });
        return;
      }
    }
    summary.hidden = problems.length === 0;
    summary.textContent = t("fix_fields", { n: problems.length });
    if (problems.length) {
      summary.scrollIntoView({ block: "center" });
      return;
    }

    submit.disabled = true;
    const method = pad.isEmpty ? "fingerprint" : "signature";
    const signature = method === "signature" ? await storeBlob(app.db, await pad.toBlob()) : fingerprint;
    const body = {
      village_id: village.control.value,
      full_name: fullName,
      birth_date: birthDate,
      sex: sexValue,
      needs,
    };
    if (idNumber) body.personal_id = idNumber;
    if (phoneNumber) body.phone = phoneNumber;
    if (needs.includes("interpreter")) body.interpreter_language = language.control.value.trim();
    if (given.includes("ethnicity")) body.ethnicity = ethnicity.control.value.trim();
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
    toast(t("saved_queued"));
    app.navigate(`#/resident/${resident.id}`);
  }

  const form = h(
    "form",
    { class: "screen-form", novalidate: true, onsubmit: save },
    summary,
    name.element,
    birth.element,
    sex.element,
    village.element,
    personalId.element,
    phone.element,
    h(
      "fieldset",
      { class: "field checks" },
      h("legend", {}, t("needs")),
      NEEDS.map((need, i) => h("label", { class: "check" }, needBoxes[i], h("span", {}, t(`need.${need}`)))),
    ),
    language.element,
    h("h2", {}, t("consent_title")),
    h("p", { class: "hint" }, t("consent_intro")),
    consentList,
    consentError,
    ethnicity.element,
    h("h2", {}, t("sign_title")),
    h("p", { class: "hint" }, t("sign_hint")),
    pad.canvas,
    h(
      "div",
      { class: "actions" },
      h("button", { type: "button", class: "secondary", onclick: () => pad.clear() }, t("sign_clear")),
      photoButton({
        db: app.db,
        label: t("fingerprint"),
        onPhoto: (photo) => {
          fingerprint = photo.sha256;
          fingerprintNote.hidden = false;
        },
      }),
    ),
    fingerprintNote,
    signError,
    duplicate,
    submit,
  );
  requestAnimationFrame(() => pad.fit());
  return h(
    "section",
    { class: "screen" },
    h(
      "div",
      { class: "screen-head" },
      h("a", { class: "back", href: "#/residents", "aria-label": t("back") }, "‹"),
      h("h1", { tabindex: "-1" }, t("register_title")),
    ),
    form,
  );
}
