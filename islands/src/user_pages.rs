//! A user skill's own page, rendered here, in the browser, since the site
//! was built without it. (Where the site's pages list the user's skills,
//! the islands are in `shelves`.)

use crate::my_skills::{status_view, Status};
use leptos::prelude::*;

#[derive(Clone, PartialEq)]
struct Page {
    /// The record's key: what Edit, Export and Delete act on.
    key: String,
    /// The frontmatter name, shown as the title only.
    name: String,
    description: String,
    category: Option<String>,
    kind: Option<String>,
    keywords: Vec<String>,
    body_html: String,
    files: Vec<(String, usize)>,
    warnings: Vec<String>,
    /// Whether the page has a Run section (filled by `editor::run`).
    runs: bool,
    /// The safety review's findings as HTML (`user_skills::review_html`;
    /// empty without findings), shown first as on the site's skill pages.
    review_html: String,
}

#[island]
pub fn UserSkillView() -> impl IntoView {
    let base = crate::island_props::props::<crate::island_props::PagePaths>("UserSkillView").base;
    let page = RwSignal::new(None::<Result<Page, String>>);
    let status = RwSignal::new(Status::Idle);
    let base = StoredValue::new(base);

    #[cfg(feature = "workbench")]
    {
        let load = move || leptos::task::spawn_local(actions::load(page));
        load();
        crate::store::sync::on_skills_changed(load);
    }

    view! {
        {status_view(status)}
        {move || match page.get() {
            None => view! { <p class="muted" id="user-skill-state">"Loading…"</p> }.into_any(),
            Some(Err(message)) => view! {
                <p class="notice error" id="user-skill-state">{message}</p>
                <p><a href=format!("{}my/", base.get_value())>"See your skills"</a></p>
            }.into_any(),
            Some(Ok(page)) => {
                // Every action goes by the key the page was opened with, not
                // the frontmatter name (`Report Writer` is stored as `report-writer`).
                let key = page.key.clone();
                let (export_key, delete_key) = (key.clone(), key.clone());
                let _ = (&export_key, &delete_key);
                view! {
                    <article class="skill user-skill" data-name=key.clone()>
                        <header>
                            <div class="user-skill-head" inner_html=head_html(&page)></div>
                            <p class="toolbar">
                                <a class="button primary" id="edit-skill" href=crate::skill_links::edit_url(&base.get_value(), &key)>"Edit"</a>
                                <a class="button" id="use-in-chat" href=crate::skill_links::use_in_chat_url(&base.get_value(), &key)>"Use in chat"</a>
                                <button type="button" id="export-skill" on:click=move |_| {
                                    #[cfg(feature = "workbench")]
                                    leptos::task::spawn_local(crate::my_skills::actions::export(Some(export_key.clone()), status));
                                }>"Export (.zip)"</button>
                                <button type="button" id="delete-skill" class="danger" on:click=move |_| {
                                    #[cfg(feature = "workbench")]
                                    {
                                        let key = delete_key.clone();
                                        leptos::task::spawn_local(async move {
                                            if crate::browser::confirm(&format!("Delete your skill {key}? This cannot be undone; export it first to keep a copy.")) {
                                                match crate::my_skills::actions::delete_now(&key).await {
                                                    Ok(()) => crate::browser::navigate(&format!("{}my/", base.get_value())),
                                                    Err(error) => status.set(Status::Failed(error, vec![])),
                                                }
                                            }
                                        });
                                    }
                                }>"Delete"</button>
                            </p>
                        </header>
                        // What has no handler is written as HTML text, escaped: as views it
                        // was the bundle's largest function (issue 14).
                        <div class="user-skill-content" inner_html=content_html(&page)></div>
                    </article>
                }.into_any()
            }
        }}
    }
}

/// The header's title, description and pills as HTML (escaped), each
/// keyword a pill as on the site's skill pages.
fn head_html(page: &Page) -> String {
    use crate::user_skills::escape;
    let kind = page.kind.as_deref().map(|k| format!(" <span class=\"badge run\">{}</span>", escape(k))).unwrap_or_default();
    let mut html = format!("<h1>{} <span class=\"badge yours\">yours</span>{kind}</h1><p class=\"lead\">{}</p><p class=\"meta\">", escape(&page.name), escape(&page.description));
    if let Some(category) = &page.category {
        html.push_str(&format!("<span class=\"pill\">{}</span>", escape(category)));
    }
    for keyword in &page.keywords {
        html.push_str(&format!(" <span class=\"pill\">{}</span>", escape(keyword)));
    }
    html.push_str("</p>");
    html
}

