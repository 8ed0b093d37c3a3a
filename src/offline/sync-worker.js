// LLMos background sync (content/sync.md): a SharedWorker (one for every
// tab of the site), or a dedicated Worker where the browser has no shared
// ones, started by the pages' src/offline/register.js once sync is set up.
// It runs the sync bundle's rounds (the same code as the page /my/sync/)
// under the same Web Lock; the status goes to every page's header on a
// BroadcastChannel. Written by `llmos build` (src/offline/mod.rs) next to
// the sync bundle, whose files it names.
import init, { background } from "./__SYNC_JS__";

init({ module_or_path: new URL("./__SYNC_WASM__", import.meta.url) })
  .then(() => background())
  .catch((error) => console.error("LLMos: background sync failed to start:", error));
