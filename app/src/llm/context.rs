//! Skills as context: which skills a message is offered, and how the model
//! asks for one.
//!
//! Offering every skill's body would spend the context window on skills the
//! conversation never needs. So each user message is ranked against the
//! catalogue with the search ranking (`SearchIndex::search`, the same code
//! as the search box and `llmos search`, user skills layered in), and the
//! best few are offered by name and description only. The model loads a
//! skill's full body when it decides to use it: through the `load_skill`
//! tool where the provider supports tool calling, or, where it does not,
//! by answering with a line `LOAD_SKILL: <name>` (the text convention).

use super::request::Tool;
use crate::SearchIndex;
use serde_json::json;

/// How many skills a message is offered.
pub const OFFERED_SKILLS: usize = 5;
pub const LOAD_SKILL_TOOL: &str = "load_skill";
pub const TEXT_CONVENTION_PREFIX: &str = "LOAD_SKILL:";

/// A skill offered to the model for one message.
#[derive(Debug, Clone, PartialEq)]
pub struct OfferedSkill {
    pub name: String,
    pub slug: String,
    pub description: String,
    /// A skill of the user's own (its page is rendered in the browser).
    pub user: bool,
}

/// The skills most relevant to `message`, best first.
pub fn offer_skills(index: &SearchIndex, message: &str, limit: usize) -> Vec<OfferedSkill> {
    index
        .search(message, limit)
        .into_iter()
        .map(|hit| {
            let doc = &index.docs[hit.doc];
            OfferedSkill { name: doc.name.clone(), slug: doc.slug.clone(), description: doc.description.clone(), user: doc.user }
        })
        .collect()
}

/// The tool through which the model loads a skill, limited to the offered names.
pub fn load_skill_tool(offered: &[OfferedSkill]) -> Tool {
    let names: Vec<&str> = offered.iter().map(|s| s.slug.as_str()).collect();
    Tool {
        name: LOAD_SKILL_TOOL.to_string(),
        description: "Load the full instructions of one of the offered skills. Call it before following a skill; \
                      the result is the skill's SKILL.md body."
            .to_string(),
        parameters: json!({
            "type": "object",
            "properties": { "name": { "type": "string", "enum": names, "description": "the skill's name, as offered" } },
            "required": ["name"]
        }),
    }
}

/// The system prompt: the user's own, then the offered skills and how to
/// load one (by tool, or by the text convention).
pub fn system_prompt(user_prompt: Option<&str>, offered: &[OfferedSkill], tools: bool) -> Option<String> {
    let user_prompt = user_prompt.map(str::trim).filter(|p| !p.is_empty());
    if offered.is_empty() {
        return user_prompt.map(str::to_string);
    }
    let mut prompt = String::new();
    if let Some(user_prompt) = user_prompt {
        prompt.push_str(user_prompt);
        prompt.push_str("\n\n");
    }
    prompt.push_str("Skills are available for this conversation. Each is a set of instructions for one kind of task:\n");
    for skill in offered {
        prompt.push_str(&format!("- {}: {}\n", skill.slug, skill.description.replace('\n', " ")));
    }
    if tools {
        prompt.push_str(&format!("\nIf one of them fits the user's request, call the `{LOAD_SKILL_TOOL}` tool with its name to read it before answering, and follow it. If none fits, answer directly."));
    } else {
        prompt.push_str(&format!(
            "\nIf one of them fits the user's request, reply with only the line `{TEXT_CONVENTION_PREFIX} <name>` and nothing else; \
             its instructions will be sent to you, then answer following them. If none fits, answer directly."
        ));
    }
    Some(prompt)
}

/// The skill a model asked for under the text convention: a line
/// `LOAD_SKILL: <name>` naming one of the offered skills.
pub fn requested_by_text<'a>(answer: &str, offered: &'a [OfferedSkill]) -> Option<&'a OfferedSkill> {
    answer.lines().find_map(|line| {
        let name = line.trim().trim_matches('`').strip_prefix(TEXT_CONVENTION_PREFIX)?.trim().trim_matches('`');
        offered.iter().find(|s| s.slug == name || s.name == name)
    })
}

