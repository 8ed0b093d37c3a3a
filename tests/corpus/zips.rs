//! `--skills x.zip` inputs: truncated and garbled archives, entries that
//! climb out of the folder, symbolic link entries, zip bombs (lying sizes,
//! archives at the unpack limits), duplicates, file-and-folder clashes, and
//! names the output file system cannot hold.
//!
//! `llmos_core::write_zip` makes the well-formed archives; [`Raw`] writes
//! entries exactly as a case wants them, right or wrong.

use super::{skill_md, sparse, write, Case, Expect, Input, VALID_YAML};
use flate2::write::DeflateEncoder;
use flate2::Compression;
use std::io::Write;

const F: &str = "zip";

/// One entry as written, header fields included.
#[derive(Clone)]
pub struct Raw {
    pub name: Vec<u8>,
    /// The name in the local header, when it should differ from the central one.
    pub local_name: Option<Vec<u8>>,
    pub flags: u16,
    pub method: u16,
    pub made_by: u16,
    pub external: u32,
    pub crc: u32,
    /// The declared uncompressed size.
    pub size: u32,
    /// The bytes as stored (compressed for method 8).
    pub stored: Vec<u8>,
    /// Where the central directory says the local header is; `None`: where it is.
    pub local_offset: Option<u32>,
}

impl Raw {
    /// A stored (uncompressed) file with correct sizes and CRC.
    pub fn file(name: &str, contents: &[u8]) -> Raw {
        Raw {
            name: name.as_bytes().to_vec(),
            local_name: None,
            flags: 1 << 11,
            method: 0,
            made_by: 3 << 8 | 20,
            external: 0o100_644 << 16,
            crc: llmos_core::crc32(contents),
            size: contents.len() as u32,
            stored: contents.to_vec(),
            local_offset: None,
        }
    }

    /// A Deflate-compressed file with correct sizes and CRC.
    pub fn deflated(name: &str, contents: &[u8]) -> Raw {
        Raw { method: 8, stored: deflate(contents), ..Raw::file(name, contents) }
    }
}

