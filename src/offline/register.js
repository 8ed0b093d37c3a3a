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
