// The new-dossier wizard (procedure, declaration, photos, review and sign), draft kept at each step;
// also edits a queued dossier (``#/dossier/<id>/edit``, draft ``draft:<id>``): docs/pwa.md.

import { photoButton, storeBlob } from "../camera.js";
import { matchesText } from "../fold.js";
import { describeAnswers, prefillFromResident, renderForm } from "../form.js";
import { checkDeclaration, missingPapers, paperGroup, replacedBy } from "../formcheck.js";
import { formatDate, message, pick, t } from "../i18n.js";
import { randomSecret, sha256Hex } from "../ids.js";
import { enqueueRevision, makeEnvelope } from "../queue.js";
import { SignaturePad } from "../signature.js";
import {
  addressOf,
  answerLabel,
  childrenOf,
  dossierView,
  editReason,
  formProblems,
  getResident,
  givenConsents,
  places,
  procedures,
  villageIndex,
} from "../store.js";
import { ask, blobUrl, fill, h, toast } from "../ui.js";

const STEPS = 4;

const draftKey = (edit) => (edit ? `draft:${edit}` : "draft");

async function saveDraft(app, draft) {
  await app.db.put("meta", draft, draftKey(draft.edit));
}

/** Drop the draft and the photos only it named. */
async function discardDraft(app, draft) {
  const named = new Set((await app.db.all("records")).flatMap((r) => r.attachments));
  for (const sha of Object.values(draft.papers ?? {}).flat())
    if (!named.has(sha)) await app.db.delete("blobs", sha);
  await app.db.delete("meta", draftKey(draft.edit));
}

async function documentOf(app, draft) {
  if (!draft.procedure) return null;
  return (
    (await app.db.get("catalogue", `${draft.procedure.code}:${draft.procedure.version}`))?.document ?? null
  );
}

function stepHead(draft, resident, title, onBack) {
  return h(
    "div",
    { class: "wizard-head" },
    h(
      "div",
      { class: "screen-head" },
      onBack
        ? h("button", { type: "button", class: "back", "aria-label": t("back"), onclick: onBack }, "‹")
        : h("a", { class: "back", href: `#/resident/${resident.id}`, "aria-label": t("back") }, "‹"),
      h("h1", { tabindex: "-1" }, title),
    ),
    h(
      "p",
      { class: "step-of" },
      t("step_of", { n: draft.step, total: STEPS }),
      " · ",
      t("for_resident", { name: resident.full_name }),
    ),
    h(
      "div",
      { class: "progress", role: "presentation" },
      h("div", { class: `progress-bar step-${draft.step}` }),
    ),
  );
}

async function pickStep(app, draft, resident, go) {
  const list = await procedures(app.db);
  const results = h("div", { class: "procedures" });
  const input = h("input", {
    type: "search",
    id: "procedure-search",
    placeholder: t("search_procedure"),
    autocomplete: "off",
    "aria-label": t("search_procedure"),
  });
  const choose = async (document) => {
    draft.procedure = { code: document.code, version: document.version };
    const entry = villageIndex(await places(app.db)).get(resident.village_id);
    const consents = givenConsents(await childrenOf(app.db, resident.id));
    draft.form = prefillFromResident(document, resident, addressOf(entry), consents);
    draft.papers = {};
    go(2);
  };
  const item = ({ document }) =>
    h(
      "li",
      {},
      h(
        "button",
        { type: "button", class: "row procedure", onclick: () => choose(document) },
        h("span", { class: "name" }, pick(document.name)),
        h("span", { class: "facts" }, pick(document.authority)),
      ),
    );
  const update = () => {
    const found = list.filter(({ document }) =>
      matchesText(`${document.name.vi} ${document.name.en}`, input.value),
    );
    const common = found.filter((p) => p.common);
    const other = found.filter((p) => !p.common);
    fill(
      results,
      common.length ? h("h2", {}, t("common_here")) : null,
      common.length ? h("ul", { class: "list" }, common.map(item)) : null,
      other.length ? h("h2", {}, t("other_procedures")) : null,
      other.length ? h("ul", { class: "list" }, other.map(item)) : null,
    );
  };
  input.addEventListener("input", update);
  update();
  return [
    stepHead(draft, resident, t("pick_procedure"), null),
    list.length ? h("div", { class: "search" }, input) : h("p", { class: "muted-card" }, t("no_catalogue")),
    results,
  ];
}

