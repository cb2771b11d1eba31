//! Statistics (`<<<` aggregates) as SystemTap's runtime keeps and reads them
//! (runtime/stat-common.c `__stp_stat_add`, runtime/stat.c `_stp_stat_get`).
//!
//! A [`Stat`] is one part (SystemTap keeps one per CPU); [`Aggregate::of`] combines
//! the parts as `_stp_stat_get` does, and the script reads the [`Aggregate`]:
//!
//! - `@count` and `@sum` of an empty aggregate are 0; `@min`, `@max`, `@avg` and
//!   `@variance` of it are the error `empty aggregate` (translate.cxx
//!   `visit_stat_op`, PR 2142), and so are `@hist_*(s)[i]` and `print(@hist_*(s))`;
//! - `@avg` is `sum / count`, truncated toward zero;
//! - `@variance` uses Welford's online algorithm on values shifted left by the
//!   variance's bit shift, with SystemTap's integer arithmetic (including its 32-bit
//!   `delta`), then combines the parts with the total-variance formula and shifts back
//!   by twice the bit shift; it is 0 for a single sample;
//! - `@hist_log(s)[i]` and `@hist_linear(s, …)[i]` index the bucket array directly
//!   (`i` is a bucket number, see [`crate::histogram`]); an index outside it is the
//!   error `histogram index out of range`.

use crate::histogram;
use stap_abi::{StatField, StatUsage};

/// Why a statistic cannot be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatError {
    /// `@min`, `@max`, `@avg`, `@variance` or a histogram of nothing.
    EmptyAggregate,
    /// `@hist_*(s)[i]` with `i` outside the buckets.
    HistogramIndex,
}

impl StatError {
    /// SystemTap's message.
    pub fn message(self) -> &'static str {
        match self {
            StatError::EmptyAggregate => "empty aggregate",
            StatError::HistogramIndex => "histogram index out of range",
        }
    }
}

impl std::fmt::Display for StatError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for StatError {}

/// `_stp_div64`: truncating division where a zero divisor gives 0.
fn div64(x: i64, y: i64) -> i64 {
    if y == 0 { 0 } else { x.wrapping_div(y) }
}

/// One part of a statistic: what `<<<` updates.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stat {
    /// Samples added.
    pub count: i64,
    /// Their sum (wrapping).
    pub sum: i64,
    /// The smallest sample.
    pub min: i64,
    /// The largest sample.
    pub max: i64,
    /// The running mean, shifted left by `shift` (Welford).
    avg_s: i64,
    /// Welford's sum of squared differences, shifted.
    m2: i64,
    /// `m2 / (count - 1)`, or -1 for one sample.
    variance_s: i64,
    /// The variance bit shift the samples were added with.
    shift: i64,
    /// Bucket counts; empty when no histogram is kept.
    histogram: Vec<i64>,
}

impl Stat {
    /// An empty statistic with the histogram `usage` asks for.
    pub fn new(usage: &StatUsage) -> Stat {
        let histogram = match &usage.histogram {
            Some(h) => vec![0; histogram::bucket_count(h)],
            None => Vec::new(),
        };
        Stat {
            histogram,
            ..Stat::default()
        }
    }

    /// `s <<< v`: `__stp_stat_add`. The variance state is updated only when `usage`
    /// reads `@variance`, as SystemTap does; a missing histogram is allocated here.
    pub fn add(&mut self, v: i64, usage: &StatUsage) {
        self.shift = usage.variance.unwrap_or(0);
        let shifted = v.wrapping_shl(self.shift as u32);
        if self.count == 0 {
            self.count = 1;
            self.sum = v;
            self.min = v;
            self.max = v;
            self.avg_s = shifted;
            self.m2 = 0;
        } else {
            self.count += 1;
            self.sum = self.sum.wrapping_add(v);
            self.max = self.max.max(v);
            self.min = self.min.min(v);
            if usage.variance.is_some() {
                // SystemTap holds this difference in a C `int`.
                let delta = i64::from(shifted.wrapping_sub(self.avg_s) as i32);
                self.avg_s = self.avg_s.wrapping_add(div64(delta, self.count));
                self.m2 = self
                    .m2
                    .wrapping_add(delta.wrapping_mul(shifted.wrapping_sub(self.avg_s)));
                self.variance_s = if self.count < 2 {
                    -1
                } else {
                    div64(self.m2, self.count - 1)
                };
            }
        }
        if let Some(h) = &usage.histogram {
            if self.histogram.is_empty() {
                self.histogram = vec![0; histogram::bucket_count(h)];
            }
            let n = histogram::bucket_of(h, v, self.histogram.len());
            self.histogram[n] += 1;
        }
    }

