//! Clustering unit vectors: candidate pairs from an inverted index (or LSH), then group-average merging in similarity order.
//!
//! Why this algorithm. Paraphrases of one task share a few distinctive
//! features (a rare word, its character n-grams) while different tasks
//! share only common ones, so:
//!
//! 1. **Candidates** (no all-pairs): each trace is looked up, in input
//!    order, in an inverted index of the traces before it, by its *keys*:
//!    its rarest word features and the rarest character n-gram of each word
//!    (prefix filtering, Bayardo, Ma & Srikant, "Scaling up all pairs
//!    similarity search", WWW 2007: similar vectors must share a rare
//!    feature). Each posting list is read from its newest end, at most
//!    `Params::postings_read` entries, so a trace is compared with at most
//!    keys × that many others: O(n · k) dot products, however large a
//!    cluster grows. For embeddings the keys are random-hyperplane LSH
//!    signatures (Charikar, "Similarity estimation techniques from rounding
//!    algorithms", STOC 2002), several bands of bits each; up to
//!    `EXACT_UP_TO` embeddings, every earlier item is a candidate.
//! 2. **Edges**: exact cosines of the candidate pairs, kept when at least
//!    `Params::edge`, at most `NEIGHBOURS` per trace (its most similar
//!    earlier traces: a k-nearest-neighbour graph).
//! 3. **Merging**: edges in descending similarity (Kruskal's order) join
//!    the clusters at their ends, with union-find, only when the clusters'
//!    *group-average* similarity (UPGMA, Sokal & Michener 1958) is at least
//!    `Params::link`. With unit vectors the mean of all pairwise cosines
//!    between clusters A and B is `(ΣA · ΣB) / (|A| |B|)`, so each cluster
//!    keeps the sum of its vectors and the test is exact, not sampled; sums
//!    merge smaller into larger (O(n log n) additions over a run), and a
//!    refused pair is not tested again until one side has grown. Single
//!    linkage alone chains "plot a CSV" → "clean a CSV" → "clean a table";
//!    the average guard stops a cluster from drifting while edges between
//!    true paraphrases, which are many, still merge.
//!
//! Cost: O(n · keys · postings_read · vector length) for the candidates
//! (each cosine costs one vector's length: the trace is scattered into a
//! dense array first), O(E log E) for the E ≤ n · `NEIGHBOURS` edges, and
//! the merges above: O(n log n) for a bounded goal length. Memory: the
//! vectors, the postings (n · keys entries) and the edges.

use super::features::SparseVec;
use rustc_hash::FxHashMap;
use std::cell::RefCell;

/// Thresholds and bounds of one clustering.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    /// The least cosine of a candidate pair for it to be an edge.
    pub edge: f32,
    /// The least group-average cosine of two clusters for them to merge.
    pub link: f32,
    /// Entries of one posting list (or LSH bucket) read per lookup, newest first.
    pub postings_read: usize,
}

/// Edges kept per item: its most similar earlier candidates. Enough to
/// join an item to its cluster; bounds the merge phase at O(n) edges.
pub const NEIGHBOURS: usize = 10;

/// The thresholds of the lexical default, chosen on the tuning half of
/// `app/tests/fixtures/evolution/goals.tsv` (see
/// `app/tests/evolution_quality.rs` for the sweep and the figures).
pub const LEXICAL: Params = Params {
    edge: 0.20,
    link: 0.20,
    postings_read: 6,
};

/// The thresholds for embeddings: typical sentence-embedding cosines of
/// paraphrases are 0.75 and more, of unrelated requests 0.2 to 0.6.
pub const SEMANTIC: Params = Params {
    edge: 0.78,
    link: 0.72,
    postings_read: 24,
};

