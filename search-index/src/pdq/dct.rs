//! The partial 2-D DCT of the reference (`dct64To16`): only frequencies 1..=16 in each
//! direction, i.e. the 16x16 block next to the DC row and column.

use std::sync::OnceLock;

use super::jarosz::OUT;

/// Number of kept frequencies per direction.
pub(super) const N: usize = 16;

/// The 16x64 DCT-II basis, `D[i][j] = sqrt(2/64) * cos(pi/2/64 * (i+1) * (2j+1))`.
///
/// As in the reference: the scale is rounded to `f32` first, the product is taken in
/// `f64` and rounded to `f32` once.
fn dct_matrix() -> &'static [[f32; OUT]; N] {
    static MATRIX: OnceLock<[[f32; OUT]; N]> = OnceLock::new();
    MATRIX.get_or_init(|| {
        let scale = (2.0f64 / OUT as f64).sqrt() as f32;
        let mut d = [[0.0f32; OUT]; N];
        for (i, row) in d.iter_mut().enumerate() {
            for (j, value) in row.iter_mut().enumerate() {
                let angle =
                    (std::f64::consts::PI / 2.0 / OUT as f64) * (i + 1) as f64 * (2 * j + 1) as f64;
                *value = (f64::from(scale) * angle.cos()) as f32;
            }
        }
        d
    })
}

/// `B = D A Dᵀ`, each sum accumulated in `f32` in increasing index order, starting from 0.
pub(super) fn dct_64_to_16(a: &[[f32; OUT]; OUT]) -> [[f32; N]; N] {
    let d = dct_matrix();
    // T = D A. Looping k outside j keeps, for every (i, j), the reference's order of
    // additions over k while letting the inner loop run over contiguous memory.
    let mut t = [[0.0f32; OUT]; N];
    for (t_row, d_row) in t.iter_mut().zip(d.iter()) {
        for (&dik, a_row) in d_row.iter().zip(a.iter()) {
            for (tij, &akj) in t_row.iter_mut().zip(a_row.iter()) {
                *tij += dik * akj;
            }
        }
    }
    let mut b = [[0.0f32; N]; N];
    for (b_row, t_row) in b.iter_mut().zip(t.iter()) {
        for (bij, d_row) in b_row.iter_mut().zip(d.iter()) {
            let mut sum = 0.0f32;
            for (&tik, &djk) in t_row.iter().zip(d_row.iter()) {
                sum += tik * djk;
            }
            *bij = sum;
        }
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flat_image_has_almost_no_energy_outside_dc() {
        let a = [[100.0f32; OUT]; OUT];
        let b = dct_64_to_16(&a);
        for row in &b {
            for &x in row {
                assert!(x.abs() < 1e-2, "{x}");
            }
        }
    }

    #[test]
    fn basis_rows_are_orthonormal() {
        let d = dct_matrix();
        for i in 0..N {
            for k in 0..N {
                let dot: f64 = (0..OUT)
                    .map(|j| f64::from(d[i][j]) * f64::from(d[k][j]))
                    .sum();
                let want = if i == k { 1.0 } else { 0.0 };
                assert!((dot - want).abs() < 1e-5);
            }
        }
    }
}