pub fn deflate(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = DeflateEncoder::new(Vec::new(), Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// `len` zero bytes, deflated without ever holding them all.
fn deflated_zeros(len: usize) -> Vec<u8> {
    let chunk = vec![0u8; 1 << 20];
    let mut encoder = DeflateEncoder::new(Vec::new(), Compression::best());
    let mut left = len;
    while left > 0 {
        let n = left.min(chunk.len());
        encoder.write_all(&chunk[..n]).unwrap();
        left -= n;
    }
    encoder.finish().unwrap()
}

fn put16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

/// An archive of `entries`: local headers and data, central directory, end record.
pub fn raw_zip(entries: &[Raw]) -> Vec<u8> {
    raw_zip_after(entries, 0)
}

/// [`raw_zip`] for a file where `prefix` other bytes come first (as in a
/// self-extracting archive): every offset is shifted by it.
pub fn raw_zip_after(entries: &[Raw], prefix: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut directory = Vec::new();
    for e in entries {
        let offset = prefix + out.len() as u32;
        let local_name = e.local_name.as_ref().unwrap_or(&e.name);
        put32(&mut out, 0x0403_4b50);
        for v in [20, e.flags, e.method, 0, 0x21] {
            put16(&mut out, v);
        }
        for v in [e.crc, e.stored.len() as u32, e.size] {
            put32(&mut out, v);
        }
        put16(&mut out, local_name.len() as u16);
        put16(&mut out, 0);
        out.extend_from_slice(local_name);
        out.extend_from_slice(&e.stored);

        put32(&mut directory, 0x0201_4b50);
        for v in [e.made_by, 20, e.flags, e.method, 0, 0x21] {
            put16(&mut directory, v);
        }
        for v in [e.crc, e.stored.len() as u32, e.size] {
            put32(&mut directory, v);
        }
        for v in [e.name.len() as u16, 0, 0, 0, 0] {
            put16(&mut directory, v);
        }
        put32(&mut directory, e.external);
        put32(&mut directory, e.local_offset.unwrap_or(offset));
        directory.extend_from_slice(&e.name);
    }
    let start = prefix + out.len() as u32;
    out.extend_from_slice(&directory);
    put32(&mut out, 0x0605_4b50);
    for v in [0, 0, entries.len() as u16, entries.len() as u16] {
        put16(&mut out, v);
    }
    put32(&mut out, directory.len() as u32);
    put32(&mut out, start);
    put16(&mut out, 0);
    out
}

/// A valid skill and one more entry: the usual shape of a zip case.
fn with_skill(extra: Raw) -> Vec<Raw> {
    vec![Raw::file("good/SKILL.md", &skill_md("name: good\ndescription: d", "# x\n")), extra]
}

fn good_zip() -> Vec<u8> {
    let skill = skill_md("name: good\ndescription: d", "# Good\n");
    llmos_core::write_zip(&[("good/SKILL.md", &skill), ("good/scripts/run.py", b"print(1)\n"), ("good/assets/data.csv", b"a,b\n1,2\n")])
}

/// A zip case whose archive bytes `bytes` makes.
fn zip_case(name: &str, bytes: impl Fn() -> Vec<u8> + 'static) -> Case {
    Case::new(F, format!("zip-{name}"), move |dir| {
        let path = dir.join("skills.zip");
        write(&path, bytes());
        Ok(Input::skills(path))
    })
}

/// `good_zip` with its end record (the last 22 bytes: no comment) changed.
fn patched_end(offset: usize, value: &'static [u8]) -> impl Fn() -> Vec<u8> {
    move || {
        let mut bytes = good_zip();
        let at = bytes.len() - 22 + offset;
        bytes[at..at + value.len()].copy_from_slice(value);
        bytes
    }
}

pub fn cases() -> Vec<Case> {
    let mut cases = Vec::new();
    damaged(&mut cases);
    paths(&mut cases);
    bombs(&mut cases);
    clashes(&mut cases);
    cases
}

fn damaged(cases: &mut Vec<Case>) {
    cases.push(zip_case("empty-file", Vec::new).expect(Expect::Fails));
    cases.push(zip_case("not-a-zip", || b"PK\x03\x04 this is not really a zip".to_vec()).expect(Expect::Fails));
    cases.push(zip_case("no-entries", || llmos_core::write_zip(&[])));
    for percent in [1usize, 10, 50, 90, 99] {
        cases.push(zip_case(&format!("truncated-{percent}-percent"), move || {
            let bytes = good_zip();
            bytes[..bytes.len() * percent / 100].to_vec()
        }).expect(Expect::Fails));
    }
    cases.push(zip_case("only-end-record", || good_zip().split_off(good_zip().len() - 22)).expect(Expect::Fails));
    cases.push(zip_case("end-record-only-count-5", || {
        let mut end = good_zip().split_off(good_zip().len() - 22);
        end[8..12].copy_from_slice(&[5, 0, 5, 0]);
        end[12..20].fill(0);
        end
    }).expect(Expect::Fails));
    cases.push(zip_case("count-larger-than-directory", patched_end(8, &[200, 0, 200, 0])).expect(Expect::Fails));
    cases.push(zip_case("count-mismatch-per-disk", patched_end(8, &[1, 0, 3, 0])).expect(Expect::Fails));
    cases.push(zip_case("count-ffff", patched_end(8, &[0xFF, 0xFF, 0xFF, 0xFF])).expect(Expect::Fails));
    cases.push(zip_case("directory-offset-past-end", patched_end(16, &[0xFF, 0xFF, 0xFF, 0x7F])).expect(Expect::Fails));
    cases.push(zip_case("directory-length-huge", patched_end(12, &[0xFF, 0xFF, 0xFF, 0x7F])).expect(Expect::Fails));
    cases.push(zip_case("disk-number-set", patched_end(4, &[1, 0])).expect(Expect::Fails));
    cases.push(zip_case("comment-length-past-end", patched_end(20, &[0xFF, 0x00])).expect(Expect::Fails));
    cases.push(zip_case("end-record-inside-comment", || {
        let mut bytes = good_zip();
        let end = bytes[bytes.len() - 22..].to_vec();
        let len = bytes.len();
        bytes[len - 2..].copy_from_slice(&(22u16).to_le_bytes());
        bytes.extend_from_slice(&end);
        bytes
    }));
    cases.push(zip_case("zip64-locator", || {
        let mut bytes = good_zip();
        let end = bytes.split_off(bytes.len() - 22);
        bytes.extend_from_slice(&0x0706_4b50u32.to_le_bytes());
        bytes.extend_from_slice(&[0; 16]);
        bytes.extend_from_slice(&end);
        bytes
    }).expect(Expect::Fails));
    cases.push(zip_case("bad-crc-stored", || raw_zip(&with_skill(Raw { crc: 1, ..Raw::file("good/x.txt", b"data") }))).expect(Expect::Fails));
    cases.push(zip_case("bad-crc-deflated", || raw_zip(&with_skill(Raw { crc: 1, ..Raw::deflated("good/x.txt", &[7; 5000]) }))).expect(Expect::Fails));
    cases.push(zip_case("stored-size-mismatch", || raw_zip(&with_skill(Raw { size: 3, ..Raw::file("good/x.txt", b"data") }))).expect(Expect::Fails));
    cases.push(zip_case("deflate-garbage", || raw_zip(&with_skill(Raw { method: 8, stored: vec![0xFF; 64], ..Raw::file("good/x.txt", b"data") }))).expect(Expect::Fails));
    cases.push(zip_case("deflate-truncated", || {
        let mut raw = Raw::deflated("good/x.txt", &(0..50_000u32).map(|i| (i * 7 % 251) as u8).collect::<Vec<_>>());
        raw.stored.truncate(raw.stored.len() / 2);
        raw_zip(&with_skill(raw))
    }).expect(Expect::Fails));
    cases.push(zip_case("local-name-differs", || raw_zip(&with_skill(Raw { local_name: Some(b"good/y.txt".to_vec()), ..Raw::file("good/x.txt", b"data") }))).expect(Expect::Fails));
    cases.push(zip_case("local-offset-into-directory", || raw_zip(&with_skill(Raw { local_offset: Some(200), ..Raw::file("good/x.txt", b"data") }))).expect(Expect::Fails));
    cases.push(zip_case("local-offset-huge", || raw_zip(&with_skill(Raw { local_offset: Some(0xFFFF_FFF0), ..Raw::file("good/x.txt", b"data") }))).expect(Expect::Fails));
    for (label, method) in [("bzip2", 12u16), ("lzma", 14), ("aes", 99), ("shrink", 1), ("unknown", 4242)] {
        cases.push(zip_case(&format!("method-{label}"), move || raw_zip(&with_skill(Raw { method, ..Raw::file("good/x.txt", b"data") }))).expect(Expect::Fails));
    }
    cases.push(zip_case("encrypted-flag", || raw_zip(&with_skill(Raw { flags: 1, ..Raw::file("good/x.txt", b"data") }))).expect(Expect::Fails));
    cases.push(zip_case("name-bad-utf8-flagged", || raw_zip(&with_skill(Raw { name: b"good/\xFF.txt".to_vec(), ..Raw::file("", b"x") }))).expect(Expect::Fails));
    cases.push(zip_case("name-cp437", || raw_zip(&with_skill(Raw { name: b"good/caf\x82.txt".to_vec(), flags: 0, ..Raw::file("", b"x") }))));
    cases.push(zip_case("skill-md-deflated-invalid-yaml", || raw_zip(&[Raw::deflated("bad/SKILL.md", b"---\nname: [\n---\n")])).expect(Expect::Fails));
}

/// Entry names that must never be written where they point.
fn paths(cases: &mut Vec<Case>) {
    let hostile: [(&str, &[u8]); 13] = [
        ("dotdot", b"../evil/SKILL.md"),
        ("dotdot-inside", b"good/../../evil.txt"),
        ("absolute", b"/tmp/corpus-evil/SKILL.md"),
        ("drive-letter", b"C:/evil/SKILL.md"),
        ("backslash-dotdot", b"..\\evil\\SKILL.md"),
        ("dot-component", b"good/./x.txt"),
        ("empty-component", b"good//x.txt"),
        ("control-char", b"good/\x01x.txt"),
        ("nul-in-name", b"good/x.txt\0.png"),
        ("empty-name", b""),
        ("only-dot", b"."),
        ("only-dotdot-dir", b"../"),
        ("newline", b"good/a\nb.txt"),
    ];
    for (label, name) in hostile {
        cases.push(zip_case(&format!("path-{label}"), move || raw_zip(&with_skill(Raw { name: name.to_vec(), ..Raw::file("", b"CORPUS-ESCAPED") }))).expect(Expect::Fails));
    }
    cases.push(zip_case("symlink-entry", || raw_zip(&with_skill(Raw { external: 0o120_777 << 16, ..Raw::file("good/link", b"/etc/passwd") }))).expect(Expect::Fails));
    cases.push(zip_case("symlink-entry-skill-md", || raw_zip(&[Raw { external: 0o120_777 << 16, ..Raw::file("bad/SKILL.md", b"/etc/passwd") }])).expect(Expect::Fails));
    cases.push(zip_case("symlink-entry-macos-host", || raw_zip(&with_skill(Raw { made_by: 19 << 8 | 20, external: 0o120_777 << 16, ..Raw::file("good/link", b"../../x") }))).expect(Expect::Fails));
    cases.push(zip_case("device-entry", || raw_zip(&with_skill(Raw { external: 0o020_644 << 16, ..Raw::file("good/dev", b"") }))));
    cases.push(zip_case("long-component-300", || raw_zip(&with_skill(Raw::file(&format!("good/{}.txt", "n".repeat(300)), b"x")))));
    cases.push(zip_case("long-active-name-252", || raw_zip(&with_skill(Raw::file(&format!("good/{}.html", "n".repeat(250)), b"x")))));
    cases.push(zip_case("long-path-5000", || raw_zip(&with_skill(Raw::file(&format!("good/{}x.txt", "d/".repeat(2_500)), b"x")))));
    cases.push(zip_case("skill-30000-folders-deep", || llmos_core::write_zip(&[(&format!("{}SKILL.md", "d/".repeat(30_000)), &skill_md(VALID_YAML, "# x\n"))])));
    cases.push(zip_case("name-65535-bytes", || raw_zip(&with_skill(Raw::file(&format!("good/{}", "a".repeat(65_530)), b"x")))));
    cases.push(zip_case("root-is-skill", || llmos_core::write_zip(&[("SKILL.md", &skill_md(VALID_YAML, "# x\n")), ("x/SKILL.md", b"nested")])));
}

/// Archives that unpack to much more than they weigh.
const MIB: usize = 1 << 20;

fn bombs(cases: &mut Vec<Case>) {
    // The header says 1 kB; the stream inflates to 64 MiB.
    cases.push(zip_case("bomb-lying-size", || raw_zip(&with_skill(Raw { method: 8, size: 1_000, stored: deflated_zeros(64 * MIB), ..Raw::file("good/bomb.bin", &[]) }))).expect(Expect::Fails));
    // The header says 4 GiB - 2: more than any limit.
    cases.push(zip_case("bomb-declared-4GiB", || raw_zip(&with_skill(Raw { method: 8, size: u32::MAX - 1, stored: deflated_zeros(MIB), ..Raw::file("good/bomb.bin", &[]) }))).expect(Expect::Fails));
    cases.push(zip_case("bomb-declared-ffffffff", || raw_zip(&with_skill(Raw { size: u32::MAX, ..Raw::file("good/bomb.bin", b"x") }))).expect(Expect::Fails));
    // Just under each limit: honest entries that unpack to the caps.
    cases.push(zip_case("bomb-one-entry-at-limit", || {
        let zeros = vec![0u8; 64 * MIB];
        raw_zip(&with_skill(Raw { stored: deflated_zeros(64 * MIB), method: 8, ..Raw::file("good/zeros.bin", &zeros) }))
    }));
    cases.push(zip_case("bomb-four-entries-at-total-limit", || {
        let zeros = vec![0u8; 63 * MIB];
        let template = Raw { stored: deflated_zeros(63 * MIB), method: 8, ..Raw::file("", &zeros) };
        let mut entries = vec![Raw::file("good/SKILL.md", &skill_md("name: good\ndescription: d", ""))];
        entries.extend((0..4).map(|i| Raw { name: format!("good/zeros{i}.bin").into_bytes(), ..template.clone() }));
        raw_zip(&entries)
    }));
    cases.push(zip_case("bomb-over-total-limit", || {
        let zeros = vec![0u8; 60 * MIB];
        let template = Raw { stored: deflated_zeros(60 * MIB), method: 8, ..Raw::file("", &zeros) };
        let mut entries = vec![Raw::file("good/SKILL.md", &skill_md("name: good\ndescription: d", ""))];
        entries.extend((0..5).map(|i| Raw { name: format!("good/zeros{i}.bin").into_bytes(), ..template.clone() }));
        raw_zip(&entries)
    }).expect(Expect::Fails));
    // A SKILL.md of 60 MiB from a zip of kilobytes.
    cases.push(zip_case("bomb-skill-md-60MiB", || {
        let mut md = skill_md(VALID_YAML, "");
        md.resize(60 * MIB, b'a');
        raw_zip(&[Raw::deflated("bad/SKILL.md", &md)])
    }));
    cases.push(zip_case("60k-tiny-entries", || {
        let skill = skill_md("name: good\ndescription: d", "");
        let names: Vec<String> = (0..60_000).map(|i| format!("good/f/{i}.txt")).collect();
        let mut entries: Vec<(&str, &[u8])> = vec![("good/SKILL.md", &skill)];
        entries.extend(names.iter().map(|n| (n.as_str(), &b"x"[..])));
        llmos_core::write_zip(&entries)
    }));
    cases.push(zip_case("5000-skills", || {
        let mds: Vec<(String, Vec<u8>)> = (0..5_000).map(|i| (format!("s{i}/SKILL.md"), skill_md(&format!("name: s{i}\ndescription: d\nkeywords: [k{i}]"), "# x\n"))).collect();
        let entries: Vec<(&str, &[u8])> = mds.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect();
        llmos_core::write_zip(&entries)
    }));
    // At every limit of the current code at once: a 511 MiB file (zeros
    // before the archive, as in a self-extracting zip) whose four stored
    // entries unpack to 252 MiB in all.
    cases.push(Case::new(F, "zip-at-size-and-unpack-limits", |dir| {
        let path = dir.join("skills.zip");
        let prefix: u32 = 255 << 20;
        let zeros = vec![0u8; 63 * MIB];
        let template = Raw::file("", &zeros);
        let mut entries = vec![Raw::file("good/SKILL.md", &skill_md("name: good\ndescription: d", ""))];
        entries.extend((0..4).map(|i| Raw { name: format!("good/assets/zeros{i}.bin").into_bytes(), ..template.clone() }));
        sparse(&path, b"", u64::from(prefix));
        let mut file = std::fs::OpenOptions::new().append(true).open(&path).unwrap();
        file.write_all(&raw_zip_after(&entries, prefix)).unwrap();
        Ok(Input::skills(path))
    }));
    cases.push(Case::new(F, "zip-sparse-2GiB-file", |dir| {
        let path = dir.join("skills.zip");
        sparse(&path, b"PK\x03\x04", 2 << 30);
        Ok(Input::skills(path))
    }).expect(Expect::Fails));
    cases.push(Case::new(F, "zip-sparse-2GiB-with-end-record", |dir| {
        // Zeros, then a valid archive at the end whose directory points back near the start.
        let path = dir.join("skills.zip");
        sparse(&path, b"", (2 << 30) - 22);
        let mut file = std::fs::OpenOptions::new().append(true).open(&path).unwrap();
        let mut end = vec![0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0, 1, 0, 1, 0];
        end.extend_from_slice(&46u32.to_le_bytes());
        end.extend_from_slice(&0u32.to_le_bytes());
        end.extend_from_slice(&[0, 0]);
        file.write_all(&end).unwrap();
        Ok(Input::skills(path))
    }).expect(Expect::Fails));
}

/// Entries the output file system cannot hold side by side.
fn clashes(cases: &mut Vec<Case>) {
    cases.push(zip_case("duplicate-entry", || raw_zip(&with_skill(Raw::file("good/SKILL.md", b"second")))).expect(Expect::Fails));
    cases.push(zip_case("duplicate-by-backslash", || raw_zip(&with_skill(Raw::file("good\\SKILL.md", b"second")))).expect(Expect::Fails));
    cases.push(zip_case("duplicate-folder-entries", || raw_zip(&with_skill(Raw::file("good/", b"")))));
    cases.push(zip_case("file-and-directory-clash", || {
        let mut entries = with_skill(Raw::file("good/assets", b"a file"));
        entries.push(Raw::file("good/assets/x.txt", b"a file in a folder of the same name"));
        raw_zip(&entries)
    }));
    cases.push(zip_case("directory-then-file-clash", || {
        let mut entries = with_skill(Raw::file("good/assets/x.txt", b"first"));
        entries.push(Raw::file("good/assets", b"then a file"));
        raw_zip(&entries)
    }));
    cases.push(zip_case("skill-md-also-a-directory", || raw_zip(&with_skill(Raw::file("good/SKILL.md/x.txt", b"x")))));
    cases.push(zip_case("asset-clashes-with-page", || raw_zip(&with_skill(Raw::file("good/index.html/x.txt", b"x")))));
    cases.push(zip_case("active-and-published-clash", || {
        let mut entries = with_skill(Raw::file("good/page.html", b"<b>1</b>"));
        entries.push(Raw::file("good/page.html.txt", b"2"));
        raw_zip(&entries)
    }));
    cases.push(zip_case("case-variants", || {
        let mut entries = with_skill(Raw::file("Good/SKILL.md", &skill_md("name: Good\ndescription: d", "")));
        entries.push(Raw::file("GOOD/SKILL.md", &skill_md("name: GOOD\ndescription: d", "")));
        raw_zip(&entries)
    }));
    cases.push(zip_case("nested-zip", || {
        let inner = good_zip();
        raw_zip(&with_skill(Raw::file("good/assets/inner.zip", &inner)))
    }));
    cases.push(zip_case("skill-md-invalid-utf8", || raw_zip(&[Raw::file("bad/SKILL.md", b"---\nname: b\xFFd\n---\n")])).expect(Expect::Fails));
}
