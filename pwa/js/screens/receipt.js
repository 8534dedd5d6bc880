// The dossier's page and receipt: the tracking code, large, and the QR code of the resident's
// status page, drawn on the phone at once (the code and its secret are made here, so it needs no
// network; it works once the server holds the dossier); share and print. Above it, what the
// commune desk asks for (a supplement) or why the server refused it, with the way to act on it.

import { formatDate, lang, message, pick, t } from "../i18n.js";
import { qrSvg } from "../qr.js";
import { answerLabel, displayState, dossierView, editReason } from "../store.js";
import { blobUrl, h, toast } from "../ui.js";

export const live = true;

const LOCALES = { vi: "vi-VN", en: "en-GB" };

function lookupUrl(code, secret) {
  return `${location.origin}/ho-so/${encodeURIComponent(code)}?k=${encodeURIComponent(secret)}`;
}

/** "Thứ Ba, 24/11/2026": a deadline is a day at the commune, in Vietnam's time. */
function formatDay(value) {
  return new Date(value).toLocaleDateString(LOCALES[lang()], {
    weekday: "long",
    day: "2-digit",
    month: "2-digit",
    year: "numeric",
    timeZone: "Asia/Ho_Chi_Minh",
  });
}

function promise(document) {
  const target = document?.fast_track_target;
  if (!target) return null;
  return t(`unit.${target.unit}`, { n: target.amount });
}

/** Share the code and the lookup link (the share sheet, or the clipboard where there is none). */
async function share(code, procedureName, link) {
  const text = `${t("tracking_code")}: ${code}\n${procedureName}\n${link ?? ""}`;
  if (navigator.share) {
    try {
      await navigator.share({ title: `${t("receipt_title")} ${code}`, text });
    } catch {
      // the volunteer closed the share sheet
    }
    return;
  }
  await navigator.clipboard?.writeText(text);
  toast(t("copied"));
}

/** Whether the server holds the dossier, so its status page (and the QR code) answers. */
function onServer(view) {
  const { record, server } = view;
  return Boolean(server?.status) || (record.state === "on_server" && record.detail !== "held");
}

function qrFigure(link, known) {
  if (!link) return null;
  const svg = qrSvg(link, { title: t("qr_caption") });
  return h(
    "figure",
    { class: "qr" },
    h("img", {
      src: blobUrl(new Blob([svg], { type: "image/svg+xml" })),
      alt: t("qr_caption"),
      width: 200,
      height: 200,
    }),
    h("figcaption", {}, t("qr_caption")),
    known ? null : h("p", { class: "qr-later no-print" }, t("qr_after_sync")),
  );
}

const fact = (term, text) => h("div", { class: "fact" }, h("dt", {}, term), h("dd", {}, text));

/** The desk's dates: accepted, the deadline (set again after a supplement), the result. */
function deskFacts(server) {
  if (!server) return [];
  const waitingForSupplement = server.status === "needs_supplement";
  return [
    server.accepted_at ? fact(t("accepted_on"), formatDate(server.accepted_at)) : null,
    waitingForSupplement && server.accepted_at
      ? fact(t("deadline_label"), t("deadline_reset"))
      : server.deadline_at
        ? fact(t("deadline_label"), formatDay(server.deadline_at))
        : null,
    server.supplement_sent_at && !waitingForSupplement
      ? fact(t("supplement_sent_on"), formatDate(server.supplement_sent_at))
      : null,
    server.result_at ? fact(t("result_on"), formatDate(server.result_at)) : null,
  ];
}

/** What the dossier is: procedure, resident, date, the promised time and the desk's status. */
function factsList(view, record) {
  const server = view.server;
  return h(
    "dl",
    { class: "facts-list" },
    fact(t("procedure"), pick(view.procedure?.name) || view.body.procedure_code),
    fact(t("resident"), view.resident?.full_name ?? ""),
    fact(t("written_on"), formatDate(record.envelope.written_at)),
    promise(view.procedure) && !server?.deadline_at ? fact(t("promise"), promise(view.procedure)) : null,
    server?.status ? fact(t("server_status"), t(`status.${server.status}`)) : null,
    deskFacts(server),
  );
}

/** The record's state on this phone and, when refused for another reason, the server's words. */
function stateLines(record, state) {
  return [
    h(
      "p",
      { class: `state-line no-print ${state}` },
      h("span", { class: `state ${state}` }, t(`state.${state}`)),
      record.reason ? h("span", {}, ` ${message(record.reason)}`) : null,
    ),
    record.reason?.fields?.length
      ? h(
          "ul",
          { class: "reasons no-print" },
          record.reason.fields.map((f) => h("li", {}, `${f.field}: ${message(f)}`)),
        )
      : null,
  ];
}

