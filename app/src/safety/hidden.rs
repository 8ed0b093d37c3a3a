//! The `hidden-text` rule: text an agent reads but a person looking at the
//! rendered page does not see.

use super::scan::{snippet, without_inline_code, FileKind, Source};
use super::{Finding, Rule};

const HELP: &str = "An agent reads the raw file, so hidden text reaches it but not the person who chose the skill. Make the text visible, or remove it.";

/// The name of an invisible or direction-changing character.
fn invisible(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{200B}' => "zero width space U+200B",
        '\u{200C}' => "zero width non-joiner U+200C",
        '\u{200D}' => "zero width joiner U+200D",
        '\u{2060}' => "word joiner U+2060",
        '\u{FEFF}' => "zero width no-break space U+FEFF",
        '\u{2061}'..='\u{2064}' => "invisible operator",
        '\u{180E}' => "Mongolian vowel separator U+180E",
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => "bidirectional control character",
        '\u{E0000}'..='\u{E007F}' => "Unicode tag character",
        _ => return None,
    })
}

fn is_emoji(c: char) -> bool {
    let n = c as u32;
    (0x1F000..0xE0000).contains(&n) || (0x2600..=0x27BF).contains(&n) || c == '\u{FE0F}' || c == '\u{20E3}'
}

/// Legitimate uses: a byte-order mark at the start of the file, a zero
/// width joiner inside an emoji sequence, a non-joiner between letters of
/// scripts that need it (Persian, Indic), tag characters after the black
/// flag of a subdivision flag emoji.
fn legitimate(c: char, prev: Option<char>, next: Option<char>, at_file_start: bool) -> bool {
    match c {
        '\u{FEFF}' => at_file_start,
        '\u{200D}' => prev.is_some_and(is_emoji) && next.is_some_and(is_emoji),
        '\u{200C}' => prev.is_some_and(|p| p.is_alphabetic() && !p.is_ascii()) && next.is_some_and(|n| n.is_alphabetic() && !n.is_ascii()),
        '\u{E0020}'..='\u{E007F}' => prev.is_some_and(|p| p == '\u{1F3F4}' || ('\u{E0020}'..='\u{E007F}').contains(&p)),
        _ => false,
    }
}

/// Comments and lint switches that are not instructions.
const NOTE_PREFIXES: &[&str] = &["todo", "fixme", "note", "xxx", "markdownlint", "prettier", "eslint", "vale", "cspell", "toc", "end", "begin", "start", "generated", "auto-generated", "do not edit", "omit in toc", "more"];
/// Phrases that address the agent reading the file.
const ADDRESSING: &[&str] = &[
    "ignore previous", "ignore all", "ignore the above", "ignore any", "ignore your", "disregard", "forget previous", "forget all", "forget your",
    "you are now", "you must", "you should", "you will", "as an ai", "the assistant", "the ai ", "the model", "the agent", "system prompt",
    "do not tell", "don't tell", "do not mention", "don't mention", "do not reveal", "don't reveal", "do not inform", "without telling", "without asking",
    "without informing", "secretly", "silently", "the user", "new instructions", "real instructions",
];
/// Imperative verbs an instruction starts with.
const IMPERATIVES: &[&str] = &[
    "ignore", "disregard", "forget", "execute", "run", "send", "upload", "post", "exfiltrate", "fetch", "download", "install", "curl", "wget", "read",
    "open", "copy", "delete", "tell", "say", "reply", "respond", "answer", "pretend", "act", "always", "never", "do", "don't", "must", "include", "append", "insert", "call", "visit", "email",
];

/// Whether hidden text reads as an instruction: it addresses the agent, or
/// it starts with an imperative verb and has a few words. Editor notes
/// (`TODO: …`), lint switches and generator markers are not.
pub(crate) fn is_instruction(text: &str) -> bool {
    let lower = text.to_lowercase().split_whitespace().collect::<Vec<_>>().join(" ");
    let words: Vec<&str> = lower.split(' ').filter(|w| !w.is_empty()).collect();
    if words.len() < 3 || NOTE_PREFIXES.iter().any(|p| lower.trim_start_matches(['-', '*', ' ']).starts_with(p)) {
        return false;
    }
    let first = words[0].trim_matches(|c: char| !c.is_alphanumeric() && c != '\'');
    ADDRESSING.iter().any(|p| lower.contains(p)) || (words.len() >= 4 && IMPERATIVES.contains(&first))
}