/// The skill a `load_skill` tool call asks for, if it is one of the offered.
pub fn requested_by_tool<'a>(call_name: &str, arguments: &str, offered: &'a [OfferedSkill]) -> Option<&'a OfferedSkill> {
    if call_name != LOAD_SKILL_TOOL {
        return None;
    }
    let arguments: serde_json::Value = serde_json::from_str(arguments).ok()?;
    let name = arguments.get("name")?.as_str()?;
    offered.iter().find(|s| s.slug == name || s.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SearchInput;

    fn index() -> SearchIndex {
        let none: &[String] = &[];
        let input = |name, description, body| SearchInput { name, slug: name, description, keywords: none, body, category: None, kind: None };
        let site = SearchIndex::build(&[
            input("csv-analysis", "Profile a CSV file column by column.", "Read the header row, then count values."),
            input("bell-state", "Prepare an entangled pair of qubits.", "Apply a Hadamard then a CNOT."),
            input("commit-messages", "Write clear commit messages.", "Summarise the change in the subject line."),
        ]);
        site.layered(&[input("tea-timer", "Time the steeping of tea leaves.", "Green tea: 2 minutes.")])
    }

    #[test]
    fn offers_the_skills_the_search_ranking_puts_first_user_skills_included() {
        let index = index();
        let offered = offer_skills(&index, "please profile this csv file", OFFERED_SKILLS);
        assert_eq!(offered[0].slug, "csv-analysis");
        assert_eq!(offered.len(), 1, "nothing unrelated: {offered:?}");
        let tea = offer_skills(&index, "how long should green tea steep", OFFERED_SKILLS);
        assert_eq!(tea[0].slug, "tea-timer");
        assert!(tea[0].user);
        assert!(offer_skills(&index, "", OFFERED_SKILLS).is_empty());
    }

    #[test]
    fn the_prompt_lists_names_and_descriptions_never_bodies() {
        let offered = offer_skills(&index(), "entangled qubits and a csv", OFFERED_SKILLS);
        let with_tools = system_prompt(Some("Be brief."), &offered, true).unwrap();
        assert!(with_tools.starts_with("Be brief.\n\n"));
        assert!(with_tools.contains("- bell-state: Prepare an entangled pair of qubits."));
        assert!(with_tools.contains("`load_skill`") && !with_tools.contains("Hadamard"), "{with_tools}");
        let text = system_prompt(None, &offered, false).unwrap();
        assert!(text.contains("LOAD_SKILL: <name>"));
        assert_eq!(system_prompt(Some("  "), &[], true), None);
        assert_eq!(system_prompt(Some("Hi"), &[], true).as_deref(), Some("Hi"));
    }

    #[test]
    fn a_skill_is_loaded_only_when_it_was_offered() {
        let offered = offer_skills(&index(), "entangled qubits", OFFERED_SKILLS);
        assert_eq!(requested_by_text("LOAD_SKILL: bell-state", &offered).unwrap().slug, "bell-state");
        assert_eq!(requested_by_text("Sure.\n`LOAD_SKILL: bell-state`\n", &offered).unwrap().slug, "bell-state");
        assert!(requested_by_text("LOAD_SKILL: csv-analysis", &offered).is_none(), "not offered for this message");
        assert!(requested_by_text("I will use bell-state.", &offered).is_none());
        assert_eq!(requested_by_tool("load_skill", r#"{"name":"bell-state"}"#, &offered).unwrap().slug, "bell-state");
        assert!(requested_by_tool("load_skill", "{not json", &offered).is_none());
        assert!(requested_by_tool("other_tool", r#"{"name":"bell-state"}"#, &offered).is_none());
        let tool = load_skill_tool(&offered);
        assert_eq!(tool.parameters["properties"]["name"]["enum"], json!(["bell-state"]));
    }
}
