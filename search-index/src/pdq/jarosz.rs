//! The reference's blur-and-decimate downscale to 64x64 ("Jarosz" filter): two rounds of a
//! box filter along rows then along columns, then one sample at the centre of each cell.
//!
//! Bit-exactness: every output value must come from the same sequence of `f32` additions,
//! subtractions and divisions as `box1DFloat` in the reference's `downscaling.cpp`. We keep
//! that per-element sequence but change the traversal so the work is cache friendly:
//! column passes run row by row over a vector of running sums, and the second round only
//! keeps the 64 columns and 64 rows that the decimation reads.

/// Side of the downscaled image.
pub(super) const OUT: usize = 64;

/// Box window for one pass: `ceil(dim / 128)`, since two passes together span `dim / 64`.
pub(super) fn window_size(dim: usize) -> usize {
    dim.div_ceil(2 * OUT)
}

/// The row or column of the full image that output cell `i` samples (its centre).
pub(super) fn sample_index(i: usize, dim: usize) -> usize {
    // The reference computes this in double precision and truncates.
    (((i as f64 + 0.5) * dim as f64) / OUT as f64) as usize
}

/// Repetition counts of the four phases of the running-sum box filter.
struct Phases {
    grow_silently: usize,
    grow_writing: usize,
    full: usize,
    shrink: usize,
}

fn phases(len: usize, window: usize) -> Phases {
    let window = window.clamp(1, len.max(1));
    let half = (window + 2) / 2;
    Phases {
        grow_silently: half - 1,
        grow_writing: window + 1 - half,
        full: len - window,
        shrink: half - 1,
    }
}

/// One box pass over a contiguous vector, `out[i]` being the mean of a window around
/// `input[i]` that shrinks at the edges: the reference's `box1DFloat` in its plain form,
/// the oracle that the batched passes below are tested against.
#[cfg(test)]
fn box_1d(input: &[f32], out: &mut [f32], window: usize) {
    let len = input.len().min(out.len());
    if len == 0 {
        return;
    }
    let p = phases(len, window);
    let mut sum = 0.0f32;
    let mut count = 0usize;
    let (mut li, mut ri, mut oi) = (0usize, 0usize, 0usize);
    for _ in 0..p.grow_silently {
        sum += input[ri];
        count += 1;
        ri += 1;
    }
    for _ in 0..p.grow_writing {
        sum += input[ri];
        count += 1;
        out[oi] = sum / count as f32;
        ri += 1;
        oi += 1;
    }
    for _ in 0..p.full {
        sum += input[ri];
        sum -= input[li];
        out[oi] = sum / count as f32;
        li += 1;
        ri += 1;
        oi += 1;
    }
    for _ in 0..p.shrink {
        sum -= input[li];
        count -= 1;
        out[oi] = sum / count as f32;
        li += 1;
        oi += 1;
    }
}

/// One box pass down the columns of an image that arrives one row at a time, so that the
/// full image never has to be held: only the last `window + 1` rows are kept. Output rows
/// leave in order through `emit(y, row)`.
struct ColumnBox {
    width: usize,
    phases: Phases,
    window: usize,
    ring: Vec<f32>,
    slots: usize,
    sum: Vec<f32>,
    out: Vec<f32>,
    count: usize,
    pushed: usize,
    emitted: usize,
}

impl ColumnBox {
    fn new(width: usize, len: usize, window: usize) -> ColumnBox {
        let window = window.clamp(1, len.max(1));
        let slots = window + 1;
        ColumnBox {
            width,
            phases: phases(len, window),
            window,
            ring: vec![0.0; slots * width],
            slots,
            sum: vec![0.0; width],
            out: vec![0.0; width],
            count: 0,
            pushed: 0,
            emitted: 0,
        }
    }

    fn slot(&self, i: usize) -> std::ops::Range<usize> {
        let s = i % self.slots;
        s * self.width..(s + 1) * self.width
    }

