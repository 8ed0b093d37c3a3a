// LLMos offline: registers the site's service worker, which keeps the site
// working without a network after one visit, and offers a new build's
// version when one is waiting. Every islands loader imports this module
// (one instance per page); pages without islands load no script at all.
// Written by `llmos build` (src/offline/mod.rs); `llmos serve` writes the
// variant that unregisters a worker left by a build at the same address,
// so live reload always shows the files on disk.
const DEV_SERVER = __DEV_SERVER__;
// The site's root (the base path): this module is in its pkg/ folder.
const root = new URL("../", import.meta.url);
// A skill running in a Run panel, or a chat answer streaming in: the
// update is never offered then, since accepting it reloads the page.
const BUSY = '.run-panel[data-run-state="running"], #live:not(.hidden)';
// The sync worker (src/offline/sync-worker.js), beside this module;
// `null` when this build has no sync bundle.
const SYNC_WORKER = __SYNC_WORKER__;

if ("serviceWorker" in navigator) {
  if (DEV_SERVER) {
    navigator.serviceWorker.getRegistration(root.href).then((registration) => registration?.unregister());
  } else {
    register().catch((error) => console.warn("LLMos: offline use is unavailable:", error));
  }
}

async function register() {
  const registration = await navigator.serviceWorker.register(new URL("sw.js", root), { scope: root.pathname });
  let accepted = false;
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (accepted) location.reload();
  });
  const waiting = (worker) => {
    if (navigator.serviceWorker.controller) offer(worker, () => { accepted = true; });
  };
  const track = (worker) => worker?.addEventListener("statechange", () => {
    if (worker.state === "installed") waiting(worker);
  });
  // The navigation itself may have found the update before this ran.
  if (registration.waiting) waiting(registration.waiting);
  else track(registration.installing);
  registration.addEventListener("updatefound", () => track(registration.installing));
}

// Background sync: every page with an island starts the sync worker, but
// only once the user has set sync up (the sync page sets the flag), so a
// browser without sync fetches nothing of it. The header's indicator
// (theme/templates/base.html) shows the status the worker and the sync
// page publish; the last one is kept so the next page shows it at once.
const SYNC_FLAG = "llmos-sync";
const SYNC_STATUS = "llmos-sync-status";
const CONFLICTS_SEEN = "llmos-sync-conflicts-seen";
const storage = (() => { try { return window.localStorage; } catch { return null; } })();
// The sync page lists the conflicts and runs its own rounds.
const syncPage = document.querySelector('leptos-island[data-component^="SyncSettings"]') !== null;
if (SYNC_WORKER && (storage?.getItem(SYNC_FLAG) === "on" || syncPage) && !framed()) {
  showSyncStatus();
  if (!syncPage && storage?.getItem(SYNC_FLAG) === "on") startSyncWorker();
}

function startSyncWorker() {
  const url = new URL(SYNC_WORKER, import.meta.url);
  const options = { type: "module", name: "llmos-sync" };
  try {
    if ("SharedWorker" in window) new SharedWorker(url, options);
    else new Worker(url, options);
  } catch (error) {
    console.warn("LLMos: background sync is unavailable:", error);
  }
}

function showSyncStatus() {
  const indicator = document.getElementById("sync-indicator");
  if (!indicator) return;
  const link = indicator.querySelector("a");
  const show = (status) => {
    if (!status || typeof status.text !== "string") return;
    let { state, text } = status;
    const seen = Number(storage?.getItem(CONFLICTS_SEEN) ?? 0);
    const conflicts = Number(status.conflicts) || 0;
    if (syncPage) {
      try { storage?.setItem(CONFLICTS_SEEN, String(conflicts)); } catch { /* storage full or blocked */ }
    } else if (state === "synced" && conflicts > seen) {
      const unseen = conflicts - seen;
      state = "conflict";
      text = `${unseen} conflict${unseen === 1 ? "" : "s"} kept — see Sync`;
    }
    indicator.dataset.state = state;
    link.textContent = text;
    link.title = status.title || "";
    indicator.hidden = false;
  };
  try {
    show(JSON.parse(storage?.getItem(SYNC_STATUS) ?? "null"));
  } catch {
    // A damaged copy: the next status replaces it.
  }
  new BroadcastChannel("llmos-sync-status").addEventListener("message", (event) => {
    show(event.data);
    try { storage?.setItem(SYNC_STATUS, JSON.stringify(event.data)); } catch { /* storage full or blocked */ }
  });
}

// Inside another site's frame the worker would read the token: not there.
function framed() {
  try {
    return window.top !== window && window.top.location.origin !== location.origin;
  } catch {
    return true;
  }
}

let banner;
function offer(worker, accept) {
  banner?.remove();
  banner = document.createElement("div");
  banner.className = "update-banner";
  banner.setAttribute("role", "status");
  const text = document.createElement("p");
  text.textContent = "A new version is available —";
  const button = document.createElement("button");
  button.type = "button";
  button.className = "button";
  button.textContent = "Reload";
  button.addEventListener("click", () => {
    if (document.querySelector(BUSY)) return;
    accept();
    button.disabled = true;
    worker.postMessage({ type: "SKIP_WAITING" });
  });
  banner.append(text, " ", button);
  const update = () => { banner.hidden = document.querySelector(BUSY) !== null; };
  update();
  document.body.append(banner);
  new MutationObserver(update).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["class", "data-run-state"] });
}