async function formStep(app, draft, resident, document, go, problems = []) {
  const addresses = [...villageIndex(await places(app.db)).values()].map(addressOf);
  const form = renderForm(document, draft.form, { addresses });
  if (problems.length) form.show(problems);
  let timer = null;
  form.element.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      draft.form = form.read();
      saveDraft(app, draft);
    }, 400);
  });
  form.element.addEventListener("change", () => {
    draft.form = form.read();
    saveDraft(app, draft);
  });
  const next = (event) => {
    event.preventDefault();
    clearTimeout(timer);
    const data = form.read();
    draft.form = data;
    saveDraft(app, draft);
    if (form.show(checkDeclaration(document, data, new Date()))) return;
    go(3);
  };
  return [
    stepHead(draft, resident, t("fill_form"), () => go(1)),
    h("p", { class: "lead" }, pick(document.name)),
    h(
      "form",
      { class: "screen-form", novalidate: true, onsubmit: next },
      form.element,
      h("button", { type: "submit", class: "primary" }, t("next")),
    ),
  ];
}

function photosTaken(paper, photos) {
  if (!photos.length) return null;
  const taken =
    paper.required && paper.photos
      ? t("photos_taken", { n: photos.length, of: paper.photos })
      : t("photos_taken_any", { n: photos.length });
  return ` · ${taken}`;
}

async function paperThumb(app, draft, paper, photos, sha, rerender) {
  const stored = await app.db.get("blobs", sha);
  const remove = async () => {
    draft.papers[paper.id] = photos.filter((s) => s !== sha);
    await saveDraft(app, draft);
    rerender();
  };
  return h(
    "li",
    { class: "thumb" },
    stored ? h("img", { src: blobUrl(stored.blob), alt: pick(paper.name) }) : null,
    h("span", { class: "size" }, stored ? t("photo_size", { kb: Math.round(stored.size / 1024) }) : "?"),
    h("button", { type: "button", class: "link danger", onclick: remove }, t("remove")),
  );
}

/** Required, optional, or an alternative to a required paper. */
function paperNeeds(document, paper) {
  const names = (papers) => papers.map((other) => `“${pick(other.name)}”`).join(t("paper_or"));
  const alternatives = paperGroup(document, paper).slice(1);
  const replaces = replacedBy(document, paper);
  if (paper.required && paper.photos && alternatives.length)
    return t("paper_needs_or", { n: paper.photos, names: names(alternatives) });
  if (paper.required) return paper.photos ? t("paper_needs", { n: paper.photos }) : t("paper_needs_none");
  if (replaces.length) return t("paper_instead_of", { n: paper.photos, names: names(replaces) });
  return t("paper_optional");
}

async function paperCard(app, draft, document, paper, rerender) {
  const photos = draft.papers[paper.id] ?? [];
  const needs = paperNeeds(document, paper);
  const status = h("p", { class: "status", role: "status" });
  const thumbs = [];
  for (const sha of photos) thumbs.push(await paperThumb(app, draft, paper, photos, sha, rerender));
  const complete = !missingPapers(document, draft.papers).some((group) => group[0] === paper);
  const takePhoto = () =>
    photoButton({
      db: app.db,
      label: t("take_photo"),
      onState: (state) => {
        status.textContent =
          state === "busy" ? t("photo_saving") : state === "failed" ? t("photo_failed") : "";
      },
      onPhoto: async (photo) => {
        draft.papers[paper.id] = [...(draft.papers[paper.id] ?? []), photo.sha256];
        await saveDraft(app, draft);
        rerender();
      },
    });
  return h(
    "div",
    { class: ["card", "paper", complete ? "complete" : "incomplete"], dataset: { paper: paper.id } },
    h("h3", {}, pick(paper.name)),
    h("p", { class: "need" }, needs, photosTaken(paper, photos)),
    paper.note ? h("p", { class: "hint" }, pick(paper.note)) : null,
    thumbs.length ? h("ul", { class: "thumbs" }, thumbs) : null,
    paper.photos || !paper.required ? takePhoto() : null,
    status,
  );
}

async function papersStep(app, draft, resident, document, go) {
  const cards = h("div", { class: "papers" });
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const rerender = async () => {
    const built = [];
    for (const paper of document.required_papers)
      built.push(await paperCard(app, draft, document, paper, rerender));
    fill(cards, built);
  };
  await rerender();
  const next = () => {
    const missing = missingPapers(document, draft.papers);
    error.hidden = missing.length === 0;
    error.textContent = t("papers_missing", {
      names: missing.map((group) => group.map((paper) => pick(paper.name)).join(t("paper_or"))).join("; "),
    });
    if (!missing.length) go(4);
  };
  return [
    stepHead(draft, resident, t("papers_title"), () => go(2)),
    h("p", { class: "lead" }, pick(document.name)),
    cards,
    error,
    h("button", { type: "button", class: "primary", onclick: next }, t("next")),
  ];
}

function papersOf(document, draft) {
  return document.required_papers
    .filter((paper) => (draft.papers[paper.id] ?? []).length)
    .map((paper) => ({ paper_id: paper.id, photos: draft.papers[paper.id] }));
}

