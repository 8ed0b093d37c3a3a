//! The user's skills where the site lists skills: a shelf on the
//! catalogue, category and tag pages, and their counts next to the site's
//! on the category lists. These are the site bundle's; the workbench and
//! chat bundles leave them out, as their pages show none.

use crate::user_skills::Summary;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Fills `skills` with the user's skills in `category` and with the
/// keyword `tag` (each when given), newest first, as lists show them (no
/// YAML parsing), and again whenever they change in any tab. One function
/// for every island that shows them, so the bundle carries it once.
#[cfg(feature = "hydrate")]
fn watch_skills(skills: RwSignal<Vec<Summary>>, category: Option<String>, tag: Option<String>) {
    // Compared as page addresses are: `Data Science` is `data-science`.
    let (category, tag) = (category.map(|c| llmos_core::slugify(&c)), tag.map(|t| llmos_core::slugify(&t)));
    let load = move || {
        let (category, tag) = (category.clone(), tag.clone());
        leptos::task::spawn_local(async move {
            let Ok(stored) = crate::store::read::skills().await else { return };
            let mut list: Vec<Summary> = stored
                .iter()
                .filter_map(Summary::stored)
                .filter(|s| category.is_none() || s.category.as_deref().map(llmos_core::slugify) == category)
                .filter(|s| tag.as_ref().is_none_or(|tag| s.keywords.iter().any(|k| llmos_core::slugify(k) == *tag)))
                .collect();
            crate::user_skills::newest_first(&mut list);
            skills.set(list);
        });
    };
    load();
    crate::store::sync::on_skills_changed(load);
}

/// The shelf's props (`island_props`): the category or tag it shows, if any.
#[derive(Clone, Serialize)]
pub struct ShelfData {
    pub base: String,
    pub category: Option<String>,
    pub tag: Option<String>,
}

impl crate::island_props::IslandData for ShelfData {
    #[cfg(feature = "hydrate")]
    fn from_js(value: &wasm_bindgen::JsValue) -> Self {
        use crate::island_props::{optional, string};
        ShelfData { base: string(value, "base"), category: optional(value, "category"), tag: optional(value, "tag") }
    }
}

/// The user's skills at the top of the catalogue (no filter), of one
/// category's page (`category`) or of one tag's page (`tag`). Shows
/// nothing when there are none.
#[island]
pub fn UserSkillsShelf() -> impl IntoView {
    let ShelfData { base, category, tag } = crate::island_props::props("UserSkillsShelf");
    let skills = RwSignal::new(Vec::<Summary>::new());
    let base = StoredValue::new(base);
    let _ = (&category, &tag);

    #[cfg(feature = "hydrate")]
    watch_skills(skills, category, tag);

    move || {
        let list = skills.get();
        (!list.is_empty()).then(|| {
            let count = list.len();
            view! {
                <section class="user-shelf" id="user-shelf" aria-label="Your skills">
                    <h2>{format!("Your skills ({count})")} " " <a class="small" href=format!("{}my/", base.get_value())>"Manage"</a></h2>
                    <ul class="cards">
                        {list.into_iter().take(100).map(|s| view! {
                            <li class="card user">
                                <a href=crate::skill_links::view_url(&base.get_value(), &s.name)>{s.name.clone()}</a>
                                " " <span class="badge yours">"yours"</span>
                                {s.kind.map(|k| view! { <span class="badge run">{k}</span> })}
                                <p>{s.description}</p>
                            </li>
                        }).collect_view()}
                    </ul>
                    {(count > 100).then(|| view! { <p><a href=format!("{}my/", base.get_value())>{format!("All {count} of your skills")}</a></p> })}
                </section>
            }
        })
    }
}

/// One of the site's categories, as its lists show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SiteTerm {
    /// Its page's name: `categories/<slug>/`.
    pub slug: String,
    /// As the site's skills write it.
    pub label: String,
    /// The site's skills in it.
    pub count: usize,
}

/// The category list's props (`island_props`).
#[derive(Clone, Serialize)]
pub struct CategoryCountsData {
    pub base: String,
    pub terms: Vec<SiteTerm>,
}

impl crate::island_props::IslandData for CategoryCountsData {
    #[cfg(feature = "hydrate")]
    fn from_js(value: &wasm_bindgen::JsValue) -> Self {
        use crate::island_props::string;
        use wasm_bindgen::JsCast;
        let terms = crate::browser::field(value, "terms").dyn_into::<js_sys::Array>().map(|a| a.iter().collect::<Vec<_>>()).unwrap_or_default();
        let terms = terms
            .iter()
            .map(|t| SiteTerm { slug: string(t, "slug"), label: string(t, "label"), count: crate::browser::field(t, "count").as_f64().unwrap_or_default() as usize })
            .collect();
        CategoryCountsData { base: string(value, "base"), terms }
    }
}

/// The list of the site's categories with their counts (the category list
/// and the home page), and next to each the user's skills in it; the
/// user's own categories follow, leading to their skills. Without
/// JavaScript, or with no skills of the user's, it is the site's list.
#[island]
pub fn CategoryCounts() -> impl IntoView {
    let CategoryCountsData { base, terms } = crate::island_props::props("CategoryCounts");
    let skills = RwSignal::new(Vec::<Summary>::new());
    #[cfg(feature = "hydrate")]
    watch_skills(skills, None, None);
    // One row per category: (label, address, the site's count, the user's
    // count). The site's come first, in their order; the user's own follow,
    // leading to the user's skills since the site has no page for them.
    let rows = Memo::new(move |_| {
        let mut rows: Vec<(String, String, String, String)> = terms.iter().map(|t| (t.label.clone(), format!("{base}categories/{}/", t.slug), t.count.to_string(), String::new())).collect();
        let mut mine: Vec<(String, String, usize)> = Vec::new();
        skills.with(|list| {
            for label in list.iter().filter_map(|s| s.category.as_ref()) {
                let slug = llmos_core::slugify(label);
                match mine.iter_mut().find(|(s, ..)| *s == slug) {
                    Some(entry) => entry.2 += 1,
                    None => mine.push((slug, label.clone(), 1)),
                }
            }
        });
        mine.sort();
        for (slug, label, n) in mine {
            match terms.iter().position(|t| t.slug == slug) {
                Some(i) => rows[i].3 = format!("+{n} yours"),
                None => rows.push((label, format!("{base}my/"), String::new(), format!("{n} yours"))),
            }
        }
        rows
    });
    view! {
        <ul class="terms">
            {move || rows.get().into_iter().map(|(label, href, site, yours)| view! {
                <li><a href=href>{label}</a> " " <span class="count">{site}</span> " " <span class="count yours">{yours}</span></li>
            }).collect_view()}
        </ul>
    }
}
