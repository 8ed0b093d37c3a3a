//! Offline use of a built site: the service worker that keeps it working
//! without a network after one visit (its plumbing is Workbox, embedded
//! from the npm registry by `scripts/build-islands.sh`), the web app
//! manifest and icons that make it installable, the module through
//! which island pages register the worker (and start background sync,
//! `sync-worker.js`, once the user set sync up). Pages without islands ship no
//! script, so they register nothing; any island page a visitor opens does.

mod icons;

use crate::config::Settings;
use crate::output::{OutputError, SiteWriter};
use crate::source::FileData;
use crate::theme::fnv1a;
use std::collections::HashMap;
use std::sync::Mutex;

const REGISTER_JS: &str = include_str!("register.js");
const SERVICE_WORKER_JS: &str = include_str!("sw.js");
const SYNC_WORKER_JS: &str = include_str!("sync-worker.js");

/// The site's colours (theme/static/style.css: `--accent`, `--bg`), for the
/// manifest and the icons.
pub const THEME_COLOR: &str = "#4f46e5";
const BACKGROUND_COLOR: &str = "#fbfbfd";

/// The page the worker answers with, offline, for a page not kept yet
/// (the 404 template with `offline` set).
pub const OFFLINE_PAGE: &str = "offline.html";

/// Files under stable names that the worker precaches by revision, as
/// (file written, URL requested): the pages that are shells the islands
/// fill from the browser's storage or that a visitor opens first (so they
/// open offline even when never visited), and the skill index the chat reads.
pub const REVISED_FILES: &[(&str, &str)] = &[
    ("index.html", "./"),
    ("search/index.html", "search/"),
    ("my/index.html", "my/"),
    ("my/edit/index.html", "my/edit/"),
    ("my/skill/index.html", "my/skill/"),
    ("chat/index.html", "chat/"),
    ("my/traces/index.html", "my/traces/"),
    ("my/evolution/index.html", "my/evolution/"),
    ("404.html", "404.html"),
    (OFFLINE_PAGE, OFFLINE_PAGE),
    ("index/skills.json", "index/skills.json"),
];

/// One URL the worker precaches, relative to the site's root (where the
/// worker is), with the revision that changes when its bytes do; `None`
/// for URLs that carry a content hash already.
#[derive(serde::Serialize)]
pub struct PrecacheEntry {
    pub url: String,
    pub revision: Option<String>,
}

impl PrecacheEntry {
    /// A file whose name carries its content hash.
    pub fn hashed(url: &str) -> PrecacheEntry {
        PrecacheEntry { url: url.to_string(), revision: None }
    }

    /// A file under a stable name, revised by its bytes.
    pub fn revised(url: &str, bytes: &[u8]) -> PrecacheEntry {
        PrecacheEntry { url: url.to_string(), revision: Some(format!("{:016x}", fnv1a(bytes))) }
    }
}

