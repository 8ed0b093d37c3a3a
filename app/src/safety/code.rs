//! Rules on what runs: `pipe-to-shell`, `encoded-exec` and `obfuscated-script`.

use super::scan::{entropy, first_of, first_word, has_word, snippet, word_positions, Line, Source, MAX_LINE_BYTES};
use super::{Finding, Rule};

/// Commands and calls that download: the left side of `… | sh`.
const DOWNLOADERS: &[&str] = &["curl", "wget", "iwr", "irm", "invoke-webrequest", "invoke-restmethod", "downloadstring", "net.webclient"];
/// Shells: anything piped into them runs.
const SHELLS: &[&str] = &["sh", "bash", "zsh", "dash", "ksh", "fish", "ash", "csh", "tcsh", "pwsh", "powershell", "iex", "invoke-expression", "source"];
/// Interpreters that run their standard input when given no script, `-` or plain flags.
const INTERPRETERS: &[&str] = &["python", "python2", "python3", "perl", "ruby", "node", "php", "deno"];
/// Interpreter flags that take the program from the command line, so the
/// piped download is data (`curl … | python3 -c 'import json…'`).
const DATA_FLAGS: &[&str] = &["-c", "-e", "-m", "-p", "-n", "-pe", "-ne", "-le", "-lne", "-r", "-E"];

const PIPE_HELP: &str = "The download runs as it arrives, unchecked, and the server can send different code to different readers. Download it to a file, check it (a pinned version, a checksum or a signature), then run it; or point readers at their package manager.";

/// Lines joined with their `\` (shell) or `` ` `` (PowerShell) continuations, with the number of the first.
/// A logical line stops growing at `MAX_LINE_BYTES` twice over.
fn logical_lines(source: &Source) -> Vec<(usize, String, String)> {
    let mut out: Vec<(usize, String, String)> = Vec::new();
    let mut open = false;
    for line in source.live_lines() {
        let trimmed = line.text.trim_end();
        let continues = (trimmed.ends_with('\\') || trimmed.ends_with(" `")) && out.last().is_none_or(|l| !open || l.1.len() < 2 * MAX_LINE_BYTES);
        let text = trimmed.trim_end_matches(['\\', '`']).to_string();
        match (open, out.last_mut()) {
            (true, Some(last)) => {
                last.1.push(' ');
                last.1.push_str(&text);
                last.2.push(' ');
                last.2.push_str(&text.to_ascii_lowercase());
            }
            _ => out.push((line.number, text.clone(), text.to_ascii_lowercase())),
        }
        open = continues;
    }
    out
}

/// Splits at single `|` (not `||`).
fn pipe_segments(lower: &str) -> Vec<&str> {
    let bytes = lower.as_bytes();
    let mut segments = Vec::new();
    let mut start = 0;
    for i in 0..bytes.len() {
        if bytes[i] == b'|' && (i == 0 || bytes[i - 1] != b'|') && bytes.get(i + 1) != Some(&b'|') {
            segments.push(&lower[start..i]);
            start = i + 1;
        }
    }
    segments.push(&lower[start..]);
    segments
}

/// The command a pipeline segment runs and its first argument, past `sudo`, `env`, `VAR=x`.
fn command_of(segment: &str) -> Option<(String, Option<&str>)> {
    let mut tokens = segment.split_whitespace().map(|t| t.trim_start_matches(['(', '"', '\'', '{', '&', '$', '`']).trim_end_matches([')', '"', '\'', ';', '}', '`']));
    loop {
        let token = tokens.next()?;
        if token.is_empty() || matches!(token, "sudo" | "env" | "command" | "exec" | "time" | "nohup" | "doas") || token.contains('=') || token.starts_with('-') {
            continue;
        }
        let name = token.rsplit(['/', '\\']).next().unwrap_or(token).trim_end_matches(".exe");
        return Some((name.to_string(), tokens.next()));
    }
}

/// Whether a segment runs its standard input as code.
fn runs_stdin(segment: &str) -> bool {
    let Some((name, arg)) = command_of(segment) else { return false };
    if SHELLS.contains(&name.as_str()) {
        return arg != Some("-c");
    }
    INTERPRETERS.contains(&name.as_str()) && arg.is_none_or(|a| a == "-" || (a.starts_with('-') && !DATA_FLAGS.contains(&a)))
}