    fn emit(&mut self, emit: &mut impl FnMut(usize, &[f32])) {
        let c = self.count as f32;
        for (o, s) in self.out.iter_mut().zip(&self.sum) {
            *o = *s / c;
        }
        emit(self.emitted, &self.out);
        self.emitted += 1;
    }

    /// Takes input row number `self.pushed`.
    fn push(&mut self, row: &[f32], emit: &mut impl FnMut(usize, &[f32])) {
        let ri = self.pushed;
        let slot = self.slot(ri);
        self.ring[slot].copy_from_slice(row);
        self.pushed += 1;
        let p = &self.phases;
        if ri < p.grow_silently + p.grow_writing {
            add_assign(&mut self.sum, row);
            self.count += 1;
            if ri >= p.grow_silently {
                self.emit(emit);
            }
        } else {
            // Add then subtract, per element, as the reference does.
            let old = self.slot(ri - self.window);
            add_sub_assign(&mut self.sum, row, &self.ring[old]);
            self.emit(emit);
        }
    }

    /// Emits the last rows, whose windows shrink at the bottom edge.
    fn finish(mut self, emit: &mut impl FnMut(usize, &[f32])) {
        let first = self.pushed.saturating_sub(self.window);
        for k in 0..self.phases.shrink {
            let old = self.slot(first + k);
            sub_assign(&mut self.sum, &self.ring[old]);
            self.count -= 1;
            self.emit(emit);
        }
    }
}

fn add_assign(sum: &mut [f32], row: &[f32]) {
    for (s, x) in sum.iter_mut().zip(row) {
        *s += *x;
    }
}

fn sub_assign(sum: &mut [f32], row: &[f32]) {
    for (s, x) in sum.iter_mut().zip(row) {
        *s -= *x;
    }
}

fn add_sub_assign(sum: &mut [f32], add: &[f32], sub: &[f32]) {
    for ((s, a), b) in sum.iter_mut().zip(add).zip(sub) {
        *s += *a;
        *s -= *b;
    }
}

/// Rows filtered together by [`box_rows`]: eight independent running sums hide the
/// latency of each sum's chain of additions, and vectorise.
const LANES: usize = 8;

/// One box pass along `LANES` rows at once. `t` holds the rows interleaved
/// (`t[x * LANES + r]` is column `x` of row `r`). For every output column `x`, in order,
/// `emit(x, sums, count)` gets the running sums; the output value is `sums[r] / count`,
/// divided by the caller only where it needs it.
fn box_rows(
    t: &[f32],
    len: usize,
    window: usize,
    mut emit: impl FnMut(usize, &[f32; LANES], usize),
) {
    if len == 0 {
        return;
    }
    let at = |i: usize| -> &[f32] { &t[i * LANES..(i + 1) * LANES] };
    let p = phases(len, window);
    let mut sum = [0.0f32; LANES];
    let mut count = 0usize;
    let (mut li, mut ri, mut oi) = (0usize, 0usize, 0usize);
    for _ in 0..p.grow_silently {
        add_assign(&mut sum, at(ri));
        count += 1;
        ri += 1;
    }
    for _ in 0..p.grow_writing {
        add_assign(&mut sum, at(ri));
        count += 1;
        emit(oi, &sum, count);
        ri += 1;
        oi += 1;
    }
    for _ in 0..p.full {
        add_sub_assign(&mut sum, at(ri), at(li));
        emit(oi, &sum, count);
        li += 1;
        ri += 1;
        oi += 1;
    }
    for _ in 0..p.shrink {
        sub_assign(&mut sum, at(li));
        count -= 1;
        emit(oi, &sum, count);
        li += 1;
        oi += 1;
    }
}

/// Writes `row` into lane `r` of the interleaved buffer `lanes`.
fn interleave(row: &[f32], lanes: &mut [f32], r: usize) {
    for (chunk, &v) in lanes.chunks_exact_mut(LANES).zip(row) {
        chunk[r % LANES] = v;
    }
}

