// The digital-citizen checklist of one resident: one tap per step records a tick (a new record;
// the newest per step counts). A follow-up can carry a note and an appointment date.

import { formatDate, t } from "../i18n.js";
import { makeEnvelope } from "../queue.js";
import { CHECKLIST_STEPS, childrenOf, getResident, latestTicks } from "../store.js";
import { field, h, heading } from "../ui.js";

const STATES = ["done", "not_applicable", "follow_up"];

async function tick(app, resident, step, state, extra = {}) {
  const envelope = makeEnvelope("checklist", { resident_id: resident.id, step, state, ...extra });
  await app.db.put("children", {
    id: envelope.id,
    kind: "checklist",
    resident_id: resident.id,
    body: envelope.body,
    at: Date.parse(envelope.written_at),
  });
  await app.queue([envelope]);
  app.navigate(`#/resident/${resident.id}/checklist`);
}

function followUpForm(app, resident, step) {
  const note = field({
    label: t("note"),
    optional: true,
    control: h("input", { type: "text", maxlength: 500, name: `${step}-note`, autocomplete: "off" }),
  });
  const date = field({
    label: t("appointment_on"),
    optional: true,
    control: h("input", { type: "date", name: `${step}-date` }),
  });
  return h(
    "form",
    {
      class: "follow-up",
      onsubmit: (event) => {
        event.preventDefault();
        const extra = {};
        if (note.control.value.trim()) extra.note = note.control.value.trim();
        if (date.control.value) extra.appointment_on = date.control.value;
        tick(app, resident, step, "follow_up", extra);
      },
    },
    note.element,
    date.element,
    h("button", { type: "submit", class: "primary" }, t("save_follow_up")),
  );
}

/** The latest tick of a step in one line: its state, when, the appointment and the note. */
function tickSummary(latest) {
  if (!latest) return t("not_started");
  return [
    t(`tick.${latest.body.state ?? null}`),
    formatDate(latest.at),
    latest.body.appointment_on ? `→ ${formatDate(latest.body.appointment_on)}` : null,
    latest.body.note || null,
  ]
    .filter(Boolean)
    .join(" · ");
}

/** One step: its latest tick and a button per state; "follow up" first asks when and why. */
function stepItem(app, resident, step, latest) {
  const state = latest?.body.state ?? null;
  const slot = h("div", { class: "follow-up-slot" });
  const choose = (choice) => {
    if (choice === "follow_up") {
      slot.replaceChildren(followUpForm(app, resident, step));
      slot.querySelector("input")?.focus();
    } else {
      tick(app, resident, step, choice);
    }
  };
  return h(
    "li",
    { class: ["step", state ?? "todo"], dataset: { step } },
    h(
      "div",
      { class: "step-head" },
      h("span", { class: "step-name" }, t(`step.${step}`)),
      h("span", { class: "step-state" }, tickSummary(latest)),
    ),
    h(
      "div",
      { class: "tick-buttons", role: "group", "aria-label": t(`step.${step}`) },
      STATES.map((choice) =>
        h(
          "button",
          {
            type: "button",
            class: ["tick", choice, state === choice ? "chosen" : null],
            "aria-pressed": state === choice ? "true" : "false",
            onclick: () => choose(choice),
          },
          t(`tick.${choice}`),
        ),
      ),
    ),
    slot,
  );
}

export async function render(app, [id]) {
  const resident = await getResident(app.db, id);
  if (!resident)
    return h(
      "section",
      { class: "screen" },
      h("h1", { tabindex: "-1" }, t("checklist_title")),
      h("p", { class: "muted-card" }, t("not_found")),
    );
  const ticks = latestTicks(await childrenOf(app.db, resident.id));
  return h(
    "section",
    { class: "screen" },
    heading(t("checklist_title"), `#/resident/${resident.id}`),
    h("p", { class: "lead" }, resident.full_name),
    h("p", { class: "notice" }, t("checklist_intro")),
    h(
      "ol",
      { class: "steps" },
      CHECKLIST_STEPS.map((step) => stepItem(app, resident, step, ticks.get(step))),
    ),
  );
}
