//! `timer.*` probes: one thread runs every timer handler at its deadline.

use std::time::{Duration, Instant};

use stap_abi::ProbeKind;

use crate::executor::Executor;
use crate::session::Session;

/// The longest the timer thread sleeps before it looks at the session state again.
const POLL: Duration = Duration::from_millis(5);

/// One timer probe and its next deadline.
struct Timer {
    probe: usize,
    interval: Duration,
    randomize_ns: u64,
    next: Instant,
}

/// A small pseudo-random generator for `.randomize` (xorshift64*).
struct Jitter(u64);

impl Jitter {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A duration in `[-range, range]` nanoseconds added to `base`.
    fn around(&mut self, base: Duration, range: u64) -> Duration {
        if range == 0 {
            return base;
        }
        let offset = (self.next() % (2 * range + 1)) as i128 - range as i128;
        let ns = (base.as_nanos() as i128 + offset).max(1);
        Duration::from_nanos(ns as u64)
    }
}

/// Whether the session has timer probes.
pub(crate) fn has_timers(session: &Session) -> bool {
    session
        .program
        .probes
        .iter()
        .any(|p| matches!(p.kind, ProbeKind::Timer { .. }))
}

/// Runs the timer probes of `session` until it stops, with statistics in shard `shard`.
pub(crate) fn run_timers(session: &Session, shard: usize) {
    let start = Instant::now();
    let mut jitter = Jitter(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0x9e37_79b9, |d| d.as_nanos() as u64)
            | 1,
    );
    let mut timers: Vec<Timer> = session
        .program
        .probes
        .iter()
        .enumerate()
        .filter_map(|(i, p)| match p.kind {
            ProbeKind::Timer {
                interval_ns,
                randomize_ns,
            } => {
                let interval = Duration::from_nanos(interval_ns.max(1));
                Some(Timer {
                    probe: i,
                    interval,
                    randomize_ns,
                    next: start + jitter.around(interval, randomize_ns),
                })
            }
            _ => None,
        })
        .collect();
    let mut executor = Executor::new(session, shard);
    while !session.stopping() {
        let Some(t) = timers.iter_mut().min_by_key(|t| t.next) else {
            return;
        };
        let now = Instant::now();
        if t.next > now {
            executor.flush();
            std::thread::sleep((t.next - now).min(POLL));
            continue;
        }
        executor.run(t.probe);
        let next = t.next + jitter.around(t.interval, t.randomize_ns);
        // A handler slower than its period does not make the timer fire in a burst.
        t.next = if next < now { now + t.interval } else { next };
    }
    executor.flush();
}