/// The offline part of one site build.
pub struct Offline {
    /// `pkg/offline.<hash>.js`: the module every islands loader imports.
    pub register_path: String,
    register: String,
    /// `pkg/sync-worker.<hash>.js` and its text: background sync, started by
    /// the registration module once the user set sync up; `None` when this
    /// binary carries no sync bundle.
    sync_worker: Option<(String, String)>,
    /// The web app manifest and icons: (site-relative path, bytes).
    app_files: Vec<(String, Vec<u8>)>,
    /// Workbox's runtime files, renamed by their hashes; `None` under
    /// `llmos serve`, whose pages unregister any worker instead.
    workbox: Option<Vec<(String, &'static [u8])>>,
}

impl Offline {
    /// `None` when this binary carries no Workbox (scripts/build-islands.sh
    /// was not run) and this is not the dev server: then pages register nothing.
    pub fn new(settings: &Settings) -> Option<Offline> {
        let dev = settings.dev_reload;
        let workbox = match (dev, crate::source::bundled::WORKBOX) {
            (true, _) => None,
            (false, Some(files)) => Some(files.iter().map(|(name, bytes)| (format!("pkg/workbox/{}.{:016x}.js", name.trim_end_matches(".prod.js"), fnv1a(bytes)), *bytes)).collect()),
            (false, None) => return None,
        };
        // The worker imports the sync bundle under the names it is published with.
        let sync_worker = crate::islands::sync_bundle().map(|(js, wasm)| {
            let (js_name, wasm_name) = crate::islands::bundle_names("sync", js, wasm);
            let text = SYNC_WORKER_JS.replace("__SYNC_JS__", &js_name).replace("__SYNC_WASM__", &wasm_name);
            (format!("pkg/sync-worker.{:016x}.js", fnv1a(text.as_bytes())), text)
        });
        let worker_url = sync_worker.as_ref().map_or("null".to_string(), |(path, _)| format!("{:?}", format!("./{}", path.trim_start_matches("pkg/"))));
        let register = REGISTER_JS.replace("__DEV_SERVER__", if dev { "true" } else { "false" }).replace("__SYNC_WORKER__", &worker_url);
        let register_path = format!("pkg/offline.{:016x}.js", fnv1a(register.as_bytes()));
        Some(Offline { register_path, register, sync_worker, app_files: app_files(settings), workbox })
    }

    /// Whether this build writes `sw.js` (not under `llmos serve`).
    pub fn has_worker(&self) -> bool {
        self.workbox.is_some()
    }

    /// The line a loader starts with to register the worker, relative to the
    /// loader (both are in `pkg/`).
    pub fn loader_prelude(&self) -> String {
        format!("import \"./{}\";\n", self.register_path.trim_start_matches("pkg/"))
    }

    /// Site-relative path of the web app manifest, which every page links.
    pub fn manifest_path(&self) -> &str {
        &self.app_files[0].0
    }

    /// Site-relative path of the 192 px icon (Apple's touch icon).
    pub fn touch_icon_path(&self) -> &str {
        &self.app_files[2].0
    }

    /// Writes the registration module every loader imports, the sync
    /// worker, the manifest and the icons (the dev server's pages need
    /// them too).
    pub fn write_app_files(&self, out: &dyn SiteWriter) -> Result<(), OutputError> {
        out.write(&self.register_path, self.register.as_bytes())?;
        if let Some((path, text)) = &self.sync_worker {
            out.write(path, text.as_bytes())?;
        }
        for (path, bytes) in &self.app_files {
            out.write(path, bytes)?;
        }
        Ok(())
    }