/** Freeze the draft into a dossier with the next tracking code, queue it, drop the draft. */
async function queueDossier(app, draft, resident, document, signature) {
  const secret = randomSecret();
  const deviceCode = app.session.device_code;
  const counterKey = `counter:${deviceCode}`;
  const number = await app.db.write(["meta"], async (tx) => {
    const next = ((await tx.get("meta", counterKey)) ?? 0) + 1;
    tx.put("meta", next, counterKey);
    return next;
  });
  const envelope = makeEnvelope("dossier", {
    resident_id: resident.id,
    tracking_code: `${deviceCode}-${number}`,
    procedure_code: document.code,
    procedure_version: document.version,
    form: draft.form,
    papers: papersOf(document, draft),
    signature_sha256: signature,
    receipt_secret_hash: await sha256Hex(secret),
  });
  await app.queue([envelope], { local: { [envelope.id]: { secret } } });
  await app.db.delete("meta", "draft");
  return `#/dossier/${envelope.id}?new=1`;
}

/** The edited draft as the next revision (same code and receipt; held photos not sent again). */
async function queueRevision(app, draft, document, signature) {
  const record = await app.db.get("records", draft.edit);
  await enqueueRevision(app.db, record, {
    ...record.envelope.body,
    form: draft.form,
    papers: papersOf(document, draft),
    signature_sha256: signature,
  });
  await app.db.delete("meta", draftKey(draft.edit));
  await app.syncer.counts();
  app.syncer.soon();
  return `#/dossier/${record.id}`;
}

function reviewCard(draft, document) {
  const papers = document.required_papers.filter((paper) => (draft.papers[paper.id] ?? []).length);
  return h(
    "div",
    { class: "card review" },
    h("h2", {}, pick(document.name)),
    h(
      "dl",
      { class: "answers" },
      describeAnswers(document, draft.form).map(([label, value]) =>
        h("div", { class: "fact" }, h("dt", {}, label), h("dd", {}, value)),
      ),
    ),
    papers.length
      ? h(
          "ul",
          { class: "list plain" },
          papers.map((paper) =>
            h("li", {}, `${pick(paper.name)} — ${t("photos_count", { n: draft.papers[paper.id].length })}`),
          ),
        )
      : null,
  );
}

async function reviewStep(app, draft, resident, document, go) {
  const pad = new SignaturePad({ label: t("sign_title") });
  let fingerprint = null;
  const fingerprintNote = h("p", { class: "status", hidden: true }, t("fingerprint_taken"));
  const error = h("p", { class: "error", role: "alert", hidden: true }, t("sign_missing"));
  const submit = h(
    "button",
    { type: "button", class: "primary" },
    draft.edit ? t(`save_${draft.reason}`) : t("save_dossier"),
  );
  submit.addEventListener("click", async () => {
    if (pad.isEmpty && !fingerprint) {
      error.hidden = false;
      return;
    }
    submit.disabled = true;
    const signature = pad.isEmpty ? fingerprint : await storeBlob(app.db, await pad.toBlob());
    const next = draft.edit
      ? await queueRevision(app, draft, document, signature)
      : await queueDossier(app, draft, resident, document, signature);
    toast(t("saved_queued"));
    app.navigate(next);
  });
  requestAnimationFrame(() => pad.fit());
  return [
    stepHead(draft, resident, t("review_title"), () => go(3)),
    h("p", { class: "lead" }, t("review_intro")),
    reviewCard(draft, document),
    h("h2", {}, t("sign_title")),
    h("p", { class: "hint" }, draft.edit ? t("sign_again_hint") : t("sign_hint")),
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
    error,
    submit,
  ];
}

/** The kept or a new draft; null when the volunteer went back to another resident's draft. */
async function draftFor(app, resident) {
  const draft = await app.db.get("meta", "draft");
  if (draft && draft.resident_id !== resident.id) {
    const old = await getResident(app.db, draft.resident_id);
    const keep = draft.procedure
      ? await ask({
          title: t("discard_draft"),
          text: `${t("discard_confirm")} (${old?.full_name ?? ""})`,
          actions: [
            { label: t("cancel"), value: true, kind: "secondary" },
            { label: t("discard_draft"), value: false, kind: "danger" },
          ],
        })
      : false;
    if (keep !== false) {
      app.navigate(`#/dossier/new?resident=${draft.resident_id}`);
      return null;
    }
    await discardDraft(app, draft);
  } else if (draft) {
    return draft;
  }
  return { resident_id: resident.id, step: 1, procedure: null, form: {}, papers: {}, started_at: Date.now() };
}

