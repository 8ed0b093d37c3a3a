//! The search index split for the browser, so a query downloads only what
//! it reads (`index/search/`):
//!
//! - `manifest.bin`: doc count, summed field lengths (for BM25's average
//!   lengths), language, the first term of every shard, and each facet's
//!   values with their counts. A few kB even at 50,000 skills.
//! - `s{n}.bin`, term shards: contiguous ranges of the sorted term list,
//!   cut at about `SHARD_BYTES`. Each holds its terms, their postings
//!   (with the field lengths the postings' fields need, so no lengths
//!   table is fetched) and the slugs that sort into its range. A word's
//!   shard, the shards of a prefix range and a slug's shard all follow from
//!   the manifest's boundaries, so type-ahead and typo expansion know what
//!   to fetch. Ranges, not hashes: a prefix stays in one or two shards.
//! - `facets.bin`: every skill's type, category and source as small
//!   numbers, fetched only for `type:`/`category:`/`source:` filters and
//!   the results page's facet counts.
//! - `d{g}.bin`, result metadata: name, slug, description, type,
//!   category, source and tags of `DOCS_PER_FRAGMENT` consecutive skills,
//!   fetched only for results shown.
//!
//! Encoding: unsigned LEB128 integers and length-prefixed UTF-8, terms
//! front-coded; read without serde, so the browser bundle carries no JSON
//! parser for it. Every file starts with `MAGIC` and its kind; a damaged
//! or foreign file is an error naming what was read, never a panic.
//!
//! Ranking is `rank::rank`, the same code the whole index runs, so results
//! are identical (`app/tests/relevance.rs` checks it on its query set).

use super::rank::{self, FacetField, Layered, Part, Source};
use super::{decode_postings, Hit, Language, SearchDoc, SearchIndex, LENGTH_FIELDS, NAME, SEARCH_VERSION};
use std::collections::HashMap;

/// First bytes of every file of a sharded index.
pub const MAGIC: &[u8; 4] = b"LXS1";
/// A shard is cut once its encoded terms and postings reach this many bytes.
/// At 10,000 synthetic skills shards gzip to about 6–10 kB: small enough
/// that a one-word query fetches little, large enough that a query's words
/// rarely need more than one shard each and the manifest stays small.
pub const SHARD_BYTES: usize = 16 * 1024;
/// Skills per metadata fragment: one, so 20 results fetch 20 small files
/// (about 250 bytes gzipped each) rather than whole blocks of neighbours.
pub const DOCS_PER_FRAGMENT: usize = 1;

const KIND_MANIFEST: u8 = b'M';
const KIND_SHARD: u8 = b'S';
const KIND_FACETS: u8 = b'F';
const KIND_DOCS: u8 = b'D';

/// The files of a sharded index: (path under `index/search/`, bytes).
pub type ShardFiles = Vec<(String, Vec<u8>)>;

struct Shard {
    terms: Vec<String>,
    postings: Vec<Vec<(u32, u32)>>,
    slugs: Vec<(String, u32)>,
}

/// A sharded search index in the browser: the manifest, and the parts
/// fetched so far. `search` says which part it lacks; the caller fetches
/// it (`part_path`), `insert`s it and asks again.
pub struct ShardedIndex {
    pub language: Language,
    doc_count: usize,
    sums: [u64; LENGTH_FIELDS],
    /// First term of shards 1.. (shard 0 starts at the beginning).
    boundaries: Vec<String>,
    /// Per facet (type, category, source): the values and how many skills have each.
    pub facet_values: [Vec<(String, u32)>; 3],
    shards: Vec<Option<Shard>>,
    facets: Option<Vec<[u32; 3]>>,
    /// Field lengths learnt from the loaded shards.
    lengths: HashMap<u32, [u32; LENGTH_FIELDS]>,
    docs: HashMap<u32, SearchDoc>,
}

