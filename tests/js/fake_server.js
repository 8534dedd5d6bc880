// A small in-memory server speaking the sync protocol of docs/sync.md, with a switch for each way
// a village link fails: no network, a lost answer after the server applied, 5xx, too large.

import { createHash } from "node:crypto";

const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");
const PARENT_KINDS = new Set(["consent", "checklist", "dossier"]);

function json(status, data, headers = {}) {
  return new Response(data === null ? null : JSON.stringify(data), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

export class FakeServer {
  constructor({ maxBatch = 200 } = {}) {
    this.maxBatch = maxBatch;
    this.records = new Map(); // id → {kind, hash, envelope, state: applied|held|rejected}
    this.files = new Map(); // sha → bytes
    this.changes = [];
    this.drop = []; // told once, on the next pull page
    this.failures = []; // [{match: RegExp, mode}]
    this.requests = [];
    this.pushSizes = [];
    this.online = true;
  }

  /** The next request whose "METHOD path" matches fails this way: network | drop-answer | server | 413. */
  failNext(match, mode) {
    this.failures.push({ match, mode });
  }

  count(kind, state = "applied") {
    return [...this.records.values()].filter((r) => r.kind === kind && r.state === state).length;
  }

  /** Forget a record, as a server restored from an older backup would. */
  lose(id) {
    this.records.delete(id);
  }

  /** A restore: a new epoch, so cursors handed out before it are answered 409 sync.start_over. */
  restored() {
    this.epoch = (this.epoch ?? 0) + 1;
  }

  addForeignResident(id, body) {
    this.records.set(id, { kind: "resident", hash: "x", envelope: { id, body }, state: "applied" });
    this.changes.push({ kind: "resident", id, revision: 1, body });
  }

  missingFor(envelope) {
    const body = envelope.body;
    const named = [body.signature_sha256, ...body.papers.flatMap((p) => p.photos)];
    return [...new Set(named)].filter((sha) => !this.files.has(sha)).sort();
  }

  named(sha) {
    for (const record of this.records.values()) {
      if (record.state !== "applied") continue;
      const body = record.envelope.body;
      if (record.kind === "consent" && body.signature_sha256 === sha) return true;
      if (
        record.kind === "dossier" &&
        [body.signature_sha256, ...body.papers.flatMap((p) => p.photos)].includes(sha)
      ) {
        return true;
      }
    }
    return false;
  }

  applyOne(envelope) {
    const hash = sha256(JSON.stringify(envelope));
    const seen = this.records.get(envelope.id);
    const base = { id: envelope.id, kind: envelope.kind, revision: envelope.revision };
    const stored = seen?.envelope.revision ?? 1;
    if (seen && seen.hash === hash && seen.state !== "held")
      return { ...base, outcome: "duplicate", server_revision: stored };
    // An edit on the revision stored, or a correction of a refused record: stored as sent.
    const edit = seen?.state === "applied" && envelope.base_revision === stored;
    const correction = seen?.state === "rejected" && envelope.revision === stored;
    if (seen && seen.hash !== hash && !edit && !correction) {
      return {
        ...base,
        outcome: "conflict",
        reason: { code: "revision.conflict", message_vi: "Xung đột.", message_en: "Conflict.", fields: [] },
      };
    }
    if (envelope.body.full_name === "REJECT") {
      this.records.set(envelope.id, { kind: envelope.kind, hash, envelope, state: "rejected" });
      return {
        ...base,
        outcome: "rejected",
        reason: {
          code: "record.invalid",
          message_vi: "Bản ghi còn mục chưa đúng.",
          message_en: "Some fields are not right.",
          fields: [],
        },
      };
    }
    if (PARENT_KINDS.has(envelope.kind) && this.records.get(envelope.body.resident_id)?.state !== "applied") {
      this.records.set(envelope.id, { kind: envelope.kind, hash, envelope, state: "held" });
      return { ...base, outcome: "held" };
    }
    this.records.set(envelope.id, { kind: envelope.kind, hash, envelope, state: "applied" });
    this.changes.push({
      kind: envelope.kind,
      id: envelope.id,
      revision: envelope.revision,
      body: envelope.kind === "dossier" ? undefined : envelope.body,
      server: envelope.kind === "dossier" ? { status: "incomplete" } : undefined,
    });
    const outcome = { ...base, outcome: "applied", server_revision: envelope.revision };
    if (envelope.kind === "dossier") outcome.missing_attachments = this.missingFor(envelope);
    if (envelope.kind === "resident") {
      for (const [id, held] of this.records) {
        if (held.state === "held" && held.envelope.body.resident_id === envelope.id) this.applyHeld(id, held);
      }
    }
    return outcome;
  }

  applyHeld(id, held) {
    held.state = "applied";
    this.changes.push({
      kind: held.kind,
      id,
      revision: 1,
      body: held.kind === "dossier" ? undefined : held.envelope.body,
    });
  }

  /** A fetch that answers like the server. */
  fetch = async (url, init = {}) => {
    const method = init.method ?? "GET";
    const path = url.replace(/^https?:\/\/[^/]+/, "");
    this.requests.push(`${method} ${path}`);
    if (!this.online) throw new TypeError("Failed to fetch");
    const failure = this.failures.find((f) => f.match.test(`${method} ${path}`));
    if (failure) this.failures.splice(this.failures.indexOf(failure), 1);
    if (failure?.mode === "network") throw new TypeError("Failed to fetch");
    if (failure?.mode === "server")
      return json(503, { code: "unavailable", message_vi: "Lỗi.", message_en: "Down.", fields: [] });
    const answer = await this.route(method, path, init);
    if (failure?.mode === "drop-answer") throw new TypeError("network changed"); // applied, answer lost
    return answer;
  };

  async route(method, path, init) {
    if (!/Bearer /.test(init.headers?.authorization ?? "")) return json(401, { code: "auth.required" });
    const [route, query] = path.split("?");
    if (route === "/api/sync/limits") {
      return json(200, {
        max_batch_records: this.maxBatch,
        max_attachment_bytes: 5 << 20,
        attachment_types: [],
        pull_page_size: 3,
      });
    }
    if (route === "/api/sync/push") {
      const records = JSON.parse(init.body).records;
      if (records.length > this.maxBatch)
        return json(413, {
          code: "batch.too_large",
          message_vi: "Quá lớn.",
          message_en: "Too large.",
          fields: [],
        });
      this.pushSizes.push(records.length);
      const order = { resident: 0, consent: 1, checklist: 2, dossier: 3 };
      const outcomes = new Map();
      for (const envelope of [...records].sort((a, b) => order[a.kind] - order[b.kind])) {
        outcomes.set(envelope.id, this.applyOne(envelope));
      }
      return json(200, { outcomes: records.map((r) => outcomes.get(r.id)) });
    }
    let match = /^\/api\/attachments\/([0-9a-f]{64})$/.exec(route);
    if (match && method === "PUT") {
      const bytes = new Uint8Array(await new Response(init.body).arrayBuffer());
      if (sha256(bytes) !== match[1]) return json(400, { code: "attachment.hash_mismatch" });
      if (!this.named(match[1]))
        return json(409, {
          code: "attachment.not_expected",
          message_vi: "Chưa cần.",
          message_en: "Not expected.",
          fields: [],
        });
      const duplicate = this.files.has(match[1]);
      this.files.set(match[1], bytes);
      const dossiers = [...this.records.entries()]
        .filter(
          ([, r]) => r.kind === "dossier" && r.state === "applied" && this.missingFor(r.envelope).length >= 0,
        )
        .filter(([, r]) =>
          [r.envelope.body.signature_sha256, ...r.envelope.body.papers.flatMap((p) => p.photos)].includes(
            match[1],
          ),
        )
        .map(([id, r]) => {
          const missing = this.missingFor(r.envelope);
          return { id, status: missing.length ? "incomplete" : "received", missing_attachments: missing };
        });
      return json(200, { sha256: match[1], outcome: duplicate ? "duplicate" : "stored", dossiers });
    }
    match = /^\/api\/dossiers\/([0-9a-f-]+)\/state$/.exec(route);
    if (match) {
      const record = this.records.get(match[1]);
      if (record?.state !== "applied") return json(404, { code: "dossier.not_found" });
      const missing = this.missingFor(record.envelope);
      return json(200, {
        id: match[1],
        tracking_code: record.envelope.body.tracking_code,
        status: missing.length ? "incomplete" : "received",
        missing_attachments: missing,
      });
    }
    if (route === "/api/sync/holdings") {
      const ids = JSON.parse(init.body).ids;
      const holdings = [];
      const missing = [];
      for (const id of ids) {
        const record = this.records.get(id);
        if (!record) missing.push(id);
        else holdings.push({ id, state: record.state, kind: record.kind });
      }
      return json(200, { holdings, missing });
    }
    if (route === "/api/sync/pull") {
      const params = new URLSearchParams(query);
      const [epoch, at] = (params.get("cursor") ?? "0").split(".");
      if (at !== undefined && Number(epoch) !== (this.epoch ?? 0))
        return json(409, { code: "sync.start_over" });
      const cursor = Number(at ?? epoch);
      const limit = Number(params.get("limit"));
      const page = this.changes.slice(cursor, cursor + limit).map((c, i) => ({ seq: cursor + i + 1, ...c }));
      const next = cursor + page.length;
      const drop = this.drop;
      this.drop = [];
      const more = next < this.changes.length;
      return json(200, { changes: page, cursor: `${this.epoch ?? 0}.${next}`, more, drop });
    }
    return json(404, { code: "not_found" });
  }
}