    /// This part alone, aggregated.
    pub fn aggregate(&self) -> Aggregate {
        Aggregate::of([self])
    }
}

/// A statistic as the script reads it: the parts combined.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Aggregate {
    /// `@count`.
    pub count: i64,
    /// `@sum`.
    pub sum: i64,
    /// `@min` (meaningless when `count` is 0).
    pub min: i64,
    /// `@max`.
    pub max: i64,
    /// `@avg`.
    pub avg: i64,
    /// `@variance`.
    pub variance: i64,
    /// Bucket counts, summed; empty when no histogram is kept.
    pub histogram: Vec<i64>,
}

impl Aggregate {
    /// Combines parts as `_stp_stat_get` combines per-CPU data.
    pub fn of<'a>(parts: impl IntoIterator<Item = &'a Stat> + Clone) -> Aggregate {
        let mut agg = Aggregate::default();
        let mut shift = 0;
        for sd in parts.clone() {
            if sd.count == 0 {
                continue;
            }
            shift = sd.shift;
            if agg.count == 0 {
                agg.min = sd.min;
                agg.max = sd.max;
            }
            agg.count += sd.count;
            agg.sum = agg.sum.wrapping_add(sd.sum);
            agg.max = agg.max.max(sd.max);
            agg.min = agg.min.min(sd.min);
            if agg.histogram.len() < sd.histogram.len() {
                agg.histogram.resize(sd.histogram.len(), 0);
            }
            for (a, b) in agg.histogram.iter_mut().zip(&sd.histogram) {
                *a += b;
            }
        }
        let avg_s = div64(agg.sum.wrapping_shl(shift as u32), agg.count);
        let (mut s1, mut s2) = (0i64, 0i64);
        for sd in parts {
            if sd.count == 0 {
                continue;
            }
            let d = sd.avg_s.wrapping_sub(avg_s);
            s1 = s1.wrapping_add(sd.count.wrapping_mul(d).wrapping_mul(d));
            s2 = s2.wrapping_add((sd.count - 1).wrapping_mul(sd.variance_s));
        }
        let variance_s = div64(s1.wrapping_add(s2), agg.count - 1);
        agg.avg = div64(agg.sum, agg.count);
        agg.variance = variance_s.wrapping_shr((2 * shift) as u32);
        agg
    }

    /// `@count(s)`, `@sum(s)`, ...: see the module documentation for empty aggregates.
    pub fn field(&self, field: StatField) -> Result<i64, StatError> {
        match field {
            StatField::Count => return Ok(self.count),
            StatField::Sum => return Ok(self.sum),
            _ if self.count == 0 => return Err(StatError::EmptyAggregate),
            _ => {}
        }
        Ok(match field {
            StatField::Min => self.min,
            StatField::Max => self.max,
            StatField::Avg => self.avg,
            _ => self.variance,
        })
    }

    /// `@hist_*(s)[index]`: the count in bucket number `index`.
    pub fn bucket(&self, index: i64) -> Result<i64, StatError> {
        if self.count == 0 {
            return Err(StatError::EmptyAggregate);
        }
        usize::try_from(index)
            .ok()
            .and_then(|i| self.histogram.get(i).copied())
            .ok_or(StatError::HistogramIndex)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stap_abi::Histogram;

    fn usage(variance: Option<i64>, histogram: Option<Histogram>) -> StatUsage {
        StatUsage {
            variance,
            histogram,
        }
    }

    fn stat(values: &[i64], u: &StatUsage) -> Stat {
        let mut s = Stat::new(u);
        for &v in values {
            s.add(v, u);
        }
        s
    }

    #[test]
    fn count_sum_min_max_avg() {
        let a = stat(&[3, -1, 10, 4], &StatUsage::default()).aggregate();
        assert_eq!(a.field(StatField::Count), Ok(4));
        assert_eq!(a.field(StatField::Sum), Ok(16));
        assert_eq!(a.field(StatField::Min), Ok(-1));
        assert_eq!(a.field(StatField::Max), Ok(10));
        assert_eq!(a.field(StatField::Avg), Ok(4));
        let a = stat(&[-7, 0], &StatUsage::default()).aggregate();
        // Truncated toward zero, as C division.
        assert_eq!(a.field(StatField::Avg), Ok(-3));
    }

    #[test]
    fn empty_aggregate() {
        let a = Stat::default().aggregate();
        assert_eq!(a.field(StatField::Count), Ok(0));
        assert_eq!(a.field(StatField::Sum), Ok(0));
        for f in [
            StatField::Min,
            StatField::Max,
            StatField::Avg,
            StatField::Variance,
        ] {
            assert_eq!(a.field(f), Err(StatError::EmptyAggregate));
        }
        assert_eq!(a.bucket(64), Err(StatError::EmptyAggregate));
        assert_eq!(StatError::EmptyAggregate.message(), "empty aggregate");
    }

    #[test]
    fn variance_follows_systemtap_integer_welford() {
        let u = usage(Some(0), None);
        // The running mean truncates: without a bit shift it sticks at 3 for these
        // samples (true mean 5), so the result is (8*(3-5)^2 + 7*(64/7)) / 7 = 13 where
        // the exact sample variance is 4.57.
        let a = stat(&[2, 4, 4, 4, 5, 5, 7, 9], &u).aggregate();
        assert_eq!(a.field(StatField::Variance), Ok(13));
        assert_eq!(stat(&[5], &u).aggregate().variance, 0);
        // 1, 2, 4 (exact 2.33): 3 without a shift, 2 with a shift of 4.
        assert_eq!(stat(&[1, 2, 4], &u).aggregate().variance, 3);
        let u4 = usage(Some(4), None);
        assert_eq!(stat(&[1, 2, 4], &u4).aggregate().variance, 2);
        assert_eq!(stat(&[1, 2], &u4).aggregate().variance, 0);
    }

    #[test]
    fn parts_combine_like_per_cpu_data() {
        let u = usage(Some(0), Some(Histogram::Log));
        let a = stat(&[2, 4, 4, 4], &u);
        let b = stat(&[5, 5, 7, 9], &u);
        let agg = Aggregate::of([&a, &b, &Stat::default()]);
        assert_eq!(
            (agg.count, agg.sum, agg.min, agg.max, agg.avg),
            (8, 40, 2, 9, 5)
        );
        // Part means 3 and 6, part variances 4/3 = 1 and 16/3 = 5:
        // S1 = 4*(3-5)^2 + 4*(6-5)^2 = 20, S2 = 3*1 + 3*5 = 18, (20+18)/7 = 5.
        assert_eq!(agg.variance, 5);
        assert_eq!(agg.bucket(66), Ok(1));
        assert_eq!(agg.bucket(67), Ok(6));
        assert_eq!(agg.bucket(68), Ok(1));
        assert_eq!(agg.bucket(128), Err(StatError::HistogramIndex));
        assert_eq!(agg.bucket(-1), Err(StatError::HistogramIndex));
    }

    #[test]
    fn linear_histogram_buckets() {
        let h = Histogram::Linear {
            start: 0,
            stop: 10,
            interval: 5,
        };
        let a = stat(&[-3, 0, 4, 5, 10, 99], &usage(None, Some(h))).aggregate();
        assert_eq!(a.histogram, vec![1, 2, 1, 1, 1]);
        assert_eq!(a.bucket(1), Ok(2));
    }
}
