//! The core's sync rounds (`llmos_core::sync::Round`, the step machine the
//! browser drives with `fetch`) driven natively against the stand-in by
//! two simulated devices, each with its own store and queue: what one
//! pushes the other pulls, conflicts keep both versions, a round cut at
//! any point loses nothing, and the repository publishes with `llmos build`.

use super::common::github::{now, Failure as Cut, GitHubStandIn, BRANCH, OWNER, REPO, TOKEN};
use super::common::llmos;
use llmos_core::sync::github::Remote;
use llmos_core::sync::queue::Wait;
use llmos_core::sync::*;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// Sends one call as the browser would, and reads GitHub's answer.
fn execute(standin: &GitHubStandIn, call: &llmos_core::sync::github::Call) -> Answer {
    let path = call.url.strip_prefix(&standin.base_url()).expect("calls go to the configured API only");
    let mut answer = Answer { now: now() as f64 * 1000.0, ..Answer::default() };
    let Ok(stream) = TcpStream::connect(("127.0.0.1", standin.port())) else { return answer };
    stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let body = call.body.clone().unwrap_or_default();
    let mut request = format!("{} {path} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: {}\r\nconnection: close\r\n", call.method, body.len());
    for (name, value) in Remote::headers(TOKEN) {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(&body);
    let mut reader = BufReader::new(stream);
    if reader.get_mut().write_all(request.as_bytes()).is_err() {
        return answer;
    }
    let mut status_line = String::new();
    if reader.read_line(&mut status_line).unwrap_or(0) == 0 {
        return answer;
    }
    let mut length = 0;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        let Some((name, value)) = line.trim_end().split_once(':') else { break };
        let value = value.trim();
        match name.to_ascii_lowercase().as_str() {
            "content-length" => length = value.parse().unwrap(),
            "x-ratelimit-remaining" => answer.ratelimit_remaining = value.parse().ok(),
            "x-ratelimit-reset" => answer.ratelimit_reset = value.parse().ok(),
            "retry-after" => answer.retry_after = value.parse().ok(),
            _ => {}
        }
    }
    let mut data = vec![0; length];
    if reader.read_exact(&mut data).is_err() {
        return answer;
    }
    answer.status = status_line.split_whitespace().nth(1).and_then(|s| s.parse().ok());
    answer.body = String::from_utf8(data).unwrap();
    answer
}

/// One browser profile: its store and its queue (as persisted).
#[derive(Default)]
struct Device {
    store: BTreeMap<Entity, Files>,
    queue: Queue,
}

impl Device {
    fn write(&mut self, entity: Entity, files: &[(&str, &str)]) {
        let files = files.iter().map(|(file, text)| (entity.file_path(file), text.as_bytes().to_vec())).collect();
        self.store.insert(entity.clone(), files);
        self.queue.enqueue(entity, clock());
    }

    fn text(&self, entity: &Entity, file: &str) -> Option<String> {
        self.store.get(entity)?.get(&entity.file_path(file)).map(|d| String::from_utf8(d.clone()).unwrap())
    }

    /// One round; on failure the queue records it, as the browser does.
    fn sync(&mut self, standin: &GitHubStandIn) -> Result<Outcome, Failure> {
        self.sync_with(standin, |_, _| {})
    }

    /// A round with `between(step, standin)` run before each call.
    fn sync_with(&mut self, standin: &GitHubStandIn, between: impl Fn(usize, &GitHubStandIn)) -> Result<Outcome, Failure> {
        self.queue.reconfigured();
        let batch = self.queue.begin(clock()).expect("a round is due");
        let dirty = batch.iter().map(|p| (p.entity.clone(), self.store.get(&p.entity).cloned().unwrap_or_default())).collect();
        let remote = Remote::parse(&format!("{OWNER}/{REPO}"), &standin.base_url(), BRANCH).unwrap();
        let mut round = Round::new(remote, self.queue.base.clone(), dirty, self.store.keys().cloned().collect());
        let mut step = 0;
        let mut call = round.start();
        loop {
            match call {
                Ok(Some(next)) => {
                    between(step, standin);
                    step += 1;
                    call = round.answer(&execute(standin, &next));
                }
                Ok(None) => break,
                Err(failure) => {
                    self.queue.failed(failure.clone(), clock(), 0.0);
                    return Err(failure);
                }
            }
        }
        let outcome = round.outcome().clone();
        for (entity, files) in &outcome.write {
            if files.is_empty() {
                self.store.remove(entity);
            } else {
                self.store.insert(entity.clone(), files.clone());
            }
        }
        self.queue.succeeded(&batch, outcome.commit.clone(), outcome.base.clone(), clock());
        Ok(outcome)
    }

