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
    /// Takes skills in the order they were found. When two share a page
    /// (the same slug), the one found later wins and a warning names both:
    /// that lets a later skills directory override an earlier one.
    pub fn assemble(found: Vec<Skill>) -> (Catalogue, Vec<Diagnostic>) {
        let mut warnings = Vec::new();
        let mut by_slug: HashMap<String, usize> = HashMap::new();
        let mut kept: Vec<Option<Skill>> = Vec::with_capacity(found.len());
        for skill in found {
            if let Some(&earlier) = by_slug.get(&skill.slug) {
                let old = kept[earlier].take().expect("each slug maps to a kept skill");
                warnings.push(
                    Diagnostic::warning(&skill.path, 0, 0, format!("the skill `{}` replaces `{}` from {}, which has the same page `skills/{}/`", skill.name, old.name, old.path, skill.slug))
                        .with_help("rename one of them if both should be published; the skill found last wins"),
                );
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
