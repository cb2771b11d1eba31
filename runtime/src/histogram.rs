//! Histogram buckets and their text, as SystemTap's runtime/stat-common.c computes and
//! draws them (`_stp_val_to_bucket`, `__stp_stat_add`, `_stp_stat_print_histogram`).
//!
//! A `@hist_log` has [`HIST_LOG_BUCKETS`] buckets: bucket [`HIST_LOG_BUCKET0`] holds 0,
//! bucket `64 + k` the positive values with `k` significant bits (1, 2–3, 4–7, …) and
//! bucket `64 - k` the negative values whose magnitude has `k` bits.
//!
//! A `@hist_linear(s, start, stop, interval)` has `(stop - start) / interval + 3`
//! buckets: bucket 0 is the underflow (below `start`), bucket `i` holds
//! `[start + (i-1)*interval, start + i*interval)`, and the last bucket everything from
//! `start + (buckets-2)*interval` on (it is labelled `>start + (buckets-3)*interval`,
//! as in SystemTap).

use stap_abi::Histogram;

/// Buckets of a `@hist_log`.
pub const HIST_LOG_BUCKETS: usize = 128;

/// The `@hist_log` bucket of 0.
pub const HIST_LOG_BUCKET0: usize = 64;

/// Bar width in `@` characters.
const HIST_WIDTH: i64 = 50;

/// Zero rows kept on each side of a non-zero row; longer zero runs become `~`.
const HIST_ELISION: i64 = 2;

/// The number of buckets of a histogram (the compiler has checked a linear
/// histogram's parameters; a zero or negative interval counts as 1 here).
pub fn bucket_count(hist: &Histogram) -> usize {
    match *hist {
        Histogram::Log => HIST_LOG_BUCKETS,
        Histogram::Linear {
            start,
            stop,
            interval,
        } => (stop.wrapping_sub(start) / interval.max(1) + 3).max(3) as usize,
    }
}

/// The bucket `v` falls into.
pub fn bucket_of(hist: &Histogram, v: i64, buckets: usize) -> usize {
    let last = buckets.saturating_sub(1);
    match *hist {
        Histogram::Log => log_bucket(v).min(last),
        Histogram::Linear {
            start, interval, ..
        } => {
            let off = v.wrapping_sub(start);
            let n = if off < 0 {
                0
            } else {
                (off as u64 / interval.max(1) as u64).wrapping_add(1)
            };
            (n.min(last as u64)) as usize
        }
    }
}

/// `_stp_val_to_bucket`: a log base 2 bucket.
pub fn log_bucket(v: i64) -> usize {
    if v == 0 {
        return HIST_LOG_BUCKET0;
    }
    let magnitude = v.unsigned_abs();
    let res = HIST_LOG_BUCKETS - magnitude.leading_zeros() as usize;
    if v < 0 { HIST_LOG_BUCKETS - res } else { res }
}

/// `_stp_bucket_to_val`: the value a log bucket is labelled with.
pub fn log_bucket_value(n: usize) -> i64 {
    if n == HIST_LOG_BUCKET0 {
        0
    } else if n < HIST_LOG_BUCKET0 {
        i64::MIN >> n
    } else {
        1i64.wrapping_shl((n - HIST_LOG_BUCKET0 - 1) as u32)
    }
}

/// Characters of `v` in decimal (`needed_space`).
fn needed_space(v: i64) -> i64 {
    if v == 0 {
        return 1;
    }
    let sign = i64::from(v < 0);
    sign + v.unsigned_abs().to_string().len() as i64
}

/// Appends `text` right-justified in `width`.
fn right(out: &mut Vec<u8>, width: i64, text: &[u8]) {
    for _ in text.len() as i64..width {
        out.push(b' ');
    }
    out.extend_from_slice(text);
}

