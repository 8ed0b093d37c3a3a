//! `llmos serve`: the development server (feature `dev`, on by default).
//!
//! Builds the site into a private temporary folder, serves it on 127.0.0.1
//! under the configured base path, watches the skills, docs and config, and
//! rebuilds on every save. Open pages reload through server-sent events; a
//! failed build is printed in the terminal and shown as an overlay in the
//! browser, and the server keeps serving the last good site until the next
//! good save. Production sites never contain any of this: it is compiled in
//! only with the `dev` feature.

use crate::config::{ContentRoot, Overrides, Settings, SkillsRoot};
use crate::report::print_text;
use crate::site;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Redirect, Response};
use axum::handler::HandlerWithoutStateExt;
use axum::routing::get;
use axum::Router;
use notify::Watcher;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::broadcast;
use tokio_stream::StreamExt;
use tower_http::services::ServeDir;

use crate::render::DEV_PREFIX;

const RELOAD_JS: &str = r#"// llmos serve: reloads this page after each rebuild, and shows build errors.
(() => {
  // The page says which it is: after an edit, open pages are rendered first.
  const events = new EventSource(new URL("events?page=" + encodeURIComponent(location.pathname), document.currentScript.src));
  let overlay;
  events.onopen = () => { document.documentElement.dataset.llmosReload = "connected"; };
  events.addEventListener("reload", () => location.reload());
  events.addEventListener("build-error", (event) => {
    overlay ??= document.createElement("div");
    overlay.id = "llmos-error-overlay";
    overlay.setAttribute("role", "alert");
    overlay.style.cssText = "position:fixed;inset:0;z-index:2147483647;background:rgba(17,18,23,.94);color:#fecaca;font:14px/1.5 ui-monospace,monospace;padding:2rem;overflow:auto;white-space:pre-wrap";
    overlay.textContent = "llmos build failed. Fix the file and save: this page reloads by itself.\n\n" + event.data;
    document.body.append(overlay);
  });
})();
"#;

#[derive(Clone, Debug)]
enum DevEvent {
    Reload,
    BuildError(String),
}

struct DevState {
    events: broadcast::Sender<DevEvent>,
    /// The last build's errors, shown to pages that connect while it stands.
    last_error: Mutex<Option<String>>,
    /// Settings are resolved again for every rebuild, so edits to
    /// llmos.toml apply on save (all but the base path and port, which the
    /// running server was started with).
    flags: Overrides,
    /// Lets a rebuild redo only what an edit changed.
    cache: Mutex<site::DevCache>,
    /// True while a rebuild has yet to write the search index, the skill
    /// index and the sitemap, which come after the pages and the reload:
    /// requests for them wait until it is false.
    indexing: tokio::sync::watch::Sender<bool>,
    /// Counts builds whose pages were written; an index job writes only
    /// while its build is the last.
    generation: std::sync::atomic::AtomicU64,
    /// The site's base path, which request paths start with.
    base: String,
    /// Pages open in a browser (`rel_dir`s, e.g. `skills/x/`), with how
    /// many event streams each has: a build renders them first.
    open: Mutex<HashMap<String, usize>>,
    /// Pages a build left out of date (`site::LivePlan`), which the
    /// following builds render in the background; a request for one waits.
    stale: tokio::sync::watch::Sender<Arc<HashSet<String>>>,
    /// Stale pages requested meanwhile: the next background build renders them.
    wanted: Mutex<HashSet<String>>,
    /// Bumped by each build an edit starts: a background build for an
    /// older one stops.
    refresh: std::sync::atomic::AtomicU64,
}

/// Out-of-date pages an edit's build renders before it reloads the open
/// pages (these always), deferring the rest to background builds of
/// `BACKGROUND_BUDGET` pages each.
const EDIT_BUDGET: usize = 24;
const BACKGROUND_BUDGET: usize = 200;

pub struct ServeOptions {
    pub port: u16,
    pub bind: IpAddr,
}

