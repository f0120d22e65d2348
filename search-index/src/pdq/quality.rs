//! The reference's image-domain quality score (`pdqImageDomainQualityMetric`): the sum of
//! quantised vertical and horizontal gradients of the 64x64 downscale, divided by 90 and
//! capped at 100. Featureless images score low; below 50 a hash is usually discarded.

use super::jarosz::OUT;

pub(super) fn quality(buf: &[[f32; OUT]; OUT]) -> u8 {
    // The reference computes `((u - v) * 100) / 255` in f32 and truncates towards zero.
    fn step(u: f32, v: f32) -> i64 {
        i64::from((((u - v) * 100.0) / 255.0) as i32).abs()
    }
    let mut sum: i64 = 0;
    for (upper, lower) in buf.iter().zip(buf.iter().skip(1)) {
        for (&u, &v) in upper.iter().zip(lower.iter()) {
            sum += step(u, v);
        }
    }
    for row in buf.iter() {
        for (&u, &v) in row.iter().zip(row.iter().skip(1)) {
            sum += step(u, v);
        }
    }
    // At most 100, so the conversion cannot fail.
    u8::try_from((sum / 90).min(100)).unwrap_or(100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_is_zero_and_a_checkerboard_is_capped() {
        assert_eq!(quality(&[[7.0; OUT]; OUT]), 0);
        let mut b = [[0.0f32; OUT]; OUT];
        for (i, row) in b.iter_mut().enumerate() {
            for (j, x) in row.iter_mut().enumerate() {
                *x = if (i + j) % 2 == 0 { 255.0 } else { 0.0 };
            }
        }
        assert_eq!(quality(&b), 100);
    }
}