/// Vectors a clustering can compare, and the cluster sums it keeps.
pub trait Space {
    /// A cluster's sum of member vectors.
    type Sum;
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The cosines of item `i` with each of `others`, into `out` (cleared first).
    fn cosines(&self, i: usize, others: &[u32], out: &mut Vec<f32>);
    /// The candidate keys of item `i` (features or LSH buckets).
    fn keys(&self, i: usize) -> Vec<u64>;
    /// Whether every earlier item is a candidate (exact search, no keys).
    fn all_pairs(&self) -> bool {
        false
    }
    fn sum_of(&self, i: usize) -> Self::Sum;
    fn add(&self, into: &mut Self::Sum, from: &Self::Sum);
    fn dot(&self, a: &Self::Sum, b: &Self::Sum) -> f32;
    /// Adds item `i`'s vector to a sum.
    fn add_item(&self, into: &mut Self::Sum, i: usize);
    /// The dot product of item `i`'s vector with a sum.
    fn dot_item(&self, i: usize, sum: &Self::Sum) -> f32;
    /// How many entries `add` iterates; the smaller sum is added to the larger.
    fn weight(&self, sum: &Self::Sum) -> usize;
}

/// Sparse TF-IDF vectors with their candidate keys (`features::Features`).
pub struct SparseSpace<'a> {
    vectors: &'a [SparseVec],
    keys: &'a [Vec<u32>],
    /// Item `i` scattered into a dense array while its cosines are taken,
    /// so each costs the other vector's length.
    dense: RefCell<Vec<f32>>,
}

impl<'a> SparseSpace<'a> {
    pub fn new(features: &'a super::Features) -> SparseSpace<'a> {
        SparseSpace {
            vectors: &features.vectors,
            keys: &features.keys,
            dense: RefCell::new(vec![0.0; features.dimensions()]),
        }
    }
}

impl Space for SparseSpace<'_> {
    type Sum = FxHashMap<u32, f32>;
    fn len(&self) -> usize {
        self.vectors.len()
    }
    fn cosines(&self, i: usize, others: &[u32], out: &mut Vec<f32>) {
        let mut dense = self.dense.borrow_mut();
        for &(id, w) in &self.vectors[i] {
            dense[id as usize] = w;
        }
        out.clear();
        out.extend(others.iter().map(|&j| {
            self.vectors[j as usize]
                .iter()
                .map(|&(id, w)| w * dense[id as usize])
                .sum::<f32>()
        }));
        for &(id, _) in &self.vectors[i] {
            dense[id as usize] = 0.0;
        }
    }
    fn keys(&self, i: usize) -> Vec<u64> {
        self.keys[i].iter().map(|&k| k as u64).collect()
    }
    fn sum_of(&self, i: usize) -> Self::Sum {
        self.vectors[i].iter().copied().collect()
    }
    fn add(&self, into: &mut Self::Sum, from: &Self::Sum) {
        for (&id, &w) in from {
            *into.entry(id).or_insert(0.0) += w;
        }
    }
    fn dot(&self, a: &Self::Sum, b: &Self::Sum) -> f32 {
        // One sum scattered into the dense array, the other read against it:
        // sequential passes instead of a hash lookup per shared feature.
        let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
        let mut dense = self.dense.borrow_mut();
        for (&id, &w) in small {
            dense[id as usize] = w;
        }
        let dot = large.iter().map(|(&id, &w)| w * dense[id as usize]).sum();
        for &id in small.keys() {
            dense[id as usize] = 0.0;
        }
        dot
    }
    fn add_item(&self, into: &mut Self::Sum, i: usize) {
        for &(id, w) in &self.vectors[i] {
            *into.entry(id).or_insert(0.0) += w;
        }
    }
    fn dot_item(&self, i: usize, sum: &Self::Sum) -> f32 {
        self.vectors[i]
            .iter()
            .filter_map(|(id, w)| sum.get(id).map(|v| v * w))
            .sum()
    }
    fn weight(&self, sum: &Self::Sum) -> usize {
        sum.len()
    }
}

/// Dense vectors (embeddings), L2-normalised on construction, with
/// random-hyperplane LSH keys: `BANDS` bands of `BITS` sign bits each.
pub struct DenseSpace {
    vectors: Vec<Vec<f32>>,
    keys: Vec<Vec<u64>>,
}

const BANDS: usize = 8;
const BITS: usize = 10;

/// Up to this many items, the dense path compares all pairs instead of
/// LSH buckets: 8 bands of 10 bits find a pair of cosine 0.9 with
/// probability 0.85 but one of 0.78 only about half the time, and a user's
/// own history is a few hundred traces, where all pairs cost
/// n² / 2 × vector length multiply-adds (512 traces of 1,536 numbers: 2 × 10⁸).
pub const EXACT_UP_TO: usize = 512;

