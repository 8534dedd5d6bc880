// Residents: offline search by name (no accents, any case), last digits of the ID number, or phone.

import { searchPeople } from "../fold.js";
import { t } from "../i18n.js";
import { allResidents, displayState, places, villageIndex } from "../store.js";
import { h } from "../ui.js";
import { maskPersonalId } from "../validators.js";

export const live = true;
let lastQuery = "";

export function residentRow(resident, villages, record, href) {
  const state = record ? displayState(record) : "on_server";
  const facts = [
    resident.birth_date ? t("born", { year: resident.birth_date.slice(0, 4) }) : null,
    villages.get(resident.village_id)?.village.name,
    resident.personal_id ? maskPersonalId(resident.personal_id) : null,
    resident.phone,
  ].filter(Boolean);
  return h(
    "li",
    {},
    h(
      "a",
      { class: "row person", href },
      h("span", { class: "name" }, resident.full_name),
      h("span", { class: "facts" }, facts.join(" · ")),
      state !== "on_server" ? h("span", { class: `state ${state}` }, t(`state.${state}`)) : null,
    ),
  );
}

/** The village the list is limited to, with a way back to all of them. */
function villageFilter(place) {
  return h(
    "p",
    { class: "filter" },
    t("in_village", { name: place?.village.name ?? "" }),
    " · ",
    h("a", { href: "#/residents" }, t("all_villages")),
  );
}

export async function render(app, _params, query) {
  const village = query.get("village");
  const picking = query.get("pick") === "dossier";
  const villages = villageIndex(await places(app.db));
  let people = await allResidents(app.db);
  if (village) people = people.filter((p) => p.village_id === village);
  const records = new Map(
    (await app.db.all("records")).filter((r) => r.kind === "resident").map((r) => [r.id, r]),
  );

  const list = h("ul", { class: "list people", "aria-live": "polite" });
  const empty = h("p", { class: "muted-card", hidden: true }, t("nobody_found"));
  const input = h("input", {
    type: "search",
    id: "resident-search",
    placeholder: t("search_placeholder"),
    autocomplete: "off",
    value: lastQuery,
    enterkeyhint: "search",
  });
  const update = () => {
    lastQuery = input.value;
    const found = searchPeople(people, input.value);
    list.replaceChildren(
      ...found.map((p) =>
        residentRow(
          p,
          villages,
          records.get(p.id),
          picking ? `#/dossier/new?resident=${p.id}` : `#/resident/${p.id}`,
        ),
      ),
    );
    empty.hidden = found.length > 0;
  };
  input.addEventListener("input", update);
  update();

  return h(
    "section",
    { class: "screen" },
    h(
      "div",
      { class: "screen-head" },
      h("h1", { tabindex: "-1" }, picking ? t("pick_for_dossier") : t("residents_title")),
    ),
    village ? villageFilter(villages.get(village)) : null,
    h(
      "div",
      { class: "search" },
      h("label", { for: "resident-search", class: "visually-hidden" }, t("search_label")),
      input,
    ),
    h(
      "a",
      { class: "button primary", href: village ? `#/residents/new?village=${village}` : "#/residents/new" },
      `+ ${t("register_resident")}`,
    ),
    list,
    empty,
  );
}
