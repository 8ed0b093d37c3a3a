//! `undeclared-network` and `description-mismatch`: what the scripts do,
//! compared with what the skill says about itself.
//!
//! A skill says it uses the network with `network: true` in its
//! frontmatter, or by a word about it in its description (network,
//! internet, online, web, API, URL, HTTP, download, upload, fetch, remote,
//! server, cloud, webhook). `network: false` is a promise, like "offline" or
//! "read-only" in the description: scripts that break it are a mismatch.

use super::scan::{first_of, first_word, snippet, Lang, Line, Source};
use super::{Finding, Rule};
use crate::Skill;

/// Network access, by language (lowercase needles, whole words where the needle is a word).
const PYTHON_NET: &[&str] = &[
    "import requests", "from requests", "import httpx", "from httpx", "import urllib.request", "from urllib.request", "from urllib import request", "urllib.request.",
    "import urllib3", "import http.client", "from http.client", "socket.socket()", "socket.create_connection(", "af_inet", "socket.getaddrinfo(", "aiohttp", "import websocket", "from websocket", "import ftplib",
    "import smtplib", "paramiko", "pyodide.http", "pyfetch(", "from js import fetch",
];
const JS_NET: &[&str] = &[
    "xmlhttprequest", "new websocket(", "eventsource(", "sendbeacon(", "require('http')", "require(\"http\")", "require('https')", "require(\"https\")",
    "require('net')", "require(\"net\")", "require('dgram')", "from 'node:http", "from \"node:http", "from 'http'", "from 'https'", "from \"https\"", "axios", "node-fetch", "navigator.sendbeacon",
];
const SHELL_NET: &[&str] = &["curl", "wget", "nc", "ncat", "telnet", "ssh", "scp", "sftp", "ftp", "rsync"];
const SHELL_NET_PHRASES: &[&str] = &["git clone", "git fetch", "git pull", "pip install", "pip3 install", "npm install", "npx ", "apt-get install", "brew install"];
const POWERSHELL_NET: &[&str] = &["invoke-webrequest", "invoke-restmethod", "net.webclient", "start-bitstransfer", "system.net.http"];

/// The network call on a line of code, if any.
fn network_call(lang: Lang, line: &Line) -> Option<String> {
    let lower = &line.lower;
    let python = || first_word(lower, PYTHON_NET).map(|n| n.trim_end_matches('.').to_string());
    let js = || {
        first_word(lower, JS_NET).map(str::to_string).or_else(|| {
            // `fetch(`, not `prefetch(` or a method `.fetch(` of some other object.
            lower.match_indices("fetch(").find(|(i, _)| *i == 0 || !lower.as_bytes()[i - 1].is_ascii_alphanumeric() && lower.as_bytes()[i - 1] != b'_' && lower.as_bytes()[i - 1] != b'.').map(|_| "fetch(".to_string())
        })
    };
    let shell = || first_word(lower, SHELL_NET).filter(|w| shell_command(lower, w)).map(str::to_string).or_else(|| first_of(lower, SHELL_NET_PHRASES).map(|p| p.trim().to_string()));
    let powershell = || first_of(lower, POWERSHELL_NET).or_else(|| first_word(lower, &["iwr", "irm"])).map(str::to_string);
    match lang {
        Lang::Python => python(),
        Lang::JavaScript => js(),
        Lang::Shell => shell(),
        Lang::PowerShell => powershell().or_else(shell),
        Lang::Other => python().or_else(js).or_else(shell).or_else(powershell),
    }
}

/// Whether `word` is used as a command on a shell line (at its start, or after `|`, `;`, `&&`, `$(`, `sudo`).
fn shell_command(lower: &str, word: &str) -> bool {
    super::scan::word_positions(lower, word).any(|i| {
        let before = lower[..i].trim_end();
        before.is_empty() || before.ends_with(['|', ';', '&', '(', '`', '{']) || before.ends_with("sudo") || before.ends_with("then") || before.ends_with("do") || before.ends_with('=')
    })
}

/// Writes and deletes of files, by language.
const PYTHON_WRITES: &[&str] = &[".write_text(", ".write_bytes(", "os.remove(", "os.unlink(", ".unlink(", "shutil.rmtree(", "os.rmdir(", "shutil.move(", "os.rename(", "os.replace(", "shutil.copy", "os.makedirs(", "os.mkdir("];
const JS_WRITES: &[&str] = &["writefile", "appendfile", "fs.rm(", "rmsync(", "unlink(", "unlinksync(", "rmdir", "renamesync(", "fs.rename(", "createwritestream(", "mkdirsync(", "copyfile"];
const SHELL_WRITES: &[&str] = &["rm", "mv", "tee", "truncate", "shred", "mkdir", "touch", "cp"];
const POWERSHELL_WRITES: &[&str] = &["remove-item", "set-content", "out-file", "add-content", "new-item", "move-item", "copy-item"];

