// The dossiers written on this phone, newest first, each with where it stands and what the
// commune desk asks for.

import { pick, t } from "../i18n.js";
import { displayState, dossiers } from "../store.js";
import { h, heading } from "../ui.js";

export const live = true;

export async function render(app) {
  const list = await dossiers(app.db);
  const draft = await app.db.get("meta", "draft");
  return h(
    "section",
    { class: "screen" },
    heading(t("dossiers_title")),
    draft
      ? h(
          "a",
          { class: "button secondary draft", href: `#/dossier/new?resident=${draft.resident_id}` },
          t("draft_open"),
        )
      : null,
    h("a", { class: "button primary", href: "#/residents?pick=dossier" }, `+ ${t("new_dossier")}`),
    list.length
      ? h(
          "ul",
          { class: "list dossiers" },
          list.map((d) => {
            const state = displayState(d.record);
            return h(
              "li",
              {},
              h(
                "a",
                { class: "row", href: `#/dossier/${d.record.id}` },
                h("span", { class: "name code" }, d.body.tracking_code),
                h(
                  "span",
                  { class: "facts" },
                  [pick(d.procedure?.name), d.resident?.full_name].filter(Boolean).join(" · "),
                ),
                h("span", { class: `state ${state}` }, t(`state.${state}`)),
                d.server?.status
                  ? h("span", { class: ["server-status", d.server.status] }, t(`status.${d.server.status}`))
                  : null,
                // What the commune desk asks for, so the volunteer sees it without opening each one.
                d.server?.status === "needs_supplement" && d.server.supplement_needed
                  ? h("span", { class: "ask-line" }, d.server.supplement_needed)
                  : null,
              ),
            );
          }),
        )
      : h("p", { class: "muted-card" }, t("no_dossiers_yet")),
  );
}
