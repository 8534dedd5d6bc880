// One resident: who they are, what they consented to, their checklist and their dossiers.

import { formatDate, message, pick, t } from "../i18n.js";
import {
  CHECKLIST_STEPS,
  childrenOf,
  displayState,
  dossiers,
  getResident,
  givenConsents,
  latestTicks,
  places,
  residentEditReason,
  residentFieldLabel,
  villageIndex,
} from "../store.js";
import { h, heading } from "../ui.js";
import { maskPersonalId } from "../validators.js";

export const live = true;

function fact(label, value) {
  return value ? h("div", { class: "fact" }, h("dt", {}, label), h("dd", {}, value)) : null;
}

function factsList(resident, villages) {
  return h(
    "dl",
    { class: "card facts-list" },
    fact(t("birth_date"), formatDate(resident.birth_date)),
    fact(t("sex"), resident.sex ? t(resident.sex) : null),
    fact(t("village"), villages.get(resident.village_id)?.village.name),
    fact(t("personal_id"), resident.personal_id ? maskPersonalId(resident.personal_id) : null),
    fact(t("phone"), resident.phone),
    fact(t("needs"), (resident.needs ?? []).map((need) => t(`need.${need}`)).join(", ")),
    fact(t("interpreter_language"), resident.interpreter_language),
    fact(t("ethnicity"), resident.ethnicity),
  );
}

function consentList(children) {
  const consents = givenConsents(children);
  if (!consents.length) return h("p", { class: "muted-card" }, t("no_consents"));
  return h(
    "ul",
    { class: "list consents-given" },
    consents.map((consent) =>
      h(
        "li",
        {},
        h("span", { class: "tick", "aria-hidden": "true" }, "✓ "),
        t(`purpose.${consent.body.purpose}`),
      ),
    ),
  );
}

function dossierList(own) {
  if (!own.length) return h("p", { class: "muted-card" }, t("no_dossiers"));
  return h(
    "ul",
    { class: "list" },
    own.map((d) => {
      const state = displayState(d.record);
      return h(
        "li",
        {},
        h(
          "a",
          { class: "row", href: `#/dossier/${d.record.id}` },
          h("span", { class: "name" }, d.body.tracking_code),
          h("span", { class: "facts" }, pick(d.procedure?.name)),
          h("span", { class: `state ${state}` }, t(`state.${state}`)),
        ),
      );
    }),
  );
}

/** The server's objections to a resident's fields, in the registration form's words. */
export const reasonLines = (reason) =>
  (reason?.fields ?? []).map((f) => h("li", {}, `${residentFieldLabel(f.field)}: ${message(f)}`));

function refusedCard(resident, record) {
  return h(
    "section",
    { class: "card ask refused" },
    h("h2", {}, t("resident_refused_title")),
    h("p", {}, message(record.reason)),
    h("ul", { class: "reasons" }, reasonLines(record.reason)),
    h("a", { class: "button primary", href: `#/resident/${resident.id}/edit` }, t("fix_and_resend")),
  );
}

export async function render(app, [id]) {
  const resident = await getResident(app.db, id);
  if (!resident)
    return h(
      "section",
      { class: "screen" },
      h("h1", { tabindex: "-1" }, t("resident_title")),
      h("p", { class: "muted-card" }, t("not_found")),
    );
  const villages = villageIndex(await places(app.db));
  const children = await childrenOf(app.db, resident.id);
  const ticks = latestTicks(children);
  const doneSteps = CHECKLIST_STEPS.filter((step) => ticks.get(step)?.body.state === "done").length;
  const record = await app.db.get("records", id);
  const state = record ? displayState(record) : null;
  const own = (await dossiers(app.db)).filter((d) => d.resident?.id === resident.id);
  const editReason = id === resident.id ? residentEditReason(resident, record) : null;

  return h(
    "section",
    { class: "screen" },
    heading(resident.full_name, "#/residents"),
    state && state !== "on_server"
      ? h(
          "p",
          { class: `state-line ${state}` },
          h("span", { class: `state ${state}` }, t(`state.${state}`)),
          record.reason && editReason !== "refused" ? ` ${message(record.reason)}` : null,
        )
      : null,
    id !== resident.id ? h("p", { class: "notice" }, t("merged_note")) : null,
    editReason === "refused" ? refusedCard(resident, record) : null,
    factsList(resident, villages),
    editReason === "edit"
      ? h(
          "a",
          { class: "button secondary small edit-resident", href: `#/resident/${resident.id}/edit` },
          t("resident_edit"),
        )
      : null,
    h(
      "div",
      { class: "actions two" },
      h("a", { class: "button primary", href: `#/dossier/new?resident=${resident.id}` }, t("new_dossier")),
      h(
        "a",
        { class: "button secondary", href: `#/resident/${resident.id}/checklist` },
        `${t("checklist_open")} · ${t("steps_done", { done: doneSteps, total: CHECKLIST_STEPS.length })}`,
      ),
    ),
    h("h2", {}, t("consents")),
    consentList(children),
    h("h2", {}, t("dossiers_of")),
    dossierList(own),
  );
}