impl ShardedIndex {
    /// Splits `index` into its files (see the module doc).
    pub fn write(index: &SearchIndex) -> ShardFiles {
        let mut files = Vec::new();
        // Shards: cut the sorted terms at about SHARD_BYTES.
        let mut ranges: Vec<(usize, usize)> = Vec::new();
        let mut encoded: Vec<Writer> = Vec::new();
        let mut current = Writer::default();
        let mut start = 0;
        for (i, term) in index.terms.iter().enumerate() {
            // Front coding restarts in each shard.
            let previous = if current.0.is_empty() { "" } else { index.terms[i - 1].as_str() };
            encode_term(&mut current, index, i, previous, term);
            if current.0.len() >= SHARD_BYTES || i + 1 == index.terms.len() {
                ranges.push((start, i + 1));
                encoded.push(std::mem::take(&mut current));
                start = i + 1;
            }
        }
        if ranges.is_empty() {
            ranges.push((0, 0));
            encoded.push(Writer::default());
        }
        let boundaries: Vec<&str> = ranges[1..].iter().map(|&(s, _)| index.terms[s].as_str()).collect();
        let mut slugs: Vec<Vec<(&str, u32)>> = vec![Vec::new(); ranges.len()];
        for (doc, d) in index.docs.iter().enumerate() {
            slugs[shard_of(&boundaries, &d.slug)].push((&d.slug, doc as u32));
        }
        for (n, ((range, body), mut slugs)) in ranges.iter().zip(encoded).zip(slugs).enumerate() {
            let mut w = Writer::header(KIND_SHARD);
            w.uint(range.1 - range.0);
            w.0.extend(body.0);
            slugs.sort_unstable();
            w.uint(slugs.len());
            let mut previous = "";
            for (slug, doc) in slugs {
                w.front_coded(previous, slug);
                previous = slug;
                w.uint(doc as usize);
                for field in 0..LENGTH_FIELDS {
                    w.uint(index.length(doc as usize, field) as usize);
                }
            }
            files.push((format!("s{n}.bin"), w.0));
        }
        // Facets: values numbered by the manifest's tables.
        let mut tables: [Vec<(String, u32)>; 3] = Default::default();
        let mut per_doc = Writer::header(KIND_FACETS);
        for doc in &index.docs {
            for (table, value) in tables.iter_mut().zip(doc_facets(doc)) {
                let number = match value {
                    None => 0,
                    Some(value) => match table.iter().position(|(v, _)| v == value) {
                        Some(i) => {
                            table[i].1 += 1;
                            i + 1
                        }
                        None => {
                            table.push((value.to_string(), 1));
                            table.len()
                        }
                    },
                };
                per_doc.uint(number);
            }
        }
        files.push(("facets.bin".to_string(), per_doc.0));
        // Metadata fragments.
        for (g, docs) in index.docs.chunks(DOCS_PER_FRAGMENT).enumerate() {
            let mut w = Writer::header(KIND_DOCS);
            w.uint(docs.len());
            for doc in docs {
                for text in [&doc.name, &doc.slug, &doc.description] {
                    w.str(text);
                }
                for value in doc_facets(doc) {
                    w.str(value.unwrap_or_default());
                }
                w.uint(doc.tags.len());
                for tag in &doc.tags {
                    w.str(tag);
                }
            }
            files.push((format!("d{g}.bin"), w.0));
        }
        // The manifest last, first in the list.
        let mut m = Writer::header(KIND_MANIFEST);
        m.uint(SEARCH_VERSION as usize);
        m.uint(match index.language {
            Language::English => 0,
            Language::None => 1,
        });
        m.uint(index.docs.len());
        for sum in index.length_sums() {
            m.uint(sum as usize);
        }
        m.uint(DOCS_PER_FRAGMENT);
        m.uint(boundaries.len());
        let mut previous = "";
        for boundary in &boundaries {
            m.front_coded(previous, boundary);
            previous = boundary;
        }
        for table in &tables {
            m.uint(table.len());
            for (value, count) in table {
                m.str(value);
                m.uint(*count as usize);
            }
        }
        files.insert(0, ("manifest.bin".to_string(), m.0));
        files
    }

