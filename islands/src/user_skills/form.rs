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
        let Ok((skill, _)) = check(text, &[]) else {
            // A half-filled form's draft does not pass the checks, and
            // reopens in the form it was written in.
            return SkillForm::from_form_text(text);
        };
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

impl SkillForm {
    /// Reads back exactly what `to_skill_md` writes, whether or not it
    /// passes the checks (an empty description, a name with spaces); `None`
    /// for any other text, so nothing the form cannot show is dropped: a
    /// result is only given when writing it again gives `text` unchanged.
    fn from_form_text(text: &str) -> Option<SkillForm> {
        let rest = text.strip_prefix("---\n")?;
        let (head, body) = rest.split_once("---\n\n").or_else(|| rest.split_once("---\n"))?;
        let mut form = SkillForm { body: body.to_string(), ..SkillForm::default() };
        for line in head.lines() {
            let (key, value) = line.split_once(": ")?;
            let field = match key {
                "name" => &mut form.name,
                "description" => &mut form.description,
                "category" => &mut form.category,
                "type" => &mut form.kind,
                "keywords" => {
                    form.keywords = flow_items(value.strip_prefix('[')?.strip_suffix(']')?)?.join(", ");
                    continue;
                }
                _ => return None,
            };
            *field = scalar_value(value)?;
        }
        (form.to_skill_md() == text).then_some(form)
    }
}

/// One scalar as `yaml_scalar` writes it: plain, or a JSON string.
fn scalar_value(value: &str) -> Option<String> {
    if value.starts_with('"') {
        serde_json::from_str(value).ok()
    } else {
        Some(value.to_string())
    }
}

/// The items of a flow sequence as `to_skill_md` writes keywords.
fn flow_items(mut list: &str) -> Option<Vec<String>> {
    let mut items = Vec::new();
    while !list.is_empty() {
        let (item, rest) = if list.starts_with('"') {
            // The closing quote is the first one not escaped by a backslash.
            let mut escaped = false;
            let end = list.char_indices().skip(1).find(|&(_, c)| {
                let closes = !escaped && c == '"';
                escaped = !escaped && c == '\\';
                closes
            })?;
            let end = end.0 + 1;
            (scalar_value(&list[..end])?, &list[end..])
        } else {
            let end = list.find(", ").unwrap_or(list.len());
            (list[..end].to_string(), &list[end..])
        };
        items.push(item);
        list = rest.strip_prefix(", ").unwrap_or(rest);
        if rest.len() == list.len() && !rest.is_empty() {
            return None;
        }
    }
    Some(items)
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
    fn a_half_filled_form_reopens_in_the_form() {
        for form in [
            SkillForm { name: "Log Triage".into(), ..SkillForm::default() },
            SkillForm { name: "log-triage".into(), description: String::new(), keywords: "logs, \"a, b\", x: y".into(), kind: "python".into(), body: "Steps: 1".into(), ..SkillForm::default() },
            SkillForm::default(),
        ] {
            let text = form.to_skill_md();
            assert!(check(&text, &[]).is_err(), "the case must fail the checks: {text}");
            let mut expected = form.clone();
            expected.keywords = expected.keywords.split(',').map(str::trim).filter(|k| !k.is_empty()).collect::<Vec<_>>().join(", ");
            if !expected.body.is_empty() && !expected.body.ends_with('\n') {
                expected.body.push('\n');
            }
            assert_eq!(SkillForm::from_skill_md(&text), Some(expected), "{text}");
        }
        // Hand-written text that fails the checks stays raw text.
        assert!(SkillForm::from_skill_md("---\nname: x\ndescription:\n---\n").is_none());
        assert!(SkillForm::from_skill_md("---\nname: x\nlicense: MIT\n---\n\nbody\n").is_none());
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
