//! The page's side of the sandbox: one opaque-origin iframe per [`Sandbox`],
//! created on the first run, and the message protocol with it (see
//! `runner/sandbox/sandbox.js` for the frame's side).
//!
//! Every message from the frame is checked to come from that frame and
//! decoded into [`FrameMessage`]; anything else is ignored. Stopping a run,
//! by the user or the time limit, removes the frame: the worker goes with it
//! however busy it is, and the next run starts a fresh one.

use crate::browser::{absolute_url, window};
use crate::{RunFailure, RunnerConfig};
use serde::Deserialize;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// A line or a progress note from a run in progress.
#[derive(Debug, Clone, PartialEq)]
pub enum RunEvent {
    Stdout(String),
    Stderr(String),
    /// "Loading Python…", "Running…".
    Status(String),
}

/// One run: the code, its inputs as JSON text (validated already), and what
/// the runtime must prepare.
pub struct RunRequest {
    /// `python`, `javascript` or `qasm`.
    pub language: String,
    pub code: String,
    pub inputs_json: String,
    /// Inputs that are files of bytes, sent as base64 and decoded by the harness.
    pub bytes: Vec<String>,
    pub packages: Vec<String>,
    /// The name tracebacks give the code, e.g. `main.py`.
    pub file: String,
    /// A `qasm` skill's declared outputs, picked from the runtime's result.
    pub outputs: Vec<llmos_core::IoSpec>,
    /// The skill whose kept files (`crate::files`) a Python run works in.
    pub keep_files: Option<String>,
}

impl RunRequest {
    /// A run of `skill`'s `code` with `inputs`, validated already.
    /// A `qasm` skill's "code" is the quantum runtime's request: the
    /// circuit with its inputs.
    pub fn new(skill: &crate::RunnableSkill, code: String, inputs: serde_json::Map<String, serde_json::Value>) -> Self {
        let code = if skill.kind == "qasm" { llmos_core::quantum::skill_request(&code, &inputs) } else { code };
        RunRequest {
            language: skill.kind.clone(),
            outputs: skill.outputs.clone(),
            code,
            inputs_json: serde_json::Value::Object(inputs).to_string(),
            bytes: llmos_core::run::bytes_inputs(&skill.inputs),
            packages: skill.packages.clone(),
            file: skill.file_name(),
            keep_files: (skill.kind == "python").then(|| skill.name.clone()),
        }
    }
}

/// Messages the frame sends, as `sandbox.js` documents them.
#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
enum FrameMessage {
    Ready,
    Stdout { id: i64, text: String },
    Stderr { id: i64, text: String },
    Status { id: i64, text: String },
    Result { id: i64, json: String },
    Error { id: i64, message: String },
}

type Outcome = Result<String, RunFailure>;

struct Pending {
    on_event: Rc<dyn Fn(RunEvent)>,
    /// The message's `files` and `kept` (see `sandbox.js`), as the frame sent them.
    written: Rc<RefCell<Option<(JsValue, JsValue)>>>,
    outcome: Rc<RefCell<Option<Outcome>>>,
    resolve: js_sys::Function,
    timer: i32,
}

struct Frame {
    iframe: web_sys::HtmlIFrameElement,
    ready: bool,
    /// Messages waiting for "ready", with what they transfer.
    backlog: Vec<(JsValue, js_sys::Array)>,
    listener: Closure<dyn FnMut(web_sys::MessageEvent)>,
}

#[derive(Default)]
struct State {
    /// Counts stops, so a run that was waiting for the Python runtime's
    /// files when Stop was pressed does not start after it.
    stops: u64,
    frame: Option<Frame>,
    next_id: i64,
    pending: HashMap<i64, Pending>,
}

/// A sandbox for runs of one panel (or one chat). Cheap to clone.
#[derive(Clone)]
pub struct Sandbox {
    config: Rc<RunnerConfig>,
    state: Rc<RefCell<State>>,
}

impl Sandbox {
    pub fn new(config: RunnerConfig) -> Self {
        Sandbox { config: Rc::new(config), state: Rc::default() }
    }

    pub fn config(&self) -> &RunnerConfig {
        &self.config
    }

