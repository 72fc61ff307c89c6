//! A small, portable, seeded pseudo-random generator written in-house, so that a bootstrap's
//! resamples (and hence its published intervals) never change with a crate upgrade.
//!
//! # Algorithms
//! - **xoshiro256\*\*** (Blackman & Vigna 2018, "Scrambled linear pseudorandom number generators",
//!   arXiv:1805.01407; ACM Trans. Math. Softw. 47(4):36, 2021): 256 bits of state, period
//!   2²⁵⁶ − 1, output `rotl(s1 · 5, 7) · 9`. [`Rng::from_state`]`([1, 2, 3, 4])` reproduces the
//!   reference implementation's outputs 11520, 0, 1509978240, 1215971899390074240, ...
//! - **SplitMix64** (Steele, Lea & Flood 2014, "Fast splittable pseudorandom number generators",
//!   OOPSLA; the seeding generator Blackman & Vigna recommend): `x += 0x9E3779B97F4A7C15`, then
//!   the mixing function `z ^= z >> 30; z *= 0xBF58476D1CE4E5B9; z ^= z >> 27;
//!   z *= 0x94D049BB133111EB; z ^= z >> 31`. Seed 0 gives 0xE220A8397B1DCDAF,
//!   0x6E789E6AA1B965F4, 0x06C45D188009454F, ...
//!
//! # Seeding with a stream number
//! [`Rng::new`]`(seed, stream)` starts SplitMix64 at `seed XOR mix(stream)`, where `mix` is the
//! SplitMix64 mixing function above (a bijection with `mix(0) = 0`), and takes the four xoshiro
//! state words from SplitMix64's first four outputs. So stream 0 is exactly "xoshiro256\*\* seeded
//! by SplitMix64(seed)" (as e.g. `rand_xoshiro`'s `seed_from_u64`), and for a fixed seed distinct
//! streams start from distinct SplitMix64 states. SplitMix64 never yields four zero words in a
//! row, so the all-zero xoshiro state (its one invalid state) cannot arise.
//!
//! The bootstrap ([`crate::stats::bootstrap`]) uses stream `b` for resample `b`, so a resample
//! depends only on `(seed, b)`, never on which thread drew it.

/// SplitMix64's increment (the golden-ratio constant 2⁶⁴/φ).
const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// SplitMix64's output mixing function (Stafford's "Mix13" variant), a bijection on u64.
fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// One step of SplitMix64 (Steele, Lea & Flood 2014): advance `state` by the golden gamma and
/// return the mixed value.
pub fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(GAMMA);
    mix64(*state)
}

/// xoshiro256\*\* generator (Blackman & Vigna 2018) seeded by SplitMix64; see the module docs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rng {
    s: [u64; 4],
}

impl Rng {
    /// Generator for `(seed, stream)`: SplitMix64 started at `seed XOR mix(stream)` fills the four
    /// state words. `Rng::new(seed, 0)` is the standard SplitMix64 seeding of xoshiro256\*\*.
    pub fn new(seed: u64, stream: u64) -> Rng {
        let mut sm = seed ^ mix64(stream);
        let s = [splitmix64(&mut sm), splitmix64(&mut sm), splitmix64(&mut sm), splitmix64(&mut sm)];
        Rng::from_state(s)
    }

    /// Generator with the given raw xoshiro256\*\* state (for checking the published test vector).
    /// The all-zero state is invalid for xoshiro (it would output zeros forever); it is replaced
    /// by the state of `Rng::new(0, 0)`.
    pub fn from_state(s: [u64; 4]) -> Rng {
        if s == [0; 4] {
            return Rng::new(0, 0);
        }
        Rng { s }
    }