/// A downloader that is run as a command (with arguments), not named in a table.
fn downloads(segment: &str) -> bool {
    DOWNLOADERS.iter().any(|d| word_positions(segment, d).any(|i| segment[i + d.len()..].trim_start().len() > 1))
}

/// `curl … | sh`, `wget -qO- … | bash`, `bash <(curl …)`, `sh -c "$(curl …)"`,
/// `iwr … | iex`, `Invoke-Expression (Invoke-WebRequest …)`.
pub(crate) fn pipe_to_shell(source: &Source, found: &mut Vec<Finding>) {
    for (number, text, lower) in logical_lines(source) {
        let segments = pipe_segments(&lower);
        let mut downloaded = false;
        let piped = segments.iter().any(|segment| {
            let runs = downloaded && runs_stdin(segment);
            downloaded = downloaded || downloads(segment);
            runs
        });
        // The first shell word of the line: a substitution after it feeds the shell.
        let runner = ["sh", "bash", "zsh", "dash", "eval", "source", "python", "python3", "perl", "node", "iex"].iter().filter_map(|w| word_positions(&lower, w).next()).min();
        let substituted = ["$(", "<(", "`"].iter().any(|open| {
            lower.match_indices(open).any(|(i, _)| {
                let after = lower[i + open.len()..].trim_start();
                let before = lower[..i].trim_end();
                DOWNLOADERS.iter().any(|d| after.starts_with(d) && after[d.len()..].starts_with(' '))
                    && (runner.is_some_and(|r| r < i) || before.ends_with(" .") || before == ".")
            })
        });
        let powershell = (has_word(&lower, "iex") || lower.contains("invoke-expression")) && DOWNLOADERS[2..].iter().any(|d| lower.contains(d));
        if piped || substituted || powershell {
            found.push(Finding::new(Rule::PipeToShell, source.path, number, format!("a download is run by a shell as it arrives: {}", snippet(&text)), PIPE_HELP));
        }
    }
}

/// Calls and commands that decode base64, hex or character codes.
const DECODERS: &[&str] = &[
    "b64decode", "base64.decodebytes", "base64.decodestring", "a2b_base64", "base64 -d", "base64 --decode", "atob(", "frombase64string",
    "bytes.fromhex", "unhexlify", "a2b_hex", "xxd -r", "'base64')", "\"base64\")", "'hex')", "\"hex\")", "codecs.decode(", "fromcharcode(", "unescape(", "zlib.decompress(",
];

const ENCODED_HELP: &str = "Code that arrives encoded cannot be read by a reviewer, and hiding it is rarely innocent. Ship the code as readable source in the skill folder instead.";

/// The sink of a line that executes text: `eval`, `exec`, `Function`, a shell, …
fn sink(line: &Line) -> Option<&'static str> {
    let lower = &line.lower;
    let not_method = |word: &'static str| word_positions(lower, word).any(|i| i == 0 || lower.as_bytes()[i - 1] != b'.').then_some(word);
    not_method("eval")
        .or_else(|| not_method("exec"))
        .or_else(|| not_method("execfile"))
        .or_else(|| word_positions(line.text, "Function").any(|i| line.text[i + 8..].trim_start().starts_with('(')).then_some("Function"))
        .or_else(|| first_word(lower, &["iex", "invoke-expression"]))
        .or_else(|| first_of(lower, &["os.system(", "os.popen(", "subprocess.", "execsync(", "child_process", "spawnsync(", "vm.runin"]))
        .or_else(|| pipe_segments(lower).iter().skip(1).any(|s| runs_stdin(s)).then_some("a shell"))
}