/// A write or delete of a file on a line of code, if any.
fn file_write(lang: Lang, line: &Line) -> Option<String> {
    let lower = &line.lower;
    let python = || {
        first_of(lower, PYTHON_WRITES).map(str::to_string).or_else(|| {
            let opens = lower.contains("open(");
            let mode = ["'w'", "\"w\"", "'wb'", "\"wb\"", "'a'", "\"a\"", "'ab'", "\"ab\"", "'w+'", "\"w+\"", "'x'", "\"x\"", "mode='w", "mode=\"w", "mode='a", "mode=\"a"];
            (opens && mode.iter().any(|m| lower.contains(m))).then(|| "open(…, 'w')".to_string())
        })
    };
    let js = || first_of(lower, JS_WRITES).map(str::to_string);
    let shell = || {
        first_word(lower, SHELL_WRITES).filter(|w| shell_command(lower, w)).map(str::to_string).or_else(|| {
            (lower.contains("sed -i") || lower.contains("dd ") && lower.contains("of=")).then(|| "in-place edit".to_string()).or_else(|| redirect(lower))
        })
    };
    let powershell = || first_of(lower, POWERSHELL_WRITES).map(str::to_string);
    match lang {
        Lang::Python => python(),
        Lang::JavaScript => js(),
        Lang::Shell => shell(),
        Lang::PowerShell => powershell(),
        Lang::Other => python().or_else(js).or_else(powershell),
    }
}

/// A shell redirect into a file (`> out.txt`, `>> log`), not `2>&1` or `> /dev/null`.
fn redirect(lower: &str) -> Option<String> {
    let bytes = lower.as_bytes();
    (0..bytes.len()).find_map(|i| {
        if bytes[i] != b'>' || (i > 0 && matches!(bytes[i - 1], b'-' | b'=' | b'<' | b'&')) {
            return None;
        }
        let target = lower[i..].trim_start_matches('>').trim_start();
        (!target.is_empty() && !target.starts_with('&') && !target.starts_with("/dev/") && !target.starts_with('=') && !target.starts_with('(')).then(|| format!("> {}", target.split_whitespace().next().unwrap_or("")))
    })
}

/// Words of a description that say the skill uses the network.
const SAYS_NETWORK: &[&str] = &[
    "network", "internet", "online", "web", "website", "websites", "api", "apis", "url", "urls", "http", "https", "download", "downloads", "downloading",
    "upload", "uploads", "fetch", "fetches", "fetching", "remote", "server", "servers", "cloud", "webhook", "webhooks",
    // Online services: a skill that says it works with one says it goes online
    // (openai/skills' skill-installer: "from … a GitHub repo path").
    "github", "gitlab", "bitbucket", "slack", "notion", "linear", "jira", "confluence", "figma", "sentry", "vercel", "netlify",
    "aws", "s3", "gcp", "azure", "stripe", "twilio", "openai", "anthropic", "gemini",
];
/// Phrases of a description that promise no network.
const SAYS_OFFLINE: &[&str] = &[
    "offline", "no network", "without network", "no internet", "without internet", "never connects", "no external", "without any network",
    "does not use the network", "doesn't use the network", "does not access the network", "no data leaves", "nothing leaves", "never leaves",
];
/// Phrases of a description that promise no writes.
const SAYS_READ_ONLY: &[&str] = &[
    "read-only", "read only", "readonly", "does not modify", "doesn't modify", "never modifies", "without modifying", "non-destructive", "nondestructive",
    "does not write", "doesn't write", "never writes", "does not delete", "never deletes", "no side effects", "no side-effects",
];

const NETWORK_HELP: &str = "A reader deciding whether to run the skill should know it goes online. Say so in the description, or add `network: true` to the frontmatter.";
const MISMATCH_HELP: &str = "The description is what readers and agents trust. Make the scripts keep its promise, or correct the description.";

/// Both rules for the whole skill, one finding per script and rule.
pub(crate) fn network_rules(skill: &Skill, sources: &[Source]) -> Vec<Finding> {
    let description = skill.description.to_lowercase();
    let declared = skill.network.unwrap_or_else(|| first_word(&description, SAYS_NETWORK).is_some());
    let offline = if skill.network == Some(false) { Some("network: false") } else { first_of(&description, SAYS_OFFLINE) };
    let read_only = first_of(&description, SAYS_READ_ONLY);
    let mut found = Vec::new();
    for source in sources {
        let Some(lang) = source.lang() else { continue };
        if let Some((line, call)) = source.live_lines().find_map(|l| Some((l, network_call(lang, l)?))) {
            if let Some(promise) = offline {
                let said = if promise.starts_with("network:") { "the frontmatter says `network: false`".to_string() } else { format!("the description says \"{promise}\"") };
                found.push(Finding::new(Rule::DescriptionMismatch, source.path, line.number, format!("{said}, but this script reaches the network (`{call}`): {}", snippet(line.text)), MISMATCH_HELP));
            } else if !declared {
                found.push(Finding::new(Rule::UndeclaredNetwork, source.path, line.number, format!("this script reaches the network (`{call}`), but the skill does not say so: {}", snippet(line.text)), NETWORK_HELP));
            }
        }
        if let Some(promise) = read_only {
            if let Some((line, write)) = source.live_lines().find_map(|l| Some((l, file_write(lang, l)?))) {
                found.push(Finding::new(Rule::DescriptionMismatch, source.path, line.number, format!("the description says \"{promise}\", but this script writes or deletes files (`{write}`): {}", snippet(line.text)), MISMATCH_HELP));
            }
        }
    }
    found
}
