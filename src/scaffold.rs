//! `llmos new`: a new skill folder that passes `llmos check` as it is.

use llmos_core::{parse_skill, Diagnostic, SkillSource};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SkillType {
    /// Instructions only
    Instructions,
    /// Runs Python: scripts/main.py defines execute(inputs)
    Python,
    /// Runs JavaScript: scripts/main.js defines execute(inputs)
    Javascript,
}

pub fn create(dir: &Path, name: &str, kind: SkillType) -> Result<PathBuf, Diagnostic> {
    let valid = !name.is_empty()
        && name.len() <= 64
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.starts_with('-')
        && !name.ends_with('-')
        && !name.contains("--");
    if !valid {
        return Err(Diagnostic::error(name, 0, 0, "this is not a valid skill name")
            .with_help(format!("use lowercase letters, digits and single hyphens (at most 64), e.g. `{}`", llmos_core::slugify(name))));
    }
    let folder = dir.join(name);
    if folder.exists() {
        return Err(Diagnostic::error(&folder.display().to_string(), 0, 0, "already exists").with_help("choose another name, or edit the existing skill"));
    }
    let (skill_md, code) = templates(name, kind);
    let files: Vec<String> = code.iter().map(|(path, _)| path.to_string()).collect();
    // The scaffold must pass the same validation as any other skill.
    let (_, warnings) = parse_skill(&SkillSource { path: "SKILL.md", folder: name, bytes: skill_md.as_bytes(), files: &files })
        .map_err(|e| Diagnostic::error(name, 0, 0, format!("internal error: the scaffold is invalid: {e}")))?;
    // Its one warning is the placeholder description, for the user to replace.
    debug_assert!(warnings.iter().all(|w| w.message.contains("placeholder")), "{warnings:?}");
    let io = |path: &Path, e: std::io::Error| Diagnostic::error(&path.display().to_string(), 0, 0, format!("cannot write: {e}"));
    std::fs::create_dir_all(&folder).map_err(|e| io(&folder, e))?;
    std::fs::write(folder.join("SKILL.md"), skill_md).map_err(|e| io(&folder, e))?;
    for (path, text) in code {
        let path = folder.join(path);
        std::fs::create_dir_all(path.parent().expect("has a parent")).map_err(|e| io(&path, e))?;
        std::fs::write(&path, text).map_err(|e| io(&path, e))?;
    }
    Ok(folder)
}

fn templates(name: &str, kind: SkillType) -> (String, Vec<(&'static str, &'static str)>) {
    let title = name.split('-').map(|w| {
        let mut c = w.chars();
        c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
    }).collect::<Vec<_>>().join(" ");
    let (fields, code): (&str, Vec<(&str, &str)>) = match kind {
        SkillType::Instructions => ("", vec![]),
        SkillType::Python => (
            "type: python\nentry: scripts/main.py\ninputs:\n  - name: text\n    type: string\n    description: The text to work on.\n    default: \"Hello, world\"\noutputs:\n  - name: words\n    type: integer\n    description: How many words the text has.\n",
            vec![("scripts/main.py", "def execute(inputs: dict) -> dict:\n    text = inputs.get(\"text\", \"Hello, world\")\n    return {\"words\": len(text.split())}\n\n\nif __name__ == \"__main__\":\n    import json\n    print(json.dumps(execute({})))\n")],
        ),
        SkillType::Javascript => (
            "type: javascript\nentry: scripts/main.js\ninputs:\n  - name: text\n    type: string\n    description: The text to work on.\n    default: \"Hello, world\"\noutputs:\n  - name: words\n    type: integer\n    description: How many words the text has.\n",
            vec![("scripts/main.js", "function execute(inputs) {\n  const text = inputs.text ?? \"Hello, world\";\n  return { words: text.split(/\\s+/).filter(Boolean).length };\n}\n")],
        ),
    };
    let skill_md = format!(
        "---\nname: {name}\ndescription: {}{title}{}\nlicense: MIT\ncategory: general\nkeywords: [{name}]\n{fields}---\n# {title}\n\n## When to use\n\n- …\n\n## Steps\n\n1. …\n\n## Example\n\n…\n",
        llmos_core::skill::TEMPLATE_DESCRIPTION.0,
        llmos_core::skill::TEMPLATE_DESCRIPTION.1
    );
    (skill_md, code)
}
