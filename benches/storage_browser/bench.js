// The storage benchmark's page side (benches/storage_browser.rs): the same
// workloads on IndexedDB, written as the app's rexie path writes (one
// readwrite transaction, each put awaited in turn, records shaped as
// islands/src/store/idb.rs shapes them), on OPFS through
// FileSystemDirectoryHandle and createWritable (the main thread's only
// writer), and on OPFS through createSyncAccessHandle in a dedicated worker
// (the page hands the worker the bytes, as a real caller would: the
// structured clone is timed too). Every workload returns milliseconds.
"use strict";

const encoder = new TextEncoder();
const words = ["data", "chart", "tea", "quantum", "regex", "review", "letter", "circuit", "python", "table"];

// One skill as LLMos stores it: SKILL.md (about 1.3 kB) and two bundled
// files (a 0.7 kB script, a 0.9 kB reference), with the parsed fields.
function skill(i, prefix) {
  const name = `${prefix}-${i}`;
  const description = `Does ${words[i % 10]} work number ${i}. Use when you need ${words[(i * 7) % 10]}.`;
  const body = `# ${name}\n\n` + Array.from({ length: 200 }, (_, j) => words[(i + j) % 10]).join(" ") + "\n";
  const md = `---\nname: ${name}\ndescription: ${description}\ncategory: ${words[i % 10]}\ntype: python\n---\n\n${body}`;
  const script = "import json, sys\n\n" + Array.from({ length: 20 }, (_, j) => `value_${j} = ${i + j}  # ${words[j % 10]}`).join("\n") + "\n";
  const notes = "# Notes\n\n" + Array.from({ length: 130 }, (_, j) => words[(i * 3 + j) % 10]).join(" ") + "\n";
  return {
    name,
    files: [
      { path: "SKILL.md", data: encoder.encode(md) },
      { path: "scripts/main.py", data: encoder.encode(script) },
      { path: "references/notes.md", data: encoder.encode(notes) },
    ],
    created: i,
    updated: i,
    fields: { name, description, category: words[i % 10], type: "python", keywords: [], body },
  };
}

// Runs `task` over `items`, `width` at a time: Chromium fails reads
// ("NotReadableError") with tens of thousands of OPFS files open at once.
async function pool(items, width, task) {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, async () => {
    while (next < items.length) await task(items[next++]);
  }));
}

const request = (r) => new Promise((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });

// IndexedDB, as rexie drives it.
const idb = {
  async open() {
    const open = indexedDB.open("llmos-bench", 1);
    open.onupgradeneeded = () => open.result.createObjectStore("skills", { keyPath: "name" }).createIndex("updated", "updated");
    this.db = await request(open);
  },
  async save(records) {
    const tx = this.db.transaction(["skills"], "readwrite");
    const store = tx.objectStore("skills");
    for (const record of records) await request(store.put(record));
    await new Promise((resolve, reject) => { tx.oncomplete = resolve; tx.onabort = tx.onerror = () => reject(tx.error); });
  },
  async loadAll() {
    const records = await request(this.db.transaction(["skills"], "readonly").objectStore("skills").getAll());
    let bytes = 0;
    for (const r of records) for (const f of r.files) bytes += f.data.byteLength;
    return [records.length, bytes];
  },
  async clear() {
    const tx = this.db.transaction(["skills"], "readwrite");
    await request(tx.objectStore("skills").clear());
  },
};

// OPFS from the page: /skills/<name>/<path>, each file through createWritable
// (a swap file, moved over the old one on close: a crash leaves the old file).
async function dirOf(root, parts, create) {
  let dir = root;
  for (const part of parts) dir = await dir.getDirectoryHandle(part, { create });
  return dir;
}
async function readTree(dir, out) {
  const pending = [];
  for await (const [, handle] of dir.entries()) {
    if (handle.kind === "directory") pending.push(readTree(handle, out));
    else pending.push(handle.getFile().then((f) => f.arrayBuffer()).then((b) => { out.files += 1; out.bytes += b.byteLength; }));
  }
  await Promise.all(pending);
}
const opfs = {
  async open() { this.root = await navigator.storage.getDirectory(); },
  async skills() { return this.root.getDirectoryHandle("skills", { create: true }); },
  async save(records) {
    const skills = await this.skills();
    await Promise.all(records.map(async (record) => {
      const dir = await skills.getDirectoryHandle(record.name, { create: true });
      await Promise.all(record.files.map(async (file) => {
        const parts = file.path.split("/");
        const handle = await (await dirOf(dir, parts.slice(0, -1), true)).getFileHandle(parts[parts.length - 1], { create: true });
        const writable = await handle.createWritable();
        await writable.write(file.data);
        await writable.close();
      }));
    }));
  },
  async loadAll() {
    const skills = await this.skills();
    const out = { files: 0, bytes: 0 };
    const dirs = [];
    for await (const [, handle] of skills.entries()) dirs.push(handle);
    await pool(dirs, 64, (dir) => readTree(dir, out));
    return [dirs.length, out.bytes];
  },
  async clear() { try { await this.root.removeEntry("skills", { recursive: true }); } catch {} },
};