/// Reads lane `r` of the interleaved buffer `lanes` into `row`.
fn deinterleave(lanes: &[f32], row: &mut [f32], r: usize) {
    for (chunk, v) in lanes.chunks_exact(LANES).zip(row.iter_mut()) {
        *v = chunk[r % LANES];
    }
}

/// Blurs and decimates a `width x height` luma image to 64x64, as the reference's
/// `jaroszFilterFloat` (two rounds) followed by `decimateFloat`.
///
/// `fill_row(y, out)` writes the luma of image row `y` into `out` (`width` values). The
/// caller guarantees `width, height >= 1`.
pub(super) fn downscale(
    width: usize,
    height: usize,
    mut fill_row: impl FnMut(usize, &mut [f32]),
) -> Box<[[f32; OUT]; OUT]> {
    let window_x = window_size(width);
    let window_y = window_size(height);
    let cols: Vec<usize> = (0..OUT).map(|j| sample_index(j, width)).collect();
    let rows: Vec<usize> = (0..OUT).map(|i| sample_index(i, height)).collect();

    // The passes are streamed, a few rows at a time, so that nothing of the size of the
    // image is allocated: round 1 along rows (LANES rows at once, fused with the luma),
    // round 1 along columns, round 2 along rows (keeping the 64 sampled columns), then
    // round 2 along those columns (keeping the 64 sampled rows).
    let mut kept = vec![0.0f32; height * OUT];
    let mut lanes_c = vec![0.0f32; width * LANES];
    let mut to_round_2 = |y: usize, row: &[f32]| {
        let r = y % LANES;
        interleave(row, &mut lanes_c, r);
        if r == LANES - 1 || y + 1 == height {
            let y0 = y - r;
            let mut next = 0usize;
            box_rows(&lanes_c, width, window_x, |x, sum, count| {
                let c = count as f32;
                while next < OUT && cols[next] == x {
                    for (k, s) in sum.iter().enumerate().take(r + 1) {
                        kept[(y0 + k) * OUT + next] = *s / c;
                    }
                    next += 1;
                }
            });
        }
    };

    let mut columns = ColumnBox::new(width, height, window_y);
    let mut row = vec![0.0f32; width];
    let mut lanes_in = vec![0.0f32; width * LANES];
    let mut lanes_out = vec![0.0f32; width * LANES];
    for y0 in (0..height).step_by(LANES) {
        let n = LANES.min(height - y0);
        for r in 0..n {
            fill_row(y0 + r, &mut row);
            interleave(&row, &mut lanes_in, r);
        }
        box_rows(&lanes_in, width, window_x, |x, sum, count| {
            let c = count as f32;
            let out = &mut lanes_out[x * LANES..(x + 1) * LANES];
            for (o, s) in out.iter_mut().zip(sum) {
                *o = *s / c;
            }
        });
        for r in 0..n {
            deinterleave(&lanes_out, &mut row, r);
            columns.push(&row, &mut to_round_2);
        }
    }
    columns.finish(&mut to_round_2);

    let mut result = Box::new([[0.0f32; OUT]; OUT]);
    let mut next = 0usize;
    let mut keep_rows = |y: usize, row: &[f32]| {
        while next < OUT && rows[next] == y {
            result[next].copy_from_slice(row);
            next += 1;
        }
    };
    let mut columns = ColumnBox::new(OUT, height, window_y);
    for row in kept.chunks_exact(OUT) {
        columns.push(row, &mut keep_rows);
    }
    columns.finish(&mut keep_rows);
    result
}