const editLink = (record, label) =>
  h("a", { class: "button primary edit-dossier", href: `#/dossier/${record.id}/edit` }, label);

/** A revision of this phone not yet answered by the server (the supplement waits to be sent). */
function revisionWaiting(view) {
  const { record, server } = view;
  return record.state !== "on_server" && record.envelope.revision > (server?.revision ?? 0);
}

/** The officer's note, large, and the way to add what is asked. */
function supplementCard(view, draft) {
  const { record, server } = view;
  const waiting = revisionWaiting(view);
  const sent = server.supplement_sent_at && !waiting;
  return h(
    "section",
    { class: "card ask supplement no-print", "aria-labelledby": "ask-title" },
    h("h2", { id: "ask-title" }, t("supplement_title")),
    h("p", { class: "ask-note" }, server.supplement_needed || t("supplement_no_note")),
    server.supplement_asked_at
      ? h("p", { class: "hint" }, t("supplement_asked_on", { date: formatDate(server.supplement_asked_at) }))
      : null,
    waiting ? h("p", { class: "ask-done" }, t("supplement_saved")) : null,
    sent
      ? h(
          "p",
          { class: "ask-done" },
          t("supplement_sent", { date: formatDate(server.supplement_sent_at) }),
          " ",
          t("deadline_again"),
        )
      : null,
    editLink(
      record,
      draft ? t("supplement_continue") : waiting || sent ? t("supplement_more") : t("supplement_start"),
    ),
  );
}

/** Why the server refused the dossier, answer by answer, and the way to fix it. */
function refusedCard(view, draft) {
  const { record } = view;
  const fields = record.reason?.fields ?? [];
  return h(
    "section",
    { class: "card ask refused no-print", "aria-labelledby": "ask-title" },
    h("h2", { id: "ask-title" }, t("refused_title")),
    h("p", {}, message(record.reason)),
    fields.length
      ? h(
          "ul",
          { class: "reasons" },
          fields.map((f) => h("li", {}, `${answerLabel(view.procedure, f.field)}: ${message(f)}`)),
        )
      : null,
    editLink(record, draft ? t("supplement_continue") : t("fix_and_resend")),
  );
}

export async function render(app, [id], query) {
  const record = await app.db.get("records", id);
  if (record?.kind !== "dossier")
    return h(
      "section",
      { class: "screen" },
      h("h1", { tabindex: "-1" }, t("receipt_title")),
      h("p", { class: "muted-card" }, t("not_found")),
    );
  const view = await dossierView(app.db, record);
  const code = view.body.tracking_code;
  const secret = record.local?.secret;
  const link = secret ? lookupUrl(code, secret) : null;
  const onShare = () => share(code, pick(view.procedure?.name), link);
  const reason = editReason(view);
  const draft = reason ? await app.db.get("meta", `draft:${record.id}`) : null;

  return h(
    "section",
    { class: "screen receipt" },
    h(
      "div",
      { class: "screen-head no-print" },
      h("a", { class: "back", href: "#/dossiers", "aria-label": t("back") }, "‹"),
      h("h1", { tabindex: "-1" }, t("receipt_title")),
    ),
    reason === "supplement" ? supplementCard(view, draft) : null,
    reason === "refused" ? refusedCard(view, draft) : null,
    h(
      "article",
      { class: "card ticket" },
      h("p", { class: "print-only print-title" }, `${t("app_name")} — ${t("receipt_title")}`),
      h("p", { class: "label" }, t("tracking_code")),
      h(
        "p",
        { class: "tracking-code", "aria-label": `${t("tracking_code")} ${code.split("").join(" ")}` },
        code,
      ),
      qrFigure(link, onServer(view)),
      factsList(view, record),
      link ? h("p", { class: "lookup" }, `${t("lookup_link")}: `, h("span", { class: "url" }, link)) : null,
    ),
    reason === "refused" ? null : stateLines(record, displayState(record)),
    h(
      "div",
      { class: "actions two no-print" },
      h("button", { type: "button", class: "secondary", onclick: onShare }, t("share")),
      h("button", { type: "button", class: "secondary", onclick: () => window.print() }, t("print")),
    ),
    query.get("new")
      ? h("a", { class: "button primary next-resident no-print", href: "#/residents" }, t("next_resident"))
      : null,
  );
}