    /// Runs `request`, reporting output lines as they come, and resolves to
    /// the JSON text the skill's runtime serialised its result to.
    pub async fn run(&self, request: RunRequest, on_event: impl Fn(RunEvent) + 'static) -> Result<String, RunFailure> {
        let quantum = llmos_core::quantum::uses_quantum(&request.language, &request.code);
        if quantum && self.config.quantum_url.is_none() {
            return Err(RunFailure::Failed("This site was built without the quantum runtime (scripts/build-islands.sh builds it).".into()));
        }
        let pyodide = match (&request.language[..], &self.config.pyodide_url) {
            ("python", None) => return Err(RunFailure::Failed("This site has no Python runtime: its publisher can add one (see the docs on executable skills).".into())),
            (_, url) => url.as_deref().map(absolute_url).unwrap_or_default(),
        };
        let (harness, module) = match &request.language[..] {
            "python" => (llmos_core::run::PYTHON_HARNESS, llmos_core::quantum::PYTHON_MODULE),
            "qasm" => ("", ""),
            _ => (llmos_core::run::JS_HARNESS, llmos_core::quantum::JS_MODULE),
        };
        let id = {
            let mut state = self.state.borrow_mut();
            state.next_id += 1;
            state.next_id
        };
        let message = serde_json::json!({
            "type": "run", "id": id, "language": &request.language, "code": request.code, "inputs": request.inputs_json,
            "harness": harness, "pyodide": pyodide, "bytes": request.bytes, "packages": request.packages, "file": request.file,
            "module": if quantum { module } else { "" },
        });
        let message = js_sys::JSON::parse(&message.to_string()).expect("serde_json writes JSON");
        if quantum {
            let stops = self.state.borrow().stops;
            let url = absolute_url(self.config.quantum_url.as_deref().unwrap_or_default());
            let blob = fetch_blob(&url).await.map_err(|message| RunFailure::Failed(format!("The quantum runtime could not be loaded: {message}")))?;
            if self.state.borrow().stops != stops {
                return Err(RunFailure::Stopped);
            }
            let _ = js_sys::Reflect::set(&message, &"quantum".into(), &blob);
        }
        if request.language == "python" {
            on_status(&on_event, "Loading Python…");
            let stops = self.state.borrow().stops;
            let files = pyodide_files(&pyodide).await?;
            if self.state.borrow().stops != stops {
                return Err(RunFailure::Stopped);
            }
            let _ = js_sys::Reflect::set(&message, &"files".into(), &files);
        }
        let stops = self.state.borrow().stops;
        let kept = match &request.keep_files {
            Some(skill) if request.language == "python" => match crate::files::SkillFiles::new(skill) {
                Ok(folder) => match folder.list().await {
                    Ok(files) => Some((folder, files)),
                    Err(problem) => {
                        on_event(RunEvent::Stderr(format!("LLMos: this run cannot use the skill's kept files ({problem}).")));
                        None
                    }
                },
                Err(_) => None,
            },
            _ => None,
        };
        let transfer = js_sys::Array::new();
        if let Some((_, files)) = &kept {
            let list = js_sys::Array::new();
            for kept_file in files {
                let buffer = wasm_bindgen_futures::JsFuture::from(kept_file.file.array_buffer()).await.map_err(|_| RunFailure::Failed(format!("The skill's file {} could not be read.", kept_file.path)))?;
                let entry = js_sys::Object::new();
                let _ = js_sys::Reflect::set(&entry, &"path".into(), &kept_file.path.as_str().into());
                let _ = js_sys::Reflect::set(&entry, &"data".into(), &buffer);
                list.push(&entry);
                transfer.push(&buffer);
            }
            let _ = js_sys::Reflect::set(&message, &"workdir".into(), &list);
        }
        if self.state.borrow().stops != stops {
            return Err(RunFailure::Stopped);
        }
        let outcome: Rc<RefCell<Option<Outcome>>> = Rc::default();
        let written: Rc<RefCell<Option<(JsValue, JsValue)>>> = Rc::default();
        let mut resolve_slot = None;
        let promise = js_sys::Promise::new(&mut |resolve, _| resolve_slot = Some(resolve));
        let limit = self.config.time_limit_secs;
        let timer = {
            let sandbox = self.clone();
            let on_timeout = Closure::once_into_js(move || sandbox.kill(RunFailure::TimedOut(limit)));
            window().set_timeout_with_callback_and_timeout_and_arguments_0(on_timeout.unchecked_ref(), (limit.max(1) as i32).saturating_mul(1000)).unwrap_or(0)
        };
        self.state.borrow_mut().pending.insert(id, Pending { on_event: Rc::new(on_event), written: written.clone(), outcome: outcome.clone(), resolve: resolve_slot.expect("Promise::new calls back at once"), timer });
        self.send(message, transfer);
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
        let result = outcome.borrow_mut().take().unwrap_or(Err(RunFailure::Stopped));
        if let (Ok(_), Some((folder, before))) = (&result, kept) {
            let written = written.borrow_mut().take();
            let (files, still) = written.unwrap_or((JsValue::UNDEFINED, JsValue::UNDEFINED));
            keep_written(&folder, &before, &files, &still).await.map_err(|problem| RunFailure::Failed(format!("The run finished, but the files it wrote could not be kept: {problem}")))?;
        }
        if request.language != "qasm" {
            return result;
        }
        result.and_then(|text| llmos_core::quantum::skill_outputs(&text, &request.outputs).map_err(|message| RunFailure::Failed(format!("{}: {message}", request.file))))
    }

