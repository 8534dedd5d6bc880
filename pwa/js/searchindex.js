// In-memory resident search: read once per session, then follows db.js onCommit.

import { onCommit } from "./db.js";
import { digitsOf, fold, phoneKey } from "./fold.js";
import { allResidents } from "./store.js";

const order = (a, b) => (a.name > b.name) - (a.name < b.name) || (a.key > b.key) - (a.key < b.key);
const count = (lists) => lists.reduce((sum, list) => sum + list.length, 0);

export class ResidentIndex {
  constructor(people = []) {
    this.byId = new Map();
    this.byWord = new Map(); // folded name word → entries
    this.folded = new Map(); // name word → folded: names share few words
    for (const person of people) this.put(person);
  }

  put(person) {
    this.drop(person.id);
    if (person.merged_into) return; // as store.js
    const words = String(person.full_name ?? "")
      .split(/\s+/)
      .map((word) => this.folded.get(word) ?? this.folded.set(word, fold(word)).get(word))
      .filter(Boolean);
    const entry = { person, key: person.id, name: words.join(" "), words, rank: 0 };
    entry.id = digitsOf(person.personal_id);
    entry.phone = phoneKey(person.phone);
    for (const word of new Set(words))
      (this.byWord.get(word) ?? this.byWord.set(word, []).get(word)).push(entry);
    this.byId.set(person.id, entry);
  }

  drop(id) {
    const entry = this.byId.get(id);
    for (const word of entry?.words ?? [])
      this.byWord.set(
        word,
        this.byWord.get(word).filter((e) => e !== entry),
      );
    this.byId.delete(id);
    this.list = null;
  }

  // Each query word starts a name word (3 if whole, else 1), or digits end the ID (3+) or are in the phone (4+).
  search(query, { limit = 200, keep = () => true } = {}) {
    if (!this.list) {
      this.list = [...this.byId.values()].sort(order);
      for (const [rank, entry] of this.list.entries()) entry.rank = rank;
    }
    const q = fold(query);
    const digits = q.replace(/[\s+]/g, "");
    const phone = digits.length >= 9 ? phoneKey(digits) : digits;
    let candidates = [this.list];
    let top = 2; // the best score anyone has: the scan stops once enough have it
    let scoreOf = (entry) =>
      digits.length >= 3 && entry.id.endsWith(digits)
        ? 2
        : +(digits.length >= 4 && entry.phone.includes(phone));
    if (!/^[0-9]+$/.test(digits)) {
      const tokens = q ? q.split(" ") : [];
      top = 1;
      for (const token of tokens) {
        // candidates: the query word matching fewest
        const lists = [...this.byWord].filter(([word]) => word.startsWith(token)).map((pair) => pair[1]);
        if (count(lists) < count(candidates)) candidates = lists;
        top += this.byWord.get(token)?.length ? 3 : 1;
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
    const ranked = [];
    const list =
      count(candidates) > this.list.length / 4
        ? this.list
        : [...new Set(candidates.flat())].sort((a, b) => a.rank - b.rank);
    for (const entry of list) {
      const score = scoreOf(entry);
      if (score && keep(entry.person)) {
        ranked[score] ??= [];
        ranked[score].push(entry.person);
      }
      if (ranked[top]?.length >= limit) break;
    }
    return ranked.reverse().flat().slice(0, limit);
  }
}

let session = null; // {db, ready, index once read, writes committed meanwhile}

export function residentIndex(db) {
  if (session?.db !== db) {
    const current = { db, writes: [] };
    session = current;
    // a write both read and replayed changes nothing
    current.ready = allResidents(db).then((people) => {
      current.index = new ResidentIndex(people);
      follow(current.index, current.writes);
      return current.index;
    });
    current.ready.catch(() => session === current && dropIndex());
  }
  return session.ready;
}

export function dropIndex() {
  session = null;
}

// [store, value, key]: no value, deleted; neither, cleared.
function follow(index, writes) {
  for (const [store, value, key] of writes) {
    if (store !== "residents") continue;
    if (value) index.put(value);
    else for (const id of key === undefined ? [...index.byId.keys()] : [key]) index.drop(id);
  }
}

onCommit((db, writes) => {
  if (session?.db === db) session.index ? follow(session.index, writes) : session.writes.push(...writes);
});
