//! The persistent sync queue: which entities wait to be pushed, what the
//! last sync left on both sides, and the state machine of sync rounds with
//! its backoff. A plain serde record, stored with the user's data and
//! written on every change, so a reload, a crash or a closed tab in the
//! middle of a push loses nothing: the next page finds the entities still
//! pending and pushes them again (a batch is one commit, and pushing the
//! same content twice changes nothing).
//!
//! States: `Idle` → `Running` (a round started) → `Idle` (done) or
//! `Waiting` (offline, rate-limited, a server error, or lost a race: retry
//! at `until`) or `Stopped` (a failure only the user can fix, such as a
//! refused token; cleared when the settings change).

use super::paths::Entity;
use super::plan::Shas;
use serde::{Deserialize, Serialize};

/// The first retry waits this long; each next one twice as long.
pub const FIRST_RETRY_MS: f64 = 2_000.0;
/// No retry waits longer than this (10 minutes).
pub const MAX_RETRY_MS: f64 = 600_000.0;
/// Lost races (422 non-fast-forward, 409) retried at once before backing off.
pub const IMMEDIATE_RETRIES: u32 = 3;

/// One entity waiting to be pushed, and when (ms since the epoch) it was
/// last written here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pending {
    pub entity: Entity,
    pub written: f64,
}

/// Why a round waits before the next try.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Wait {
    /// No answer, and the browser says it has no network.
    Offline,
    /// No answer although the browser is online: the API's address is
    /// wrong, or this network blocks it.
    Unreachable,
    /// GitHub's rate limit; the wait ends at its reset time.
    RateLimited,
    /// A 5xx answer, with its status.
    Server(u16),
    /// The branch moved during the round more than `IMMEDIATE_RETRIES` times.
    Contended,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum State {
    #[default]
    Idle,
    /// A round pushing `batch` started at `started` (ms since the epoch).
    Running {
        started: f64,
        batch: Vec<Pending>,
    },
    Waiting {
        until: f64,
        reason: Wait,
    },
    /// Only the user can fix this; `reason` says what to do.
    Stopped {
        reason: String,
    },
}

/// How a round ended badly, as the client saw it.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// The request never got an answer (`classify` cannot tell why; the
    /// browser's side turns it into `Unreachable` while it is online).
    Offline,
    /// No answer although the browser is online.
    Unreachable,
    /// Primary rate limit: `x-ratelimit-remaining: 0`, reset at `reset_ms`.
    RateLimited { reset_ms: f64 },
    /// Secondary rate limit: wait `retry_after_ms`.
    RetryAfter { retry_after_ms: f64 },
    /// 409 or 422: the branch moved, or the base was stale. Pull and plan again.
    Stale,
    /// 5xx.
    Server(u16),
    /// Anything the user must fix, said as they would fix it.
    Fatal(String),
}

/// The status indicator's four states.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    /// Nothing waits; everything here is in the repository.
    Synced,
    /// `count` entities wait; `retry_at` is set while waiting on the rate
    /// limit or a server error.
    Pending {
        count: usize,
        retry_at: Option<f64>,
    },
    /// No network: `count` entities wait.
    Offline {
        count: usize,
    },
    Error {
        reason: String,
    },
}

impl Status {
    /// The indicator's text: `Synced`, `Pending (3)`, `Offline (3 pending)`, `Sync error: …`.
    pub fn label(&self) -> String {
        match self {
            Status::Synced => "Synced".to_string(),
            Status::Pending { count, .. } => format!("Pending ({count})"),
            Status::Offline { count } => format!("Offline ({count} pending)"),
            Status::Error { reason } => format!("Sync error: {reason}"),
        }
    }
}

/// The queue and what the last sync left on both sides.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Queue {
    pub pending: Vec<Pending>,
    pub state: State,
    /// Failed tries since the last round that ended well.
    pub attempts: u32,
    /// The commit `base` was read from or written as.
    pub synced_commit: Option<String>,
    /// Every synced path's blob id as of `synced_commit`.
    pub base: Shas,
    /// When the last round ended well (ms since the epoch).
    pub last_synced: Option<f64>,
}

impl Queue {
    /// Records a local write (or delete) of `entity` at `now`.
    pub fn enqueue(&mut self, entity: Entity, now: f64) {
        match self.pending.iter_mut().find(|p| p.entity == entity) {
            Some(pending) => pending.written = now,
            None => self.pending.push(Pending { entity, written: now }),
        }
    }

