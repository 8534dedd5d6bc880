// Residents: offline search by name (no accents, any case), last digits of the ID number, or phone.

import { t } from "../i18n.js";
import { residentIndex } from "../searchindex.js";
import { displayState, places, villageIndex } from "../store.js";
import { h, searchBox } from "../ui.js";
import { maskPersonalId } from "../validators.js";

export const live = true;
// The search is kept while the volunteer goes to a resident and back, and starts empty when the
// list is opened from the tab bar.
let lastQuery = "";
document.getElementById("tabs")?.addEventListener("click", (event) => {
  if (!event.target.closest?.('a[href="#/residents"]')) return;
  lastQuery = "";
  const shown = document.getElementById("resident-search");
  if (shown?.value) {
    shown.value = "";
    shown.dispatchEvent(new Event("input"));
  }
});

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
  const index = await residentIndex(app.db);
  const keep = village ? (p) => p.village_id === village : undefined;
  const records = new Map(
    (await app.db.all("records")).filter((r) => r.kind === "resident").map((r) => [r.id, r]),
  );

  const list = h("ul", { class: "list people", "aria-live": "polite" });
  const empty = h("p", { class: "muted-card", hidden: true }, t("nobody_found"));
  // The first screenfuls at once, the rest once typing pauses: a keystroke stays quick.
  let rest;
  const rows = (people) =>
    people.map((p) =>
      residentRow(
        p,
        villages,
        records.get(p.id),
        picking ? `#/dossier/new?resident=${p.id}` : `#/resident/${p.id}`,
      ),
    );
  // A whole ID or phone not held: ask the server.
  const ask = h(
    "button",
    {
      class: "button",
      onclick: async () => {
        const got = await app.api.get(`/api/sync/lookup?q=${encodeURIComponent(lastQuery)}`).catch(() => 0);
        await app.db.write(["residents"], (tx) => {
          for (const c of got?.status === 200 ? got.data.residents : [])
            tx.put("residents", { ...c.body, id: c.id, revision: c.revision, on_server: true });
        });
        update(lastQuery);
        ask.hidden = true;
      },
    },
    t("lookup_server"),
  );
  const update = (text) => {
    lastQuery = text;
    const found = index.search(text, { keep });
    list.replaceChildren(...rows(found.slice(0, 30)));
    clearTimeout(rest);
    rest = setTimeout(() => list.append(...rows(found.slice(30))), 150);
    empty.hidden = found.length > 0;
    ask.hidden =
      !empty.hidden || !navigator.onLine || !/^(\d{12}|(\+?84|0)\d{9})$/.test(text.replace(/[\s.]/g, ""));
  };
  const search = searchBox({
    id: "resident-search",
    label: t("search_label"),
    placeholder: t("search_placeholder"),
    value: lastQuery,
    oninput: update,
  });
  update(lastQuery);

  return h(
    "section",
    { class: "screen" },
    h(
      "div",
      { class: "screen-head" },
      h("h1", { tabindex: "-1" }, picking ? t("pick_for_dossier") : t("residents_title")),
    ),
    village ? villageFilter(villages.get(village)) : null,
    search.element,
    h(
      "a",
      { class: "button primary", href: village ? `#/residents/new?village=${village}` : "#/residents/new" },
      `+ ${t("register_resident")}`,
    ),
    list,
    empty,
    ask,
  );
}