/// Draws a histogram as `_stp_stat_print_histogram` does: the header
/// `value |---…--- count`, one row per bucket from two zero buckets before the first
/// non-zero bucket (a log histogram does not go below 0 unless it holds negative values)
/// to two after the last, runs of zero rows elided as one `~` row, bars of up to 50 `@`
/// scaled to the largest count, and a blank line at the end. A linear histogram shows
/// its underflow row `<start` and overflow row `>…` only when they are non-zero or
/// within the margin. `sprint` truncates this text to `MAXSTRINGLEN - 1` bytes.
pub fn render(out: &mut Vec<u8>, hist: &Histogram, counts: &[i64]) {
    let n = counts.len() as i64;
    if n == 0 {
        return;
    }
    let linear = matches!(hist, Histogram::Linear { .. });
    let (start, interval) = match *hist {
        Histogram::Linear {
            start, interval, ..
        } => (start, interval),
        Histogram::Log => (0, 0),
    };
    let count = |i: i64| counts[i as usize];
    let mut low = -1;
    let mut high = 0;
    let mut valmax = 0;
    for i in 0..n {
        if count(i) > 0 && low == -1 {
            low = i;
        }
        if count(i) > 0 {
            high = i;
        }
        valmax = valmax.max(count(i));
    }
    for _ in 0..2 {
        if !linear {
            if low != HIST_LOG_BUCKET0 as i64 && low > 0 {
                low -= 1;
            }
        } else if low > 0 {
            low -= 1;
        }
        if high < n - 1 {
            high += 1;
        }
    }
    low = low.max(0);
    let (mut under, mut over) = (0, 0);
    if linear {
        if low == 0 && count(0) == 0 {
            low += 1;
        }
        if high == n - 1 && count(high) == 0 {
            high -= 1;
        }
        under = i64::from(low == 0);
        over = i64::from(high == n - 1);
    }
    let scale = if valmax <= HIST_WIDTH {
        1
    } else {
        (valmax + HIST_WIDTH - 1) / HIST_WIDTH
    };
    let cnt_space = needed_space(valmax);
    let val_space = if linear {
        (needed_space(start) + under)
            .max(needed_space(start.wrapping_add(interval.wrapping_mul(high))) + over)
    } else {
        needed_space(log_bucket_value(high as usize))
            .max(needed_space(log_bucket_value(low as usize)))
    }
    .max(5);

    right(out, val_space, b"value");
    out.extend_from_slice(b" |");
    out.extend(std::iter::repeat_n(b'-', HIST_WIDTH as usize));
    out.extend_from_slice(b" count\n");

    let mut eliding = false;
    for i in low..=high {
        let max_elide = HIST_ELISION.min(n);
        let window = (i - max_elide).max(low)..=(i + max_elide).min(high);
        if window.clone().all(|k| count(k) == 0) {
            eliding = true;
            continue;
        }
        if eliding {
            right(out, val_space, b"");
            out.extend_from_slice(b" ~\n");
            eliding = false;
        }
        let (val, prefix): (i64, &[u8]) = if !linear {
            (log_bucket_value(i as usize), b"")
        } else if i == 0 {
            (start, b"<")
        } else if i == n - 1 {
            (start.wrapping_add((i - 2).wrapping_mul(interval)), b">")
        } else {
            (start.wrapping_add((i - 1).wrapping_mul(interval)), b"")
        };
        right(out, val_space - needed_space(val), prefix);
        out.extend_from_slice(val.to_string().as_bytes());
        out.extend_from_slice(b" |");
        let bar = count(i) / scale;
        out.extend(std::iter::repeat_n(b'@', bar as usize));
        right(
            out,
            HIST_WIDTH - bar + 1 + cnt_space,
            count(i).to_string().as_bytes(),
        );
        out.push(b'\n');
    }
    out.push(b'\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A row as SystemTap prints it: value column of width 5, bar, count column.
    fn row(value: &str, bar: usize, count: i64, cnt_space: usize) -> String {
        format!(
            "{value:>5} |{}{count:>w$}\n",
            "@".repeat(bar),
            w = 50 - bar + 1 + cnt_space
        )
    }

    fn header() -> String {
        format!("value |{} count\n", "-".repeat(50))
    }

    fn draw(hist: Histogram, values: &[i64]) -> String {
        let n = bucket_count(&hist);
        let mut counts = vec![0; n];
        for &v in values {
            counts[bucket_of(&hist, v, n)] += 1;
        }
        let mut out = Vec::new();
        render(&mut out, &hist, &counts);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn log_buckets() {
        assert_eq!(log_bucket(0), 64);
        assert_eq!(log_bucket(1), 65);
        assert_eq!(log_bucket(2), 66);
        assert_eq!(log_bucket(3), 66);
        assert_eq!(log_bucket(4), 67);
        assert_eq!(log_bucket(i64::MAX), 127);
        assert_eq!(log_bucket(-1), 63);
        assert_eq!(log_bucket(-3), 62);
        assert_eq!(log_bucket(i64::MIN), 0);
        assert_eq!(log_bucket_value(64), 0);
        assert_eq!(log_bucket_value(65), 1);
        assert_eq!(log_bucket_value(68), 8);
        assert_eq!(log_bucket_value(63), -1);
        assert_eq!(log_bucket_value(62), -2);
    }

    #[test]
    fn linear_buckets() {
        let h = Histogram::Linear {
            start: 0,
            stop: 10,
            interval: 2,
        };
        assert_eq!(bucket_count(&h), 8);
        assert_eq!(bucket_of(&h, -1, 8), 0);
        assert_eq!(bucket_of(&h, 0, 8), 1);
        assert_eq!(bucket_of(&h, 3, 8), 2);
        assert_eq!(bucket_of(&h, 11, 8), 6);
        assert_eq!(bucket_of(&h, 12, 8), 7);
    }

    #[test]
    fn log_histogram_with_margins() {
        let expected = [
            header(),
            row("0", 0, 0, 1),
            row("1", 1, 1, 1),
            row("2", 3, 3, 1),
            row("4", 0, 0, 1),
            row("8", 1, 1, 1),
            row("16", 0, 0, 1),
            row("32", 0, 0, 1),
            "\n".to_string(),
        ]
        .concat();
        assert_eq!(draw(Histogram::Log, &[1, 2, 2, 3, 8]), expected);
    }

    #[test]
    fn log_histogram_elides_zero_runs() {
        let rows: String = ["0", "1", "2", "4"]
            .iter()
            .map(|v| row(v, usize::from(*v == "1"), i64::from(*v == "1"), 1))
            .collect();
        let tail: String = ["256", "512", "1024", "2048", "4096"]
            .iter()
            .map(|v| row(v, usize::from(*v == "1024"), i64::from(*v == "1024"), 1))
            .collect();
        let expected = format!("{}{rows}      ~\n{tail}\n", header());
        assert_eq!(draw(Histogram::Log, &[1, 1024]), expected);
    }

    #[test]
    fn log_histogram_scales_bars_and_shows_negatives() {
        let values = vec![-5; 120];
        let out = draw(Histogram::Log, &values);
        // 120 samples: scale 3, so 40 `@`; three-digit count column.
        let expected = [
            header(),
            row("-16", 0, 0, 3),
            row("-8", 0, 0, 3),
            row("-4", 40, 120, 3),
            row("-2", 0, 0, 3),
            row("-1", 0, 0, 3),
            "\n".to_string(),
        ]
        .concat();
        assert_eq!(out, expected);
    }

    #[test]
    fn linear_histogram_with_under_and_overflow() {
        let h = Histogram::Linear {
            start: 0,
            stop: 10,
            interval: 2,
        };
        let expected = [
            header(),
            row("<0", 1, 1, 1),
            row("0", 1, 1, 1),
            row("2", 2, 2, 1),
            row("4", 0, 0, 1),
            row("6", 0, 0, 1),
            row("8", 0, 0, 1),
            row("10", 0, 0, 1),
            row(">10", 1, 1, 1),
            "\n".to_string(),
        ]
        .concat();
        assert_eq!(draw(h, &[-1, 0, 3, 3, 100]), expected);
    }

    #[test]
    fn linear_histogram_hides_empty_under_and_overflow() {
        let h = Histogram::Linear {
            start: 0,
            stop: 100,
            interval: 10,
        };
        let expected = [
            header(),
            row("0", 0, 0, 1),
            row("10", 0, 0, 1),
            row("20", 1, 1, 1),
            row("30", 0, 0, 1),
            row("40", 0, 0, 1),
            "\n".to_string(),
        ]
        .concat();
        assert_eq!(draw(h, &[25]), expected);
    }
}