    /// Opens the sandbox ahead of the first run (its frame and worker, not
    /// the Python runtime), so Run does not wait for them.
    pub fn warm(&self) {
        let mut state = self.state.borrow_mut();
        if state.frame.is_none() {
            state.frame = Some(self.open_frame());
        }
    }

    /// Stops every run in progress (the user's Stop), including one still
    /// waiting for the Python runtime's files.
    pub fn stop(&self) {
        self.kill(RunFailure::Stopped);
    }

    /// Whether a run is in progress.
    pub fn busy(&self) -> bool {
        !self.state.borrow().pending.is_empty()
    }

    fn send(&self, message: JsValue, transfer: js_sys::Array) {
        let mut state = self.state.borrow_mut();
        if state.frame.is_none() {
            state.frame = Some(self.open_frame());
        }
        let frame = state.frame.as_mut().expect("opened above");
        if frame.ready {
            post(&frame.iframe, &message, &transfer);
        } else {
            frame.backlog.push((message, transfer));
        }
    }

    fn open_frame(&self) -> Frame {
        let document = window().document().expect("a page");
        let iframe: web_sys::HtmlIFrameElement = document.create_element("iframe").expect("iframe").unchecked_into();
        // Scripts only: no same-origin (so an opaque origin), no forms, no
        // popups, no top navigation. Chromium never sends an opaque-origin
        // frame's loads through the site's service worker, so a page the
        // worker controls leaves the attribute out and the worker adds
        // the same sandbox as a header (src/offline/sw.js): the frame then
        // opens offline too. Either way, `receive` checks the frame's
        // origin is opaque before handing it anything.
        if !controlled_by_service_worker() {
            let _ = iframe.set_attribute("sandbox", "allow-scripts");
        }
        let _ = iframe.set_attribute("hidden", "");
        let _ = iframe.set_attribute("title", "LLMos sandbox");
        let _ = iframe.set_attribute("data-llmos-sandbox", "");
        iframe.set_src(&absolute_url(&self.config.sandbox_url));
        let weak = Rc::downgrade(&self.state);
        let config = self.config.clone();
        let listener = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            if let Some(state) = weak.upgrade() {
                Sandbox { config: config.clone(), state }.receive(event);
            }
        });
        let _ = window().add_event_listener_with_callback("message", listener.as_ref().unchecked_ref());
        if let Some(body) = document.body() {
            let _ = body.append_child(&iframe);
        }
        Frame { iframe, ready: false, backlog: Vec::new(), listener }
    }

    fn receive(&self, event: web_sys::MessageEvent) {
        let data = event.data();
        let message = {
            let state = self.state.borrow();
            let Some(frame) = &state.frame else { return };
            let from_frame = match (event.source(), frame.iframe.content_window()) {
                (Some(source), Some(own)) => js_sys::Object::is(&source, &own),
                _ => false,
            };
            if !from_frame {
                return;
            }
            let Some(text) = js_sys::JSON::stringify(&event.data()).ok().and_then(|t| t.as_string()) else { return };
            match serde_json::from_str::<FrameMessage>(&text) {
                Ok(message) => message,
                Err(_) => return,
            }
        };
        match message {
            // A frame whose document this page can read shares its origin:
            // it gets nothing (the sandbox's script refuses to start there too).
            FrameMessage::Ready if self.state.borrow().frame.as_ref().is_some_and(|f| f.iframe.content_document().is_some()) => {
                self.kill(RunFailure::Failed("The skill sandbox did not get an opaque origin, so nothing was run in it. Reload the page.".into()));
            }
            FrameMessage::Ready => {
                let mut state = self.state.borrow_mut();
                let frame = state.frame.as_mut().expect("checked above");
                frame.ready = true;
                for (message, transfer) in std::mem::take(&mut frame.backlog) {
                    post(&frame.iframe, &message, &transfer);
                }
            }
            FrameMessage::Stdout { id, text } => self.report(id, RunEvent::Stdout(text)),
            FrameMessage::Stderr { id, text } => self.report(id, RunEvent::Stderr(text)),
            FrameMessage::Status { id, text } => self.report(id, RunEvent::Status(text)),
            FrameMessage::Result { id, json } => {
                // The bytes travel outside the JSON the message is checked as.
                if let Some(pending) = self.state.borrow().pending.get(&id) {
                    let field = |name: &str| js_sys::Reflect::get(&data, &name.into()).unwrap_or(JsValue::UNDEFINED);
                    *pending.written.borrow_mut() = Some((field("files"), field("kept")));
                }
                self.finish(id, Ok(json))
            }
            // The worker itself failed: every run in it is lost.
            FrameMessage::Error { id: -1, message } => self.kill(RunFailure::Failed(message)),
            FrameMessage::Error { id, message } => self.finish(id, Err(RunFailure::Failed(message))),
        }
    }

    fn report(&self, id: i64, event: RunEvent) {
        let on_event = self.state.borrow().pending.get(&id).map(|p| p.on_event.clone());
        if let Some(on_event) = on_event {
            on_event(event);
        }
    }

    fn finish(&self, id: i64, outcome: Outcome) {
        let pending = self.state.borrow_mut().pending.remove(&id);
        if let Some(pending) = pending {
            window().clear_timeout_with_handle(pending.timer);
            *pending.outcome.borrow_mut() = Some(outcome);
            let _ = pending.resolve.call0(&JsValue::NULL);
        }
    }

    /// Removes the frame, ending its worker, and fails every pending run.
    fn kill(&self, failure: RunFailure) {
        let (frame, ids) = {
            let mut state = self.state.borrow_mut();
            state.stops += 1;
            (state.frame.take(), state.pending.keys().copied().collect::<Vec<_>>())
        };
        if let Some(frame) = frame {
            let _ = window().remove_event_listener_with_callback("message", frame.listener.as_ref().unchecked_ref());
            frame.iframe.remove();
        }
        for id in ids {
            self.finish(id, Err(failure.clone()));
        }
    }
}

