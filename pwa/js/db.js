// A small IndexedDB wrapper: one database per phone, promise-based reads and atomic writes.

export const DB_NAME = "motcua";
const DB_VERSION = 1;

const STORES = {
  meta: { keyPath: null },
  records: { keyPath: "id", indexes: ["state"] }, // the queue and every record sent (≥ 30 days)
  blobs: { keyPath: "sha256" }, // photos and signatures, by content hash
  residents: { keyPath: "id" },
  children: { keyPath: "id", indexes: ["resident_id"] }, // consents and checklist ticks
  dossiers: { keyPath: "id" }, // the server's state
  catalogue: { keyPath: "key" }, // procedure documents, "code:version"
};

function done(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

// Each committed transaction's writes go to the watchers (searchindex.js follows the residents).
const watchers = new Set();
export const onCommit = (watcher) => watchers.add(watcher);
export function committed(db, writes) {
  if (writes.length) for (const watcher of watchers) watcher(db, writes);
}

/** The operations of one transaction. Await only these inside it: any other await ends it. */
class Tx {
  constructor(transaction) {
    this.transaction = transaction;
    this.writes = [];
  }
  store(name) {
    return this.transaction.objectStore(name);
  }
  get(name, key) {
    return done(this.store(name).get(key));
  }
  all(name) {
    return done(this.store(name).getAll());
  }
  byIndex(name, index, value) {
    return done(this.store(name).index(index).getAll(value));
  }
  put(name, value, key) {
    this.writes.push([name, value, key]);
    return done(key === undefined ? this.store(name).put(value) : this.store(name).put(value, key));
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
  constructor(idb) {
    this.idb = idb;
  }

  /** Run ``work(tx)`` in one transaction; resolves with its result once it commits. */
  run(stores, mode, work) {
    return new Promise((resolve, reject) => {
      const transaction = this.idb.transaction(stores, mode);
      const tx = new Tx(transaction);
      let result;
      transaction.oncomplete = () => {
        resolve(result); // its awaiters go on after the watchers have seen the writes
        committed(this, tx.writes);
      };
      transaction.onabort = () => reject(transaction.error ?? new Error("transaction aborted"));
      let pending;
      try {
        pending = Promise.resolve(work(tx)); // at once, while the transaction is active
      } catch (error) {
        pending = Promise.reject(error);
      }
      pending.then(
        (value) => {
          result = value;
        },
        (error) => {
          try {
            transaction.abort();
          } catch {
            // already finished
          }
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

export async function openDb(name = DB_NAME) {
  const request = indexedDB.open(name, DB_VERSION);
  request.onupgradeneeded = () => {
    const idb = request.result;
    for (const [storeName, spec] of Object.entries(STORES)) {
      if (idb.objectStoreNames.contains(storeName)) continue;
      const store = idb.createObjectStore(storeName, spec.keyPath ? { keyPath: spec.keyPath } : undefined);
      for (const index of spec.indexes ?? []) store.createIndex(index, index);
    }
  };
  const idb = await done(request);
  // Another tab is wiping the data (sign-out): let go.
  idb.onversionchange = () => idb.close();
  return new Db(idb);
}

export function deleteDb(name = DB_NAME) {
  return new Promise((resolve, reject) => {
    const request = indexedDB.deleteDatabase(name);
    request.onsuccess = () => resolve();
    request.onerror = () => reject(request.error);
    request.onblocked = () => resolve(); // completes once the other connections close
  });
}

export const getMeta = (db, key) => db.get("meta", key);
export const getMetas = (db, keys) =>
  db.read(["meta"], (tx) => Promise.all(keys.map((key) => tx.get("meta", key))));
export const setMeta = (db, key, value) => db.put("meta", value, key);