pub fn serve(flags: Overrides, options: ServeOptions) -> Result<(), String> {
    let mut settings = Settings::resolve(&flags).map_err(|e| e.to_string())?;
    // Memory-backed /dev/shm where there is one: rebuilds then never wait on a disk.
    let scratch = Some(PathBuf::from("/dev/shm")).filter(|p| p.is_dir()).unwrap_or_else(std::env::temp_dir);
    crate::cleanup::sweep_stale(&scratch, "llmos-serve-");
    let work = scratch.join(format!("llmos-serve-{}", std::process::id()));
    crate::cleanup::remove_on_interrupt(&work);
    settings.out = work.join("site");
    settings.dev_reload = true;
    let settings = Arc::new(settings);
    let (events, _) = broadcast::channel(16);
    let state = Arc::new(DevState {
        events,
        last_error: Mutex::new(None),
        flags,
        cache: Mutex::new(site::DevCache::default()),
        indexing: tokio::sync::watch::Sender::new(false),
        generation: Default::default(),
        base: settings.base_path.clone(),
        open: Mutex::new(HashMap::new()),
        stale: tokio::sync::watch::Sender::new(Arc::new(HashSet::new())),
        wanted: Mutex::new(HashSet::new()),
        refresh: Default::default(),
    });
    rebuild(&settings, &state, None, "start");

    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().map_err(|e| e.to_string())?;
    let result = runtime.block_on(async {
        let address = SocketAddr::new(options.bind, options.port);
        let listener = tokio::net::TcpListener::bind(address).await.map_err(|e| format!("cannot listen on {address}: {e} (choose another --port)"))?;
        let address = listener.local_addr().map_err(|e| e.to_string())?;
        let host = if address.ip().is_unspecified() { "127.0.0.1".to_string() } else { address.ip().to_string() };
        eprintln!("serving at http://{host}:{}{} (Ctrl-C to stop)", address.port(), settings.base_path);
        if !address.ip().is_loopback() {
            eprintln!("warning: listening on {} makes the site reachable from other machines", address.ip());
        }
        let _watcher = watch(settings.clone(), state.clone())?;
        let app = router(&settings, state.clone()).layer(axum::middleware::from_fn(runtime_cors)).layer(axum::middleware::from_fn_with_state(state.clone(), fresh_indexes));
        // Bound to loopback, the server answers only requests addressed to a
        // loopback name: a page on another site that rebinds its own host
        // name to 127.0.0.1 (DNS rebinding) would otherwise read the drafts.
        let app = if options.bind.is_loopback() { app.layer(axum::middleware::from_fn(loopback_host_only)) } else { app };
        axum::serve(listener, app).with_graceful_shutdown(async { let _ = tokio::signal::ctrl_c().await; }).await.map_err(|e| e.to_string())
    });
    let _ = std::fs::remove_dir_all(&work);
    result
}

/// Lets the skill sandbox, whose origin is opaque, load the Python runtime,
/// as GitHub Pages lets it (`Access-Control-Allow-Origin: *` on every
/// file). Here only the runtime's files get it: the dev server also serves
/// drafts, which no other site's page may read.
async fn runtime_cors(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let runtime = request.uri().path().contains("/pyodide/");
    let mut response = next.run(request).await;
    if runtime {
        response.headers_mut().insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, axum::http::HeaderValue::from_static("*"));
    }
    response
}

/// A request path as the renderer names pages: under the base path,
/// without `index.html` (`/base/skills/x/index.html` → `skills/x/`).
fn page_rel(base: &str, path: &str) -> Option<String> {
    let rel = path.strip_prefix(base).or_else(|| (path.to_string() + "/").strip_prefix(base).map(|_| ""))?;
    Some(rel.strip_suffix("index.html").unwrap_or(rel).to_string())
}

/// The pages a request's file belongs to: its own, and for a file in a
/// skill's folder, the skill's (`skills/x/`), which makes it.
fn owners(rel: &str) -> Vec<String> {
    let mut owners = vec![rel.to_string()];
    if let Some(slug) = rel.strip_prefix("skills/").and_then(|r| r.split_once('/')).map(|(slug, _)| slug) {
        owners.push(format!("skills/{slug}/"));
    }
    owners
}

