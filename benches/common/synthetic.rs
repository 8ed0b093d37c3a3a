//! Synthetic skills for the benchmarks: about 300 words, a code block and a
//! table each, from a vocabulary of a few thousand made-up words with a
//! Zipf-like spread (a few words common, most rare), as in real text.

#![allow(dead_code)]

use std::fmt::Write as _;

const SYLLABLES: &[&str] = &["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "pa", "qu", "lin", "dex", "tor", "mar", "sol", "ven", "gra", "pli", "cor"];
const CATEGORIES: &[&str] = &["coding", "data", "writing", "quantum", "visualization", "electronics", "llmos", "research", "design", "ops", "security", "science"];

pub struct Rng(pub u64);
impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    /// A word id in 0..4000, small ids far more likely than large ones.
    fn zipf_word(&mut self) -> u64 {
        let u = (self.next() % 1_000_000) as f64 / 1_000_000.0;
        (4000f64.powf(u) - 1.0) as u64
    }
}

pub fn word(id: u64) -> String {
    let mut id = id;
    let mut out = String::new();
    loop {
        out.push_str(SYLLABLES[(id % SYLLABLES.len() as u64) as usize]);
        id /= SYLLABLES.len() as u64;
        if id == 0 {
            break;
        }
    }
    out
}

pub struct Synthetic {
    pub name: String,
    pub description: String,
    pub category: &'static str,
    pub keywords: Vec<String>,
    pub body: String,
}

fn sentence(rng: &mut Rng, words: usize) -> String {
    let mut s: String = (0..words).map(|_| word(rng.zipf_word())).collect::<Vec<_>>().join(" ");
    s.replace_range(0..1, &s[0..1].to_uppercase());
    s + "."
}

pub fn synthetic(i: usize) -> Synthetic {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (i as u64 + 1).wrapping_mul(0x2545_F491_4F6C_DD1D));
    let mut body = format!("# Skill {i}\n\n");
    for _ in 0..4 {
        for _ in 0..6 {
            body.push_str(&sentence(&mut rng, 12));
            body.push(' ');
        }
        body.push_str("\n\n");
    }
    body.push_str("## Example\n\n```python\ndef execute(inputs):\n    total = 0\n    for value in inputs.get(\"values\", []):\n        total += value * 2  # double it\n    return {\"total\": total, \"label\": \"sum\"}\n```\n\n");
    body.push_str("| step | what | why |\n|------|------|-----|\n");
    for step in 1..=4 {
        let _ = writeln!(body, "| {step} | {} {} | {} {} |", word(rng.zipf_word()), word(rng.zipf_word()), word(rng.zipf_word()), word(rng.zipf_word()));
    }
    Synthetic {
        name: format!("skill-{i:05}-{}", word(rng.next() % 4000)),
        description: sentence(&mut rng, 20),
        category: CATEGORIES[(rng.next() % CATEGORIES.len() as u64) as usize],
        keywords: (0..4).map(|_| format!("kw-{}", rng.next() % 200)).collect(),
        body,
    }
}
