//! The scan kernel: one pass over the codes, each code compared with every query while
//! it is in a register, with an early exit after the first 128 bits (which sit in their
//! own array, so the pass reads 16 bytes a code).
//!
//! The same generic code is compiled four times: for the baseline x86-64 target (no
//! POPCNT instruction; `count_ones` becomes a bit-twiddling sequence), with POPCNT, with
//! AVX2 and with AVX-512 VPOPCNTDQ (where LLVM turns the loop over the queries into
//! vector popcounts). The best one the CPU has is chosen at run time.

/// Codes split in halves: words 0 and 1 of code i in `lo[i]`, words 2 and 3 in `hi[i]`,
/// so that the scan streams 16 bytes a code and touches `hi` only for candidates.
#[derive(Clone, Copy)]
pub(super) struct Codes<'a> {
    pub lo: &'a [[u64; 2]],
    pub hi: &'a [[u64; 2]],
}

/// Receives the codes that pass the filter.
pub(super) trait Visit {
    /// Codes whose smallest distance to any query exceeds this are skipped.
    fn threshold(&self) -> u32;
    /// Code number `slot` is `distance` from query `variant`, its nearest (the first on
    /// ties), and `distance <= threshold()`.
    fn visit(&mut self, slot: usize, distance: u32, variant: usize);
}

/// The queries, word-major, so that the loop over queries is a vector loop.
#[derive(Clone, Copy)]
pub(super) struct Queries<const Q: usize> {
    words: [[u64; Q]; 4],
}

impl<const Q: usize> Queries<Q> {
    /// Takes up to `Q` queries; missing ones repeat the first, which changes no result
    /// because a code's best variant is the first one at its smallest distance.
    pub fn new(queries: &[[u64; 4]]) -> Self {
        let mut words = [[0u64; Q]; 4];
        for j in 0..Q {
            let q = queries
                .get(j)
                .or(queries.first())
                .copied()
                .unwrap_or([0; 4]);
            for (word, value) in words.iter_mut().zip(q) {
                word[j] = value;
            }
        }
        Queries { words }
    }
}

#[inline(always)]
fn scan_generic<const Q: usize, V: Visit>(
    codes: Codes<'_>,
    base: usize,
    queries: &Queries<Q>,
    visitor: &mut V,
) {
    let q = &queries.words;
    for (i, lo) in codes.lo.iter().enumerate() {
        let threshold = visitor.threshold();
        let mut half = [0u32; Q];
        for j in 0..Q {
            half[j] = (lo[0] ^ q[0][j]).count_ones() + (lo[1] ^ q[1][j]).count_ones();
        }
        let mut any = false;
        for h in half {
            any |= h <= threshold;
        }
        if !any {
            continue;
        }
        let Some(hi) = codes.hi.get(i) else {
            break;
        };
        let mut best = u32::MAX;
        let mut variant = 0;
        for j in 0..Q {
            let d = half[j] + (hi[0] ^ q[2][j]).count_ones() + (hi[1] ^ q[3][j]).count_ones();
            if d < best {
                best = d;
                variant = j;
            }
        }
        if best <= threshold {
            visitor.visit(base + i, best, variant);
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "popcnt")]
fn scan_popcnt<const Q: usize, V: Visit>(
    codes: Codes<'_>,
    base: usize,
    queries: &Queries<Q>,
    visitor: &mut V,
) {
    scan_generic(codes, base, queries, visitor)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "popcnt,avx2")]
fn scan_avx2<const Q: usize, V: Visit>(
    codes: Codes<'_>,
    base: usize,
    queries: &Queries<Q>,
    visitor: &mut V,
) {
    scan_generic(codes, base, queries, visitor)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "popcnt,avx2,avx512f,avx512vl,avx512bw,avx512vpopcntdq")]
fn scan_avx512<const Q: usize, V: Visit>(
    codes: Codes<'_>,
    base: usize,
    queries: &Queries<Q>,
    visitor: &mut V,
) {
    scan_generic(codes, base, queries, visitor)
}

/// Which compiled kernel to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kernel {
    /// Baseline instructions only.
    Portable,
    /// The POPCNT instruction.
    Popcnt,
    /// AVX2 (vector popcount by nibble lookup) and POPCNT.
    Avx2,
    /// AVX-512 with VPOPCNTDQ.
    Avx512,
}

impl Kernel {
    /// The fastest kernel this CPU supports.
    pub fn detect() -> Kernel {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f")
                && std::arch::is_x86_feature_detected!("avx512vl")
                && std::arch::is_x86_feature_detected!("avx512bw")
                && std::arch::is_x86_feature_detected!("avx512vpopcntdq")
                && std::arch::is_x86_feature_detected!("avx2")
                && std::arch::is_x86_feature_detected!("popcnt")
            {
                return Kernel::Avx512;
            }
            if std::arch::is_x86_feature_detected!("avx2")
                && std::arch::is_x86_feature_detected!("popcnt")
            {
                return Kernel::Avx2;
            }
            if std::arch::is_x86_feature_detected!("popcnt") {
                return Kernel::Popcnt;
            }
        }
        Kernel::Portable
    }

    /// Whether this CPU can run the kernel.
    pub fn is_supported(self) -> bool {
        match self {
            Kernel::Portable => true,
            Kernel::Popcnt => Kernel::detect() != Kernel::Portable,
            Kernel::Avx2 => matches!(Kernel::detect(), Kernel::Avx2 | Kernel::Avx512),
            Kernel::Avx512 => Kernel::detect() == Kernel::Avx512,
        }
    }
}

/// Runs `kernel` over `codes`; slots passed to the visitor start at `base`.
/// A kernel the CPU lacks falls back to the portable one.
pub(super) fn scan<const Q: usize, V: Visit>(
    kernel: Kernel,
    codes: Codes<'_>,
    base: usize,
    queries: &Queries<Q>,
    visitor: &mut V,
) {
    #[cfg(target_arch = "x86_64")]
    if scan_x86(kernel, codes, base, queries, visitor) {
        return;
    }
    scan_generic(codes, base, queries, visitor)
}

/// The one place in the crate with `unsafe`. `scan_popcnt` and `scan_avx512` are safe
/// code compiled with extra target features; calling them is unsound only on a CPU
/// without those features, and `Kernel::is_supported` checks the CPU at run time just
/// before (std caches the detection). Returns false when it ran nothing.
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
fn scan_x86<const Q: usize, V: Visit>(
    kernel: Kernel,
    codes: Codes<'_>,
    base: usize,
    queries: &Queries<Q>,
    visitor: &mut V,
) -> bool {
    if !kernel.is_supported() {
        return false;
    }
    match kernel {
        // SAFETY: the CPU has popcnt, avx2 and the AVX-512 features (checked above).
        Kernel::Avx512 => unsafe { scan_avx512(codes, base, queries, visitor) },
        // SAFETY: the CPU has popcnt and avx2 (checked above).
        Kernel::Avx2 => unsafe { scan_avx2(codes, base, queries, visitor) },
        // SAFETY: the CPU has popcnt (checked above).
        Kernel::Popcnt => unsafe { scan_popcnt(codes, base, queries, visitor) },
        Kernel::Portable => return false,
    }
    true
}