    /// Reads a manifest (`manifest.bin`); nothing else is loaded yet.
    pub fn from_manifest(bytes: &[u8]) -> Result<ShardedIndex, String> {
        let mut r = Reader::new(bytes, KIND_MANIFEST, "the index manifest")?;
        let version = r.uint()?;
        if version != SEARCH_VERSION as usize {
            return Err(format!("the index has version {version}, this page reads {SEARCH_VERSION}"));
        }
        let language = match r.uint()? {
            0 => Language::English,
            1 => Language::None,
            other => return Err(format!("the index manifest names an unknown language ({other})")),
        };
        let doc_count = r.uint()?;
        let mut sums = [0u64; LENGTH_FIELDS];
        for sum in &mut sums {
            *sum = r.uint()? as u64;
        }
        if r.uint()? != DOCS_PER_FRAGMENT {
            return Err("the index manifest groups result metadata differently from this page".into());
        }
        let count = r.uint()?;
        let mut boundaries = Vec::with_capacity(count.min(1 << 16));
        for _ in 0..count {
            let term = r.front_coded(boundaries.last().map_or("", |b: &String| b.as_str()))?;
            boundaries.push(term);
        }
        let mut facet_values: [Vec<(String, u32)>; 3] = Default::default();
        for table in &mut facet_values {
            for _ in 0..r.uint()? {
                table.push((r.str()?.to_string(), r.uint()? as u32));
            }
        }
        r.end()?;
        let shards = (0..=boundaries.len()).map(|_| None).collect();
        Ok(ShardedIndex { language, doc_count, sums, boundaries, facet_values, shards, facets: None, lengths: HashMap::new(), docs: HashMap::new() })
    }

    /// Reads a whole index's files (as `write` made them) into a fully
    /// loaded sharded index: what `llmos search` and the tests compare.
    pub fn from_files(files: &ShardFiles) -> Result<ShardedIndex, String> {
        let by_path: HashMap<&str, &[u8]> = files.iter().map(|(p, b)| (p.as_str(), b.as_slice())).collect();
        let mut index = ShardedIndex::from_manifest(by_path.get("manifest.bin").ok_or("no manifest.bin")?)?;
        let parts: Vec<Part> = (0..index.shards.len() as u32).map(Part::Shard).chain([Part::Facets]).collect();
        for part in parts {
            let path = Self::part_path(part);
            index.insert(part, by_path.get(path.as_str()).ok_or_else(|| format!("no {path}"))?)?;
        }
        for g in 0..index.doc_count.div_ceil(DOCS_PER_FRAGMENT) {
            let path = Self::fragment_path(g);
            index.insert_fragment(g, by_path.get(path.as_str()).ok_or_else(|| format!("no {path}"))?)?;
        }
        Ok(index)
    }

    /// The file of `part`, under `index/search/`.
    pub fn part_path(part: Part) -> String {
        match part {
            Part::Shard(n) => format!("s{n}.bin"),
            Part::Facets => "facets.bin".to_string(),
        }
    }

    /// The metadata fragment that holds `doc`.
    pub fn fragment_of(doc: usize) -> usize {
        doc / DOCS_PER_FRAGMENT
    }

    /// The file of metadata fragment `g`, under `index/search/`.
    pub fn fragment_path(g: usize) -> String {
        format!("d{g}.bin")
    }

    pub fn doc_count(&self) -> usize {
        self.doc_count
    }

    /// How many term shards the index has.
    pub fn shard_count(&self) -> usize {
        self.shards.len()
    }

    /// Whether `part` is loaded.
    pub fn has_part(&self, part: Part) -> bool {
        match part {
            Part::Shard(n) => self.shards.get(n as usize).is_some_and(Option::is_some),
            Part::Facets => self.facets.is_some(),
        }
    }