    /// Whether a round should start now: idle, or the wait is over.
    /// Stopped queues wait for the user.
    pub fn due(&self, now: f64) -> bool {
        match &self.state {
            State::Idle => true,
            State::Waiting { until, .. } => *until <= now,
            State::Running { .. } | State::Stopped { .. } => false,
        }
    }

    /// Starts a round and returns the batch it pushes (maybe empty: a
    /// round also pulls). `None` when no round is due.
    pub fn begin(&mut self, now: f64) -> Option<Vec<Pending>> {
        if !self.due(now) {
            return None;
        }
        let batch = self.pending.clone();
        self.state = State::Running { started: now, batch: batch.clone() };
        Some(batch)
    }

    /// A page that finds the queue `Running` when it opens took over from
    /// one that died mid-round (closed, crashed, reloaded): the round
    /// counts as not done, and its batch is still pending.
    pub fn recover(&mut self) {
        if matches!(self.state, State::Running { .. }) {
            self.state = State::Idle;
        }
    }

    /// The round pushed `batch` as `commit`, leaving `base` on both sides.
    /// Entities written again during the round stay pending.
    pub fn succeeded(&mut self, batch: &[Pending], commit: String, base: Shas, now: f64) {
        self.pending.retain(|p| !batch.iter().any(|b| b.entity == p.entity && b.written >= p.written));
        self.synced_commit = Some(commit);
        self.base = base;
        self.attempts = 0;
        self.last_synced = Some(now);
        self.state = State::Idle;
    }

    /// The round failed; `jitter` in [0, 1) spreads retries of many tabs
    /// and devices. Returns the new state.
    pub fn failed(&mut self, failure: Failure, now: f64, jitter: f64) -> &State {
        self.attempts += 1;
        let backoff = |attempts: u32| now + backoff_ms(attempts, jitter);
        self.state = match failure {
            Failure::Offline => State::Waiting { until: backoff(self.attempts), reason: Wait::Offline },
            Failure::Unreachable => State::Waiting { until: backoff(self.attempts), reason: Wait::Unreachable },
            // The reset is in whole seconds: wait one more so the first try after it counts.
            Failure::RateLimited { reset_ms } => State::Waiting { until: reset_ms.max(now) + 1_000.0, reason: Wait::RateLimited },
            Failure::RetryAfter { retry_after_ms } => State::Waiting { until: now + retry_after_ms.max(1_000.0), reason: Wait::RateLimited },
            Failure::Stale if self.attempts <= IMMEDIATE_RETRIES => State::Idle,
            Failure::Stale => State::Waiting { until: backoff(self.attempts - IMMEDIATE_RETRIES), reason: Wait::Contended },
            Failure::Server(status) => State::Waiting { until: backoff(self.attempts), reason: Wait::Server(status) },
            Failure::Fatal(reason) => State::Stopped { reason },
        };
        &self.state
    }

    /// The settings changed (a new token or repository): a stopped queue
    /// tries again at once.
    pub fn reconfigured(&mut self) {
        self.attempts = 0;
        self.state = State::Idle;
    }

    /// A different repository: nothing is known to be there yet, so every
    /// entity here (`all`) is pending and the base is empty.
    pub fn retarget(&mut self, all: impl IntoIterator<Item = Entity>, now: f64) {
        self.base.clear();
        self.synced_commit = None;
        for entity in all {
            self.enqueue(entity, now);
        }
        self.reconfigured();
    }

    pub fn status(&self) -> Status {
        let count = self.pending.len();
        match &self.state {
            State::Stopped { reason } => Status::Error { reason: reason.clone() },
            State::Waiting { reason: Wait::Offline, .. } => Status::Offline { count },
            State::Waiting { until, .. } => Status::Pending { count, retry_at: Some(*until) },
            _ if count == 0 => Status::Synced,
            _ => Status::Pending { count, retry_at: None },
        }
    }
}

/// The wait before retry number `attempts` (from 1): 2 s, 4 s, 8 s … up
/// to 10 minutes, stretched by up to a quarter by `jitter` in [0, 1).
pub fn backoff_ms(attempts: u32, jitter: f64) -> f64 {
    let doubled = FIRST_RETRY_MS * 2f64.powi(attempts.saturating_sub(1).min(30) as i32);
    doubled.min(MAX_RETRY_MS) * (1.0 + 0.25 * jitter.clamp(0.0, 1.0))
}