/// Holds a request for the indexes or the sitemap while a rebuild still
/// writes them (they come after the reload), and one for a page a build
/// left out of date until a background build renders it (asking for it
/// first); tells browsers to check every file again: the index's URL
/// carries no version under `serve`.
async fn fresh_indexes(State(state): State<Arc<DevState>>, request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let path = request.uri().path();
    if path.contains("/index/") || path.ends_with("/sitemap.xml") {
        let mut indexing = state.indexing.subscribe();
        let _ = indexing.wait_for(|busy| !busy).await;
    } else if let Some(rel) = page_rel(&state.base, path) {
        let owners = owners(&rel);
        let mut stale = state.stale.subscribe();
        let is_stale = |stale: &HashSet<String>| owners.iter().find(|o| stale.contains(*o)).cloned();
        let waiting = is_stale(&stale.borrow());
        if let Some(owner) = waiting {
            state.wanted.lock().unwrap().insert(owner);
            let _ = stale.wait_for(|stale| is_stale(stale).is_none()).await;
        }
    }
    let mut response = next.run(request).await;
    response.headers_mut().entry(header::CACHE_CONTROL).or_insert(axum::http::HeaderValue::from_static("no-cache"));
    response
}

/// Refuses (421 Misdirected Request) a request whose `Host` is not a
/// loopback name: `localhost` (or a subdomain of it), `127.x.y.z` or `[::1]`.
async fn loopback_host_only(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let host = request.headers().get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
    if is_loopback_host(host) {
        next.run(request).await
    } else {
        (StatusCode::MISDIRECTED_REQUEST, "llmos serve answers only requests for localhost, 127.0.0.1 or [::1]; start it with --bind to serve other names\n").into_response()
    }
}

/// Whether a `Host` header names this machine's loopback interface.
pub fn is_loopback_host(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or(""),
        None => host.rsplit_once(':').filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit())).map_or(host, |(name, _)| name),
    };
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost" || name.ends_with(".localhost") || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn router(settings: &Settings, state: Arc<DevState>) -> Router {
    let base = settings.base_path.clone();
    let site = settings.out.clone();
    // ServeDir answers 404 to paths with `..` or that leave the folder.
    let files = ServeDir::new(&site).append_index_html_on_directories(true).not_found_service(not_found_page(site.join("404.html")).into_service());
    let dev = Router::new().route("/reload.js", get(reload_js)).route("/events", get(events)).with_state(state);
    let site_routes = Router::new().nest(&format!("/{}", DEV_PREFIX.trim_end_matches('/')), dev).fallback_service(files);
    if base == "/" {
        site_routes
    } else {
        let to_base = base.clone();
        Router::new()
            .nest(base.trim_end_matches('/'), site_routes)
            .route("/", get(move || async move { Redirect::temporary(&to_base) }))
            .fallback(|| async { (StatusCode::NOT_FOUND, "not under the site's base path") })
    }
}

/// The site's 404 page, whole, for every missing path. Not `ServeFile`: a
/// browser reloading a page that has just gone (a skill renamed while its
/// page is open) asks `If-Modified-Since`, `ServeFile` answers 304 for the
/// unchanged 404.html, and the 404 status put on top left an empty body:
/// Chromium's own error page, without the reload script.
fn not_found_page(page: PathBuf) -> impl Fn() -> std::future::Ready<Response> + Clone + Send + 'static {
    move || {
        std::future::ready(match std::fs::read(&page) {
            Ok(body) => (StatusCode::NOT_FOUND, [(header::CONTENT_TYPE, "text/html; charset=utf-8"), (header::CACHE_CONTROL, "no-store")], body).into_response(),
            Err(_) => (StatusCode::NOT_FOUND, "not found").into_response(),
        })
    }
}

async fn reload_js() -> Response {
    ([(header::CONTENT_TYPE, "text/javascript"), (header::CACHE_CONTROL, "no-store")], RELOAD_JS).into_response()
}

/// A page open in a browser while its event stream lasts.
struct OpenPage {
    state: Arc<DevState>,
    rel: String,
}