function discardButton(app, draft, resident) {
  const discard = async () => {
    const sure = await ask({
      title: draft.edit ? t("discard_edit") : t("discard_draft"),
      text: draft.edit ? t("discard_edit_confirm") : t("discard_confirm"),
      actions: [
        { label: t("cancel"), value: false, kind: "secondary" },
        { label: draft.edit ? t("discard_edit") : t("discard_draft"), value: true, kind: "danger" },
      ],
    });
    if (!sure) return;
    await discardDraft(app, draft);
    app.navigate(draft.edit ? `#/dossier/${draft.edit}` : `#/resident/${resident.id}`);
  };
  return h(
    "button",
    { type: "button", class: "link danger discard", onclick: discard },
    draft.edit ? t("discard_edit") : t("discard_draft"),
  );
}

function editNote(view, reason) {
  if (reason === "supplement") {
    const asked = view.server.supplement_asked_at;
    return h(
      "div",
      { class: "notice warn edit-note", role: "note" },
      h("strong", {}, t("supplement_asked")),
      " ",
      view.server.supplement_needed || t("supplement_no_note"),
      asked ? h("span", { class: "when" }, ` (${formatDate(asked)})`) : null,
    );
  }
  const fields = view.record.reason?.fields ?? [];
  return h(
    "div",
    { class: "notice warn edit-note", role: "note" },
    h("strong", {}, t("refused_by_server")),
    " ",
    message(view.record.reason),
    fields.length
      ? h(
          "ul",
          {},
          fields.map((f) => h("li", {}, `${answerLabel(view.procedure, f.field)}: ${message(f)}`)),
        )
      : null,
  );
}

function editDraft(record, reason) {
  const body = record.envelope.body;
  return {
    edit: record.id,
    reason,
    resident_id: body.resident_id,
    step: formProblems(record).length ? 2 : 3,
    procedure: { code: body.procedure_code, version: body.procedure_version },
    form: structuredClone(body.form),
    papers: Object.fromEntries(body.papers.map((paper) => [paper.paper_id, [...paper.photos]])),
    started_at: Date.now(),
  };
}

/** The steps of a draft; an edit's step 1 is the receipt, and ``note`` shows on every step. */
async function wizard(app, draft, resident, { note = null, problems = () => [] } = {}) {
  const container = h("section", { class: "screen wizard" });
  const go = async (step) => {
    if (draft.edit && step === 1) {
      app.navigate(`#/dossier/${draft.edit}`);
      return;
    }
    draft.step = step;
    await saveDraft(app, draft);
    await build();
    window.scrollTo(0, 0);
    container.querySelector("h1")?.focus({ preventScroll: true });
  };
  const build = async () => {
    const document = await documentOf(app, draft);
    if (!document) draft.step = 1;
    let parts;
    if (draft.step === 1) parts = await pickStep(app, draft, resident, go);
    else if (draft.step === 2) parts = await formStep(app, draft, resident, document, go, problems());
    else if (draft.step === 3) parts = await papersStep(app, draft, resident, document, go);
    else parts = await reviewStep(app, draft, resident, document, go);
    const [head, ...rest] = parts;
    fill(container, head, note, rest, draft.procedure ? discardButton(app, draft, resident) : null);
  };
  await saveDraft(app, draft);
  await build();
  return container;
}

/** Answers the server refused and the volunteer has not changed yet. */
function problemsLeft(record, draft) {
  const sent = record.envelope.body.form ?? {};
  return formProblems(record).filter((problem) => {
    const name = problem.field.replace(/^form\./, "");
    return JSON.stringify(draft.form[name] ?? null) === JSON.stringify(sent[name] ?? null);
  });
}

async function renderEdit(app, id) {
  const record = await app.db.get("records", id);
  const view = record?.kind === "dossier" ? await dossierView(app.db, record) : null;
  const reason = view ? editReason(view) : null;
  if (!reason || !view.procedure) {
    app.navigate(`#/dossier/${id}`);
    return h("section", { class: "screen" });
  }
  const draft = (await app.db.get("meta", draftKey(id))) ?? editDraft(record, reason);
  const resident = view.resident ?? { id: draft.resident_id, full_name: "" };
  return wizard(app, draft, resident, {
    note: editNote(view, reason),
    problems: () => problemsLeft(record, draft),
  });
}

export async function render(app, params, query) {
  const [editing] = params;
  if (editing) return renderEdit(app, editing);
  const residentId = query.get("resident");
  const resident = residentId ? await getResident(app.db, residentId) : null;
  if (!resident) {
    app.navigate("#/residents?pick=dossier");
    return h("section", { class: "screen" });
  }
  const draft = await draftFor(app, resident);
  if (!draft) return h("section", { class: "screen" });
  return wizard(app, draft, resident);
}