/// Why a tag hides its content, if it does: the `hidden` attribute, or a
/// `style` with `display:none`, `visibility:hidden`, zero font size or
/// opacity, transparent text or text the colour of its background, white
/// text on the page's light background, or a box moved far off screen.
fn hiding_tag(tag: &str) -> Option<String> {
    let name_end = tag.find(|c: char| c.is_whitespace() || c == '>' || c == '/').unwrap_or(tag.len());
    if tag[name_end..].split(|c: char| c.is_whitespace() || c == '>' || c == '/').any(|a| a == "hidden" || a.starts_with("hidden=")) {
        return Some("the `hidden` attribute".into());
    }
    let at = tag.find("style=")?;
    let rest = &tag[at + 6..];
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let style: String = rest[1..].split(quote).next()?.chars().filter(|c| !c.is_whitespace()).collect();
    let props: Vec<(&str, &str)> = style.split(';').filter_map(|p| p.split_once(':')).collect();
    let get = |name: &str| props.iter().rev().find(|(k, _)| *k == name).map(|(_, v)| *v);
    let zero = |v: &str| v.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.').len() < v.len() && v.trim_end_matches(|c: char| c.is_ascii_alphabetic() || c == '%').parse::<f64>().is_ok_and(|n| n == 0.0);
    let far_off = |v: &str| v.trim_end_matches(|c: char| c.is_ascii_alphabetic()).parse::<f64>().is_ok_and(|n| n <= -1000.0);
    let background = get("background-color").or(get("background"));
    let white = ["white", "#fff", "#ffffff", "rgb(255,255,255)"];
    let found = if get("display") == Some("none") {
        "display:none"
    } else if matches!(get("visibility"), Some("hidden" | "collapse")) {
        "visibility:hidden"
    } else if get("font-size").is_some_and(zero) {
        "a zero font size"
    } else if get("opacity").is_some_and(zero) {
        "opacity:0"
    } else if get("color") == Some("transparent") {
        "transparent text"
    } else if get("color").is_some_and(|c| background == Some(c)) {
        "text the colour of its background"
    } else if get("color").is_some_and(|c| white.contains(&c)) && background.is_none_or(|b| white.contains(&b)) {
        "white text on the page's light background"
    } else if (get("height").or(get("max-height")).is_some_and(zero) || get("width").is_some_and(zero)) && get("overflow") == Some("hidden") {
        "a zero-size box"
    } else if get("left").or(get("top")).or(get("text-indent")).is_some_and(far_off) {
        "a box moved off screen"
    } else {
        return None;
    };
    Some(format!("`{found}`"))
}

/// Invisible characters in any text file; in Markdown and HTML (outside
/// code blocks and inline code), HTML comments and `[//]: #` comments that
/// hold instructions, and elements styled invisible.
pub(crate) fn hidden_text(source: &Source, found: &mut Vec<Finding>) {
    for (index, line) in source.lines.iter().enumerate() {
        let chars: Vec<char> = line.text.chars().collect();
        let hit = chars.iter().enumerate().find_map(|(i, &c)| {
            let name = invisible(c)?;
            let prev = i.checked_sub(1).map(|p| chars[p]);
            (!legitimate(c, prev, chars.get(i + 1).copied(), index == 0 && i == 0)).then_some((i, name))
        });
        if let Some((column, name)) = hit {
            let count = chars.iter().filter(|c| invisible(**c).is_some()).count();
            let visible: String = chars.iter().filter(|c| invisible(**c).is_none()).collect();
            found.push(Finding::new(Rule::HiddenText, source.path, line.number, format!("{count} invisible character{} ({name} at column {}) in {}", if count == 1 { "" } else { "s" }, column + 1, snippet(&visible)), HELP));
        }
    }
    // Markup checks read Markdown and text; an HTML file is an app's page,
    // whose scripts show and hide its elements.
    let name = source.path.to_ascii_lowercase();
    if source.kind != FileKind::Markdown || name.ends_with(".html") || name.ends_with(".htm") {
        return;
    }
    let mut comment: Option<(usize, String)> = None;
    for line in source.lines.iter().filter(|l| !l.in_fence) {
        let plain = if comment.is_some() { line.text.to_string() } else { without_inline_code(line.text) };
        let mut rest = plain.as_str();
        loop {
            match &mut comment {
                Some((start, text)) => match rest.find("-->") {
                    Some(end) => {
                        text.push(' ');
                        text.push_str(&rest[..end]);
                        if is_instruction(text) {
                            found.push(Finding::new(Rule::HiddenText, source.path, *start, format!("an HTML comment, invisible on the page, holds instructions: {}", snippet(text)), HELP));
                        }
                        rest = &rest[end + 3..];
                        comment = None;
                    }
                    None => {
                        text.push(' ');
                        text.push_str(rest);
                        break;
                    }
                },
                None => match rest.find("<!--") {
                    Some(open) => {
                        comment = Some((line.number, String::new()));
                        rest = &rest[open + 4..];
                    }
                    None => break,
                },
            }
        }
        let trimmed = line.text.trim_start();
        if let Some(after) = trimmed.strip_prefix("[//]:").or_else(|| trimmed.strip_prefix("[comment]:")).or_else(|| trimmed.strip_prefix("[_]:")) {
            if is_instruction(after.trim_start_matches([' ', '#', '<', '>'])) {
                found.push(Finding::new(Rule::HiddenText, source.path, line.number, format!("a Markdown comment, invisible on the page, holds instructions: {}", snippet(trimmed)), HELP));
            }
        }
        let lower = plain.to_ascii_lowercase();
        // One pass: a tag runs from `<` to the next `>` or `<`.
        let mut cursor = 0;
        while let Some(found_at) = lower[cursor..].find('<') {
            let start = cursor + found_at + 1;
            let end = lower[start..].find(['<', '>']).map_or(lower.len(), |e| start + e);
            cursor = end;
            let tag = &lower[start..end];
            if !tag.starts_with(|c: char| c.is_ascii_alphabetic()) {
                continue;
            }
            if let Some(why) = hiding_tag(tag) {
                found.push(Finding::new(Rule::HiddenText, source.path, line.number, format!("text hidden with {why}: {}", snippet(line.text)), HELP));
                break;
            }
        }
    }
}
