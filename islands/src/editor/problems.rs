//! The editor's problems in the user's terms. `llmos check` names a file,
//! a line and a column; in the browser there is no file to open, so a
//! problem is placed at the form field it concerns (found from the line of
//! its frontmatter key), or, when the SKILL.md is edited as text, at its line.

use crate::user_skills::{browser_message, SKILL_MD};
use llmos_core::Diagnostic;

/// One problem of the skill being edited, placed where the user sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    /// The id of the form field it concerns, when it concerns one.
    pub field: Option<&'static str>,
    /// Where it is: the field's label, or the line of the text.
    pub place: String,
    /// What is wrong, and how to fix it.
    pub text: String,
    pub error: bool,
    /// A finding of the safety review the rules call dangerous (a
    /// warning to `llmos check`, but not to be read as a mild one).
    pub danger: bool,
}

impl Problem {
    /// How serious it is, in one word: `error`, `danger` or `warning`.
    pub fn level(&self) -> &'static str {
        if self.error {
            "error"
        } else if self.danger {
            "danger"
        } else {
            "warning"
        }
    }
}

/// The form's fields: the frontmatter keys each one writes, its id, its label.
const FIELDS: &[(&[&str], &str, &str)] = &[
    (&["name"], "skill-name", "Name"),
    (&["description"], "skill-description", "Description"),
    (&["category"], "skill-category", "Category"),
    (&["keywords", "tags"], "skill-keywords", "Keywords"),
    (&["type", "entry"], "skill-type", "Type"),
];
/// The Markdown below the frontmatter.
const BODY: (&str, &str) = ("skill-body", "Instructions");

/// Every field of the form, for a new skill whose fields are all untouched.
pub const FORM_FIELDS: &[&str] = &["skill-name", "skill-description", "skill-category", "skill-keywords", "skill-type", "skill-body"];

/// `diagnostics` of `text` placed at form fields (`in_form`) or at lines.
pub fn place(text: &str, diagnostics: &[Diagnostic], in_form: bool) -> Vec<Problem> {
    let split = llmos_core::frontmatter::split(SKILL_MD, text).ok();
    let key_lines = split.as_ref().map(llmos_core::frontmatter::key_lines).unwrap_or_default();
    diagnostics
        .iter()
        .map(|d| {
            let key = key_lines.iter().find(|(_, line)| **line == d.line).map(|(key, _)| key.as_str());
            let in_body = split.as_ref().is_some_and(|s| d.line >= s.body_line);
            let field = match key {
                _ if !in_form => None,
                _ if in_body => Some(BODY),
                Some(key) => FIELDS.iter().find(|(keys, ..)| keys.contains(&key)).map(|(_, id, label)| (*id, *label)),
                None => None,
            };
            let mut text = browser_message(&d.message);
            // A safety finding's title carries its level, "Title (danger): …";
            // the list says the level once, before the text.
            let safety = d.code.as_deref().is_some_and(|c| c.starts_with(llmos_core::safety::DIAGNOSTIC_PREFIX));
            let danger = safety && text.contains(" (danger): ");
            if safety {
                text = text.replacen(if danger { " (danger): " } else { " (warning): " }, ": ", 1);
            }
            if let Some(help) = &d.help {
                text.push_str(" — ");
                text.push_str(help);
            }
            let place = match (field, d.line) {
                (Some((_, label)), _) => label.to_string(),
                (None, 0) => "The file".to_string(),
                (None, line) => format!("Line {line}"),
            };
            Problem { field: field.map(|(id, _)| id), place, text, error: d.is_error(), danger }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::user_skills::{check, SkillForm};

    fn placed(text: &str, in_form: bool) -> Vec<Problem> {
        let diagnostics = match check(text, &[]) {
            Ok((_, warnings)) => warnings,
            Err(error) => vec![error],
        };
        place(text, &diagnostics, in_form)
    }

    #[test]
    fn problems_go_to_their_field_in_the_form_and_to_their_line_as_text() {
        let form = SkillForm { name: "CSV to Markdown".into(), ..SkillForm::default() };
        let text = form.to_skill_md();
        let in_form = placed(&text, true);
        assert_eq!(in_form.len(), 1);
        assert_eq!((in_form[0].field, in_form[0].place.as_str(), in_form[0].error), (Some("skill-description"), "Description", true));
        assert!(in_form[0].text.starts_with("`description` is empty — say what"), "{in_form:?}");
        let as_text = placed(&text, false);
        assert_eq!((as_text[0].field, as_text[0].place.as_str()), (None, "Line 3"));

        let warned = placed("---\nname: CSV to Markdown\ndescription: d\n---\nbody\n", true);
        assert_eq!(warned.len(), 1, "no folder to differ from: {warned:?}");
        assert_eq!((warned[0].field, warned[0].error), (Some("skill-name"), false));
        assert!(warned[0].text.contains("its page will be `csv-to-markdown`"), "{warned:?}");
    }

    #[test]
    fn a_long_body_is_the_instructions_problem() {
        let text = format!("---\nname: a\ndescription: d\n---\n{}", "line\n".repeat(600));
        let placed = placed(&text, true);
        assert_eq!(placed.iter().map(|p| p.field).collect::<Vec<_>>(), [Some("skill-body")]);
    }
}
