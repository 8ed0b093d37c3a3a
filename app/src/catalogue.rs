//! The set of skills a site publishes, and its category and keyword groupings.

use crate::{slugify, Diagnostic, Skill};
use std::collections::{BTreeMap, HashMap};

#[derive(Debug, Default, Clone)]
pub struct Catalogue {
    /// Sorted by slug, one skill per slug.
    pub skills: Vec<Skill>,
}

/// Skills grouped under terms (categories or keywords), terms sorted by slug.
#[derive(Debug, Default, Clone)]
pub struct Taxonomy {
    pub terms: Vec<TaxonomyTerm>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaxonomyTerm {
    pub slug: String,
    /// The spelling of the first skill (in catalogue order) that used the term.
    pub label: String,
    /// Indexes into `Catalogue::skills`.
    pub skills: Vec<usize>,
}

impl Catalogue {
    /// Takes skills in the order they were found. When two skills of the
    /// same name share a page, the one found later wins and a warning names
    /// both: that lets a later skills directory override an earlier one.
    /// Two *different* names that make the same page address (`PDF Tools`
    /// and `pdf-tools`) are an error naming both, since one would be lost.
    /// The diagnostics returned carry their severity.
    pub fn assemble(found: Vec<Skill>) -> (Catalogue, Vec<Diagnostic>) {
        let mut warnings = Vec::new();
        let mut by_slug: HashMap<String, usize> = HashMap::new();
        let mut kept: Vec<Option<Skill>> = Vec::with_capacity(found.len());
        for skill in found {
            if let Some(&earlier) = by_slug.get(&skill.slug) {
                let old = kept[earlier].take().expect("each slug maps to a kept skill");
                if old.name != skill.name {
                    warnings.push(
                        Diagnostic::error(&skill.path, 0, 0, format!("the names `{}` and `{}` (in {}) make the same page address `skills/{}/`", skill.name, old.name, old.path, skill.slug))
                            .with_help("rename one of the two skills so their names differ in more than case and punctuation"),
                    );
                } else {
                    warnings.push(
                    Diagnostic::warning(&skill.path, 0, 0, format!("the skill `{}` replaces `{}` from {}, which has the same page `skills/{}/`", skill.name, old.name, old.path, skill.slug))
                        .with_help("rename one of them if both should be published; the skill found last wins"),
                    );
                }
            }
            by_slug.insert(skill.slug.clone(), kept.len());
            kept.push(Some(skill));
        }
        let mut skills: Vec<Skill> = kept.into_iter().flatten().collect();
        skills.sort_by(|a, b| a.slug.cmp(&b.slug));
        (Catalogue { skills }, warnings)
    }

    pub fn categories(&self) -> Taxonomy {
        self.group(|skill| skill.category.iter().cloned().collect())
    }

    pub fn keywords(&self) -> Taxonomy {
        self.group(|skill| skill.keywords.clone())
    }

    fn group(&self, terms_of: impl Fn(&Skill) -> Vec<String>) -> Taxonomy {
        let mut terms: BTreeMap<String, TaxonomyTerm> = BTreeMap::new();
        for (index, skill) in self.skills.iter().enumerate() {
            for label in terms_of(skill) {
                let slug = slugify(&label);
                let term = terms.entry(slug.clone()).or_insert_with(|| TaxonomyTerm { slug, label, skills: Vec::new() });
                if term.skills.last() != Some(&index) {
                    term.skills.push(index);
                }
            }
        }
        Taxonomy { terms: terms.into_values().collect() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{parse_skill, SkillSource};

    fn skill(dir: &str, folder: &str, extra: &str) -> Skill {
        let path = format!("{dir}/{folder}/SKILL.md");
        let text = format!("---\nname: {folder}\ndescription: d\n{extra}---\n");
        parse_skill(&SkillSource { path: &path, folder, bytes: text.as_bytes(), files: &[] }).unwrap().0
    }

    #[test]
    fn later_skill_wins_with_a_warning_naming_both() {
        let (catalogue, warnings) = Catalogue::assemble(vec![skill("a", "x", ""), skill("a", "y", ""), skill("b", "x", "")]);
        assert_eq!(catalogue.skills.len(), 2);
        assert_eq!(catalogue.skills[0].path, "b/x/SKILL.md");
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].message.contains("a/x/SKILL.md"), "{}", warnings[0]);
        assert_eq!(warnings[0].file, "b/x/SKILL.md");
    }

    #[test]
    fn distinct_names_that_make_one_address_are_an_error_naming_both() {
        let (_, diagnostics) = Catalogue::assemble(vec![skill("a", "数据分析", ""), skill("a", "代码审查", "")]);
        assert!(diagnostics.iter().all(|d| d.severity == crate::Severity::Warning), "distinct Unicode names keep distinct pages: {diagnostics:?}");
        let text = "---\nname: PDF Tools\ndescription: d\n---\n";
        let other = parse_skill(&SkillSource { path: "c/pdf/SKILL.md", folder: "pdf", bytes: text.as_bytes(), files: &[] }).unwrap().0;
        let (catalogue, diagnostics) = Catalogue::assemble(vec![skill("a", "pdf-tools", ""), other]);
        let errors: Vec<_> = diagnostics.iter().filter(|d| d.severity == crate::Severity::Error).collect();
        assert_eq!(errors.len(), 1, "{diagnostics:?}");
        assert!(errors[0].message.contains("`PDF Tools` and `pdf-tools`") && errors[0].message.contains("a/pdf-tools/SKILL.md"), "{}", errors[0]);
        assert_eq!(catalogue.skills.len(), 1);
    }

    #[test]
    fn groups_by_slugged_terms() {
        let (catalogue, _) = Catalogue::assemble(vec![
            skill("s", "a", "category: Data Science\nkeywords: [csv, CSV]\n"),
            skill("s", "b", "category: data science\n"),
            skill("s", "c", ""),
        ]);
        let categories = catalogue.categories();
        assert_eq!(categories.terms.len(), 1);
        assert_eq!(categories.terms[0].slug, "data-science");
        assert_eq!(categories.terms[0].label, "Data Science");
        assert_eq!(categories.terms[0].skills, [0, 1]);
        assert_eq!(catalogue.keywords().terms[0].skills, [0], "a skill is listed once per term");
    }
}
