// IndexedDB, one database per user, values sealed (vault.js; docs/pwa.md, "Encrypted at rest").

import { seal, unseal } from "./vault.js";

export const DB_NAME = "motcua"; // pre-issue-15 plain database
export const userDbName = (userId) => `motcua-${userId}`;
const DB_VERSION = 1;

const STORES = {
  meta: { keyPath: null },
  records: { keyPath: "id", indexes: ["state"] },
  blobs: { keyPath: "sha256" },
  residents: { keyPath: "id" },
  children: { keyPath: "id", indexes: ["resident_id"] },
  dossiers: { keyPath: "id" },
  catalogue: { keyPath: "key" },
};
const DIRECTORY = { users: { keyPath: "id" } };
const PLAIN_FIELDS = { records: ["state"], children: ["resident_id"] };

function done(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

// Committed writes go to the watchers (searchindex.js).
const watchers = new Set();
export const onCommit = (watcher) => watchers.add(watcher);
export function committed(db, writes) {
  if (writes.length) for (const watcher of watchers) watcher(db, writes);
}

// One transaction: await only its operations inside it, any other await ends it.
class Tx {
  constructor(transaction, key) {
    this.transaction = transaction;
    this.key = key;
    this.writes = [];
    this.waiters = [];
    this.spinning = false;
  }
  store(name) {
    return this.transaction.objectStore(name);
  }
  // Await crypto inside: tiny reads keep the transaction alive; a request callback hands over.
  // One chain of reads per transaction, however many values wait (a page stores 2,000).
  hold(promise) {
    return new Promise((resolve, reject) => {
      const waiter = { outcome: null };
      promise.then(
        (value) => {
          waiter.outcome = () => resolve(value);
        },
        (error) => {
          waiter.outcome = () => reject(error);
        },
      );
      this.waiters.push(waiter);
      this.spin();
    });
  }
  spin() {
    if (this.spinning) return;
    this.spinning = true;
    this.store(this.transaction.objectStoreNames[0]).get([]).onsuccess = () => {
      this.spinning = false;
      const ready = this.waiters.filter((w) => w.outcome);
      this.waiters = this.waiters.filter((w) => !w.outcome);
      for (const waiter of ready) waiter.outcome();
      if (this.waiters.length) this.spin();
    };
  }
  open(request, many = false) {
    return done(request).then((value) => {
      if (!this.key || !value) return value;
      return this.hold(many ? Promise.all(value.map((v) => unseal(this.key, v))) : unseal(this.key, value));
    });
  }
  get(name, key) {
    return this.open(this.store(name).get(key));
  }
  all(name) {
    return this.open(this.store(name).getAll(), true);
  }
  byIndex(name, index, value) {
    return this.open(this.store(name).index(index).getAll(value), true);
  }
  put(name, value, key) {
    this.writes.push([name, value, key]);
    const store = this.store(name);
    const write = (stored) => done(key === undefined ? store.put(stored) : store.put(stored, key));
    if (!this.key) return write(value);
    return this.hold(seal(this.key, value)).then((sealed) => {
      for (const field of [store.keyPath, ...(PLAIN_FIELDS[name] ?? [])])
        if (field) sealed[field] = value[field];
      return write(sealed);
    });
  }
  delete(name, key) {
    this.writes.push([name, undefined, key]);
    return done(this.store(name).delete(key));
  }
  clear(name) {
    this.writes.push([name]);
    return done(this.store(name).clear());
  }
}

export class Db {
  constructor(idb, key = null) {
    this.idb = idb;
    this.key = key;
  }

  // Resolves with ``work(tx)``'s result once committed.
  run(stores, mode, work) {
    return new Promise((resolve, reject) => {
      const transaction = this.idb.transaction(stores, mode);
      const tx = new Tx(transaction, this.key);
      let result;
      let settled = false;
      let complete = false;
      transaction.oncomplete = () => {
        complete = true;
        committed(this, tx.writes);
        if (settled) resolve(result);
      };
      transaction.onabort = () => reject(transaction.error ?? new Error("transaction aborted"));
      let pending;
      try {
        pending = Promise.resolve(work(tx)); // while active
      } catch (error) {
        pending = Promise.reject(error);
      }
      pending.then(
        (value) => {
          result = value;
          settled = true;
          if (complete) resolve(result);
        },
        (error) => {
          try {
            transaction.abort();
          } catch {}
          reject(error);
        },
      );
    });
  }
  read(stores, work) {
    return this.run(stores, "readonly", work);
  }
  write(stores, work) {
    return this.run(stores, "readwrite", work);
  }
  get(name, key) {
    return this.read([name], (tx) => tx.get(name, key));
  }
  all(name) {
    return this.read([name], (tx) => tx.all(name));
  }
  byIndex(name, index, value) {
    return this.read([name], (tx) => tx.byIndex(name, index, value));
  }
  put(name, value, key) {
    return this.write([name], (tx) => tx.put(name, value, key));
  }
  delete(name, key) {
    return this.write([name], (tx) => tx.delete(name, key));
  }
  close() {
    this.idb.close();
  }
}

// No ``key``: the plain pre-issue-15 database.
export async function openDb(name = DB_NAME, key = null, stores = STORES) {
  const request = indexedDB.open(name, DB_VERSION);
  request.onupgradeneeded = () => {
    const idb = request.result;
    for (const [storeName, spec] of Object.entries(stores)) {
      if (idb.objectStoreNames.contains(storeName)) continue;
      const store = idb.createObjectStore(storeName, spec.keyPath ? { keyPath: spec.keyPath } : undefined);
      for (const index of spec.indexes ?? []) store.createIndex(index, index);
    }
  };
  const idb = await done(request);
  // another tab deletes it (sign-out)
  idb.onversionchange = () => idb.close();
  return new Db(idb, key);
}

export async function listUsers() {
  const db = await openDb("motcua-phone", null, DIRECTORY);
  try {
    return (await db.all("users")).sort((a, b) => (b.usedAt ?? 0) - (a.usedAt ?? 0));
  } finally {
    db.close();
  }
}

// ``changes`` null: forget the user.
export async function saveUser(id, changes) {
  const db = await openDb("motcua-phone", null, DIRECTORY);
  try {
    if (!changes) return await db.delete("users", id);
    const user = { ...(await db.get("users", id)), ...changes, id };
    await db.put("users", user);
    return user;
  } finally {
    db.close();
  }
}

export function deleteDb(name = DB_NAME) {
  return new Promise((resolve, reject) => {
    const request = indexedDB.deleteDatabase(name);
    request.onsuccess = () => resolve();
    request.onerror = () => reject(request.error);
    request.onblocked = () => resolve();
  });
}

export const getMeta = (db, key) => db.get("meta", key);
export const getMetas = (db, keys) =>
  db.read(["meta"], (tx) => Promise.all(keys.map((key) => tx.get("meta", key))));
export const setMeta = (db, key, value) => db.put("meta", value, key);

// Seal the plain database into ``db`` if ``mine``, then delete it.
export async function adoptPlain(db, mine) {
  const old = await openDb(DB_NAME);
  for (const name of mine ? Object.keys(STORES) : []) {
    const [keys, values] = await old.read([name], (tx) =>
      Promise.all([done(tx.store(name).getAllKeys()), tx.all(name)]),
    );
    await db.write([name], (tx) =>
      Promise.all(
        values.map((value, i) => (name === "meta" ? tx.put(name, value, keys[i]) : tx.put(name, value))),
      ),
    );
  }
  old.close();
  await deleteDb(DB_NAME);
}
