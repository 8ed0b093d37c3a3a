//! Where skills come from: a page per skills root (`sources/<slug>/`), and
//! category and tag lists narrowed to one source
//! (`categories/<term>/from/<source>/`), so a catalogue built from several
//! collections can be read one collection at a time without JavaScript.

use super::{Crumb, RenderResult, Renderer};
use crate::output::SiteWriter;
use llmos_core::catalogue::TaxonomyTerm;
use serde::Serialize;

/// One link of a list's "From" row: all sources, or one of them.
#[derive(Serialize)]
pub(super) struct Filter {
    label: String,
    url: String,
    count: usize,
    /// The list being shown.
    current: bool,
}

impl Renderer<'_> {
    /// The source of each of `skills` (catalogue indices).
    fn sources_of(&self, skills: &[usize]) -> Vec<usize> {
        skills.iter().map(|&i| self.loaded.assets[&self.loaded.catalogue.skills[i].slug].source).collect()
    }

    /// The "From" row of the list at `rel_dir` (a category or tag page):
    /// empty unless its skills come from two sources or more. `current` is
    /// the source of the narrowed list being shown, `None` for all.
    pub(super) fn source_filters(&self, rel_dir: &str, skills: &[usize], current: Option<usize>) -> Vec<Filter> {
        let of = self.sources_of(skills);
        let mut counts = vec![0; self.loaded.sources.len()];
        for source in &of {
            counts[*source] += 1;
        }
        if counts.iter().filter(|&&c| c > 0).count() < 2 {
            return Vec::new();
        }
        let base = self.base();
        let mut filters = vec![Filter { label: "All sources".into(), url: format!("{base}{rel_dir}"), count: skills.len(), current: current.is_none() }];
        for (index, source) in self.loaded.sources.iter().enumerate().filter(|(i, _)| counts[*i] > 0) {
            filters.push(Filter { label: source.name.clone(), url: format!("{base}{rel_dir}from/{}/", source.slug), count: counts[index], current: current == Some(index) });
        }
        filters
    }

    /// A category's or tag's list narrowed to each source it has skills
    /// from, when it has two or more.
    pub(super) fn term_source_pages(&self, out: &dyn SiteWriter, section: &str, noun: &str, term: &TaxonomyTerm, heading: &str, mut crumbs: Vec<Crumb>) -> RenderResult<Vec<String>> {
        let rel_dir = format!("{section}/{}/", term.slug);
        if self.source_filters(&rel_dir, &term.skills, None).is_empty() {
            return Ok(Vec::new());
        }
        crumbs.push(Crumb { label: term.label.clone(), url: format!("{}{rel_dir}", self.base()) });
        let of = self.sources_of(&term.skills);
        let mut written = Vec::new();
        for (index, source) in self.loaded.sources.iter().enumerate() {
            let skills: Vec<usize> = term.skills.iter().zip(&of).filter(|(_, s)| **s == index).map(|(i, _)| *i).collect();
            if skills.is_empty() {
                continue;
            }
            let filters = self.source_filters(&rel_dir, &term.skills, Some(index));
            let intro = format!("{} in the {noun} “{}” from {}.", crate::theme::counted(skills.len(), "skill"), term.label, source.name);
            let dir = format!("{rel_dir}from/{}/", source.slug);
            written.extend(self.listing_filtered(out, section, &format!("{heading} · {}", source.name), &intro, &dir, &skills, crumbs.clone(), None, &filters)?);
        }
        Ok(written)
    }

    /// `sources/`: every skills root with its origin, licence and count,
    /// and `sources/<slug>/`: the skills of one.
    pub(super) fn sources_pages(&self, out: &dyn SiteWriter) -> RenderResult<Vec<String>> {
        let base = self.base();
        let catalogue = &self.loaded.catalogue;
        let of = self.sources_of(&(0..catalogue.skills.len()).collect::<Vec<_>>());
        let mut written = Vec::new();
        for (index, source) in self.loaded.sources.iter().enumerate() {
            let skills: Vec<usize> = (0..catalogue.skills.len()).filter(|&i| of[i] == index).collect();
            let mut intro = format!("{} from {}", crate::theme::counted(skills.len(), "skill"), source.name);
            if let Some(license) = &source.license {
                intro.push_str(&format!(", licensed {license} unless a skill says otherwise"));
            }
            intro.push('.');
            let crumbs = vec![Crumb { label: "Sources".into(), url: format!("{base}sources/") }];
            written.extend(self.listing_filtered(out, "sources", &source.name, &intro, &format!("sources/{}/", source.slug), &skills, crumbs, None, &[])?);
        }
        let intro = format!(
            "{} gathered from {}. A later source's skill replaces an earlier one of the same name.",
            crate::theme::counted(catalogue.skills.len(), "skill"),
            crate::theme::counted(self.loaded.sources.len(), "source")
        );
        let context = minijinja::context! { site => self.site(), section => "sources", heading => "Sources", intro, sources => &self.loaded.sources, canonical => self.canonical("sources/") };
        written.push(self.page(out, "sources/", "sources.html", context)?);
        Ok(written)
    }
}
