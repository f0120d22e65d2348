//! Luminance in 32-bit floats, exactly as the reference's `fillFloatLumaFromRGB`.
//!
//! The coefficients are `f32` constants and each product is `f32 * f32`, summed left to
//! right; any other order or precision changes low bits and, through the median, hash bits.

use std::sync::OnceLock;

const LUMA_R: f32 = 0.299;
const LUMA_G: f32 = 0.587;
const LUMA_B: f32 = 0.114;

#[cfg(test)]
fn luma(r: u8, g: u8, b: u8) -> f32 {
    LUMA_R * f32::from(r) + LUMA_G * f32::from(g) + LUMA_B * f32::from(b)
}

/// The three products for every byte value: a table lookup gives the very same `f32`
/// product as the multiplication, and the sum is still taken in the reference's order.
struct Tables {
    r: [f32; 256],
    g: [f32; 256],
    b: [f32; 256],
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let mut t = Tables {
            r: [0.0; 256],
            g: [0.0; 256],
            b: [0.0; 256],
        };
        for v in 0..=255u8 {
            let i = usize::from(v);
            t.r[i] = LUMA_R * f32::from(v);
            t.g[i] = LUMA_G * f32::from(v);
            t.b[i] = LUMA_B * f32::from(v);
        }
        t
    })
}

/// Fills `out` with the luma of one row of interleaved pixels with `channels` bytes each,
/// the first three being R, G, B (any further channel, such as alpha, is ignored).
pub(super) fn luma_row_interleaved(row: &[u8], channels: usize, out: &mut [f32]) {
    let t = tables();
    for (px, y) in row.chunks_exact(channels).zip(out.iter_mut()) {
        *y = t.r[usize::from(px[0])] + t.g[usize::from(px[1])] + t.b[usize::from(px[2])];
    }
}

/// Fills `out` with the luma of one row of grey pixels (`channels` bytes each, grey first),
/// treated as R = G = B, which is what converting grey to RGB and then hashing gives.
pub(super) fn luma_row_grey(row: &[u8], channels: usize, out: &mut [f32]) {
    let t = tables();
    for (px, y) in row.chunks_exact(channels).zip(out.iter_mut()) {
        let v = usize::from(px[0]);
        *y = t.r[v] + t.g[v] + t.b[v];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn white_is_not_exactly_255_in_f32() {
        // The reference sums three rounded products; the result is what it is, and we must
        // reproduce it rather than "fix" it.
        let y = luma(255, 255, 255);
        assert_eq!(y, 0.299f32 * 255.0 + 0.587f32 * 255.0 + 0.114f32 * 255.0);
        assert_eq!(luma(0, 0, 0), 0.0);
    }

    #[test]
    fn the_tables_give_the_products_bit_for_bit() {
        let mut rgb = Vec::new();
        for v in 0..=255u8 {
            rgb.extend_from_slice(&[v, 255 - v, v.wrapping_mul(7)]);
        }
        let mut out = vec![0.0f32; 256];
        luma_row_interleaved(&rgb, 3, &mut out);
        for (px, y) in rgb.chunks_exact(3).zip(&out) {
            assert_eq!(y.to_bits(), luma(px[0], px[1], px[2]).to_bits());
        }
        let grey: Vec<u8> = (0..=255).collect();
        luma_row_grey(&grey, 1, &mut out);
        for (&v, y) in grey.iter().zip(&out) {
            assert_eq!(y.to_bits(), luma(v, v, v).to_bits());
        }
    }
}
