//! The copy button of a published file (a skill's SKILL.md, a bundled
//! script): fetches the file's text and puts it on the clipboard. Pages
//! show the raw file as a link beside it, which works without JavaScript.

use leptos::prelude::*;

/// The copy button's props (`island_props`).
#[derive(Clone, serde::Serialize)]
pub struct CopyFileData {
    pub url: String,
    pub label: String,
}

impl crate::island_props::IslandData for CopyFileData {
    #[cfg(feature = "hydrate")]
    fn from_js(value: &wasm_bindgen::JsValue) -> Self {
        CopyFileData { url: crate::island_props::string(value, "url"), label: crate::island_props::string(value, "label") }
    }
}

/// A button that copies the text at `url`; `label` is its text
/// ("Copy SKILL.md"). What happened is said in a live region beside it.
///
/// The text is fetched as soon as the pointer or focus reaches the button,
/// so the click itself can write it: Safari lets a page write to the
/// clipboard only while handling the click, not after a fetch it awaited.
/// A click before the text arrived fetches, then writes (which Chromium
/// and Firefox allow).
#[island]
pub fn CopyFile() -> impl IntoView {
    let CopyFileData { url, label } = crate::island_props::props("CopyFile");
    let status = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    // The file's text once fetched (`Err` when it could not be).
    let text = RwSignal::new(None::<Result<String, String>>);
    let fetching = RwSignal::new(false);
    let url = StoredValue::new(url);
    let prefetch = move || {
        if text.with_untracked(Option::is_none) && !fetching.get_untracked() {
            fetching.set(true);
            #[cfg(feature = "hydrate")]
            leptos::task::spawn_local(async move {
                let fetched = crate::browser::fetch_text(&url.get_value()).await;
                // A failed fetch is tried again by the next click.
                text.set(Some(fetched));
                fetching.set(false);
            });
        }
    };
    let copy = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        status.set("Copying…".into());
        #[cfg(feature = "hydrate")]
        {
            let ready = text.get_untracked().and_then(Result::ok);
            let written = ready.as_deref().map(crate::browser::write_clipboard);
            text.update(|t| *t = t.take().filter(Result::is_ok));
            leptos::task::spawn_local(async move {
                let written = match written {
                    Some(written) => written.await,
                    None => match crate::browser::fetch_text(&url.get_value()).await {
                        Ok(fetched) => {
                            let written = crate::browser::write_clipboard(&fetched);
                            text.set(Some(Ok(fetched)));
                            written.await
                        }
                        Err(error) => {
                            status.set(format!("Could not fetch the file: {error}."));
                            return busy.set(false);
                        }
                    },
                };
                status.set(match written {
                    Ok(()) => "Copied".to_string(),
                    Err(error) => format!("The browser did not allow copying ({error}). Open the raw file and copy it from there."),
                });
                busy.set(false);
            });
        }
    };
    view! {
        <span class="copy-file">
            <button type="button" class="button copy-file-button" disabled=move || busy.get() on:pointerenter=move |_| prefetch() on:focus=move |_| prefetch() on:click=copy>{label}</button>
            " "
            <span class="copy-status" role="status" aria-live="polite">{move || status.get()}</span>
        </span>
    }
}
