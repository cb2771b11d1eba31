//! The resource line `-v` prints after each pass, in SystemTap's format:
//! `using 123virt/45res/6shr/78data kb, in 10usr/0sys/12real ms`.

use std::time::Instant;

/// Resource use at the start of a pass.
pub struct PassStats {
    start: Instant,
    cpu: (u64, u64),
}

/// User and system CPU time of this process so far, in milliseconds.
fn cpu_ms() -> (u64, u64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
    let after = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // The kernel reports these in USER_HZ, which is 100 on every Linux architecture.
    (ticks(11) * 10, ticks(12) * 10)
}

/// Memory use in kilobytes: (virtual, resident, shared, data).
fn memory_kb() -> (u64, u64, u64, u64) {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let v: Vec<u64> = statm
        .split_whitespace()
        .filter_map(|f| f.parse().ok())
        .collect();
    let page_kb = 4;
    let at = |i: usize| v.get(i).copied().unwrap_or(0) * page_kb;
    (at(0), at(1), at(2), at(5))
}

impl PassStats {
    /// Starts measuring a pass.
    pub fn start() -> PassStats {
        PassStats {
            start: Instant::now(),
            cpu: cpu_ms(),
        }
    }

    /// `using ... kb, in Xusr/Ysys/Zreal ms`.
    pub fn finish(&self) -> String {
        let (usr, sys) = cpu_ms();
        let (virt, res, shr, data) = memory_kb();
        format!(
            "using {virt}virt/{res}res/{shr}shr/{data}data kb, in {}usr/{}sys/{}real ms",
            usr.saturating_sub(self.cpu.0),
            sys.saturating_sub(self.cpu.1),
            self.start.elapsed().as_millis()
        )
    }
}