impl OpenPage {
    fn new(state: Arc<DevState>, rel: String) -> OpenPage {
        *state.open.lock().unwrap().entry(rel.clone()).or_default() += 1;
        OpenPage { state, rel }
    }
}

impl Drop for OpenPage {
    fn drop(&mut self) {
        let mut open = self.state.open.lock().unwrap();
        if let Some(count) = open.get_mut(&self.rel) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.rel);
            }
        }
    }
}

/// `?page=`: the path of the page listening (reload.js sends it).
async fn events(State(state): State<Arc<DevState>>, axum::extract::Query(query): axum::extract::Query<HashMap<String, String>>) -> Sse<impl tokio_stream::Stream<Item = Result<Event, Infallible>>> {
    let receiver = state.events.subscribe();
    let current = state.last_error.lock().unwrap().clone().map(DevEvent::BuildError);
    let page = query.get("page").and_then(|path| page_rel(&state.base, path)).map(|rel| OpenPage::new(state.clone(), rel));
    let initial = tokio_stream::iter(current.into_iter().map(to_sse));
    let updates = tokio_stream::wrappers::BroadcastStream::new(receiver).filter_map(|event| event.ok()).map(move |event| {
        // The stream holds the page open until the browser leaves it.
        let _open = &page;
        to_sse(event)
    });
    Sse::new(initial.chain(updates)).keep_alive(KeepAlive::default())
}

fn to_sse(event: DevEvent) -> Result<Event, Infallible> {
    Ok(match event {
        DevEvent::Reload => Event::default().event("reload").data("built"),
        DevEvent::BuildError(text) => Event::default().event("build-error").data(text),
    })
}

/// The settings as llmos.toml says now, but for what the running server
/// was started with (its folder and base path).
fn resolve(started_with: &Settings, flags: &Overrides) -> Result<Settings, llmos_core::Diagnostic> {
    let mut settings = Settings::resolve(flags)?;
    settings.out = started_with.out.clone();
    settings.dev_reload = true;
    if settings.base_path != started_with.base_path {
        eprintln!("note: the base path changed to {}; restart llmos serve to serve under it", settings.base_path);
        settings.base_path = started_with.base_path.clone();
    }
    Ok(settings)
}

/// The pages a build renders whatever its budget: those open, and those asked for.
fn fresh_pages(state: &DevState) -> Vec<String> {
    let mut fresh: Vec<String> = state.open.lock().unwrap().keys().cloned().collect();
    fresh.extend(state.wanted.lock().unwrap().iter().cloned());
    fresh
}

