// Offline search of residents, in memory only (never stored): one read of the residents per
// session, then each committed write (db.js onCommit); dropped on lock and sign-out.

import { onCommit } from "./db.js";
import { digitsOf, fold, phoneKey } from "./fold.js";
import { allResidents } from "./store.js";

const order = (a, b) => (a.name > b.name) - (a.name < b.name) || (a.key > b.key) - (a.key < b.key);

export class ResidentIndex {
  constructor(people = []) {
    this.byId = new Map();
    this.holders = new Map(); // folded name word, "#" + the ID number's last 3 digits, "~" + 4 of the phone's → entries
    this.folded = new Map(); // a name word as written → folded: names share few words
    for (const person of people) this.put(person);
  }

  /** A resident stored; one merged into another leaves the search (store.js). */
  put(person) {
    this.drop(person.id);
    if (person.merged_into) return;
    const words = String(person.full_name ?? "")
      .split(/\s+/)
      .map((word) => this.folded.get(word) ?? this.folded.set(word, fold(word)).get(word))
      .filter(Boolean);
    const id = digitsOf(person.personal_id);
    const phone = phoneKey(person.phone);
    const entry = { person, key: person.id, name: words.join(" "), words, id, phone };
    const keys = [...words, `#${id.slice(-3)}`];
    for (let at = 0; at + 4 <= phone.length; at += 1) keys.push(`~${phone.slice(at, at + 4)}`);
    entry.keys = [...new Set(keys)];
    for (const key of entry.keys) {
      if (!this.holders.has(key)) {
        this.holders.set(key, new Set());
        this.sortedKeys = null;
      }
      this.holders.get(key).add(entry);
    }
    this.byId.set(person.id, entry);
    this.list = null;
  }

  drop(id) {
    const entry = this.byId.get(id);
    for (const key of entry?.keys ?? []) this.holders.get(key).delete(entry);
    this.byId.delete(id);
    this.list = null;
  }

  /** The entries holding a key that starts so, and how many. */
  holding(start) {
    this.sortedKeys ??= [...this.holders.keys()].sort();
    const keys = this.sortedKeys;
    let low = 0;
    for (let high = keys.length; low < high; ) {
      const mid = (low + high) >> 1;
      if (keys[mid] < start) low = mid + 1;
      else high = mid;
    }
    const sets = [];
    for (; keys[low]?.startsWith(start); low += 1) sets.push(this.holders.get(keys[low]));
    return { sets, size: sets.reduce((sum, set) => sum + set.size, 0) };
  }

  /**
   * Best first, then by name (``keep``: only some): every query word starts a name word (3 if
   * it is the whole word, else 1), or digits end the ID number (3+) or are in the phone (4+).
   */
  search(query, { limit = 200, keep = () => true } = {}) {
    if (!this.list) {
      this.list = [...this.byId.values()].sort(order);
      for (const [rank, entry] of this.list.entries()) entry.rank = rank;
    }
    const q = fold(query);
    const digits = q.replace(/[\s+]/g, "");
    let scoreOf = () => 1;
    let top = 1;
    let found = { sets: [], size: this.list.length };
    if (/^[0-9]+$/.test(digits)) {
      const phone = digits.length >= 9 ? phoneKey(digits) : digits;
      const byId = digits.length >= 3 ? this.holding(`#${digits.slice(-3)}`).sets : [];
      const byPhone = digits.length >= 4 ? this.holding(`~${phone.slice(0, 4)}`).sets : [];
      found = { sets: [...byId, ...byPhone], size: 0 };
      top = 2;
      scoreOf = (entry) =>
        digits.length >= 3 && entry.id.endsWith(digits)
          ? 2
          : +(digits.length >= 4 && entry.phone.includes(phone));
    } else if (q) {
      const tokens = q.split(" ");
      found = null;
      for (const token of tokens) {
        const holding = this.holding(token);
        if (!found || holding.size < found.size) found = holding;
        top += this.holders.get(token)?.size ? 3 : 1; // the best score anyone has
      }
      scoreOf = (entry) => {
        let score = 1;
        for (const token of tokens) {
          const points = entry.words.includes(token)
            ? 3
            : +entry.words.some((word) => word.startsWith(token));
          if (!points) return 0;
          score += points;
        }
        return score;
      };
    }
    // Few candidates are sorted, many are taken in name order: the scan stops once enough have the best score.
    const candidates =
      found.size > this.list.length / 4
        ? this.list
        : [...new Set(found.sets.flatMap((set) => [...set]))].sort((a, b) => a.rank - b.rank);
    const ranked = [];
    for (const entry of candidates) {
      const score = scoreOf(entry);
      if (score && keep(entry.person)) {
        ranked[score] ??= [];
        ranked[score].push(entry.person);
      }
      if (ranked[top]?.length >= limit) break;
    }
    return ranked.reverse().flat().slice(0, limit);
  }

  /** One transaction's writes, in order. */
  apply(writes) {
    for (const [store, value, key] of writes)
      if (store !== "residents") continue;
      else if (value) this.put(value);
      else if (key === undefined) for (const id of [...this.byId.keys()]) this.drop(id);
      else this.drop(key);
  }
}

let session = null; // {db, ready, index once read, pending writes until then}

/** ``db``'s residents: read once (store.js), then followed in memory. */
export function residentIndex(db) {
  if (session?.db !== db) {
    const current = { db, pending: [] };
    session = current;
    // Writes committed during the read may be applied twice: a put or a drop again is the same.
    current.ready = allResidents(db).then((people) => {
      current.index = new ResidentIndex(people);
      current.index.apply(current.pending);
      return current.index;
    });
    current.ready.catch(() => session === current && dropIndex());
  }
  return session.ready;
}

export function dropIndex() {
  session = null;
}

onCommit((db, writes) => {
  if (session?.db === db) session.index ? session.index.apply(writes) : session.pending.push(...writes);
});
