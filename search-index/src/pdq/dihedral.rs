//! The eight dihedral variants of a hash, from one DCT: rotating or flipping the image
//! only transposes the DCT block and flips the sign of odd rows and/or columns.

use super::dct::N;
use super::median::torben;
use crate::Hash256;

pub(super) type Block = [[f32; N]; N];

/// Variant names in output order; also the reference's TSV column order.
pub const VARIANT_NAMES: [&str; 8] = [
    "orig", "rot90", "rot180", "rot270", "flipx", "flipy", "flipp", "flipm",
];

/// One of the eight symmetries, as (transpose?, negate where).
#[derive(Clone, Copy)]
enum Sign {
    Keep,
    /// Negate when the row index `i` (of the source block) is even.
    RowEven,
    /// Negate when the column index `j` is even.
    ColEven,
    /// Negate when `i + j` is odd.
    Checker,
}

const VARIANTS: [(bool, Sign); 8] = [
    (false, Sign::Keep),    // original
    (true, Sign::ColEven),  // rotate 90
    (false, Sign::Checker), // rotate 180
    (true, Sign::RowEven),  // rotate 270
    (false, Sign::RowEven), // flip x
    (false, Sign::ColEven), // flip y
    (true, Sign::Keep),     // flip about the main diagonal
    (true, Sign::Checker),  // flip about the anti-diagonal
];

fn transform(a: &Block, transpose: bool, sign: Sign) -> Block {
    let mut b = [[0.0f32; N]; N];
    for (i, row) in a.iter().enumerate() {
        for (j, &x) in row.iter().enumerate() {
            let negate = match sign {
                Sign::Keep => false,
                Sign::RowEven => i % 2 == 0,
                Sign::ColEven => j % 2 == 0,
                Sign::Checker => (i + j) % 2 == 1,
            };
            let v = if negate { -x } else { x };
            if transpose {
                b[j][i] = v;
            } else {
                b[i][j] = v;
            }
        }
    }
    b
}

/// Bit `16 i + j` is set when coefficient `(i, j)` is above the median.
pub(super) fn to_bits(block: &Block) -> Hash256 {
    let flat: Vec<f32> = block.iter().flatten().copied().collect();
    let median = torben(&flat);
    let mut hash = Hash256::ZERO;
    for (k, &x) in flat.iter().enumerate() {
        if x > median {
            hash.set_bit(k);
        }
    }
    hash
}

pub(super) fn all_variants(block: &Block) -> [Hash256; 8] {
    VARIANTS.map(|(transpose, sign)| to_bits(&transform(block, transpose, sign)))
}
