// LLMos service worker, written by `llmos build` (src/offline/mod.rs): the
// site keeps working without a network after one visit. Its plumbing is
// Workbox __WORKBOX_VERSION__ (MIT licence, https://github.com/GoogleChrome/workbox),
// published next to this file.
//
// - The build's own files (stylesheet, bundles and their loaders, the
//   sandbox, the quantum runtime, the search index, the pages that are
//   shells for the browser's data) are precached at install, by revision:
//   a new build changes this file, so the browser installs it, and it
//   waits until the page's "Reload" sends SKIP_WAITING.
// - Pages are read from the network first, and from the cache offline.
// - The self-hosted Python runtime (a versioned folder) is kept once read.
// - Only same-origin GET requests of the site's files are ever cached:
//   provider APIs are other origins, and a request carrying a key
//   (Authorization, x-api-key, x-goog-api-key) is never touched.
importScripts(__IMPORTS__);

const BUILD = "__BUILD__";
const PRECACHE = __PRECACHE__;
const PYODIDE = __PYODIDE__;
const PAGES = `llmos-pages-${BUILD}`;
const FILES = `llmos-files-${BUILD}`;
const PYTHON = "llmos-python";

const { core, precaching, routing, strategies } = workbox;
core.setCacheNameDetails({ prefix: "llmos", suffix: "" });
core.clientsClaim();

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "SKIP_WAITING") self.skipWaiting();
});

const scope = new URL(self.registration.scope);
const KEY_HEADERS = ["authorization", "x-api-key", "x-goog-api-key"];
const ours = (request, url) =>
  request.method === "GET" && url.origin === scope.origin && url.pathname.startsWith(scope.pathname) &&
  !url.pathname.startsWith(scope.pathname + "__llmos/") && !KEY_HEADERS.some((name) => request.headers.has(name));

// The skill sandbox's document, loaded by a page this worker controls in a
// frame without the sandbox attribute (Chromium sends no opaque-origin
// frame's loads through a worker): sent with the same sandbox as a header,
// which gives it its opaque origin. Its script is inline; it loads nothing.
const SANDBOX = /\/pkg\/sandbox\.[0-9a-f]{16}\.html$/;
routing.registerRoute(({ request, url }) => request.mode === "navigate" && ours(request, url) && SANDBOX.test(url.pathname), async ({ request }) => {
  const response = (await precaching.matchPrecache(request.url)) ?? (await fetch(request));
  const headers = new Headers(response.headers);
  headers.set("Content-Security-Policy", "sandbox allow-scripts");
  return new Response(await response.blob(), { status: response.status, statusText: response.statusText, headers });
});

// Pages first, so they are not answered by the precache (which would serve
// a build's shells until its update is accepted).
const pages = new strategies.NetworkFirst({
  cacheName: PAGES,
  networkTimeoutSeconds: 5,
  matchOptions: { ignoreSearch: true },
  plugins: [{
    // Offline and never visited: the precached copy, else the page that
    // says so ("You are offline"), else the 404 page.
    handlerDidError: async ({ request }) => {
      const url = new URL(request.url);
      url.search = "";
      return (await precaching.matchPrecache(url.href)) ?? (await precaching.matchPrecache(new URL("offline.html", scope).href)) ?? precaching.matchPrecache(new URL("404.html", scope).href);
    },
  }],
});
routing.registerRoute(({ request, url }) => request.mode === "navigate" && ours(request, url), pages);

precaching.precacheAndRoute(PRECACHE);
precaching.cleanupOutdatedCaches();

if (PYODIDE) {
  routing.registerRoute(({ request, url }) => ours(request, url) && url.pathname.startsWith(scope.pathname + "pyodide/"), new strategies.CacheFirst({ cacheName: PYTHON }));
}
// Everything else of the site's (skill files, the skill index): from the
// network while there is one.
routing.registerRoute(({ request, url }) => ours(request, url) && !url.pathname.endsWith("/sw.js"), new strategies.NetworkFirst({ cacheName: FILES, networkTimeoutSeconds: 5 }));

// Caches of earlier builds go when this one takes over; of the Python
// runtime, only the files of this build's version are kept.
self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if ((name.startsWith("llmos-pages-") && name !== PAGES) || (name.startsWith("llmos-files-") && name !== FILES)) await caches.delete(name);
    }
    const python = await caches.open(PYTHON);
    for (const request of await python.keys()) {
      if (!PYODIDE || !request.url.startsWith(new URL(PYODIDE, scope).href)) await python.delete(request);
    }
  })());
});
