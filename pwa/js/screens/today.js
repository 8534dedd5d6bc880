// Today: the volunteer's route (once routes exist) and places, with what is still to send.

import { getMeta } from "../db.js";
import { formatDate, formatTime, t } from "../i18n.js";
import { residentIndex } from "../searchindex.js";
import { localDay, places, routes } from "../store.js";
import { h } from "../ui.js";
import { loadTasks, taskItem } from "./tasks.js";

export const live = true;

const hhmm = (time) => (time ? time.slice(0, 5) : "");

function routeCard(route, perVillage) {
  return h(
    "div",
    { class: "card route" },
    h("p", { class: "route-day" }, formatDate(route.day), route.note ? ` · ${route.note}` : ""),
    h(
      "ol",
      { class: "list stops" },
      (route.stops ?? []).map((stop) =>
        h(
          "li",
          {},
          h(
            "a",
            { href: `#/residents?village=${stop.village_id}`, class: "row" },
            h("span", { class: "name" }, stop.village_name),
            h(
              "span",
              { class: "facts" },
              [stop.starts_at ? `${hhmm(stop.starts_at)}–${hhmm(stop.ends_at)}` : null, stop.meeting_point]
                .filter(Boolean)
                .join(" · "),
            ),
            h("span", { class: "count" }, t("residents_count", { n: perVillage.get(stop.village_id) ?? 0 })),
          ),
        ),
      ),
    ),
    route.team?.length
      ? h("p", { class: "hint" }, t("team", { names: route.team.map((m) => m.full_name).join(", ") }))
      : null,
  );
}

/** The communes and villages this volunteer covers, each village with its number of residents. */
function placeCards(placeList, perVillage) {
  if (!placeList.length) return h("p", { class: "muted-card" }, t("no_places"));
  return placeList.map((commune) =>
    h(
      "div",
      { class: "place" },
      h(
        "h3",
        {},
        commune.name,
        commune.province_name ? h("span", { class: "sub" }, ` · ${commune.province_name}`) : null,
      ),
      h(
        "ul",
        { class: "list villages" },
        commune.villages.map((village) =>
          h(
            "li",
            {},
            h(
              "a",
              { href: `#/residents?village=${village.id}`, class: "row" },
              h("span", { class: "name" }, village.name),
              h("span", { class: "count" }, t("residents_count", { n: perVillage.get(village.id) ?? 0 })),
            ),
          ),
        ),
      ),
    ),
  );
}

/** What is still on the phone, and when the last sync succeeded; a tap opens the sync screen. */
function statusCard(syncer, lastSync) {
  const unsent = syncer.unsent;
  return h(
    "a",
    { class: ["card", "status-card", unsent ? "waiting" : "ok"], href: "#/sync" },
    h(
      "strong",
      {},
      unsent ? t("unsent_summary", { n: unsent }) : syncer.total ? t("all_sent") : t("nothing_yet"),
    ),
    h("span", {}, lastSync ? t("last_sync", { time: formatTime(lastSync) }) : t("never_synced")),
  );
}

const TOP_TASKS = 3;

/** The most pressing tasks, with a link to all of them. */
function tasksCard(app, tasks) {
  return h(
    "div",
    { class: "tasks-card" },
    h("h2", {}, t("tasks_today"), h("span", { class: "sub" }, ` · ${tasks.length}`)),
    tasks.length
      ? h(
          "ul",
          { class: "list tasks" },
          tasks.slice(0, TOP_TASKS).map((task) => taskItem(app, task)),
        )
      : h("p", { class: "hint" }, t("tasks_none")),
    tasks.length
      ? h("a", { class: "button secondary", href: "#/tasks" }, t("tasks_all", { n: tasks.length }))
      : null,
  );
}

export async function render(app) {
  const [placeList, residents, lastSync, routeList, tasks] = await Promise.all([
    places(app.db),
    // From the search index (one read a session, kept in memory), not another read of the store.
    residentIndex(app.db).then((index) => [...index.byId.values()].map((entry) => entry.person)),
    getMeta(app.db, "lastSync"),
    routes(app.db),
    loadTasks(app.db),
  ]);
  const perVillage = new Map();
  for (const resident of residents)
    perVillage.set(resident.village_id, (perVillage.get(resident.village_id) ?? 0) + 1);
  const today = localDay();
  const mine = routeList.filter((route) => route.day >= today);
  const todays = mine.filter((route) => route.day === today);
  const later = mine.filter((route) => route.day > today).slice(0, 3);

  return h(
    "section",
    { class: "screen" },
    h(
      "div",
      { class: "screen-head" },
      h("h1", { tabindex: "-1" }, t("today_title")),
      h("span", { class: "date" }, formatDate(Date.now())),
    ),
    h("p", { class: "lead" }, t("hello", { name: app.session.user.full_name })),
    statusCard(app.syncer, lastSync),
    tasksCard(app, tasks),
    h("a", { class: "button primary", href: "#/residents/new" }, `+ ${t("register_resident")}`),
    h("a", { class: "button secondary", href: "#/residents" }, t("find_resident")),
    h("h2", {}, t("route_title")),
    todays.length
      ? todays.map((route) => routeCard(route, perVillage))
      : h("p", { class: "muted-card" }, t("no_route")),
    later.length
      ? [h("h2", {}, t("later_routes")), later.map((route) => routeCard(route, perVillage))]
      : null,
    h("h2", {}, t("my_places")),
    placeCards(placeList, perVillage),
  );
}
