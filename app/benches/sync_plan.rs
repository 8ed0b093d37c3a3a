//! Planning a sync round: `cargo bench -p llmos-core --bench sync_plan`
//!
//! A store of 10,000 skills (SKILL.md and two bundled files each, about
//! 2 KB a skill) with 1,000 chats and 1,000 traces, synced once. Times, as
//! the median of several runs: Git blob ids of every file here (what a
//! round hashes when it checks the whole store, about 18 MB), and `plan` with 100 entities changed
//! here, 100 changed in the repository and 10 changed on both sides. The
//! target: planning stays under 200 ms (measured 55 ms on an idle 2-core
//! machine, up to 175 ms while other builds ran), so a round's own work is small
//! next to its network calls.
//!
//! Native timings; the browser runs the same code compiled to WebAssembly.

use llmos_core::sync::{blob_sha, plan, Entity, Shas};
use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::Instant;

const SKILLS: usize = 10_000;
const RECORDS: usize = 1_000;
const RUNS: usize = 7;
const TARGET_PLAN_MS: f64 = 200.0;

fn median(mut times: Vec<f64>) -> f64 {
    times.sort_by(|a, b| a.total_cmp(b));
    times[times.len() / 2]
}

fn main() {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for i in 0..SKILLS {
        let name = format!("skill-{i:05}");
        files.push((format!("skills/{name}/SKILL.md"), format!("---\nname: {name}\ndescription: Skill number {i}.\n---\n\n{}", "Steps to follow. ".repeat(80)).into_bytes()));
        files.push((format!("skills/{name}/scripts/main.py"), format!("def execute(inputs):\n    return {{'n': {i}}}\n{}", "# comment\n".repeat(30)).into_bytes()));
        files.push((format!("skills/{name}/notes.md"), format!("Notes {i}\n").into_bytes()));
    }
    for i in 0..RECORDS {
        files.push((format!("chats/c{i:05}.json"), format!("{{\"conversation\":{{\"id\":\"c{i:05}\"}},\"messages\":[]}}\n").into_bytes()));
        files.push((format!("traces/c{i:05}.json"), format!("{{\"id\":\"c{i:05}\",\"goal\":\"goal {i}\"}}\n").into_bytes()));
    }
    let bytes: usize = files.iter().map(|(_, d)| d.len()).sum();

    let mut hash_times = Vec::new();
    let mut base = Shas::new();
    for _ in 0..RUNS {
        let start = Instant::now();
        base = files.iter().map(|(p, d)| (p.clone(), blob_sha(d))).collect();
        hash_times.push(start.elapsed().as_secs_f64() * 1000.0);
    }

    let mut remote = base.clone();
    let mut dirty: BTreeMap<Entity, Shas> = BTreeMap::new();
    for i in 0..100 {
        let name = format!("skill-{:05}", i * 7);
        let path = format!("skills/{name}/SKILL.md");
        // All the skill's files, its SKILL.md edited here.
        let mut files: Shas = base.iter().filter(|(p, _)| p.starts_with(&format!("skills/{name}/"))).map(|(p, s)| (p.clone(), s.clone())).collect();
        files.insert(path.clone(), blob_sha(format!("local {i}").as_bytes()));
        dirty.insert(Entity::Skill(name.clone()), files);
        if i < 10 {
            remote.insert(path, blob_sha(format!("remote {i}").as_bytes()));
        }
        remote.insert(format!("skills/skill-{:05}/notes.md", i * 13 + 1), blob_sha(format!("remote notes {i}").as_bytes()));
    }
    let mut plan_times = Vec::new();
    let mut planned = None;
    for _ in 0..RUNS {
        let start = Instant::now();
        planned = Some(black_box(plan(&base, &remote, &dirty, |_| false)));
        plan_times.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    let planned = planned.unwrap();
    assert_eq!(planned.conflicts.len(), 10);

    let (hash_ms, plan_ms) = (median(hash_times), median(plan_times));
    println!("blob ids of {} files ({:.1} MB): {hash_ms:.1} ms", files.len(), bytes as f64 / 1e6);
    println!("plan over {} paths, {} pushed, {} pulled, {} conflicts: {plan_ms:.1} ms (target < {TARGET_PLAN_MS} ms)", base.len(), planned.push.len(), planned.pull.len(), planned.conflicts.len());
    if plan_ms > TARGET_PLAN_MS {
        println!("over target");
        std::process::exit(1);
    }
}
