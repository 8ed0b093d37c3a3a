//! A seeded generator for measurement sampling: SplitMix64 (Steele, Lea and
//! Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014;
//! constants from the reference implementation by Vigna). Written here
//! rather than taken from `rand` because the runtime must draw the same
//! numbers natively and in WebAssembly without any source of OS entropy,
//! and this is the whole algorithm.

/// A 64-bit SplitMix generator; the same seed gives the same sequence on
/// every target.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A uniform number in [0, 1) with 53 random bits.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn matches_the_reference_sequence() {
        // First outputs of the reference splitmix64.c for seed 1234567.
        let mut rng = super::SplitMix64::new(1234567);
        assert_eq!(rng.next_u64(), 6457827717110365317);
        assert_eq!(rng.next_u64(), 3203168211198807973);
        let x = super::SplitMix64::new(7).next_f64();
        assert!((0.0..1.0).contains(&x));
    }
}