/// The page below its header as HTML: the safety review's findings (HTML
/// the review wrote, its texts escaped), the warnings, the Run section
/// (filled by `editor::run`, which keeps the bundle small), the rendered
/// body (sanitised by the kit) and the file list. The user's texts are escaped.
fn content_html(page: &Page) -> String {
    use crate::user_skills::escape;
    let mut html = page.review_html.clone();
    if !page.warnings.is_empty() {
        let count = page.warnings.len();
        html.push_str(&format!("<details class=\"diagnostics\"><summary>{count} warning{} from llmos check</summary><ul>", if count == 1 { "" } else { "s" }));
        for warning in &page.warnings {
            html.push_str(&format!("<li><pre>{}</pre></li>", escape(warning)));
        }
        html.push_str("</ul></details>");
    }
    if page.runs {
        html.push_str("<section class=\"run\" id=\"user-skill-run\"></section>");
    }
    html.push_str(&format!("<div class=\"prose\" id=\"user-skill-body\">{}</div>", page.body_html));
    if !page.files.is_empty() {
        html.push_str("<h2>Files</h2><ul class=\"files\">");
        for (path, size) in &page.files {
            html.push_str(&format!("<li><code>{}</code> <span class=\"muted\">{size} bytes</span></li>", escape(path)));
        }
        html.push_str("</ul>");
    }
    html
}

#[cfg(feature = "workbench")]
mod actions {
    use super::Page;
    use crate::editor::run::{self, Section};
    use crate::browser;
    use crate::store::{self, SkillStore};
    use leptos::prelude::*;

    pub async fn load(page: RwSignal<Option<Result<Page, String>>>) {
        let Some(name) = browser::query_parameter("name").filter(|n| !n.is_empty()) else {
            return page.set(Some(Err("No skill named in the address (…/my/skill/?name=<skill>).".into())));
        };
        let mut section = None;
        let result = async {
            let store = store::shared().await.map_err(|e| e.to_string())?;
            let skill = store.skill(&name).await.map_err(|e| e.to_string())?.ok_or_else(|| format!("You have no skill named {name} in this browser. It may have been deleted, or created in another browser."))?;
            // The SKILL.md's parser and the Markdown renderer: the skill kit.
            crate::kit::load().await?;
            let (parsed, warnings) = skill.parse().map_err(|e| format!("This skill's SKILL.md has an error; edit it to fix:\n{}", crate::user_skills::in_browser_terms(&e)))?;
            Ok(Page {
                key: skill.name.clone(),
                name: parsed.name.clone(),
                description: parsed.description.clone(),
                category: parsed.category.clone(),
                kind: parsed.kind.clone(),
                keywords: parsed.keywords.clone(),
                body_html: crate::kit::render_safe(&parsed.body),
                files: skill.files.iter().map(|f| (f.path.clone(), f.data.len())).collect(),
                warnings: warnings.iter().map(crate::user_skills::in_browser_terms).collect(),
                runs: {
                    section = run_section(&parsed, &skill);
                    section.is_some()
                },
                review_html: crate::user_skills::review_html(&[(skill.name.clone(), crate::user_skills::safety_review(&skill))]),
            })
        }
        .await;
        if let Ok(p) = &result {
            if let Some(document) = web_sys::window().and_then(|w| w.document()) {
                document.set_title(&format!("{} · your skill", p.name));
            }
        }
        // The section about to be replaced is not the one to fill.
        if let Some(old) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("user-skill-run")) {
            old.remove_attribute("id").ok();
        }
        page.set(Some(result));
        if let Some(section) = section {
            run::show("user-skill-run", "Run", "user-skill-run-panel", section).await;
        }
    }

    /// The Run section of an executable skill with its code, a note for a
    /// workflow or a missing code file; nothing for instructions.
    fn run_section(parsed: &llmos_core::SkillOutline, skill: &crate::user_skills::UserSkill) -> Option<Section> {
        if parsed.workflow || parsed.kind.as_deref() == Some("workflow") {
            return Some(Section::Note("Workflows run from the site's pages for now: publish this one with llmos to run it.".into()));
        }
        if !run::executable(parsed.kind.as_deref()) {
            return None;
        }
        let config = run::site_config()?;
        if let Some(note) = run::cannot_run(parsed.kind.as_deref(), &config) {
            return Some(Section::Note(note));
        }
        let entry = parsed.entry.as_deref().unwrap_or_default();
        Some(match skill.files.iter().find(|f| f.path == entry) {
            // The panel's skill is written by the kit, which reads its inputs and outputs.
            Some(file) => match crate::kit::runnable_json(&skill.skill_md_text(), &String::from_utf8_lossy(&file.data)) {
                Some(runnable) => Section::Panel(runnable, config),
                None => Section::Note("The skill kit did not load, so this skill cannot run here: reload the page.".into()),
            },
            None => Section::Note(format!("Add its code file `{entry}` (Edit, then Code) to run this skill here.")),
        })
    }
}
