// LLMos skill sandbox, frame side. Runs inside an opaque-origin iframe; the
// page that embeds it is the only party it talks to. It starts one worker,
// where skill code runs, and relays a small message protocol:
//   page -> frame: {type: "run", id, language: "python"|"javascript"|"qasm",
//                   code (a qasm run: the quantum runtime's JSON request),
//                   inputs (JSON text), bytes (names), harness, packages, file,
//                   pyodide (absolute base URL, ends with "/"),
//                   files (Python runs: Blobs of Pyodide's loader, module, wasm, stdlib, lock),
//                   quantum (a Blob of the quantum runtime's module, when the run uses it),
//                   module (the source of `llmos_quantum` for the run's language, or ""),
//                   workdir (Python runs: the skill's kept files, [{path, data: ArrayBuffer}],
//                            transferred; the run's working directory /llmos/files holds them)}
//   frame -> page: {type: "ready"} once, then per run any number of
//                  {type: "stdout"|"stderr"|"status", id, text} and exactly one
//                  {type: "result", id, json} or {type: "error", id, message}. A run
//                  given a workdir adds to its result files ([{path, data: ArrayBuffer}],
//                  transferred: what the run wrote or changed there) and kept
//                  (every path left there); the page checks both before keeping anything.
// Stopping a run is the page's job: it removes this frame, which ends the
// worker with it, however busy it is.
"use strict";

// However it was loaded (the sandbox attribute, or the service worker's
// sandbox header), this frame must have an opaque origin: otherwise it
// starts nothing, and the page, which checks it too, gets no "ready".
if (self.origin !== "null") {
  throw new Error("LLMos sandbox: this frame shares the site's origin; refusing to run skills in it");
}