    /// What a reload does: the queue read back from storage, a round that
    /// was running when the page died taken over.
    fn reload(&mut self) {
        self.queue = serde_json::from_str(&serde_json::to_string(&self.queue).unwrap()).unwrap();
        self.queue.recover();
    }
}

fn clock() -> f64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as f64
}

const TEA: &str = "---\nname: tea-timer\ndescription: Times a pot of tea.\n---\n\n# Tea timer\n\nSteep for three minutes.\n";

fn tea() -> Entity {
    Entity::Skill("tea-timer".into())
}

#[test]
fn what_one_device_writes_the_other_reads() {
    let standin = GitHubStandIn::start();
    let (mut laptop, mut phone) = (Device::default(), Device::default());
    laptop.write(tea(), &[("SKILL.md", TEA), ("scripts/main.py", "print('brew')\n")]);
    let chat = Entity::Chat("18c2f-0a1b2c3d".into());
    laptop.write(chat.clone(), &[("", r#"{"conversation":{"id":"18c2f-0a1b2c3d","title":"Tea"},"messages":[{"id":"m1","conversation":"18c2f-0a1b2c3d","text":"How long?"}]}"#)]);
    let trace = Entity::Trace("18c2f-0a1b2c3d".into());
    laptop.write(trace.clone(), &[("", r#"{"id":"18c2f-0a1b2c3d","goal":"How long?"}"#)]);
    assert_eq!(laptop.queue.status().label(), "Pending (3)");
    let pushed = laptop.sync(&standin).unwrap();
    assert_eq!(pushed.pushed.len(), 3);
    assert_eq!(laptop.queue.status(), Status::Synced);
    assert_eq!(standin.git(&["log", "-1", "--format=%s", "main"]), "LLMos sync: 1 skill, 1 chat, 1 trace\n");
    assert_eq!(
        standin.git(&["ls-tree", "-r", "--name-only", "main"]),
        "README.md\nchats/18c2f-0a1b2c3d.json\nskills/tea-timer/SKILL.md\nskills/tea-timer/scripts/main.py\ntraces/18c2f-0a1b2c3d.json\n"
    );

    let pulled = phone.sync(&standin).unwrap();
    assert!(pulled.pushed.is_empty());
    assert_eq!(phone.store, laptop.store, "byte for byte");
    assert_eq!(phone.queue.base, laptop.queue.base);

    // A delete travels too, and a round with nothing to do makes no commit.
    let head = standin.head();
    phone.store.remove(&trace);
    phone.queue.enqueue(trace.clone(), clock());
    phone.sync(&standin).unwrap();
    laptop.sync(&standin).unwrap();
    assert!(!laptop.store.contains_key(&trace));
    assert_ne!(standin.head(), head);
    let head = standin.head();
    laptop.sync(&standin).unwrap();
    assert_eq!(standin.head(), head);
}

#[test]
fn edits_on_both_sides_while_one_is_offline_keep_both_versions() {
    let standin = GitHubStandIn::start();
    let (mut laptop, mut phone) = (Device::default(), Device::default());
    laptop.write(tea(), &[("SKILL.md", TEA)]);
    laptop.sync(&standin).unwrap();
    phone.sync(&standin).unwrap();

    phone.write(tea(), &[("SKILL.md", &TEA.replace("three", "four"))]);
    phone.sync(&standin).unwrap();
    standin.set_unreachable(true);
    laptop.write(tea(), &[("SKILL.md", &TEA.replace("three", "five"))]);
    assert_eq!(laptop.sync(&standin), Err(Failure::Offline));
    assert_eq!(laptop.queue.status().label(), "Offline (1 pending)");
    assert!(matches!(laptop.queue.state, State::Waiting { reason: Wait::Offline, .. }));
    standin.set_unreachable(false);

    let outcome = laptop.sync(&standin).unwrap();
    let kept = Entity::Skill("tea-timer-conflict-1".into());
    assert_eq!(outcome.conflicts, vec![Conflict { entity: tea(), kept_as: kept.clone() }]);
    assert!(laptop.text(&tea(), "SKILL.md").unwrap().contains("four"), "the remote wins the name");
    let mine = laptop.text(&kept, "SKILL.md").unwrap();
    assert!(mine.contains("five") && mine.starts_with("---\nname: tea-timer-conflict-1\n"), "{mine}");
    assert_eq!(laptop.queue.status(), Status::Synced);
    assert_eq!(standin.git(&["show", "main:skills/tea-timer-conflict-1/SKILL.md"]), mine);

    phone.sync(&standin).unwrap();
    assert_eq!(phone.store, laptop.store, "both versions on both devices");
}

#[test]
fn a_round_cut_anywhere_loses_nothing() {
    let standin = GitHubStandIn::start();
    let mut laptop = Device::default();
    // Cut before the ref moves, then after it moved but before the answer.
    for (i, failure) in [Cut::Drop, Cut::DropAfterApply].into_iter().enumerate() {
        let skill = Entity::Skill(format!("cut-{i}"));
        laptop.write(skill.clone(), &[("SKILL.md", &TEA.replace("tea-timer", &format!("cut-{i}")))]);
        standin.fail_next("PATCH", "/git/refs/", failure.clone());
        assert_eq!(laptop.sync(&standin), Err(Failure::Offline));
        assert_eq!(laptop.queue.pending.len(), 1, "still pending after {failure:?}");
        laptop.reload();
        laptop.sync(&standin).unwrap();
        assert_eq!(laptop.queue.status(), Status::Synced);
        assert!(standin.git(&["ls-tree", "-r", "--name-only", "main"]).contains(&format!("skills/cut-{i}/SKILL.md")));
    }
    // The page dies mid-round (the queue saved as running): the next page takes over.
    laptop.write(tea(), &[("SKILL.md", TEA)]);
    laptop.queue.begin(clock()).unwrap();
    laptop.reload();
    laptop.sync(&standin).unwrap();
    assert_eq!(standin.git(&["show", "main:skills/tea-timer/SKILL.md"]), TEA);
    assert_eq!(standin.git(&["rev-list", "--count", "main"]), "4\n", "one commit per batch, none twice");
}

#[test]
fn a_branch_moved_mid_round_is_refused_then_merged() {
    let standin = GitHubStandIn::start();
    let mut laptop = Device::default();
    laptop.write(tea(), &[("SKILL.md", TEA)]);
    // Another device pushes after this round read the branch.
    let moved = laptop.sync_with(&standin, |step, standin| {
        if step == 3 {
            standin.commit_files("from the phone", &[("skills/other/SKILL.md", Some(b"---\nname: other\ndescription: o\n---\n"))]);
        }
    });
    assert_eq!(moved, Err(Failure::Stale));
    assert_eq!(laptop.queue.state, State::Idle, "retried at once");
    laptop.sync(&standin).unwrap();
    assert!(laptop.store.contains_key(&Entity::Skill("other".into())));
    assert_eq!(standin.git(&["ls-tree", "-r", "--name-only", "main"]), "README.md\nskills/other/SKILL.md\nskills/tea-timer/SKILL.md\n");
}

#[test]
fn refusals_and_rate_limits_reach_the_status() {
    let standin = GitHubStandIn::start();
    let mut laptop = Device::default();
    laptop.write(tea(), &[("SKILL.md", TEA)]);
    standin.fail_next("GET", "/git/ref/", Cut::RateLimited { reset_in: 120 });
    assert!(matches!(laptop.sync(&standin), Err(Failure::RateLimited { .. })));
    match laptop.queue.status() {
        Status::Pending { count: 1, retry_at: Some(at) } => assert!(at >= clock() + 100_000.0, "waits for the reset"),
        other => panic!("{other:?}"),
    }
    standin.set_token("github_pat_rotated");
    let refused = laptop.sync(&standin);
    assert!(matches!(&refused, Err(Failure::Fatal(reason)) if reason.contains("401")), "{refused:?}");
    assert!(laptop.queue.status().label().starts_with("Sync error: GitHub refused the token"));
    assert_eq!(laptop.queue.pending.len(), 1, "nothing dropped");
}

#[test]
fn the_synced_repository_is_a_skills_collection_llmos_builds() {
    let standin = GitHubStandIn::start();
    let mut laptop = Device::default();
    laptop.write(tea(), &[("SKILL.md", TEA)]);
    laptop.write(Entity::Chat("c1".into()), &[("", r#"{"conversation":{"id":"c1"},"messages":[]}"#)]);
    laptop.sync(&standin).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let clone = tmp.path().join("clone");
    let status = std::process::Command::new("git").arg("clone").arg("--quiet").arg(standin.repo_dir()).arg(&clone).status().unwrap();
    assert!(status.success());
    let run = llmos(tmp.path(), &["build", "--skills", "clone", "--out", "site"]);
    assert!(run.ok, "{}", run.stderr);
    let page = std::fs::read_to_string(tmp.path().join("site/skills/tea-timer/index.html")).unwrap();
    assert!(page.contains("Times a pot of tea."));
}