/// `changed`: the paths the watcher saw, `None` when unknown (the first
/// build, which renders everything).
fn rebuild(started_with: &Arc<Settings>, state: &Arc<DevState>, changed: Option<&[PathBuf]>, cause: &str) {
    let started = Instant::now();
    let timings = std::env::var_os("LLMOS_TIMINGS").is_some();
    // A background build still rendering stale pages gives way.
    state.refresh.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let settings = match resolve(started_with, &state.flags) {
        Ok(settings) => settings,
        Err(error) => {
            report_failure(state, &site::Failure::from(error), cause);
            return;
        }
    };
    let fresh = fresh_pages(state);
    let plan = if changed.is_some() { site::LivePlan { budget: Some(EDIT_BUDGET), fresh: &fresh, give_way: &|| false } } else { site::LivePlan::ALL };
    let mut cache = state.cache.lock().unwrap();
    let locked_at = started.elapsed();
    let site::LiveBuild { report, job, deferred } = match site::build_live(&settings, &mut cache, changed, &plan) {
        Ok(built) => built,
        Err(failure) => {
            state.stale.send_replace(Arc::new(HashSet::new()));
            return report_failure(state, &failure, cause);
        }
    };
    drop(cache);
    if timings {
        eprintln!("timings: waited {locked_at:.2?} for the last build, built in {:.2?}", started.elapsed() - locked_at);
    }
    let deferred = settle(state, &fresh, deferred);
    // From here the pages are this build's: a job still writing the last
    // build's indexes is stale, and requests for them wait for this one's.
    let generation = state.generation.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
    state.indexing.send_replace(true);
    *state.last_error.lock().unwrap() = None;
    let pages_at = started.elapsed();
    print_text(&[], &report.warnings);
    let finish = move |state: &DevState| {
        let current = || state.generation.load(std::sync::atomic::Ordering::SeqCst) == generation;
        // Requests for the indexes wait on this job: it must end, even in a panic.
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job.run(&current)));
        if current() {
            state.indexing.send_replace(false);
            match result {
                Ok(Ok(())) => {}
                Ok(Err(failure)) => report_failure(state, &failure, "writing the indexes"),
                Err(_) => report_failure(state, &site::Failure::from(llmos_core::Diagnostic::error("index/search.json", 0, 0, "building the indexes failed (a bug: please report it)")), "writing the indexes"),
            }
        }
    };
    if changed.is_none() {
        // The first build is whole before anything is served.
        finish(state);
        eprintln!("built {} skills, {} pages in {:.2}s ({cause})", report.skills, report.pages, started.elapsed().as_secs_f64());
        let _ = state.events.send(DevEvent::Reload);
        return;
    }
    let _ = state.events.send(DevEvent::Reload);
    if timings {
        eprintln!("timings: reload sent {:.2?} after the change was seen", started.elapsed());
    }
    eprintln!("built {} skills, {} pages in {:.2}s ({cause}); the search index follows", report.skills, report.pages, pages_at.as_secs_f64());
    if deferred {
        refresh_stale(started_with.clone(), state.clone());
    }
    let state = state.clone();
    std::thread::spawn(move || {
        // Background work: the next edit's pages come first.
        #[cfg(target_os = "linux")]
        // SAFETY: setpriority only changes this thread's scheduling priority.
        unsafe {
            libc::setpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t, 10);
        }
        finish(&state);
        if std::env::var_os("LLMOS_TIMINGS").is_some() {
            eprintln!("timings: indexed {:.2?} after the change", started.elapsed());
        }
    });
}

/// Records what a build left stale and forgets the requests it answered
/// (the pages of `fresh`); true when pages are left stale.
fn settle(state: &DevState, fresh: &[String], deferred: Vec<String>) -> bool {
    state.wanted.lock().unwrap().retain(|page| !fresh.contains(page));
    let any = !deferred.is_empty();
    state.stale.send_replace(Arc::new(deferred.into_iter().collect()));
    any
}

/// Renders the pages an edit's build left stale, `BACKGROUND_BUDGET` at a
/// time (pages asked for first), until none is left or an edit starts a
/// newer build. Between two of these builds, an edit's waits for none.
fn refresh_stale(started_with: Arc<Settings>, state: Arc<DevState>) {
    let mine = state.refresh.load(std::sync::atomic::Ordering::SeqCst);
    let current = move |state: &DevState| state.refresh.load(std::sync::atomic::Ordering::SeqCst) == mine;
    std::thread::spawn(move || {
        #[cfg(target_os = "linux")]
        // SAFETY: setpriority only changes this thread's scheduling priority.
        unsafe {
            libc::setpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t, 5);
        }
        let started = Instant::now();
        while current(&state) {
            let Ok(settings) = resolve(&started_with, &state.flags) else { return };
            let fresh = fresh_pages(&state);
            let mut cache = state.cache.lock().unwrap();
            if !current(&state) {
                return;
            }
            let give_way = || !current(&state);
            let built = site::build_live(&settings, &mut cache, Some(&[]), &site::LivePlan { budget: Some(BACKGROUND_BUDGET), fresh: &fresh, give_way: &give_way });
            drop(cache);
            match built {
                Ok(built) => {
                    if !settle(&state, &fresh, built.deferred) {
                        if std::env::var_os("LLMOS_TIMINGS").is_some() {
                            eprintln!("timings: the stale pages rendered {:.2?} after the reload", started.elapsed());
                        }
                        return;
                    }
                }
                Err(failure) => {
                    state.stale.send_replace(Arc::new(HashSet::new()));
                    return report_failure(&state, &failure, "rendering the pages an edit left stale");
                }
            }
        }
    });
}