/// Decoded data handed to something that runs it, on one line
/// (`exec(base64.b64decode(…))`, `echo … | base64 -d | sh`) or through a
/// variable assigned from a decoder and executed later in the file.
/// Decoding data that is then parsed or saved is not flagged.
pub(crate) fn encoded_exec(source: &Source, found: &mut Vec<Finding>) {
    let mut decoded: Vec<String> = Vec::new();
    for line in source.live_lines() {
        let lower = &line.lower;
        if (has_word(lower, "powershell") || has_word(lower, "pwsh")) && (lower.contains(" -enc ") || lower.contains(" -encodedcommand ") || lower.contains(" -ec ")) {
            found.push(Finding::new(Rule::EncodedExec, source.path, line.number, format!("PowerShell runs an encoded command: {}", snippet(line.text)), ENCODED_HELP));
            continue;
        }
        let decoder = first_of(lower, DECODERS);
        let sink = sink(line);
        match (decoder, sink) {
            (Some(decoder), Some(sink)) => {
                found.push(Finding::new(Rule::EncodedExec, source.path, line.number, format!("`{}` output is executed by `{sink}`: {}", decoder.trim_end_matches(['(', ')', '\'', '"']), snippet(line.text)), ENCODED_HELP));
            }
            (Some(_), None) if decoded.len() < 32 => decoded.extend(assigned_name(line.text)),
            (Some(_), None) => {}
            (None, Some(sink)) => {
                if let Some(name) = decoded.iter().find(|name| has_word(lower, name) && !lower.trim_start().starts_with(name.as_str())) {
                    found.push(Finding::new(Rule::EncodedExec, source.path, line.number, format!("`{name}`, decoded earlier in the file, is executed by `{sink}`: {}", snippet(line.text)), ENCODED_HELP));
                }
            }
            (None, None) => {}
        }
    }
}

/// The variable a line assigns to (`payload = …`, `const p = …`, `P=$(…)`, `$p = …`).
fn assigned_name(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let at = (0..bytes.len()).find(|&i| bytes[i] == b'=' && !matches!(bytes.get(i + 1), Some(b'=' | b'>')) && (i == 0 || !b"=!<>+-*/".contains(&bytes[i - 1])))?;
    let lhs = text[..at].trim().trim_start_matches('$');
    let name = lhs.rsplit([' ', '\t', '$']).next()?.trim_start_matches('$');
    (!name.is_empty() && name.len() >= 2 && name.chars().all(|c| c.is_alphanumeric() || c == '_') && !name.chars().next().is_some_and(|c| c.is_ascii_digit())).then(|| name.to_ascii_lowercase())
}

const OBFUSCATED_HELP: &str = "A reader cannot review what runs. Ship the readable source (keep build output and minified bundles out of the skill), and load large data from a separate data file.";

/// Why a line of code is unreadable, if it is: over 5000 characters, or
/// over 400 with almost no spaces and code punctuation (`(){};,=`) in at
/// least one character of 20 (minified), a long high-entropy token (an encoded blob), or
/// dozens of `\x..`/`\u....` escapes.
fn unreadable(text: &str) -> Option<String> {
    let chars = text.chars().count();
    let spaces = text.chars().filter(|c| c.is_whitespace()).count();
    let punctuation = text.chars().filter(|c| "(){};,=".contains(*c)).count();
    if chars > 5000 || (chars > 400 && spaces * 100 < chars * 8 && punctuation * 100 >= chars * 5) {
        return Some(format!("a line of {chars} characters with {}% spaces (minified or packed code)", spaces * 100 / chars.max(1)));
    }
    let blob = text
        .split(|c: char| !(c.is_ascii_alphanumeric() || "+/=_-".contains(c)))
        .filter(|t| t.len() >= 256)
        .map(|t| (t.len(), entropy(t), t.bytes().all(|b| b.is_ascii_hexdigit())))
        .find(|(_, bits, hex)| *bits >= 4.5 || *hex);
    if let Some((len, bits, _)) = blob {
        return Some(format!("an encoded blob of {len} characters ({bits:.1} bits of entropy per character)"));
    }
    let escapes = text.matches("\\x").count() + text.matches("\\u").count();
    (escapes >= 24).then(|| format!("{escapes} escaped characters (`\\x..`, `\\u....`) in one line"))
}

/// Minified or obfuscated code files (Markdown is not checked: long table
/// rows and paragraphs are normal there). One finding per file, at its
/// first unreadable line, counting the others.
pub(crate) fn obfuscated(source: &Source, found: &mut Vec<Finding>) {
    if !source.is_code() {
        return;
    }
    let mut hits = source.lines.iter().filter_map(|l| Some((l.number, unreadable(l.full)?)));
    if let Some((number, why)) = hits.next() {
        let more = hits.count();
        let others = if more == 0 { String::new() } else { format!(", and {more} more such line{}", if more == 1 { "" } else { "s" }) };
        found.push(Finding::new(Rule::ObfuscatedScript, source.path, number, format!("{why}{others}"), OBFUSCATED_HELP));
    }
}
