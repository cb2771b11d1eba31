//! The builtin functions scripts call by name ([`stap_abi::BUILTINS`]): strings, time,
//! the probe context, logging.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use crate::executor::{ExecContext, alloc_in, resolve};
use crate::helpers::helpers;
use crate::strings;

/// The kernel tick rate `jiffies()` and `HZ()` use (the common `CONFIG_HZ=250`).
pub const HZ: i64 = 250;

/// Nanoseconds since the Unix epoch.
fn epoch_ns() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i64)
}

/// Nanoseconds on a monotonic clock since the first call.
fn monotonic_ns() -> i64 {
    static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_nanos() as i64
}

/// Runs `f` on string `s` with the scratch buffer, then returns the scratch text as a
/// string (cut to `MAXSTRINGLEN - 1`).
fn transform(cx: &mut ExecContext, s: i64, f: impl FnOnce(&mut Vec<u8>, &[u8], usize)) -> i64 {
    let max_string_len = cx.session.limits.max_string_len;
    cx.scratch.clear();
    let input = resolve(&cx.session.program.strings, &cx.arena, s);
    f(&mut cx.scratch, input, max_string_len);
    let n = cx.scratch.len().min(cx.max_len());
    alloc_in(&mut cx.arena, &cx.scratch[..n])
}

/// The next pseudo-random number (xorshift64*), shared by every executor.
fn random() -> u64 {
    static STATE: AtomicU64 = AtomicU64::new(0);
    let mut x = STATE.load(Ordering::Relaxed);
    if x == 0 {
        x = epoch_ns() as u64 | 1;
    }
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    STATE.store(x, Ordering::Relaxed);
    x.wrapping_mul(0x2545_f491_4f6c_dd1d)
}