impl DenseSpace {
    /// Normalises `embeddings` (zero vectors stay zero and match nothing)
    /// and hashes them. Vectors shorter than the longest are padded with
    /// zeros; an embedding model gives one length, so that does not arise.
    pub fn new(embeddings: &[Vec<f32>]) -> DenseSpace {
        let dim = embeddings.iter().map(Vec::len).max().unwrap_or(0);
        let mut rng = super::SplitMix(0x5eed_1e55);
        let planes: Vec<f32> = (0..BANDS * BITS * dim).map(|_| rng.gaussian()).collect();
        let vectors: Vec<Vec<f32>> = embeddings
            .iter()
            .map(|e| {
                let norm = e.iter().map(|x| x * x).sum::<f32>().sqrt();
                let mut v: Vec<f32> = e
                    .iter()
                    .map(|x| if norm > 0.0 { x / norm } else { 0.0 })
                    .collect();
                v.resize(dim, 0.0);
                v
            })
            .collect();
        let keys = vectors
            .iter()
            .map(|v| {
                if v.iter().all(|&x| x == 0.0) {
                    return Vec::new();
                }
                (0..BANDS)
                    .map(|band| {
                        let mut signature = (band as u64) << 32;
                        for bit in 0..BITS {
                            let plane = &planes[(band * BITS + bit) * dim..][..dim];
                            if plane.iter().zip(v).map(|(p, x)| p * x).sum::<f32>() >= 0.0 {
                                signature |= 1 << bit;
                            }
                        }
                        signature
                    })
                    .collect()
            })
            .collect();
        DenseSpace { vectors, keys }
    }
}

impl Space for DenseSpace {
    type Sum = Vec<f32>;
    fn len(&self) -> usize {
        self.vectors.len()
    }
    fn cosines(&self, i: usize, others: &[u32], out: &mut Vec<f32>) {
        out.clear();
        out.extend(others.iter().map(|&j| {
            self.vectors[i]
                .iter()
                .zip(&self.vectors[j as usize])
                .map(|(x, y)| x * y)
                .sum::<f32>()
        }));
    }
    fn keys(&self, i: usize) -> Vec<u64> {
        self.keys[i].clone()
    }
    fn all_pairs(&self) -> bool {
        self.vectors.len() <= EXACT_UP_TO
    }
    fn sum_of(&self, i: usize) -> Self::Sum {
        self.vectors[i].clone()
    }
    fn add(&self, into: &mut Self::Sum, from: &Self::Sum) {
        into.iter_mut().zip(from).for_each(|(x, y)| *x += y);
    }
    fn dot(&self, a: &Self::Sum, b: &Self::Sum) -> f32 {
        a.iter().zip(b).map(|(x, y)| x * y).sum()
    }
    fn add_item(&self, into: &mut Self::Sum, i: usize) {
        into.iter_mut()
            .zip(&self.vectors[i])
            .for_each(|(x, y)| *x += y);
    }
    fn dot_item(&self, i: usize, sum: &Self::Sum) -> f32 {
        self.vectors[i].iter().zip(sum).map(|(x, y)| x * y).sum()
    }
    fn weight(&self, _: &Self::Sum) -> usize {
        1
    }
}

