//! `secret-access` (reading credentials) and `data-exfiltration` (sending
//! data out). In code every mention counts; in Markdown only instructions
//! do: a reading command next to the secret in a code block or inline code,
//! or a verb that reads or leaks it in a sentence that is not negated, so
//! prose about dotenv or "never commit your `.env`" is not flagged.

use super::scan::{first_of, first_word, has_word, host, inline_code, is_local_or_example, is_negated, offset_in, snippet, urls, word_positions, Line, Source};
use super::{Finding, Rule};

/// Credential stores, by a lowercase needle, with what a message calls them.
const SECRET_FILES: &[(&str, &str)] = &[
    ("~/.ssh", "SSH keys (~/.ssh)"), (".ssh/", "SSH keys (~/.ssh)"), ("id_rsa", "an SSH private key"), ("id_ed25519", "an SSH private key"), ("id_ecdsa", "an SSH private key"),
    (".aws/credentials", "AWS credentials"), (".netrc", "~/.netrc passwords"), (".git-credentials", "Git credentials"), (".pgpass", "PostgreSQL passwords"),
    (".docker/config.json", "Docker registry credentials"), (".kube/config", "Kubernetes credentials"), (".gnupg", "GnuPG keys"), ("/etc/shadow", "system password hashes"),
    ("login data", "browser passwords"), ("cookies.sqlite", "browser cookies"), ("key4.db", "browser passwords"), ("wallet.dat", "a crypto wallet"), (".npmrc", "npm tokens"), (".pypirc", "PyPI tokens"),
    ("find-generic-password", "the macOS keychain"), ("find-internet-password", "the macOS keychain"), ("dump-keychain", "the macOS keychain"), ("secret-tool lookup", "the desktop keyring"),
    ("keyring.get_password", "the system keyring"), ("get-storedcredential", "Windows credentials"), ("cmdkey /list", "Windows credentials"),
    ("json.dumps(os.environ", "the whole environment"), ("dict(os.environ", "the whole environment"), ("json.stringify(process.env", "the whole environment"),
    ("object.entries(process.env", "the whole environment"), ("gci env:", "the whole environment"), ("get-childitem env:", "the whole environment"),
];
/// Suffixes of environment variables that hold secrets (`OPENAI_API_KEY`).
const SECRET_SUFFIXES: &[&str] = &["_API_KEY", "_APIKEY", "_SECRET", "_SECRET_KEY", "_SECRET_ACCESS_KEY", "_ACCESS_TOKEN", "_AUTH_TOKEN", "_TOKEN", "_PASSWORD", "_PASSWD", "_PRIVATE_KEY", "_CREDENTIALS"];
/// First words of `…_TOKEN` names that are not secrets (model vocabulary, limits).
const NOT_SECRET: &[&str] = &["MAX", "MIN", "NUM", "N", "TOTAL", "COUNT", "END", "START", "EOS", "BOS", "PAD", "UNK", "SEP", "CLS", "MASK", "SPECIAL", "DEFAULT_MAX", "NEXT", "PAGE"];

/// How code reads an environment variable (a name in a comment or a
/// docstring is not a read).
const ENV_READS: &[&str] = &["environ", "getenv", "process.env", "$", "env[", "env.get", "import.meta.env", "deno.env", "env::var", "env("];

/// Commands that read or print a file or variable, in code blocks.
const READ_COMMANDS: &[&str] = &["cat", "less", "more", "head", "tail", "type", "get-content", "gc", "cp", "scp", "copy", "base64", "xxd", "strings", "grep", "echo", "printenv", "print", "open", "read", "tar", "zip", "curl", "wget"];
/// Verbs of a sentence that tells the agent to read or pass on a credential file.
const READ_VERBS: &[&str] = &[
    "read", "reads", "open", "print", "show", "display", "output", "reveal", "copy", "send", "upload", "post", "include", "paste", "cat", "dump", "collect", "extract",
    "exfiltrate", "share", "list", "attach", "echo", "forward", "email", "transmit", "summarise", "summarize", "look",
];
/// Verbs that pass a secret on (reading a key variable to use it is normal).
const LEAK_VERBS: &[&str] = &["print", "show", "display", "output", "reveal", "send", "upload", "post", "include", "paste", "dump", "share", "leak", "echo", "email", "forward", "transmit", "exfiltrate", "log", "copy"];

