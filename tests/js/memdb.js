// An in-memory stand-in for pwa/js/db.js (same methods), so the queue and sync run under node.

const KEY_PATHS = {
  meta: null,
  records: "id",
  blobs: "sha256",
  residents: "id",
  children: "id",
  dossiers: "id",
  catalogue: "key",
};

import { committed } from "../../pwa/js/db.js";

class MemTx {
  constructor(stores) {
    this.stores = stores;
    this.writes = [];
  }
  get(name, key) {
    const value = this.stores[name].get(key);
    return Promise.resolve(value === undefined ? undefined : structuredClone(value));
  }
  all(name) {
    return Promise.resolve([...this.stores[name].values()].map((v) => structuredClone(v)));
  }
  byIndex(name, index, value) {
    return Promise.resolve(
      [...this.stores[name].values()].filter((v) => v[index] === value).map((v) => structuredClone(v)),
    );
  }
  put(name, value, key) {
    this.writes.push([name, value, key]);
    const keyPath = KEY_PATHS[name];
    this.stores[name].set(keyPath ? value[keyPath] : key, structuredClone(value));
    return Promise.resolve(key);
  }
  delete(name, key) {
    this.writes.push([name, undefined, key]);
    this.stores[name].delete(key);
    return Promise.resolve();
  }
  clear(name) {
    this.writes.push([name]);
    this.stores[name].clear();
    return Promise.resolve();
  }
}

export class MemDb {
  constructor() {
    this.stores = Object.fromEntries(Object.keys(KEY_PATHS).map((name) => [name, new Map()]));
  }
  async run(_stores, _mode, work) {
    const tx = new MemTx(this.stores);
    const result = await work(tx);
    committed(this, tx.writes);
    return result;
  }
  read(stores, work) {
    return this.run(stores, "readonly", work);
  }
  write(stores, work) {
    return this.run(stores, "readwrite", work);
  }
  get(name, key) {
    return new MemTx(this.stores).get(name, key);
  }
  all(name) {
    return new MemTx(this.stores).all(name);
  }
  byIndex(name, index, value) {
    return new MemTx(this.stores).byIndex(name, index, value);
  }
  put(name, value, key) {
    return this.write([name], (tx) => tx.put(name, value, key));
  }
  delete(name, key) {
    return this.write([name], (tx) => tx.delete(name, key));
  }
}