/// The plain form of [`downscale`]: full passes as in the reference, then decimation.
/// Kept for the equivalence test.
#[cfg(test)]
fn downscale_plain(width: usize, height: usize, luma: &[f32]) -> [[f32; OUT]; OUT] {
    let (wx, wy) = (window_size(width), window_size(height));
    let mut a = luma.to_vec();
    let mut b = vec![0.0f32; width * height];
    for _ in 0..2 {
        for y in 0..height {
            box_1d(
                &a[y * width..(y + 1) * width],
                &mut b[y * width..(y + 1) * width],
                wx,
            );
        }
        for x in 0..width {
            let col: Vec<f32> = (0..height).map(|y| b[y * width + x]).collect();
            let mut out = vec![0.0f32; height];
            box_1d(&col, &mut out, wy);
            for y in 0..height {
                a[y * width + x] = out[y];
            }
        }
    }
    let mut r = [[0.0f32; OUT]; OUT];
    for (i, row) in r.iter_mut().enumerate() {
        for (j, v) in row.iter_mut().enumerate() {
            *v = a[sample_index(i, height) * width + sample_index(j, width)];
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_sizes_are_ceil_of_dim_over_128() {
        assert_eq!(window_size(5), 1);
        assert_eq!(window_size(128), 1);
        assert_eq!(window_size(129), 2);
        assert_eq!(window_size(1024), 8);
        assert_eq!(window_size(4032), 32);
    }

    #[test]
    fn box_matches_the_worked_example_of_the_reference() {
        // Window 7 over 0..16 gives the sums in the reference's comment, divided by the
        // number of terms.
        let input: Vec<f32> = (0..16).map(|x| x as f32).collect();
        let mut out = vec![0.0; 16];
        box_1d(&input, &mut out, 7);
        let sums = [
            6, 10, 15, 21, 28, 35, 42, 49, 56, 63, 70, 77, 84, 75, 65, 54,
        ];
        let counts = [4, 5, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 6, 5, 4];
        for i in 0..16 {
            assert_eq!(out[i], sums[i] as f32 / counts[i] as f32, "index {i}");
        }
    }

    #[test]
    fn fast_downscale_is_bit_identical_to_the_plain_one() {
        for (w, h) in [
            (5usize, 5usize),
            (7, 300),
            (300, 7),
            (64, 64),
            (200, 131),
            (517, 389),
        ] {
            let luma: Vec<f32> = (0..w * h)
                .map(|k| ((k * 7919 + k / w * 31) % 256) as f32 * 0.731)
                .collect();
            let fast = downscale(w, h, |y, out| {
                out.copy_from_slice(&luma[y * w..(y + 1) * w])
            });
            let plain = downscale_plain(w, h, &luma);
            for i in 0..OUT {
                for j in 0..OUT {
                    assert_eq!(
                        fast[i][j].to_bits(),
                        plain[i][j].to_bits(),
                        "{w}x{h} at {i},{j}"
                    );
                }
            }
        }
    }

    #[test]
    fn column_pass_equals_the_strided_scalar_pass() {
        for (w, h, window) in [(7usize, 23usize, 3usize), (5, 5, 1), (3, 40, 8), (4, 9, 9)] {
            let m: Vec<f32> = (0..w * h).map(|k| ((k * 37) % 101) as f32 * 0.37).collect();
            let mut got = vec![0.0f32; w * h];
            let mut emitted = 0;
            let mut emit = |y: usize, row: &[f32]| {
                assert_eq!(y, emitted);
                emitted += 1;
                got[y * w..(y + 1) * w].copy_from_slice(row);
            };
            let mut columns = ColumnBox::new(w, h, window);
            for row in m.chunks_exact(w) {
                columns.push(row, &mut emit);
            }
            columns.finish(&mut emit);
            assert_eq!(emitted, h);
            for x in 0..w {
                let col: Vec<f32> = (0..h).map(|y| m[y * w + x]).collect();
                let mut want = vec![0.0f32; h];
                box_1d(&col, &mut want, window);
                for y in 0..h {
                    assert_eq!(got[y * w + x].to_bits(), want[y].to_bits());
                }
            }
        }
    }
}