    /// Adds a fetched part.
    pub fn insert(&mut self, part: Part, bytes: &[u8]) -> Result<(), String> {
        match part {
            Part::Shard(n) => {
                let what = format!("index shard {n}");
                let slot = self.shards.get(n as usize).ok_or_else(|| format!("the {what} is not in the manifest"))?;
                if slot.is_some() {
                    return Ok(());
                }
                let shard = self.read_shard(Reader::new(bytes, KIND_SHARD, &what)?)?;
                self.shards[n as usize] = Some(shard);
            }
            Part::Facets => {
                let mut r = Reader::new(bytes, KIND_FACETS, "the index facets")?;
                let mut facets = Vec::with_capacity(self.doc_count);
                for _ in 0..self.doc_count {
                    let mut doc = [0u32; 3];
                    for (value, table) in doc.iter_mut().zip(&self.facet_values) {
                        *value = r.uint()? as u32;
                        if *value as usize > table.len() {
                            return Err("the index facets name a value the manifest lacks".into());
                        }
                    }
                    facets.push(doc);
                }
                r.end()?;
                self.facets = Some(facets);
            }
        }
        Ok(())
    }

    fn read_shard(&mut self, mut r: Reader) -> Result<Shard, String> {
        let count = r.uint()?;
        let mut shard = Shard { terms: Vec::with_capacity(count.min(1 << 16)), postings: Vec::with_capacity(count.min(1 << 16)), slugs: Vec::new() };
        for _ in 0..count {
            let term = r.front_coded(shard.terms.last().map_or("", |t: &String| t.as_str()))?;
            let n = r.uint()?;
            let mut list = Vec::with_capacity(n.min(1 << 20));
            let mut doc = 0u32;
            for _ in 0..n {
                doc = doc.checked_add(r.uint()? as u32).filter(|&d| (d as usize) < self.doc_count).ok_or("a posting names a skill the manifest lacks")?;
                let packed = r.uint()? as u32;
                let lengths = self.lengths.entry(doc).or_default();
                lengths[NAME] = r.uint()? as u32;
                for (field, length) in lengths.iter_mut().enumerate().skip(1) {
                    if (packed >> (4 * field)) & 15 > 0 {
                        *length = r.uint()? as u32;
                    }
                }
                list.push((doc, packed));
            }
            shard.terms.push(term);
            shard.postings.push(list);
        }
        for _ in 0..r.uint()? {
            let slug = r.front_coded(shard.slugs.last().map_or("", |s: &(String, u32)| s.0.as_str()))?;
            let doc = r.uint()? as u32;
            if doc as usize >= self.doc_count {
                return Err("a slug names a skill the manifest lacks".into());
            }
            let lengths = self.lengths.entry(doc).or_default();
            for length in lengths.iter_mut() {
                *length = r.uint()? as u32;
            }
            shard.slugs.push((slug, doc));
        }
        r.end()?;
        Ok(shard)
    }

    /// Adds metadata fragment `g`.
    pub fn insert_fragment(&mut self, g: usize, bytes: &[u8]) -> Result<(), String> {
        let mut r = Reader::new(bytes, KIND_DOCS, &format!("result fragment {g}"))?;
        let count = r.uint()?;
        for i in 0..count {
            let (name, slug, description) = (r.str()?.to_string(), r.str()?.to_string(), r.str()?.to_string());
            let mut facet = || r.str().map(|s| (!s.is_empty()).then(|| s.to_string()));
            let (kind, category, source) = (facet()?, facet()?, facet()?);
            let mut tags = Vec::new();
            for _ in 0..r.uint()? {
                tags.push(r.str()?.to_string());
            }
            let doc = SearchDoc { name, slug, description, category, kind, user: false, source, tags };
            self.docs.insert((g * DOCS_PER_FRAGMENT + i) as u32, doc);
        }
        r.end()
    }

    /// A site doc's result metadata, once its fragment is loaded.
    pub fn doc(&self, doc: usize) -> Option<&SearchDoc> {
        self.docs.get(&(doc as u32))
    }

