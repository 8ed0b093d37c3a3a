//! Every text colour the theme sets, on every background it is drawn on,
//! in light and dark mode, meets WCAG 2.x AA for normal text (4.5:1).
//!
//! Kind guarded (issue 11, item 5): a colour pair chosen for one mode and
//! left unreadable in the other (white on #8b93ff, 2.72:1, in dark mode).
//! The stylesheet is read as the browser would cascade it for our simple
//! rules: a rule inside `@media (prefers-color-scheme: dark)` overrides the
//! same selector's declarations in dark mode, and `var(--x)` resolves to
//! the mode's custom property.

use std::collections::BTreeMap;

const AA_NORMAL_TEXT: f64 = 4.5;

#[derive(Debug, Clone)]
struct Rule {
    selector: String,
    dark_only: bool,
    declarations: BTreeMap<String, String>,
}

/// Rules of the stylesheet, flattening `@media` blocks (width queries apply
/// in both modes; the dark-scheme query marks its rules as dark-only).
fn rules(css: &str) -> Vec<Rule> {
    let css = strip_comments(css);
    let mut rules = Vec::new();
    let mut rest = css.as_str();
    let mut media_stack: Vec<bool> = Vec::new();
    while let Some(open) = rest.find(['{', '}']) {
        let (head, brace) = (rest[..open].trim(), &rest[open..open + 1]);
        rest = &rest[open + 1..];
        if brace == "}" {
            media_stack.pop();
            continue;
        }
        if head.starts_with("@media") {
            media_stack.push(head.contains("prefers-color-scheme: dark"));
            continue;
        }
        let close = rest.find('}').expect("every rule closes");
        let body = &rest[..close];
        rest = &rest[close + 1..];
        let declarations = body
            .split(';')
            .filter_map(|d| d.split_once(':'))
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            .collect();
        rules.push(Rule { selector: head.to_string(), dark_only: media_stack.iter().any(|d| *d), declarations });
    }
    rules
}

fn strip_comments(css: &str) -> String {
    let mut out = String::new();
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        rest = rest[start..].find("*/").map_or("", |end| &rest[start + end + 2..]);
    }
    out.push_str(rest);
    out
}

fn hex(color: &str) -> Option<[f64; 3]> {
    let digits = color.trim().strip_prefix('#')?;
    let digits: String = if digits.len() == 3 { digits.chars().flat_map(|c| [c, c]).collect() } else { digits.to_string() };
    if digits.len() != 6 {
        return None;
    }
    let channel = |i: usize| u8::from_str_radix(&digits[i..i + 2], 16).ok().map(|v| v as f64 / 255.0);
    Some([channel(0)?, channel(2)?, channel(4)?])
}

/// WCAG 2.x relative luminance and contrast ratio.
fn contrast(a: [f64; 3], b: [f64; 3]) -> f64 {
    let luminance = |c: [f64; 3]| {
        let lin = |v: f64| if v <= 0.03928 { v / 12.92 } else { ((v + 0.055) / 1.055).powf(2.4) };
        0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2])
    };
    let (x, y) = (luminance(a), luminance(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

struct Mode {
    name: &'static str,
    variables: BTreeMap<String, String>,
}

impl Mode {
    fn resolve(&self, value: &str) -> Option<[f64; 3]> {
        let value = value.split_whitespace().next()?;
        match value.strip_prefix("var(").and_then(|v| v.strip_suffix(')')) {
            Some(name) => self.resolve(self.variables.get(name.trim())?),
            None => hex(value),
        }
    }
}

fn modes(rules: &[Rule]) -> Vec<Mode> {
    let variables = |dark: bool| {
        let mut vars = BTreeMap::new();
        for rule in rules.iter().filter(|r| r.selector == ":root" && (!r.dark_only || dark)) {
            vars.extend(rule.declarations.iter().filter(|(k, _)| k.starts_with("--")).map(|(k, v)| (k.clone(), v.clone())));
        }
        vars
    };
    vec![Mode { name: "light", variables: variables(false) }, Mode { name: "dark", variables: variables(true) }]
}

#[test]
fn every_text_colour_meets_wcag_aa_in_both_modes() {
    let css = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/theme/static/style.css")).unwrap();
    let rules = rules(&css);
    assert!(rules.len() > 50, "the stylesheet was read: {} rules", rules.len());
    let mut failures = Vec::new();
    let mut checked = 0;
    for mode in modes(&rules) {
        let page_backgrounds = ["--bg", "--surface", "--code-bg"].map(|v| (v, mode.resolve(&format!("var({v})")).unwrap()));
        // Each selector's declarations as the mode cascades them.
        let mut cascaded: BTreeMap<&str, BTreeMap<String, String>> = BTreeMap::new();
        for rule in rules.iter().filter(|r| r.selector != ":root" && (!r.dark_only || mode.name == "dark")) {
            cascaded.entry(&rule.selector).or_default().extend(rule.declarations.clone());
        }
        for (selector, declarations) in &cascaded {
            let background = declarations.get("background").or(declarations.get("background-color")).and_then(|b| mode.resolve(b));
            let foreground = match declarations.get("color") {
                Some(color) => mode.resolve(color),
                // A rule that sets only a background shows the inherited text on it.
                None if background.is_some() => mode.resolve("var(--text)"),
                None => None,
            };
            let Some(foreground) = foreground else { continue };
            let backgrounds: Vec<(&str, [f64; 3])> = match background {
                Some(background) => vec![("its background", background)],
                None => page_backgrounds.to_vec(),
            };
            for (label, background) in backgrounds {
                // Code colours are drawn on the code background only.
                if selector.starts_with("pre ") && label != "--code-bg" && label != "its background" {
                    continue;
                }
                let ratio = contrast(foreground, background);
                checked += 1;
                if ratio < AA_NORMAL_TEXT {
                    failures.push(format!("{}: `{selector}` text on {label}: {ratio:.2}:1", mode.name));
                }
            }
        }
        // The pairs the variables are meant for.
        for (text, background) in [("--text", "--bg"), ("--muted", "--bg"), ("--muted", "--surface"), ("--accent", "--bg"), ("--accent", "--surface"), ("--accent", "--accent-soft"), ("--text", "--accent-soft"), ("--on-accent", "--accent"), ("--run", "--run-soft"), ("--danger", "--surface"), ("--warn", "--surface")] {
            let ratio = contrast(mode.resolve(&format!("var({text})")).unwrap(), mode.resolve(&format!("var({background})")).unwrap());
            checked += 1;
            if ratio < AA_NORMAL_TEXT {
                failures.push(format!("{}: {text} on {background}: {ratio:.2}:1", mode.name));
            }
        }
    }
    println!("{checked} colour pairs checked");
    assert!(failures.is_empty(), "below WCAG AA (4.5:1):\n{}", failures.join("\n"));
}

#[test]
fn the_contrast_formula_matches_wcag_examples() {
    assert!((contrast([0.0; 3], [1.0; 3]) - 21.0).abs() < 1e-9);
    assert!((contrast(hex("#ffffff").unwrap(), hex("#8b93ff").unwrap()) - 2.72).abs() < 0.01, "the pair the issue measured");
}
