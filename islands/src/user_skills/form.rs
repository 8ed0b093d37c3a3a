//! The editor's form: the fields most skills use, written to and read from
//! a SKILL.md. Skills with other frontmatter keys are edited as raw
//! SKILL.md, so nothing is dropped.

use super::check;

/// The form's fields, as the user typed them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SkillForm {
    pub name: String,
    pub description: String,
    pub category: String,
    /// Comma-separated.
    pub keywords: String,
    /// "" for instructions, or `python` / `javascript`.
    pub kind: String,
    pub body: String,
}

const FORM_KEYS: &[&str] = &["name", "description", "category", "keywords", "tags", "type"];

impl SkillForm {
    /// The form for `text`, or `None` when the file has keys the form does
    /// not show (they would be lost) or does not parse.
    pub fn from_skill_md(text: &str) -> Option<SkillForm> {
        let (skill, _) = check(text, &[]).ok()?;
        let keys = crate::kit::frontmatter_keys(text)?;
        if keys.iter().any(|k| !FORM_KEYS.contains(&k.as_str())) {
            return None;
        }
        Some(SkillForm {
            name: skill.name,
            description: skill.description,
            category: skill.category.unwrap_or_default(),
            keywords: skill.keywords.join(", "),
            kind: skill.kind.unwrap_or_default(),
            body: skill.body.trim_start_matches('\n').to_string(),
        })
    }

    /// The SKILL.md the form stands for. Empty required fields are written
    /// as `""`, so checking it names the field to fill in.
    pub fn to_skill_md(&self) -> String {
        let mut out = String::from("---\n");
        out.push_str(&format!("name: {}\n", yaml_scalar(self.name.trim())));
        out.push_str(&format!("description: {}\n", yaml_scalar(self.description.trim())));
        if !self.category.trim().is_empty() {
            out.push_str(&format!("category: {}\n", yaml_scalar(self.category.trim())));
        }
        let keywords: Vec<String> = self.keywords.split(',').map(str::trim).filter(|k| !k.is_empty()).map(yaml_scalar).collect();
        if !keywords.is_empty() {
            out.push_str(&format!("keywords: [{}]\n", keywords.join(", ")));
        }
        if !self.kind.trim().is_empty() {
            out.push_str(&format!("type: {}\n", yaml_scalar(self.kind.trim())));
        }
        out.push_str("---\n\n");
        out.push_str(self.body.trim_start_matches('\n'));
        if !out.ends_with('\n') {
            out.push('\n');
        }
        out
    }
}

/// A YAML scalar for `value`: plain when that reads back unchanged, else
/// double-quoted (a JSON string is a valid YAML double-quoted scalar).
fn yaml_scalar(value: &str) -> String {
    let plain = !value.is_empty()
        && value.chars().all(|c| c.is_alphanumeric() || " -_.()/'".contains(c))
        && !value.starts_with(['-', ' ', '\'', '.'])
        && !value.ends_with(' ')
        && !matches!(value.to_ascii_lowercase().as_str(), "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "~")
        && value.parse::<f64>().is_err();
    if plain {
        value.to_string()
    } else {
        serde_json::to_string(value).expect("strings serialise")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_round_trips_through_skill_md() {
        let form = SkillForm {
            name: "tea-timer".into(),
            description: "Times tea: steep, then pour. Use when brewing.".into(),
            category: "Kitchen".into(),
            keywords: "tea, timer, yes".into(),
            kind: String::new(),
            body: "# Tea\n\nWait 3 minutes.\n".into(),
        };
        let text = form.to_skill_md();
        let (skill, warnings) = check(&text, &[]).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(skill.keywords, ["tea", "timer", "yes"], "`yes` must stay a string");
        assert_eq!(SkillForm::from_skill_md(&text).unwrap(), form);
    }

    #[test]
    fn skills_with_other_keys_are_edited_raw() {
        let text = "---\nname: x\ndescription: y\nlicense: MIT\n---\nbody\n";
        assert!(SkillForm::from_skill_md(text).is_none());
        assert!(SkillForm::from_skill_md("no frontmatter").is_none());
    }

    #[test]
    fn an_empty_form_names_the_first_field_to_fill_in() {
        let error = check(&SkillForm::default().to_skill_md(), &[]).unwrap_err();
        assert_eq!((error.line, error.message.as_str()), (2, "`name` is empty"));
    }
}