/// Clusters the items of `space`: one label per item, clusters numbered
/// 0, 1, … in the order of their first member. Deterministic for a given
/// input order.
pub fn cluster<S: Space>(space: &S, params: Params) -> Vec<usize> {
    let n = space.len();
    // Descending similarity, then ascending ends: one u128 key per edge
    // sorts faster than a three-way comparison of tuples.
    let order = |s: f32| {
        let bits = s.to_bits();
        if bits >> 31 == 1 { !bits } else { bits | 0x8000_0000 }
    };
    let mut keys: Vec<u128> = candidate_edges(space, params).into_iter().map(|(s, a, b)| (((!order(s)) as u128) << 96) | ((s.to_bits() as u128) << 64) | ((a as u128) << 32) | b as u128).collect();
    keys.sort_unstable();
    let edges = keys.into_iter().map(|k| (f32::from_bits((k >> 64) as u32), (k >> 32) as u32, k as u32));
    let mut parent: Vec<u32> = (0..n as u32).collect();
    let mut size = vec![1u32; n];
    let mut sums: Vec<Option<S::Sum>> = (0..n).map(|_| None).collect();
    // Pairs of roots whose merge was refused, with their sizes then.
    let mut refused: FxHashMap<(u32, u32), (u32, u32)> = FxHashMap::default();
    for (similarity, a, b) in edges {
        let (ra, rb) = (find(&mut parent, a as usize), find(&mut parent, b as usize));
        if ra == rb {
            continue;
        }
        let (low, high) = (ra.min(rb), ra.max(rb));
        let pair = (low as u32, high as u32);
        if refused.get(&pair) == Some(&(size[low], size[high])) {
            continue;
        }
        // A root of size 1 is an item with no sum of its own; larger roots have one.
        let average = match (&sums[ra], &sums[rb]) {
            (None, None) => similarity,
            (None, Some(sb)) => space.dot_item(ra, sb) / size[rb] as f32,
            (Some(sa), None) => space.dot_item(rb, sa) / size[ra] as f32,
            (Some(sa), Some(sb)) => space.dot(sa, sb) / (size[ra] as f32 * size[rb] as f32),
        };
        if average < params.link {
            refused.insert(pair, (size[low], size[high]));
            continue;
        }
        let (root, child, into) = match (sums[ra].take(), sums[rb].take()) {
            (Some(mut sa), Some(sb)) => {
                if space.weight(&sa) >= space.weight(&sb) {
                    space.add(&mut sa, &sb);
                    (ra, rb, sa)
                } else {
                    let mut sb = sb;
                    space.add(&mut sb, &sa);
                    (rb, ra, sb)
                }
            }
            (Some(mut sa), None) => {
                space.add_item(&mut sa, rb);
                (ra, rb, sa)
            }
            (None, Some(mut sb)) => {
                space.add_item(&mut sb, ra);
                (rb, ra, sb)
            }
            (None, None) => {
                let mut sum = space.sum_of(ra);
                space.add_item(&mut sum, rb);
                (ra, rb, sum)
            }
        };
        parent[child] = root as u32;
        size[root] += size[child];
        sums[root] = Some(into);
    }
    let mut labels = vec![usize::MAX; n];
    let mut by_root: FxHashMap<usize, usize> = FxHashMap::default();
    for (i, label) in labels.iter_mut().enumerate() {
        let root = find(&mut parent, i);
        let next = by_root.len();
        *label = *by_root.entry(root).or_insert(next);
    }
    labels
}

/// (cosine, earlier item, later item) for the candidate pairs at or above
/// `params.edge`, at most `NEIGHBOURS` per later item (its most similar).
fn candidate_edges<S: Space>(space: &S, params: Params) -> Vec<(f32, u32, u32)> {
    let mut postings: FxHashMap<u64, Vec<u32>> = FxHashMap::default();
    let mut edges = Vec::new();
    let (mut candidates, mut similarities, mut near): (Vec<u32>, Vec<f32>, Vec<(f32, u32)>) =
        (Vec::new(), Vec::new(), Vec::new());
    for i in 0..space.len() {
        let keys = space.keys(i);
        candidates.clear();
        if space.all_pairs() {
            candidates.extend(0..i as u32);
        }
        for key in &keys {
            if let Some(list) = postings.get(key) {
                candidates.extend(list.iter().rev().take(params.postings_read));
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        space.cosines(i, &candidates, &mut similarities);
        near.clear();
        near.extend(
            similarities
                .iter()
                .zip(&candidates)
                .filter(|(s, _)| **s >= params.edge)
                .map(|(&s, &j)| (s, j)),
        );
        if near.len() > NEIGHBOURS {
            near.select_nth_unstable_by(NEIGHBOURS, |a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            near.truncate(NEIGHBOURS);
        }
        edges.extend(near.iter().map(|&(s, j)| (s, j, i as u32)));
        for key in keys {
            postings.entry(key).or_default().push(i as u32);
        }
    }
    edges
}

fn find(parent: &mut [u32], mut i: usize) -> usize {
    while parent[i] as usize != i {
        parent[i] = parent[parent[i] as usize];
        i = parent[i] as usize;
    }
    i
}