const SECRET_HELP: &str = "A skill rarely needs credentials beyond the ones its task is about, and an agent following it would read them with the user's rights. Ask the user for what the task needs instead, or say in the description which credential is read and why.";

/// `.env`, `.env.local`, … as a file name (not `process.env` or `.environ`).
fn env_file(lower: &str) -> bool {
    let bytes = lower.as_bytes();
    lower.match_indices(".env").any(|(i, _)| {
        let before = i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_' || bytes[i - 1] == b'.');
        let after = bytes.get(i + 4).is_none_or(|b| !(b.is_ascii_alphanumeric() || *b == b'_'));
        let template = [".example", ".sample", ".template", ".dist", ".defaults", ".tpl"].iter().any(|t| lower[i + 4..].starts_with(t));
        before && after && !template
    })
}

/// A credential store or the `.env` file named in `lower`.
fn secret_file(lower: &str) -> Option<&'static str> {
    SECRET_FILES.iter().find(|(needle, _)| lower.contains(needle)).map(|(_, label)| *label).or_else(|| env_file(lower).then_some("a `.env` file"))
}

/// A secret-holding environment variable named in `text` (original case).
fn secret_variable(text: &str) -> Option<&str> {
    text.split(|c: char| !(c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'))
        .filter(|t| t.len() >= 6 && t.contains('_') && t.starts_with(|c: char| c.is_ascii_uppercase()))
        .find(|t| SECRET_SUFFIXES.iter().any(|s| t.ends_with(s) && t.len() > s.len()) && !NOT_SECRET.iter().any(|n| t.split('_').next() == Some(n) || t.starts_with(&format!("{n}_"))))
}

/// What secret a line reaches for, if it does.
fn secret_in(line: &Line, code: bool) -> Option<String> {
    let file = secret_file(&line.lower);
    let var = secret_variable(line.text);
    if code || line.in_fence {
        let command = code || first_word(&line.lower, READ_COMMANDS).is_some() || line.lower.contains('$');
        return match (file, var) {
            (Some(file), _) if command => Some(file.to_string()),
            (_, Some(var)) if (code && first_of(&line.lower, ENV_READS).is_some()) || (!code && first_word(&line.lower, &["echo", "printenv", "print", "curl", "wget", "cat"]).is_some()) => Some(format!("the secret `{var}`")),
            _ => None,
        };
    }
    if is_negated(&line.lower) {
        return None;
    }
    let spans = inline_code(line.text);
    let in_span_command = spans.iter().any(|s| secret_file(&s.to_ascii_lowercase()).is_some() && first_word(&s.to_ascii_lowercase(), READ_COMMANDS).is_some());
    match (file, var) {
        (Some(file), _) if in_span_command || first_word(&line.lower, READ_VERBS).is_some() => Some(file.to_string()),
        (_, Some(var)) if first_word(&line.lower, LEAK_VERBS).is_some() => Some(format!("the secret `{var}`")),
        _ => None,
    }
}

/// Code that reads credentials, and Markdown that tells the agent to.
pub(crate) fn secret_access(source: &Source, found: &mut Vec<Finding>) {
    for line in source.live_lines() {
        if let Some(what) = secret_in(line, source.is_code()) {
            let verb = if source.is_code() { "reads" } else { "tells the agent to read" };
            found.push(Finding::new(Rule::SecretAccess, source.path, line.number, format!("{verb} {what}: {}", snippet(line.text)), SECRET_HELP));
        }
    }
}

/// Calls and flags that send data to a server.
const SENDS: &[&str] = &[
    "requests.post(", "requests.put(", "requests.patch(", "httpx.post(", "httpx.put(", ".post(", "sendbeacon(", "method: 'post'", "method: \"post\"", "method:'post'",
    "method:\"post\"", "method: 'put'", "method: \"put\"", "-method post", "--post-data", "--post-file", "--data", "--upload-file", "--form", ".sendall(", "smtplib", "storbinary(",
];
/// Services that exist to receive data for someone else.
const COLLECTORS: &[&str] = &[
    "webhook.site", "requestbin", "pipedream.net", "ngrok.io", "ngrok-free.app", "ngrok.app", "hooks.slack.com", "discord.com/api/webhooks", "discordapp.com/api/webhooks",
    "pastebin.com", "transfer.sh", "burpcollaborator", "interact.sh", "oast.fun", "oast.pro", "oast.live", "requestcatcher", "beeceptor",
];
/// Verbs of a sentence that tells the agent to send something out.
const SEND_VERBS: &[&str] = &["send", "upload", "post", "submit", "forward", "transmit", "exfiltrate", "email", "beacon", "report", "sync", "push"];
/// What an instruction would send.
const DATA_WORDS: &[&str] = &[
    "contents", "content", "conversation", "chat", "history", "file", "files", "data", "output", "secrets", "secret", "key", "keys", "token", "tokens", "credentials",
    "environment", "env", "logs", "messages", "prompt", "prompts", "code", "answers", "results", "everything", "information", "summary", "transcript", "documents", "repository", "password", "passwords",
];

const EXFIL_HELP: &str = "Data leaving the user's machine should be the point of the skill and said in its description. Name the service in the description, send only what the task needs, and never credentials.";

/// A local file sent by curl or wget (`-d @file`, `-F f=@file`, `-T`, `--post-file`).
fn uploads_file(line: &Line) -> bool {
    let curl = has_word(&line.lower, "curl");
    (curl && (line.lower.contains(" -d @") || line.lower.contains("--data-binary @") || line.lower.contains("--data @") || line.lower.contains("=@") || line.text.contains(" -T ") || line.lower.contains("--upload-file")))
        || (has_word(&line.lower, "wget") && line.lower.contains("--post-file"))
}

/// Code that uploads local files, talks to data-collection services, or
/// sends data from a file that also reads secrets; Markdown that tells the
/// agent to send data to an outside address.
pub(crate) fn exfiltration(source: &Source, found: &mut Vec<Finding>) {
    let code = source.is_code();
    let secret_line = code.then(|| source.live_lines().find(|l| secret_in(l, true).is_some())).flatten();
    for line in source.live_lines() {
        let collector = first_of(&line.lower, COLLECTORS).filter(|_| code || line.in_fence);
        let message = if let Some(service) = collector {
            Some(format!("sends to {service}, a service for collecting data: {}", snippet(line.text)))
        } else if (code || line.in_fence) && uploads_file(line) {
            Some(format!("uploads a local file: {}", snippet(line.text)))
        } else if let (Some(send), Some(secret)) = (first_of(&line.lower, SENDS).filter(|_| code), secret_line) {
            Some(format!("sends data (`{}`) from a file that also reads secrets (line {}): {}", send.trim_end_matches('('), secret.number, snippet(line.text)))
        } else if !code && !line.in_fence && !is_negated(&line.lower) {
            instructed_send(line).map(|(verb, host)| format!("tells the agent to {verb} data to {host}: {}", snippet(line.text)))
        } else {
            None
        };
        if let Some(message) = message {
            found.push(Finding::new(Rule::DataExfiltration, source.path, line.number, message, EXFIL_HELP));
        }
    }
}

/// "Send the conversation to https://…": a send verb, then something to
/// send, then an outside URL, in one line of Markdown prose (in that order,
/// so a table row with a docs link before "upload" is not an instruction).
fn instructed_send(line: &Line) -> Option<(&'static str, String)> {
    let (verb, at) = SEND_VERBS.iter().filter_map(|v| Some((*v, word_positions(&line.lower, v).next()?))).min_by_key(|(_, at)| *at)?;
    let data = DATA_WORDS.iter().filter_map(|w| word_positions(&line.lower, w).find(|p| *p > at)).min()?;
    let host = urls(line.text).into_iter().filter(|u| offset_in(line.text, u) > data).map(host).find(|h| !is_local_or_example(h))?;
    Some((verb, host))
}