fn on_status(on_event: &impl Fn(RunEvent), text: &str) {
    on_event(RunEvent::Status(text.to_string()));
}

/// The files the sandbox's worker starts Python from, as an object of
/// Blobs `{loader, module, wasm, stdlib, lock}`, fetched in parallel (each
/// once per page, see [`fetch_blob`]).
async fn pyodide_files(base: &str) -> Result<JsValue, RunFailure> {
    let names = [("loader", "pyodide.js"), ("module", "pyodide.asm.mjs"), ("wasm", "pyodide.asm.wasm"), ("stdlib", "python_stdlib.zip"), ("lock", "pyodide-lock.json")];
    let promises = js_sys::Array::new();
    for (_, name) in names {
        let url = format!("{base}{name}");
        promises.push(&wasm_bindgen_futures::future_to_promise(async move { fetch_blob(&url).await.map_err(|e| JsValue::from_str(&e)) }));
    }
    let blobs = wasm_bindgen_futures::JsFuture::from(js_sys::Promise::all(&promises)).await.map_err(|e| {
        let message = e.as_string().unwrap_or_else(|| js_sys::Error::from(e).message().into());
        RunFailure::Failed(format!("Python could not be loaded: {message}"))
    })?;
    let files = js_sys::Object::new();
    for (i, (key, _)) in names.iter().enumerate() {
        let _ = js_sys::Reflect::set(&files, &(*key).into(), &js_sys::Array::from(&blobs).get(i as u32));
    }
    Ok(files.into())
}