    /// The parts a query (with `user` skills layered on) is sure to read
    /// that are not loaded; `facets` adds the facets (the results page
    /// counts them). Fetch them together before `search`.
    pub fn planned(&self, query: &str, user: Option<&SearchIndex>, facets: bool) -> Vec<Part> {
        let (keys, want_facets) = rank::planned_keys(query, self.language);
        let mut parts: Vec<Part> = keys.iter().map(|k| Part::Shard(shard_of(&self.boundaries, k) as u32)).collect();
        parts.extend(user.into_iter().flat_map(|u| &u.docs).map(|d| Part::Shard(shard_of(&self.boundaries, &d.slug) as u32)));
        if want_facets || facets {
            parts.push(Part::Facets);
        }
        parts.sort_unstable();
        parts.dedup();
        parts.retain(|&p| !self.has_part(p));
        parts
    }

    /// Ranks `query` over the loaded parts, with `user` skills layered on
    /// (`SearchIndex::layered`'s ranking): the hits, or the part it needs
    /// next. Doc ids below `doc_count()` are the site's (`doc`); the rest
    /// are the user's, `doc_count()` onwards in `user.docs` order.
    pub fn search(&self, query: &str, user: Option<&SearchIndex>, limit: usize) -> Result<Vec<Hit>, Part> {
        match user {
            Some(user) => rank::rank(&Layered::new(self, user)?, query, limit),
            None => rank::rank(self, query, limit),
        }
    }

    /// The facet value of a site doc (facets must be loaded).
    pub fn facet_of(&self, doc: usize, field: FacetField) -> Result<Option<&str>, Part> {
        Source::facet(self, doc, field)
    }

    fn shard(&self, key: &str) -> Result<&Shard, Part> {
        let n = shard_of(&self.boundaries, key);
        self.shards[n].as_ref().ok_or(Part::Shard(n as u32))
    }
}

/// A doc's facets in the order of the manifest's tables.
fn doc_facets(d: &SearchDoc) -> [Option<&str>; 3] {
    [d.kind.as_deref(), d.category.as_deref(), d.source.as_deref()]
}

/// The shard whose range holds `key`.
fn shard_of<S: AsRef<str>>(boundaries: &[S], key: &str) -> usize {
    boundaries.partition_point(|b| b.as_ref() <= key)
}

/// Appends term `i` of `index` with its postings and their field lengths.
fn encode_term(w: &mut Writer, index: &SearchIndex, i: usize, previous: &str, term: &str) {
    w.front_coded(previous, term);
    let list = &index.postings[i];
    w.uint(list.len() / 2);
    let mut previous = 0;
    for (doc, packed) in decode_postings(list) {
        w.uint((doc - previous) as usize);
        previous = doc;
        w.uint(packed as usize);
        w.uint(index.length(doc as usize, NAME) as usize);
        for field in 1..LENGTH_FIELDS {
            if (packed >> (4 * field)) & 15 > 0 {
                w.uint(index.length(doc as usize, field) as usize);
            }
        }
    }
}

impl Source for ShardedIndex {
    fn language(&self) -> Language {
        self.language
    }
    fn doc_count(&self) -> usize {
        self.doc_count
    }
    fn length_sums(&self) -> [u64; LENGTH_FIELDS] {
        self.sums
    }
    fn has(&self, term: &str) -> Result<bool, Part> {
        Ok(self.shard(term)?.terms.binary_search_by(|t| t.as_str().cmp(term)).is_ok())
    }
    fn scan(&self, prefix: &str, visit: &mut dyn FnMut(&str) -> bool) -> Result<(), Part> {
        let mut n = shard_of(&self.boundaries, prefix);
        loop {
            let shard = self.shards[n].as_ref().ok_or(Part::Shard(n as u32))?;
            let start = shard.terms.partition_point(|t| t.as_str() < prefix);
            for term in &shard.terms[start..] {
                if !term.starts_with(prefix) || !visit(term) {
                    return Ok(());
                }
            }
            // The next shard matters only if it starts within the prefix.
            match self.boundaries.get(n) {
                Some(next) if next.starts_with(prefix) => n += 1,
                _ => return Ok(()),
            }
        }
    }
    fn postings(&self, term: &str) -> Result<Vec<(u32, u32)>, Part> {
        let shard = self.shard(term)?;
        Ok(shard.terms.binary_search_by(|t| t.as_str().cmp(term)).map_or_else(|_| Vec::new(), |i| shard.postings[i].clone()))
    }
    fn length(&self, doc: usize, field: usize) -> u32 {
        self.lengths.get(&(doc as u32)).map_or(0, |l| l[field])
    }
    fn slug_doc(&self, slug: &str) -> Result<Option<usize>, Part> {
        let shard = self.shard(slug)?;
        Ok(shard.slugs.binary_search_by(|(s, _)| s.as_str().cmp(slug)).ok().map(|i| shard.slugs[i].1 as usize))
    }
    fn facet(&self, doc: usize, field: FacetField) -> Result<Option<&str>, Part> {
        let facets = self.facets.as_ref().ok_or(Part::Facets)?;
        let which = match field {
            FacetField::Type => 0,
            FacetField::Category => 1,
            FacetField::Source => 2,
        };
        let number = facets[doc][which] as usize;
        Ok(number.checked_sub(1).map(|i| self.facet_values[which][i].0.as_str()))
    }
}

