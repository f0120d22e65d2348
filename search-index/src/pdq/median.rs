//! Torben Mogensen's median, as the reference uses it: it never reorders its input and,
//! for an even count, returns the lower of the two middle values' neighbourhood exactly as
//! the reference's `torben()` does (the reference's tie and even-count behaviour matters
//! for bit-exact hashes).

pub(super) fn torben(values: &[f32]) -> f32 {
    let Some((&first, rest)) = values.split_first() else {
        return 0.0;
    };
    let n = values.len();
    let half = n.div_ceil(2);
    let (mut min, mut max) = (first, first);
    for &x in rest {
        if x < min {
            min = x;
        }
        if x > max {
            max = x;
        }
    }
    loop {
        let guess = (min + max) / 2.0;
        let (mut less, mut greater, mut equal) = (0usize, 0usize, 0usize);
        let (mut max_below, mut min_above) = (min, max);
        for &x in values {
            if x < guess {
                less += 1;
                if x > max_below {
                    max_below = x;
                }
            } else if x > guess {
                greater += 1;
                if x < min_above {
                    min_above = x;
                }
            } else {
                equal += 1;
            }
        }
        if less <= half && greater <= half {
            return if less >= half {
                max_below
            } else if less + equal >= half {
                guess
            } else {
                min_above
            };
        }
        // Guard against non-finite input, which would otherwise never converge.
        let (new_min, new_max) = if less > greater {
            (min, max_below)
        } else {
            (min_above, max)
        };
        if new_min == min && new_max == max {
            return guess;
        }
        min = new_min;
        max = new_max;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odd_and_even_counts() {
        assert_eq!(torben(&[3.0, 1.0, 2.0]), 2.0);
        // Even count: Torben returns the lower middle value.
        assert_eq!(torben(&[4.0, 1.0, 3.0, 2.0]), 2.0);
        assert_eq!(torben(&[5.0; 256]), 5.0);
    }

    #[test]
    fn agrees_with_sorting_on_256_values() {
        let v: Vec<f32> = (0..256)
            .map(|k| ((k * 7919) % 1013) as f32 - 500.5)
            .collect();
        let mut s = v.clone();
        s.sort_by(|a, b| a.total_cmp(b));
        assert_eq!(torben(&v), s[127]);
    }
}