thread_local! {
    /// Blobs fetched once per page (Pyodide's files, the quantum runtime), by URL.
    static BLOBS: RefCell<HashMap<String, JsValue>> = RefCell::default();
}

/// `url` as a Blob, fetched by the page (through its HTTP cache) once.
async fn fetch_blob(url: &str) -> Result<JsValue, String> {
    if let Some(blob) = BLOBS.with(|b| b.borrow().get(url).cloned()) {
        return Ok(blob);
    }
    let fetched = async {
        let response: web_sys::Response = wasm_bindgen_futures::JsFuture::from(window().fetch_with_str(url)).await?.unchecked_into();
        if !response.ok() {
            return Err(JsValue::from_str(&format!("{url}: the server answered {}", response.status())));
        }
        wasm_bindgen_futures::JsFuture::from(response.blob()?).await
    };
    let blob = fetched.await.map_err(|e| e.as_string().unwrap_or_else(|| js_sys::Error::from(e).message().into()))?;
    BLOBS.with(|b| b.borrow_mut().insert(url.to_string(), blob.clone()));
    Ok(blob)
}

/// Whether the site's service worker controls this page
/// (`navigator.serviceWorker.controller`).
fn controlled_by_service_worker() -> bool {
    let navigator = window().navigator();
    js_sys::Reflect::get(&navigator, &JsValue::from_str("serviceWorker"))
        .ok()
        .filter(|c| !c.is_undefined() && !c.is_null())
        .and_then(|container| js_sys::Reflect::get(&container, &JsValue::from_str("controller")).ok())
        .is_some_and(|controller| !controller.is_null() && !controller.is_undefined())
}

fn post(iframe: &web_sys::HtmlIFrameElement, message: &JsValue, transfer: &js_sys::Array) {
    // The frame's origin is opaque, so no target origin can name it.
    if let Some(target) = iframe.content_window() {
        let _ = target.post_message_with_transfer(message, "*", transfer);
    }
}

/// Writes back what a Python run did to its working directory: `files`,
/// the `{path, data: ArrayBuffer}` it wrote or changed, and `kept`, the
/// paths present at its end (the others of `before` were deleted by the
/// run). Both come from the sandbox, so both are checked: plain relative
/// paths, bytes only, within `files::MAX_FILES` and `files::MAX_BYTES`;
/// nothing is written unless all of it passes.
async fn keep_written(folder: &crate::files::SkillFiles, before: &[crate::files::KeptFile], files: &JsValue, kept: &JsValue) -> Result<(), String> {
    use crate::files::{check_path, MAX_BYTES, MAX_FILES};
    let (Some(files), Some(kept)) = (files.dyn_ref::<js_sys::Array>(), kept.dyn_ref::<js_sys::Array>()) else {
        return Err("the sandbox did not say which files the run left".into());
    };
    let kept: Vec<String> = kept.iter().map(|p| p.as_string().ok_or("a file name that is not text")).collect::<Result<_, _>>()?;
    if kept.len() > MAX_FILES {
        return Err(format!("the run left {} files in its folder, more than the {MAX_FILES} a skill may keep", kept.len()));
    }
    let mut writes = Vec::new();
    let mut total = 0.0;
    for entry in files.iter() {
        let path = js_sys::Reflect::get(&entry, &"path".into()).ok().and_then(|p| p.as_string()).ok_or("a file without a name")?;
        check_path(&path)?;
        let data = js_sys::Reflect::get(&entry, &"data".into()).unwrap_or(JsValue::UNDEFINED);
        let buffer = data.dyn_into::<js_sys::ArrayBuffer>().map_err(|_| format!("{path}: not bytes"))?;
        total += buffer.byte_length() as f64;
        if total > MAX_BYTES {
            return Err(format!("{path}: the run wrote more than {} MiB", MAX_BYTES / 1048576.0));
        }
        writes.push((path, buffer));
    }
    for path in &kept {
        check_path(path)?;
    }
    for (path, buffer) in &writes {
        folder.write(path, buffer).await?;
    }
    for gone in before.iter().filter(|f| !kept.contains(&f.path)) {
        folder.remove(&gone.path).await?;
    }
    Ok(())
}
