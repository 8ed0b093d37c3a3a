//! How a skill run shows in the conversation: a card with the skill, the
//! inputs the model chose, what became of it, and (filled in by the
//! runner's `showOutputs`, see `runs`) its outputs. The same HTML serves
//! the card of the answer being written, with the buttons that ask the
//! user, and the card kept in the answer.

use super::messages::escape;
use super::records::SkillRun;

/// The card's status line for a run in `status`, `ms` long.
pub fn status_text(status: &str, ms: f64, error: Option<&str>) -> String {
    // As an integer: float formatting is large in the browser bundle.
    let ms = ms.round() as i64;
    match status {
        "asking" => "wants to run in this browser. Allow it?".into(),
        "running" => "Running…".into(),
        "ran" => format!("Ran in {ms} ms."),
        "declined" => "Not run: you declined.".into(),
        "invalid_inputs" => "Not run: the inputs were not valid; the model was told why.".into(),
        "stopped" => "Stopped.".into(),
        "timed_out" => error.unwrap_or("Stopped at the time limit.").to_string(),
        _ => format!("Failed after {ms} ms."),
    }
}

/// A run's card. `asking` adds the buttons that let it run (or not).
pub fn card_html(run: &SkillRun, index: usize, asking: bool) -> String {
    // `{:#}`: the same indented JSON as `to_string_pretty`, through the
    // writer the core's `Display` of values has compiled in already.
    let inputs = format!("{:#}", run.inputs);
    let status = if asking { "asking" } else { run.status.as_str() };
    let mut html = format!(
        "<div class=\"skill-run\" data-run=\"{index}\" data-status=\"{}\"><p class=\"skill-run-head\">Skill <code>{}</code> \
         <span class=\"skill-run-status\" role=\"status\">{}</span></p><pre class=\"skill-run-inputs\" aria-label=\"Inputs\"><code>{}</code></pre>",
        escape(status),
        escape(&run.skill),
        escape(&status_text(status, run.ms, run.error.as_deref())),
        escape(&inputs)
    );
    html.push_str("<div class=\"skill-run-actions\">");
    if asking {
        html.push_str(&format!(
            "<button type=\"button\" class=\"primary run-allow\">Run</button> \
             <button type=\"button\" class=\"run-always\">Always allow {} in this conversation</button> \
             <button type=\"button\" class=\"run-decline\">Don't run</button>",
            escape(&run.skill)
        ));
    }
    html.push_str("</div>");
    let error = run.error.as_deref().filter(|_| !matches!(run.status.as_str(), "ran" | "declined" | "stopped" | "timed_out"));
    if let Some(error) = error.filter(|_| !asking) {
        html.push_str(&format!("<pre class=\"notice error skill-run-error\">{}</pre>", escape(error)));
    }
    let pending = if run.outputs.is_some() && !asking { " data-pending=\"\"" } else { "" };
    html.push_str(&format!("<div class=\"skill-run-outputs\"{pending}></div></div>"));
    html
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(status: &str) -> SkillRun {
        SkillRun { skill: "ohms<law>".into(), inputs: json!({"v": "<b>"}), status: status.into(), ms: 3.4, outputs: None, output_specs: vec![], error: Some("`v` must be a number".into()) }
    }

    #[test]
    fn cards_escape_what_the_model_wrote_and_ask_only_while_asking() {
        let asking = card_html(&run("ran"), 0, true);
        assert!(asking.contains("run-allow") && asking.contains("Always allow ohms&lt;law&gt; in this conversation") && asking.contains("run-decline"));
        assert!(!asking.contains("<b>") && asking.contains("&lt;b&gt;"));
        let refused = card_html(&run("invalid_inputs"), 1, false);
        assert!(!refused.contains("run-allow") && refused.contains("skill-run-error") && refused.contains("Not run"));
        let ran = card_html(&SkillRun { outputs: Some(json!({"x": 1})), ..run("ran") }, 2, false);
        assert!(ran.contains("Ran in 3 ms.") && ran.contains("data-pending") && !ran.contains("skill-run-error"));
    }
}