#[derive(Default)]
struct Writer(Vec<u8>);

impl Writer {
    fn header(kind: u8) -> Writer {
        let mut w = Writer(MAGIC.to_vec());
        w.0.push(kind);
        w
    }

    /// Unsigned LEB128.
    fn uint(&mut self, mut value: usize) {
        loop {
            let byte = (value & 0x7f) as u8;
            value >>= 7;
            if value == 0 {
                self.0.push(byte);
                return;
            }
            self.0.push(byte | 0x80);
        }
    }

    fn str(&mut self, text: &str) {
        self.uint(text.len());
        self.0.extend_from_slice(text.as_bytes());
    }

    /// `text` as the length of the prefix it shares with `previous`, then the rest.
    fn front_coded(&mut self, previous: &str, text: &str) {
        let shared = previous.bytes().zip(text.bytes()).take_while(|(a, b)| a == b).count();
        // Cut on a character boundary, so both halves are UTF-8.
        let shared = (0..=shared).rev().find(|&n| text.is_char_boundary(n)).unwrap_or(0);
        self.uint(shared);
        self.str(&text[shared..]);
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    what: String,
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8], kind: u8, what: &str) -> Result<Reader<'a>, String> {
        if bytes.len() < 5 || &bytes[..4] != MAGIC || bytes[4] != kind {
            return Err(format!("{what} is not an LLMos search file (rebuild the site)"));
        }
        Ok(Reader { bytes, at: 5, what: what.to_string() })
    }

    fn damaged(&self) -> String {
        format!("{} is damaged at byte {} (rebuild the site)", self.what, self.at)
    }

    fn uint(&mut self) -> Result<usize, String> {
        let mut value = 0usize;
        for shift in (0..64).step_by(7) {
            let byte = *self.bytes.get(self.at).ok_or_else(|| self.damaged())?;
            self.at += 1;
            value |= ((byte & 0x7f) as usize).checked_shl(shift).ok_or_else(|| self.damaged())?;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(self.damaged())
    }

    fn str(&mut self) -> Result<&'a str, String> {
        let len = self.uint()?;
        let end = self.at.checked_add(len).filter(|&e| e <= self.bytes.len()).ok_or_else(|| self.damaged())?;
        let text = std::str::from_utf8(&self.bytes[self.at..end]).map_err(|_| self.damaged())?;
        self.at = end;
        Ok(text)
    }

    fn front_coded(&mut self, previous: &str) -> Result<String, String> {
        let shared = self.uint()?;
        let head = previous.get(..shared).ok_or_else(|| self.damaged())?;
        let mut text = head.to_string();
        text.push_str(self.str()?);
        Ok(text)
    }

    fn end(&self) -> Result<(), String> {
        if self.at == self.bytes.len() {
            Ok(())
        } else {
            Err(self.damaged())
        }
    }
}