// OPFS through synchronous access handles, in a dedicated worker.
function workerMain() {
  let root;
  async function dirOf(base, parts) {
    let dir = base;
    for (const part of parts) dir = await dir.getDirectoryHandle(part, { create: true });
    return dir;
  }
  async function readTree(dir, out) {
    for await (const [, handle] of dir.entries()) {
      if (handle.kind === "directory") { await readTree(handle, out); continue; }
      const access = await handle.createSyncAccessHandle();
      const buffer = new Uint8Array(access.getSize());
      access.read(buffer, { at: 0 });
      access.close();
      out.bytes += buffer.byteLength;
    }
  }
  onmessage = async ({ data }) => {
    root = root || await navigator.storage.getDirectory();
    if (data.op === "clear") { try { await root.removeEntry("skills-sync", { recursive: true }); } catch {} postMessage([0, 0]); return; }
    const skills = await root.getDirectoryHandle("skills-sync", { create: true });
    if (data.op === "save") {
      for (const record of data.records) {
        const dir = await skills.getDirectoryHandle(record.name, { create: true });
        for (const file of record.files) {
          const parts = file.path.split("/");
          const handle = await (await dirOf(dir, parts.slice(0, -1))).getFileHandle(parts[parts.length - 1], { create: true });
          const access = await handle.createSyncAccessHandle();
          access.truncate(0);
          access.write(file.data, { at: 0 });
          access.flush();
          access.close();
        }
      }
      postMessage([data.records.length, 0]);
    } else {
      const out = { bytes: 0 };
      const dirs = [];
      for await (const [, handle] of skills.entries()) dirs.push(handle);
      let next = 0;
      await Promise.all(Array.from({ length: 64 }, async () => { while (next < dirs.length) await readTree(dirs[next++], out); }));
      postMessage([dirs.length, out.bytes]);
    }
  };
}
const sync = {
  async open() { this.worker = new Worker(URL.createObjectURL(new Blob(["(" + workerMain.toString() + ")()"], { type: "text/javascript" }))); },
  call(message) {
    return new Promise((resolve, reject) => { this.worker.onmessage = (e) => resolve(e.data); this.worker.onerror = (e) => reject(new Error(e.message)); this.worker.postMessage(message); });
  },
  save(records) { return this.call({ op: "save", records }); },
  loadAll() { return this.call({ op: "load" }); },
  clear() { return this.call({ op: "clear" }); },
};

const backends = { idb, opfs, sync };
const time = async (f) => { const t = performance.now(); const r = await f(); return [performance.now() - t, r]; };

// The three workloads on one backend, each `runs` times (fresh data every
// time: a save of a skill that did not exist, an import into an empty store,
// a load of the same 10,000 skills).
window.storageBench = async function (name, runs, many, imported) {
  const backend = backends[name];
  await backend.open();
  await backend.clear();
  const result = { save_one: [], import: [], load: [] };
  for (let run = 0; run < runs; run++) {
    const [ms] = await time(() => backend.save([skill(run, "one")]));
    result.save_one.push(ms);
  }
  for (let run = 0; run < runs; run++) {
    await backend.clear();
    const records = Array.from({ length: imported }, (_, i) => skill(i, `zip${run}`));
    const [ms] = await time(() => backend.save(records));
    result.import.push(ms);
  }
  await backend.clear();
  for (let start = 0; start < many; start += 1000) {
    await backend.save(Array.from({ length: Math.min(1000, many - start) }, (_, i) => skill(start + i, "skill")));
  }
  for (let run = 0; run < runs; run++) {
    const [ms, [count]] = await time(() => backend.loadAll());
    if (count !== many) throw new Error(`${name}: loaded ${count} skills, wrote ${many}`);
    result.load.push(ms);
  }
  await backend.clear();
  // A file a run is given or writes: one 16 MiB file, written then read back.
  result.big_write = [];
  result.big_read = [];
  const big = new Uint8Array(16 << 20).map((_, i) => i * 31);
  for (let run = 0; run < runs; run++) {
    await backend.clear();
    const record = { name: `big-${run}`, files: [{ path: "data.bin", data: big }], created: run, updated: run };
    const [write] = await time(() => backend.save([record]));
    const [read, [, bytes]] = await time(() => backend.loadAll());
    if (bytes !== big.byteLength) throw new Error(`${name}: read ${bytes} bytes`);
    result.big_write.push(write);
    result.big_read.push(read);
  }
  await backend.clear();
  return result;
};