function workerMain() {
  "use strict";
  let pyodide = null;
  let pyodideBase = null;
  let quantumEngine = null;
  let current = 0;
  const send = (message) => postMessage(message);
  const text = (args) => args.map((a) => (typeof a === "string" ? a : (() => { try { return JSON.stringify(a); } catch { return String(a); } })())).join(" ");
  // JavaScript skills print with console.*: those lines are the run's stdout/stderr.
  for (const [name, stream] of [["log", "stdout"], ["info", "stdout"], ["debug", "stdout"], ["warn", "stderr"], ["error", "stderr"]]) {
    console[name] = (...args) => send({ type: stream, id: current, text: text(args) });
  }

  // The quantum runtime: a bare WebAssembly module with a JSON-in, JSON-out
  // C ABI (quantum/src/lib.rs), called synchronously by skills.
  async function quantum(blob) {
    if (!quantumEngine) {
      const { instance } = await WebAssembly.instantiate(await blob.arrayBuffer(), {});
      const exports = instance.exports;
      const encoder = new TextEncoder();
      const decoder = new TextDecoder();
      quantumEngine = (request) => {
        const bytes = encoder.encode(String(request));
        const ptr = exports.llmos_quantum_alloc(bytes.length);
        new Uint8Array(exports.memory.buffer, ptr, bytes.length).set(bytes);
        const seed = crypto.getRandomValues(new Uint32Array(2));
        const result = exports.llmos_quantum_run(ptr, bytes.length, seed[0], seed[1]);
        const length = new DataView(exports.memory.buffer).getUint32(result, true);
        const text = decoder.decode(new Uint8Array(exports.memory.buffer, result + 4, length));
        exports.llmos_quantum_free(result);
        return text;
      };
      self.__llmos_quantum_run = quantumEngine;
    }
    return quantumEngine;
  }

  async function python(run) {
    if (!pyodide || pyodideBase !== run.pyodide) {
      send({ type: "status", id: run.id, text: "Starting Python…" });
      // The page hands over Pyodide's files, read through its own HTTP
      // cache: this frame's opaque origin has a cache of its own for each
      // load, so fetching them here would download 13 MB on every visit.
      const files = run.files;
      const blobURL = (blob, type) => URL.createObjectURL(type ? new Blob([blob], { type }) : blob);
      importScripts(files ? blobURL(files.loader, "text/javascript") : run.pyodide + "pyodide.js");
      const options = { indexURL: run.pyodide, packageBaseUrl: run.pyodide };
      let restore = () => {};
      if (files) {
        const wasmURL = blobURL(files.wasm, "application/wasm");
        options.stdLibURL = blobURL(files.stdlib);
        options.lockFileContents = JSON.parse(await files.lock.text());
        options.createPyodideModule = (await import(blobURL(files.module, "text/javascript"))).default;
        const realFetch = self.fetch;
        const wasmPath = run.pyodide + "pyodide.asm.wasm";
        self.fetch = (input, init) => realFetch(String(input) === wasmPath ? wasmURL : input, init);
        restore = () => { self.fetch = realFetch; };
      }
      try {
        pyodide = await loadPyodide(options);
      } finally {
        restore();
      }
      pyodideBase = run.pyodide;
      pyodide.setStdout({ batched: (line) => send({ type: "stdout", id: current, text: line }) });
      pyodide.setStderr({ batched: (line) => send({ type: "stderr", id: current, text: line }) });
    }
    if (run.packages.length > 0) {
      send({ type: "status", id: run.id, text: "Loading " + run.packages.join(", ") + "…" });
      const missing = run.packages.filter((name) => !(pyodide.lockfile && pyodide.lockfile.packages && name.toLowerCase() in pyodide.lockfile.packages));
      if (missing.length > 0) {
        throw new Error("This site's Python has no package " + missing.join(", ") + ". The site's publisher can point `pyodide_url` in llmos.toml at a full Pyodide distribution.");
      }
      try {
        await pyodide.loadPackage(run.packages, { messageCallback: () => {}, errorCallback: (line) => send({ type: "stderr", id: current, text: line }) });
      } catch (error) {
        throw new Error("Python packages " + run.packages.join(", ") + " could not be loaded from this site's Python distribution: " + error.message);
      }
    }
    if (run.module) {
      pyodide.registerJsModule("_llmos_quantum_backend", { run: (request) => quantumEngine(request) });
      pyodide.globals.set("__llmos_module", run.module);
      pyodide.runPython("import sys, types\n__m = types.ModuleType('llmos_quantum')\nexec(compile(__llmos_module, 'llmos_quantum.py', 'exec'), __m.__dict__)\nsys.modules['llmos_quantum'] = __m\ndel __m, __llmos_module");
    }
    send({ type: "status", id: run.id, text: "Running…" });
    // Always mounted (empty when the page sent none), so no run sees the
    // files of another skill run before it in this worker.
    const mounted = mountFiles(run.workdir || []);
    const before = run.workdir ? mounted : null;
    const globals = pyodide.globals;
    globals.set("__llmos_code", run.code);
    globals.set("__llmos_inputs", run.inputs);
    globals.set("__llmos_bytes", JSON.stringify(run.bytes));
    globals.set("__llmos_file", run.file);
    globals.set("__llmos_harness", run.harness);
    try {
      // As `llmos run` does (src/run/process.rs): the traceback starts at
      // the skill's own frames, without the harness's or Pyodide's.
      pyodide.runPython(PYTHON_GUARD);
      const [status, text] = [String(globals.get("__llmos_status")), String(globals.get("__llmos_text"))];
      if (status !== "ok") throw new Error(text);
      return before ? Object.assign({ json: text }, keptFiles(before)) : { json: text };
    } finally {
      pyodide.FS.chdir("/home/pyodide");
      for (const name of ["__llmos_code", "__llmos_inputs", "__llmos_bytes", "__llmos_file", "__llmos_harness", "__llmos_status", "__llmos_text"]) {
        try { globals.delete(name); } catch {}
      }
    }
  }

  // The skill's kept files, copied in as the run's working directory (the
  // worker lives on between runs: the last run's files are cleared first).
  const MOUNT = "/llmos/files";
  function mountFiles(workdir) {
    const FS = pyodide.FS;
    pyodide.runPython("import shutil\nshutil.rmtree('/llmos/files', ignore_errors=True)");
    FS.mkdirTree(MOUNT);
    const before = new Map();
    for (const { path, data } of workdir) {
      const slash = path.lastIndexOf("/");
      if (slash > 0) FS.mkdirTree(MOUNT + "/" + path.slice(0, slash));
      const bytes = new Uint8Array(data);
      FS.writeFile(MOUNT + "/" + path, bytes);
      before.set(path, bytes);
    }
    FS.chdir(MOUNT);
    return before;
  }
  // What the run left there: the files new or changed, and every path.
  function keptFiles(before) {
    const FS = pyodide.FS;
    const files = [];
    const kept = [];
    const walk = (dir, prefix) => {
      for (const name of FS.readdir(dir)) {
        if (name === "." || name === "..") continue;
        const full = dir + "/" + name;
        const mode = FS.stat(full).mode;
        if (FS.isDir(mode)) { walk(full, prefix + name + "/"); continue; }
        if (!FS.isFile(mode)) continue;
        const path = prefix + name;
        const bytes = FS.readFile(full);
        kept.push(path);
        const old = before.get(path);
        if (!old || old.length !== bytes.length || old.some((b, i) => b !== bytes[i])) files.push({ path, data: bytes.slice().buffer });
      }
    };
    walk(MOUNT, "");
    return { files, kept };
  }

  const PYTHON_GUARD = [
    "def __llmos_guard():",
    "    import traceback",
    "    space = {'__name__': '__llmos__', '__llmos_code': __llmos_code, '__llmos_inputs': __llmos_inputs, '__llmos_bytes': __llmos_bytes, '__llmos_file': __llmos_file}",
    "    try:",
    "        exec(compile(__llmos_harness, '<llmos>', 'exec'), space)",
    "        return 'ok', space['__llmos_result']",
    "    except BaseException as error:",
    "        frames = error.__traceback__",
    "        while frames is not None and frames.tb_frame.f_code.co_filename != __llmos_file:",
    "            frames = frames.tb_next",
    "        return 'error', ''.join(traceback.format_exception(type(error), error, frames))",
    "__llmos_status, __llmos_text = __llmos_guard()",
    "del __llmos_guard",
  ].join("\n");

  async function javascript(run) {
    send({ type: "status", id: run.id, text: "Running…" });
    if (run.module) (0, eval)(run.module);
    const runner = new Function(run.harness + "\nreturn __llmosRun;")();
    return await runner(run.code, JSON.parse(run.inputs), run.bytes);
  }

  self.onmessage = async (event) => {
    const run = event.data;
    current = run.id;
    try {
      if (run.quantum) {
        send({ type: "status", id: run.id, text: "Starting the quantum runtime…" });
        await quantum(run.quantum);
      }
      let json;
      if (run.language === "qasm") {
        send({ type: "status", id: run.id, text: "Simulating…" });
        json = quantumEngine(run.code);
      } else if (run.language === "python") {
        const done = await python(run);
        if (done.files) {
          postMessage({ type: "result", id: run.id, json: String(done.json), files: done.files, kept: done.kept }, done.files.map((f) => f.data));
          return;
        }
        json = done.json;
      } else {
        json = await javascript(run);
      }
      send({ type: "result", id: run.id, json: String(json) });
    } catch (error) {
      // A Python exception carries its traceback in its message.
      send({ type: "error", id: run.id, message: String((error && (error.message || error)) || "the run failed") });
    }
  };
}