    /// Writes — unless this is the dev server — `sw.js` precaching
    /// `precache` plus the files of [`Offline::write_app_files`] (written
    /// before), caching `pyodide_dir` (e.g. `pyodide/314.0.7/`) when read.
    /// Returns the worker's summary, `None` under the dev server.
    pub fn write_worker(&self, out: &dyn SiteWriter, mut precache: Vec<PrecacheEntry>, pyodide_dir: Option<&str>) -> Result<Option<PrecacheSummary>, OutputError> {
        let Some(workbox) = &self.workbox else { return Ok(None) };
        for (path, bytes) in workbox {
            // The npm builds end by naming a source map that is not published.
            let text = String::from_utf8_lossy(bytes);
            let text = text.lines().filter(|l| !l.starts_with("//# sourceMappingURL=")).collect::<Vec<_>>().join("\n");
            out.write(path, text.as_bytes())?;
        }
        precache.push(PrecacheEntry::hashed(&self.register_path));
        precache.extend(self.app_files.iter().map(|(path, bytes)| PrecacheEntry::revised(path, bytes)));
        precache.sort_by(|a, b| a.url.cmp(&b.url));
        let manifest = serde_json::to_string_pretty(&precache).expect("plain data");
        let imports = workbox.iter().map(|(path, _)| format!("{path:?}")).collect::<Vec<_>>().join(", ");
        let worker = SERVICE_WORKER_JS
            .replace("__WORKBOX_VERSION__", crate::source::bundled::WORKBOX_VERSION)
            .replace("__IMPORTS__", &imports)
            .replace("__BUILD__", &format!("{:016x}", fnv1a(manifest.as_bytes())))
            .replace("__PRECACHE__", &manifest)
            .replace("__PYODIDE__", &pyodide_dir.map_or("null".to_string(), |d| format!("{d:?}")));
        out.write("sw.js", worker.as_bytes())?;
        Ok(Some(PrecacheSummary { urls: precache.len() }))
    }
}

/// What `sw.js` precaches, for the build's summary.
pub struct PrecacheSummary {
    pub urls: usize,
}

/// The manifest first, then the icons (SVG, 192 px, 512 px PNG).
fn app_files(settings: &Settings) -> Vec<(String, Vec<u8>)> {
    let svg = icons::svg(THEME_COLOR).into_bytes();
    // Drawn and compressed once per process: the dev server builds on every edit.
    static PNGS: std::sync::OnceLock<[Vec<u8>; 2]> = std::sync::OnceLock::new();
    let [png192, png512] = PNGS.get_or_init(|| [icons::png(192, THEME_COLOR), icons::png(512, THEME_COLOR)]).clone();
    let icons = [("svg", "any", "image/svg+xml", svg), ("png", "192x192", "image/png", png192), ("png", "512x512", "image/png", png512)];
    let named: Vec<(String, &str, &str, Vec<u8>)> =
        icons.into_iter().map(|(ext, sizes, kind, bytes)| (format!("icons/icon-{}.{:016x}.{ext}", sizes.split('x').next().unwrap_or(sizes), fnv1a(&bytes)), sizes, kind, bytes)).collect();
    let manifest = serde_json::json!({
        "name": settings.title,
        "short_name": settings.title,
        "description": settings.description,
        // Relative to the manifest, which sits at the site's root: the base path holds.
        "start_url": "./",
        "scope": "./",
        "display": "standalone",
        "background_color": BACKGROUND_COLOR,
        "theme_color": THEME_COLOR,
        "icons": named.iter().map(|(path, sizes, kind, _)| serde_json::json!({ "src": path, "sizes": sizes, "type": kind })).collect::<Vec<_>>(),
    });
    let mut files = vec![("manifest.webmanifest".to_string(), serde_json::to_vec_pretty(&manifest).expect("plain data"))];
    files.extend(named.into_iter().map(|(path, _, _, bytes)| (path, bytes)));
    files
}

/// A writer that passes everything on and remembers the hashes of the
/// files of [`REVISED_FILES`].
pub struct RevisionRecorder<'a> {
    inner: &'a dyn SiteWriter,
    hashes: Mutex<HashMap<&'static str, String>>,
}

impl<'a> RevisionRecorder<'a> {
    pub fn new(inner: &'a dyn SiteWriter) -> Self {
        RevisionRecorder { inner, hashes: Mutex::new(HashMap::new()) }
    }

    /// The precache entries of the files of [`REVISED_FILES`] written so far.
    pub fn entries(&self) -> Vec<PrecacheEntry> {
        let hashes = self.hashes.lock().expect("no writer panicked");
        REVISED_FILES.iter().filter_map(|(file, url)| hashes.get(file).map(|h| PrecacheEntry { url: url.to_string(), revision: Some(h.clone()) })).collect()
    }
}

impl SiteWriter for RevisionRecorder<'_> {
    fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), OutputError> {
        if let Some((file, _)) = REVISED_FILES.iter().find(|(file, _)| *file == rel) {
            self.hashes.lock().expect("no writer panicked").insert(file, format!("{:016x}", fnv1a(bytes)));
        }
        self.inner.write(rel, bytes)
    }

    fn copy(&self, rel: &str, data: &FileData) -> Result<(), OutputError> {
        self.inner.copy(rel, data)
    }

    fn keep(&self, rel: &str) -> bool {
        self.inner.keep(rel)
    }
}