    /// Next 64 random bits: xoshiro256\*\* output `rotl(s1 · 5, 7) · 9`, then the state update.
    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Uniform integer in `0..n`, exactly unbiased: Lemire's multiply-shift method with rejection
    /// (Lemire 2019, "Fast random integer generation in an interval", ACM TOMACS 29(1):3). The
    /// 128-bit product `x · n` is formed; its high word is the result unless its low word falls
    /// below `2⁶⁴ mod n`, in which case `x` is redrawn. `n = 1` returns 0 after consuming one draw;
    /// `n = 0` (an empty range, never asked for by this crate) returns 0 without drawing.
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        let mut m = u128::from(self.next_u64()) * u128::from(n);
        let mut low = m as u64;
        if low < n {
            // threshold = 2^64 mod n, computed as (2^64 - n) mod n.
            let threshold = n.wrapping_neg() % n;
            while low < threshold {
                m = u128::from(self.next_u64()) * u128::from(n);
                low = m as u64;
            }
        }
        (m >> 64) as u64
    }

    /// Uniform double in [0, 1): the top 53 bits of [`Rng::next_u64`] times 2⁻⁵³ (Vigna's
    /// recommended conversion), so every value is a multiple of 2⁻⁵³.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_published_vectors() {
        let mut s = 0u64;
        assert_eq!(splitmix64(&mut s), 0xE220_A839_7B1D_CDAF);
        assert_eq!(splitmix64(&mut s), 0x6E78_9E6A_A1B9_65F4);
        assert_eq!(splitmix64(&mut s), 0x06C4_5D18_8009_454F);
        let mut s = 1_234_567u64;
        let got: Vec<u64> = (0..5).map(|_| splitmix64(&mut s)).collect();
        assert_eq!(
            got,
            [
                6457827717110365317,
                3203168211198807973,
                9817491932198370423,
                4593380528125082431,
                16408922859458223821
            ]
        );
    }

    #[test]
    fn xoshiro256starstar_reference_vector() {
        // Outputs of Blackman & Vigna's reference xoshiro256starstar.c from state {1, 2, 3, 4}.
        let mut r = Rng::from_state([1, 2, 3, 4]);
        let want = [
            11520u64,
            0,
            1509978240,
            1215971899390074240,
            1216172134540287360,
            607988272756665600,
            16172922978634559625,
            8476171486693032832,
            10595114339597558777,
            2904607092377533576,
        ];
        for w in want {
            assert_eq!(r.next_u64(), w);
        }
    }

    #[test]
    fn stream_zero_is_standard_splitmix_seeding() {
        // xoshiro256** seeded by SplitMix64(42), as rand_xoshiro's seed_from_u64(42).
        let mut r = Rng::new(42, 0);
        assert_eq!(r.next_u64(), 1546998764402558742);
        assert_eq!(r.next_u64(), 6990951692964543102);
        assert_eq!(r.next_u64(), 12544586762248559009);
    }

    #[test]
    fn streams_and_seeds_differ() {
        let a: Vec<u64> = { let mut r = Rng::new(7, 0); (0..4).map(|_| r.next_u64()).collect() };
        let b: Vec<u64> = { let mut r = Rng::new(7, 1); (0..4).map(|_| r.next_u64()).collect() };
        let c: Vec<u64> = { let mut r = Rng::new(8, 0); (0..4).map(|_| r.next_u64()).collect() };
        assert_ne!(a, b);
        assert_ne!(a, c);
        assert_eq!(Rng::new(7, 1), Rng::new(7, 1));
    }

    #[test]
    fn below_is_in_range_and_unbiased_enough() {
        let mut r = Rng::new(1, 2);
        let mut counts = [0u32; 6];
        for _ in 0..60_000 {
            let k = r.below(6);
            counts[k as usize] += 1;
        }
        // Each count ~ Binomial(60000, 1/6): mean 10000, sd 91; 6 sd = 546.
        for c in counts {
            assert!((c as i64 - 10_000).abs() < 546, "{counts:?}");
        }
        assert_eq!(r.below(1), 0);
        assert_eq!(r.below(0), 0);
    }

    #[test]
    fn below_rejects_biased_draws() {
        // n = 2^63 + 1: threshold = 2^64 mod n = 2^63 - 1, so about half of all draws are
        // rejected; the result must still be < n and the generator must advance past rejections.
        let n = (1u64 << 63) + 1;
        let mut r = Rng::new(3, 0);
        for _ in 0..1000 {
            assert!(r.below(n) < n);
        }
        // A hand check of the rejection rule on the first draws of this stream.
        let mut probe = Rng::new(3, 0);
        let mut direct = Rng::new(3, 0);
        let threshold = n.wrapping_neg() % n;
        let want = loop {
            let m = u128::from(probe.next_u64()) * u128::from(n);
            if (m as u64) >= threshold {
                break (m >> 64) as u64;
            }
        };
        assert_eq!(direct.below(n), want);
    }

    #[test]
    fn next_f64_in_unit_interval() {
        let mut r = Rng::new(9, 9);
        let mut sum = 0.0;
        for _ in 0..10_000 {
            let u = r.next_f64();
            assert!((0.0..1.0).contains(&u));
            sum += u;
        }
        // mean of 10000 U(0,1): sd 0.0029; 6 sd.
        assert!((sum / 10_000.0 - 0.5).abs() < 0.018);
        let mut a = Rng::new(5, 0);
        let mut b = Rng::new(5, 0);
        assert_eq!(a.next_f64(), (b.next_u64() >> 11) as f64 / 9007199254740992.0);
    }
}
