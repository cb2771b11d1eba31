//! The end-of-run display of globals the script writes but never reads, as SystemTap
//! generates it (elaborate.cxx `add_global_var_display`).
//!
//! SystemTap adds one synthetic `probe end` per such global, in the order the globals
//! are declared, after the script's own `end` probes; globals declared only in tapsets
//! are left out. Each prints with `printf`:
//!
//! - a long scalar in decimal, `x=5` (SystemTap 4.8's generated code prints `%#x` as
//!   `%lld` here, as `stap -p3` shows);
//! - a string scalar as `s="%#s"`: the bytes as they are, no escaping;
//! - an array entry as `a[%#d,"%#s"]=…`: long keys in decimal, string keys in quotes,
//!   separated by `,` without a blank, then the value as for a scalar;
//! - statistics as `s @count=%#d @min=%#d @max=%#d @sum=%#d @avg=%#d`, and an empty
//!   scalar statistic as `s @count=0x0`; no histogram is drawn.
//!
//! An array is printed whole, with no limit, by `foreach ([k…] in a-)`: sorted by
//! value, descending (for statistics, by the default aggregate of a value sort).
//! The caller iterates in that order and calls [`array_entry`] or [`stat`] per entry.

use crate::printf::Arg;
use crate::stats::{Aggregate, StatError};
use stap_abi::StatField;

/// A scalar value or key.
pub type Value<'a> = Arg<'a>;

/// Appends `v` as the display prints a value: decimal or `"…"`.
fn value(out: &mut Vec<u8>, v: Value) {
    match v {
        Arg::Long(n) => out.extend_from_slice(n.to_string().as_bytes()),
        Arg::Str(s) => quoted(out, s),
    }
}

/// Appends `s` in double quotes (`%#s` stops at a NUL byte).
fn quoted(out: &mut Vec<u8>, s: &[u8]) {
    out.push(b'"');
    out.extend(s.iter().take_while(|&&b| b != 0));
    out.push(b'"');
}

/// Appends `[k1,k2…]`.
fn keys(out: &mut Vec<u8>, ks: &[Value]) {
    if ks.is_empty() {
        return;
    }
    out.push(b'[');
    for (i, k) in ks.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        match *k {
            Arg::Long(n) => out.extend_from_slice(n.to_string().as_bytes()),
            Arg::Str(s) => quoted(out, s),
        }
    }
    out.push(b']');
}

/// A long or string scalar: `x=5\n`, `s="abc"\n`.
pub fn scalar(out: &mut Vec<u8>, name: &str, v: Value) {
    out.extend_from_slice(name.as_bytes());
    out.push(b'=');
    value(out, v);
    out.push(b'\n');
}

/// One entry of a long or string array: `a["k",3]=5\n`.
pub fn array_entry(out: &mut Vec<u8>, name: &str, ks: &[Value], v: Value) {
    out.extend_from_slice(name.as_bytes());
    keys(out, ks);
    out.push(b'=');
    value(out, v);
    out.push(b'\n');
}

/// A statistic (`ks` empty) or one entry of an array of statistics:
/// `s @count=3 @min=1 @max=3 @sum=6 @avg=2\n`. An empty scalar prints
/// `s @count=0x0\n`; an empty array entry is SystemTap's `empty aggregate` error.
pub fn stat(out: &mut Vec<u8>, name: &str, ks: &[Value], agg: &Aggregate) -> Result<(), StatError> {
    if ks.is_empty() && agg.count == 0 {
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b" @count=0x0\n");
        return Ok(());
    }
    let fields = [
        ("@count", StatField::Count),
        ("@min", StatField::Min),
        ("@max", StatField::Max),
        ("@sum", StatField::Sum),
        ("@avg", StatField::Avg),
    ];
    let mut line = Vec::new();
    line.extend_from_slice(name.as_bytes());
    keys(&mut line, ks);
    for (label, field) in fields {
        line.push(b' ');
        line.extend_from_slice(label.as_bytes());
        line.push(b'=');
        line.extend_from_slice(agg.field(field)?.to_string().as_bytes());
    }
    line.push(b'\n');
    out.extend_from_slice(&line);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::Stat;
    use stap_abi::StatUsage;

    fn text(f: impl FnOnce(&mut Vec<u8>)) -> String {
        let mut out = Vec::new();
        f(&mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn scalars() {
        assert_eq!(text(|o| scalar(o, "x", Arg::Long(5))), "x=5\n");
        assert_eq!(text(|o| scalar(o, "x", Arg::Long(0))), "x=0\n");
        assert_eq!(text(|o| scalar(o, "x", Arg::Long(-1))), "x=-1\n");
        assert_eq!(
            text(|o| scalar(o, "s", Arg::Str(b"a\"b\n"))),
            "s=\"a\"b\n\"\n"
        );
    }

    #[test]
    fn array_entries() {
        let ks = [Arg::Str(b"k"), Arg::Long(-3)];
        assert_eq!(
            text(|o| array_entry(o, "a", &ks, Arg::Long(255))),
            "a[\"k\",-3]=255\n"
        );
        assert_eq!(
            text(|o| array_entry(o, "b", &[Arg::Long(1)], Arg::Str(b"v"))),
            "b[1]=\"v\"\n"
        );
    }

    #[test]
    fn statistics() {
        let u = StatUsage::default();
        let mut s = Stat::new(&u);
        for v in [1, 2, 3] {
            s.add(v, &u);
        }
        let agg = s.aggregate();
        assert_eq!(
            text(|o| stat(o, "s", &[], &agg).unwrap()),
            "s @count=3 @min=1 @max=3 @sum=6 @avg=2\n"
        );
        assert_eq!(
            text(|o| stat(o, "t", &[Arg::Long(7)], &agg).unwrap()),
            "t[7] @count=3 @min=1 @max=3 @sum=6 @avg=2\n"
        );
        let empty = Aggregate::default();
        assert_eq!(
            text(|o| stat(o, "s", &[], &empty).unwrap()),
            "s @count=0x0\n"
        );
        let mut out = Vec::new();
        assert_eq!(
            stat(&mut out, "t", &[Arg::Long(1)], &empty),
            Err(StatError::EmptyAggregate)
        );
        assert!(out.is_empty());
    }
}