helpers! {
    symbols;
    /// `strlen(s)`.
    fn stp_strlen(cx, s) -> i64 { strings::strlen(cx.str(s)) }
    /// `substr(s, start, length)`.
    fn stp_substr(cx, s, start, length) -> i64 {
        let max = cx.session.limits.max_string_len;
        cx.scratch.clear();
        // The part lies in the literal or the arena: copy it through the scratch buffer.
        let part = strings::substr(resolve(&cx.session.program.strings, &cx.arena, s), start, length, max);
        cx.scratch.extend_from_slice(part);
        alloc_in(&mut cx.arena, &cx.scratch)
    }
    /// `stringat(s, pos)`.
    fn stp_stringat(cx, s, pos) -> i64 {
        match strings::stringat(cx.str(s), pos) {
            Ok(c) => c,
            Err(e) => {
                cx.fail(e.message());
                0
            }
        }
    }
    /// `isinstr(s1, s2)`.
    fn stp_isinstr(cx, a, b) -> i64 { strings::isinstr(cx.str(a), cx.str(b)) }
    /// `strpos(s1, s2)`.
    fn stp_strpos(cx, a, b) -> i64 { strings::strpos(cx.str(a), cx.str(b)) }
    /// `str_replace(s, search, replace)`.
    fn stp_str_replace(cx, s, search, replace) -> i64 {
        let program = &cx.session.program;
        cx.scratch.clear();
        strings::str_replace(
            &mut cx.scratch,
            resolve(&program.strings, &cx.arena, s),
            resolve(&program.strings, &cx.arena, search),
            resolve(&program.strings, &cx.arena, replace),
            cx.session.limits.max_string_len,
        );
        alloc_in(&mut cx.arena, &cx.scratch)
    }
    /// `tokenize(input, delim)`.
    fn stp_tokenize(cx, input, delim) -> i64 {
        let max = cx.session.limits.max_string_len;
        cx.scratch.clear();
        let program = &cx.session.program;
        cx.tokenizer.next(
            &mut cx.scratch,
            resolve(&program.strings, &cx.arena, input),
            resolve(&program.strings, &cx.arena, delim),
            max,
        );
        alloc_in(&mut cx.arena, &cx.scratch)
    }
    /// `strtol(s, base)`.
    fn stp_strtol(cx, s, base) -> i64 { strings::strtol(cx.str(s), base) }
    /// `isdigit(s)`.
    fn stp_isdigit(cx, s) -> i64 { strings::isdigit(cx.str(s)) }
    /// `text_str(s)`.
    fn stp_text_str(cx, s) -> i64 { transform(cx, s, strings::text_str) }
    /// `text_strn(s, len, quoted)`.
    fn stp_text_strn(cx, s, len, quoted) -> i64 {
        transform(cx, s, |out, input, max| strings::text_strn(out, input, len, quoted, max))
    }
    /// `string_quoted(s)`.
    fn stp_string_quoted(cx, s) -> i64 { transform(cx, s, strings::string_quoted) }
    /// `str_tolower(s)`.
    fn stp_str_tolower(cx, s) -> i64 { transform(cx, s, |out, input, _| strings::str_tolower(out, input)) }
    /// `str_toupper(s)`.
    fn stp_str_toupper(cx, s) -> i64 { transform(cx, s, |out, input, _| strings::str_toupper(out, input)) }
    /// `matched(n)`: group `n` of the last successful `=~`.
    fn stp_matched(cx, n) -> i64 {
        let group = usize::try_from(n).ok().and_then(|n| cx.matched.get(n)).cloned().flatten();
        match group {
            Some(g) => cx.alloc(&g),
            None => 0,
        }
    }
    /// `ngroups()`: the groups of the last successful `=~`, the whole match included.
    fn stp_ngroups(cx) -> i64 { cx.matched.len() as i64 }
    /// `log(msg)`: the message and a newline, to the output.
    fn stp_log(cx, message) {
        let program = &cx.session.program;
        cx.out.extend_from_slice(resolve(&program.strings, &cx.arena, message));
        cx.out.push(b'\n');
    }
    /// `warn(msg)`: `WARNING: msg` on the error output.
    fn stp_warn(cx, message) {
        let m = String::from_utf8_lossy(cx.str(message)).into_owned();
        cx.session.warn(&m);
    }
    /// `abs(n)`.
    fn stp_abs(_cx, n) -> i64 { n.wrapping_abs() }
    /// `randint(n)`: a number in `[0, n)`.
    fn stp_randint(cx, n) -> i64 {
        if n <= 0 {
            cx.fail("randint: invalid range");
            return 0;
        }
        (random() % n as u64) as i64
    }
    /// `gettimeofday_s()`.
    fn stp_gettimeofday_s(_cx) -> i64 { epoch_ns() / 1_000_000_000 }
    /// `gettimeofday_ms()`.
    fn stp_gettimeofday_ms(_cx) -> i64 { epoch_ns() / 1_000_000 }
    /// `gettimeofday_us()`.
    fn stp_gettimeofday_us(_cx) -> i64 { epoch_ns() / 1_000 }
    /// `gettimeofday_ns()`.
    fn stp_gettimeofday_ns(_cx) -> i64 { epoch_ns() }
    /// `local_clock_ns()`.
    fn stp_local_clock_ns(_cx) -> i64 { monotonic_ns() }
    /// `cpu_clock_ns(cpu)`.
    fn stp_cpu_clock_ns(_cx, _cpu) -> i64 { monotonic_ns() }
    /// `get_cycles()`: a monotonic nanosecond count (no cycle counter is read).
    fn stp_get_cycles(_cx) -> i64 { monotonic_ns() }
    /// `jiffies()`.
    fn stp_jiffies(_cx) -> i64 { monotonic_ns() / (1_000_000_000 / HZ) }
    /// `HZ()`.
    fn stp_hz(_cx) -> i64 { HZ }
    /// `ctime(epochsecs)`.
    fn stp_ctime(cx, secs) -> i64 {
        cx.scratch.clear();
        match strings::ctime(&mut cx.scratch, secs) {
            Ok(()) => alloc_in(&mut cx.arena, &cx.scratch),
            Err(e) => {
                cx.fail(e.message());
                0
            }
        }
    }
    /// `cpu()`.
    fn stp_cpu(_cx) -> i64 { crate::context::current_cpu() }
    /// `pid()`.
    fn stp_pid(_cx) -> i64 { i64::from(std::process::id()) }
    /// `tid()`.
    fn stp_tid(_cx) -> i64 { crate::context::current_tid() }
    /// `ppid()`.
    fn stp_ppid(_cx) -> i64 { i64::from(std::os::unix::process::parent_id()) }
    /// `uid()`.
    fn stp_uid(_cx) -> i64 { crate::context::current_uid() }
    /// `gid()`.
    fn stp_gid(_cx) -> i64 { crate::context::current_gid() }
    /// `execname()`.
    fn stp_execname(cx) -> i64 { cx.alloc(crate::context::current_execname()) }
    /// `pp()`: the probe point that fired.
    fn stp_pp(cx) -> i64 {
        let point = cx.session.program.probes[cx.probe].point.as_bytes();
        cx.alloc(point)
    }
    /// `target()`: the target process, 0 without one.
    fn stp_target(_cx) -> i64 { 0 }
    /// `stp_pid()`: the pid of stap-rs itself.
    fn stp_stp_pid(_cx) -> i64 { i64::from(std::process::id()) }
    /// `num_online_cpus()`.
    fn stp_num_online_cpus(_cx) -> i64 {
        std::thread::available_parallelism().map_or(1, |n| n.get() as i64)
    }
    /// `errno_str(err)`.
    fn stp_errno_str(cx, err) -> i64 { cx.alloc(strings::errno_str(err).as_bytes()) }
}