/// What GitHub's answer means for the queue, from its status (`None`: no
/// answer), its rate-limit headers (`x-ratelimit-remaining`,
/// `x-ratelimit-reset` in seconds since the epoch, `retry-after` in
/// seconds) and the `message` of its error body. `repository` is
/// `owner/name`, for messages that tell the user what to fix.
pub fn classify(status: Option<u16>, remaining: Option<u64>, reset: Option<u64>, retry_after: Option<u64>, message: &str, repository: &str, now: f64) -> Failure {
    let Some(status) = status else { return Failure::Offline };
    let limited = remaining == Some(0);
    match status {
        403 | 429 if limited => Failure::RateLimited { reset_ms: reset.map_or(now + 60_000.0, |r| r as f64 * 1000.0) },
        403 | 429 if retry_after.is_some() => Failure::RetryAfter { retry_after_ms: retry_after.unwrap_or(60) as f64 * 1000.0 },
        // Secondary limits without a retry-after: the documentation says wait at least a minute.
        403 | 429 if message.contains("rate limit") => Failure::RetryAfter { retry_after_ms: 60_000.0 },
        401 => Failure::Fatal("GitHub refused the token (401 Bad credentials): it may have expired or been revoked. Give a new token in the sync settings.".to_string()),
        403 => Failure::Fatal(format!("The token may not write to {repository} (403 {message}). Give it Contents: Read and write on that repository.")),
        404 => Failure::Fatal(format!("GitHub has no repository {repository} that this token can see (404). Check the name, and that the token is given access to it.")),
        409 if message.contains("empty") => Failure::Fatal(format!("The repository {repository} is empty (409): create it with a README first, then sync again.")),
        409 | 422 if message.contains("fast forward") || status == 409 || message.contains("does not exist") => Failure::Stale,
        422 => Failure::Fatal(format!("GitHub refused the change (422 {message}).")),
        500..=599 => Failure::Server(status),
        _ => Failure::Fatal(format!("GitHub answered {status} {message}.")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skill(name: &str) -> Entity {
        Entity::Skill(name.to_string())
    }

    #[test]
    fn a_round_pushes_what_was_pending_and_keeps_what_came_during_it() {
        let mut queue = Queue::default();
        assert_eq!(queue.status(), Status::Synced);
        queue.enqueue(skill("a"), 1.0);
        queue.enqueue(skill("b"), 2.0);
        queue.enqueue(skill("a"), 3.0);
        assert_eq!(queue.status().label(), "Pending (2)");
        let batch = queue.begin(10.0).unwrap();
        assert_eq!(batch.len(), 2);
        assert!(queue.begin(11.0).is_none(), "one round at a time");
        queue.enqueue(skill("b"), 12.0); // written again mid-push
        queue.succeeded(&batch, "c1".into(), Shas::new(), 13.0);
        assert_eq!(queue.pending, vec![Pending { entity: skill("b"), written: 12.0 }]);
        assert_eq!(queue.synced_commit.as_deref(), Some("c1"));
        assert_eq!(queue.state, State::Idle);
    }

    #[test]
    fn a_page_killed_mid_push_leaves_the_batch_pending_across_a_reload() {
        let mut queue = Queue::default();
        queue.enqueue(skill("a"), 1.0);
        queue.begin(2.0).unwrap();
        // What the next page reads back from storage.
        let mut reloaded: Queue = serde_json::from_str(&serde_json::to_string(&queue).unwrap()).unwrap();
        assert_eq!(reloaded, queue);
        assert!(!reloaded.due(3.0));
        reloaded.recover();
        assert_eq!(reloaded.begin(3.0).unwrap(), vec![Pending { entity: skill("a"), written: 1.0 }]);
    }

    #[test]
    fn failures_wait_as_github_asks_and_back_off() {
        let mut queue = Queue::default();
        queue.enqueue(skill("a"), 0.0);
        queue.begin(0.0);
        assert_eq!(queue.failed(Failure::Offline, 1_000.0, 0.0), &State::Waiting { until: 3_000.0, reason: Wait::Offline });
        assert_eq!(queue.status(), Status::Offline { count: 1 });
        assert!(!queue.due(2_999.0) && queue.due(3_000.0));
        queue.begin(3_000.0);
        queue.failed(Failure::Offline, 3_000.0, 0.0);
        assert_eq!(queue.state, State::Waiting { until: 7_000.0, reason: Wait::Offline });
        // No answer while the browser is online is no network problem of
        // the user's: it waits the same, and is pending, not offline.
        queue.failed(Failure::Unreachable, 7_000.0, 0.0);
        assert_eq!(queue.state, State::Waiting { until: 15_000.0, reason: Wait::Unreachable });
        assert_eq!(queue.status(), Status::Pending { count: 1, retry_at: Some(15_000.0) });
        queue.begin(7_000.0);
        queue.failed(Failure::RateLimited { reset_ms: 60_000.0 }, 7_000.0, 0.5);
        assert_eq!(queue.state, State::Waiting { until: 61_000.0, reason: Wait::RateLimited }, "the reset header, not the backoff");
        assert_eq!(queue.status(), Status::Pending { count: 1, retry_at: Some(61_000.0) });
        queue.begin(61_000.0);
        queue.failed(Failure::Fatal("refused".into()), 61_000.0, 0.0);
        assert!(!queue.due(f64::MAX), "stopped until the user acts");
        assert_eq!(queue.status().label(), "Sync error: refused");
        queue.reconfigured();
        assert!(queue.due(61_001.0));
        assert_eq!(backoff_ms(30, 0.0), MAX_RETRY_MS);
        assert_eq!(backoff_ms(1, 0.999), FIRST_RETRY_MS * 1.24975);
    }

    #[test]
    fn lost_races_retry_at_once_then_back_off() {
        let mut queue = Queue::default();
        for _ in 0..IMMEDIATE_RETRIES {
            queue.begin(0.0);
            assert_eq!(queue.failed(Failure::Stale, 0.0, 0.0), &State::Idle);
        }
        queue.begin(0.0);
        assert_eq!(queue.failed(Failure::Stale, 0.0, 0.0), &State::Waiting { until: FIRST_RETRY_MS, reason: Wait::Contended });
    }

    #[test]
    fn a_new_repository_starts_from_nothing() {
        let mut queue = Queue { base: Shas::from([("skills/a/SKILL.md".into(), "1".into())]), synced_commit: Some("c".into()), ..Queue::default() };
        queue.retarget([skill("a"), Entity::Chat("c1".into())], 5.0);
        assert!(queue.base.is_empty() && queue.synced_commit.is_none());
        assert_eq!(queue.status().label(), "Pending (2)");
    }

    #[test]
    fn githubs_answers_map_to_what_the_queue_does() {
        let c = |status, remaining, reset, retry_after, message: &str| classify(status, remaining, reset, retry_after, message, "octo-user/skills", 1_000.0);
        assert_eq!(c(None, None, None, None, ""), Failure::Offline);
        assert_eq!(c(Some(403), Some(0), Some(1_700), None, "API rate limit exceeded for user ID 1."), Failure::RateLimited { reset_ms: 1_700_000.0 });
        assert_eq!(c(Some(429), Some(0), None, None, ""), Failure::RateLimited { reset_ms: 61_000.0 });
        assert_eq!(c(Some(403), Some(10), None, Some(30), "You have exceeded a secondary rate limit."), Failure::RetryAfter { retry_after_ms: 30_000.0 });
        assert_eq!(c(Some(403), Some(10), None, None, "You have exceeded a secondary rate limit."), Failure::RetryAfter { retry_after_ms: 60_000.0 });
        assert_eq!(c(Some(422), None, None, None, "Update is not a fast forward"), Failure::Stale);
        assert_eq!(c(Some(409), None, None, None, "Reference update failed"), Failure::Stale);
        assert_eq!(c(Some(502), None, None, None, "Server Error"), Failure::Server(502));
        for (status, message, says) in [
            (401, "Bad credentials", "new token"),
            (403, "Resource not accessible by personal access token", "Contents: Read and write"),
            (404, "Not Found", "octo-user/skills"),
            (409, "Git Repository is empty.", "README"),
        ] {
            match c(Some(status), Some(4000), None, None, message) {
                Failure::Fatal(reason) => assert!(reason.contains(says), "{status}: {reason}"),
                other => panic!("{status}: {other:?}"),
            }
        }
    }
}