fn report_failure(state: &DevState, failure: &site::Failure, cause: &str) {
    print_text(&failure.errors, &failure.warnings);
    eprintln!("build failed ({cause}); still serving the last good site");
    let text: Vec<String> = failure.errors.iter().map(ToString::to_string).collect();
    let text = text.join("\n");
    *state.last_error.lock().unwrap() = Some(text.clone());
    let _ = state.events.send(DevEvent::BuildError(text));
}

/// How long the watcher waits for more changes after one, and at most.
const QUIET: Duration = Duration::from_millis(10);
const QUIET_CAP: Duration = Duration::from_millis(500);

/// Watches the inputs and rebuilds after a short quiet period, so an
/// editor's burst of writes makes one build.
fn watch(settings: Arc<Settings>, state: Arc<DevState>) -> Result<notify::RecommendedWatcher, String> {
    let (sender, receiver) = std::sync::mpsc::channel::<PathBuf>();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event {
            if !matches!(event.kind, notify::EventKind::Access(_)) {
                for path in event.paths {
                    let _ = sender.send(path);
                }
            }
        }
    })
    .map_err(|e| format!("cannot watch files: {e}"))?;
    let mut watched = Vec::new();
    for source in &settings.skills {
        if let SkillsRoot::Disk(dir) = &source.root {
            watched.push(dir.clone());
        }
    }
    if let ContentRoot::Disk(dir) = &settings.content {
        watched.push(dir.clone());
    }
    watched.extend(settings.theme_dir.iter().filter(|d| d.is_dir()).cloned());
    watched.extend(settings.config_file.iter().cloned());
    for path in &watched {
        let mode = if path.is_dir() { notify::RecursiveMode::Recursive } else { notify::RecursiveMode::NonRecursive };
        watcher.watch(path, mode).map_err(|e| format!("cannot watch {}: {e}", path.display()))?;
    }
    if watched.is_empty() {
        eprintln!("note: serving the bundled skills and docs, which do not change; pass --skills DIR to watch your own");
    }
    std::thread::spawn(move || {
        while let Ok(first) = receiver.recv() {
            // A background build rendering pages an earlier edit left stale
            // gives way now, not after the quiet spell.
            state.refresh.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let mut changed = vec![first];
            // An editor's save is a burst of events a few milliseconds
            // apart: wait for a short quiet spell, but never longer than
            // QUIET_CAP in all, so a stream of writes still builds.
            let burst = Instant::now();
            while burst.elapsed() < QUIET_CAP {
                match receiver.recv_timeout(QUIET) {
                    Ok(more) => changed.push(more),
                    Err(_) => break,
                }
            }
            changed.retain(|p| !is_noise(p));
            changed.sort();
            changed.dedup();
            if std::env::var_os("LLMOS_TIMINGS").is_some() {
                eprintln!("timings: quiet spell {:.2?} ({} paths)", burst.elapsed(), changed.len());
            }
            if let Some(path) = changed.first() {
                let more = if changed.len() > 1 { format!(" and {} more", changed.len() - 1) } else { String::new() };
                rebuild(&settings, &state, Some(&changed), &format!("{} changed{more}", path.display()));
            }
        }
    });
    Ok(watcher)
}

/// Editor swap files and the like, which never change the site.
fn is_noise(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name.ends_with('~') || name.ends_with(".swp") || name.ends_with(".swx") || name.starts_with(".#") || name == "4913"
}

#[cfg(test)]
mod tests {
    use super::is_loopback_host;

    #[test]
    fn only_loopback_host_names_pass() {
        for host in ["localhost", "localhost:8000", "LOCALHOST.", "app.localhost:1", "127.0.0.1:8000", "127.1.2.3", "[::1]:8000", "[::1]"] {
            assert!(is_loopback_host(host), "{host}");
        }
        for host in ["", "evil.example", "evil.example:8000", "127.0.0.1.evil.example", "localhost.evil.example", "10.0.0.1:8000", "[::2]:80", "0.0.0.0:8000"] {
            assert!(!is_loopback_host(host), "{host}");
        }
    }
}
