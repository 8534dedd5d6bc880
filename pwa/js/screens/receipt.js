// The receipt: the tracking code, large; its QR code once the server holds the dossier (drawn by
// the server for the secret only this phone knows, then kept for offline); share and print.

import { formatDate, message, pick, t } from "../i18n.js";
import { displayState, dossierView } from "../store.js";
import { blobUrl, h, toast } from "../ui.js";

export const live = true;

function lookupUrl(code, secret) {
  return `${location.origin}/ho-so/${encodeURIComponent(code)}?k=${encodeURIComponent(secret)}`;
}

/** The QR code's SVG: kept on the record once fetched, fetched when the server holds the dossier. */
async function qrSvg(app, record) {
  if (record.local?.qr) return record.local.qr;
  if (!record.local?.secret || record.state !== "on_server" || record.detail === "held" || !navigator.onLine)
    return null;
  try {
    const answer = await app.api.get(
      `/api/dossiers/${record.id}/receipt-qr?secret=${encodeURIComponent(record.local.secret)}`,
      { timeout: 15_000 },
    );
    if (answer.status !== 200 || !answer.text.includes("<svg")) return null;
    await app.db.write(["records"], async (tx) => {
      const fresh = await tx.get("records", record.id);
      tx.put("records", { ...fresh, local: { ...fresh.local, qr: answer.text } });
    });
    return answer.text;
  } catch {
    return null;
  }
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

function qrFigure(svg) {
  if (!svg) return h("p", { class: "qr-later" }, t("qr_later"));
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
  );
}

const fact = (term, text) => h("div", { class: "fact" }, h("dt", {}, term), h("dd", {}, text));

/** What the dossier is: procedure, resident, date, the promised time and the desk's status. */
function factsList(view, record) {
  return h(
    "dl",
    { class: "facts-list" },
    fact(t("procedure"), pick(view.procedure?.name) || view.body.procedure_code),
    fact(t("resident"), view.resident?.full_name ?? ""),
    fact(t("written_on"), formatDate(record.envelope.written_at)),
    promise(view.procedure) ? fact(t("promise"), promise(view.procedure)) : null,
    view.server?.status ? fact(t("server_status"), t(`status.${view.server.status}`)) : null,
  );
}

/** The record's state on this phone and, when refused, the server's reasons. */
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

export async function render(app, [id]) {
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
  const svg = await qrSvg(app, record);
  const link = secret ? lookupUrl(code, secret) : null;
  const onShare = () => share(code, pick(view.procedure?.name), link);

  return h(
    "section",
    { class: "screen receipt" },
    h(
      "div",
      { class: "screen-head no-print" },
      h("a", { class: "back", href: "#/dossiers", "aria-label": t("back") }, "‹"),
      h("h1", { tabindex: "-1" }, t("receipt_title")),
    ),
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
      qrFigure(svg),
      factsList(view, record),
      link ? h("p", { class: "lookup" }, `${t("lookup_link")}: `, h("span", { class: "url" }, link)) : null,
    ),
    stateLines(record, displayState(record)),
    h(
      "div",
      { class: "actions two no-print" },
      h("button", { type: "button", class: "secondary", onclick: onShare }, t("share")),
      h("button", { type: "button", class: "secondary", onclick: () => window.print() }, t("print")),
    ),
  );
}
