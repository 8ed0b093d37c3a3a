//! The copy button of a published file (a skill's SKILL.md, a bundled
//! script): fetches the file's text and puts it on the clipboard. Pages
//! show the raw file as a link beside it, which works without JavaScript.

use leptos::prelude::*;

/// A button that copies the text at `url`; `label` is its text
/// ("Copy SKILL.md"). What happened is said in a live region beside it.
#[island]
pub fn CopyFile(url: String, label: String) -> impl IntoView {
    let status = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let url = StoredValue::new(url);
    let copy = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        status.set("Copying…".into());
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            let url = url.get_value();
            let result = match crate::browser::fetch_text(&url).await {
                Ok(text) => crate::browser::write_clipboard(&text).await.map_err(|e| format!("The browser did not allow copying ({e}). Open the raw file and copy it from there.")),
                Err(error) => Err(format!("Could not fetch the file: {error}.")),
            };
            status.set(match result {
                Ok(()) => "Copied".to_string(),
                Err(error) => error,
            });
            busy.set(false);
        });
    };
    view! {
        <span class="copy-file">
            <button type="button" class="button copy-file-button" disabled=move || busy.get() on:click=copy>{label}</button>
            " "
            <span class="copy-status" role="status" aria-live="polite">{move || status.get()}</span>
        </span>
    }
}