(function () {
  const worker = new Worker(URL.createObjectURL(new Blob(["(" + workerMain.toString() + ")()"], { type: "text/javascript" })));
  const isText = (v) => typeof v === "string";
  worker.onmessage = (event) => {
    const files = event.data && Array.isArray(event.data.files) ? event.data.files : [];
    parent.postMessage(event.data, "*", files.map((f) => f && f.data).filter((d) => d instanceof ArrayBuffer));
  };
  worker.onerror = (event) => {
    event.preventDefault();
    parent.postMessage({ type: "error", id: -1, message: "The sandbox failed: " + (event.message || "unknown error") }, "*");
  };
  addEventListener("message", (event) => {
    if (event.source !== parent) return;
    const m = event.data;
    const valid = m && m.type === "run" && Number.isInteger(m.id) && ["python", "javascript", "qasm"].includes(m.language) &&
      isText(m.code) && isText(m.inputs) && isText(m.harness) && isText(m.pyodide) && isText(m.file) && isText(m.module) &&
      Array.isArray(m.bytes) && m.bytes.every(isText) && Array.isArray(m.packages) && m.packages.every(isText);
    if (!valid) return;
    const isBlob = (v) => v instanceof Blob;
    const files = m.files && ["loader", "module", "wasm", "stdlib", "lock"].every((k) => isBlob(m.files[k]))
      ? { loader: m.files.loader, module: m.files.module, wasm: m.files.wasm, stdlib: m.files.stdlib, lock: m.files.lock } : undefined;
    const quantum = isBlob(m.quantum) ? m.quantum : undefined;
    const workdir = Array.isArray(m.workdir) && m.workdir.every((f) => f && isText(f.path) && f.data instanceof ArrayBuffer)
      ? m.workdir.map((f) => ({ path: f.path, data: f.data })) : undefined;
    worker.postMessage({ id: m.id, language: m.language, code: m.code, inputs: m.inputs, harness: m.harness, pyodide: m.pyodide, bytes: m.bytes, packages: m.packages, file: m.file, files, quantum, module: m.module, workdir },
      workdir ? workdir.map((f) => f.data) : []);
  });
  parent.postMessage({ type: "ready" }, "*");
})();
