//! The string builtins, as SystemTap's tapsets implement them (tapset/string.stp,
//! tokenize.stp, errno.stp, linux/ctime.stp, runtime/stp_string.c `_stp_text_str`).
//!
//! SystemTap strings are C strings: every function reads its input up to the first
//! NUL byte. Results longer than a string holds are cut to `maxstringlen - 1` bytes.
//! `str_tolower` and `str_toupper` have no SystemTap counterpart (its tapsets have
//! none); they change ASCII letters only.

/// Why a string builtin failed, in SystemTap's words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StringError {
    /// `stringat` outside the string.
    PositionOutOfBounds,
    /// `ctime` after 2038-01-19 03:14:07.
    TimeTooFarInFuture,
    /// `ctime` before 1901-12-13 20:45:52.
    TimeTooFarInPast,
}

impl StringError {
    /// SystemTap's message.
    pub fn message(self) -> &'static str {
        match self {
            StringError::PositionOutOfBounds => "Position out of bounds",
            StringError::TimeTooFarInFuture => "Time too far in the future to be converted",
            StringError::TimeTooFarInPast => "Time too far in the past to be converted",
        }
    }
}

impl std::fmt::Display for StringError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for StringError {}

/// The bytes before the first NUL, as C sees a string.
fn cstr(s: &[u8]) -> &[u8] {
    match s.iter().position(|&b| b == 0) {
        Some(n) => &s[..n],
        None => s,
    }
}

/// What a SystemTap string keeps of `s`: its first `maxstringlen - 1` bytes.
pub fn truncate(s: &[u8], maxstringlen: usize) -> &[u8] {
    &s[..s.len().min(maxstringlen.saturating_sub(1))]
}

/// `strlen(s)`.
pub fn strlen(s: &[u8]) -> i64 {
    cstr(s).len() as i64
}

/// `substr(s, start, length)`: empty unless `0 <= start < strlen(s)`; at most
/// `length` bytes (and `maxstringlen - 1`).
pub fn substr(s: &[u8], start: i64, length: i64, maxstringlen: usize) -> &[u8] {
    let s = cstr(s);
    let size = length.wrapping_add(1).clamp(0, maxstringlen as i64);
    if start < 0 || start >= s.len() as i64 {
        return b"";
    }
    let rest = &s[start as usize..];
    &rest[..rest.len().min((size as usize).saturating_sub(1))]
}

/// `stringat(s, pos)`: the byte at `pos` as a C `char` (bytes above 127 are negative).
pub fn stringat(s: &[u8], pos: i64) -> Result<i64, StringError> {
    let s = cstr(s);
    if pos >= 0 && pos < s.len() as i64 {
        Ok(i64::from(s[pos as usize] as i8))
    } else {
        Err(StringError::PositionOutOfBounds)
    }
}

/// `strstr`: where `needle` first occurs in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// `isinstr(s1, s2)`: 1 if `s2` occurs in `s1` (the empty string always does).
pub fn isinstr(s1: &[u8], s2: &[u8]) -> i64 {
    i64::from(find(cstr(s1), cstr(s2)).is_some())
}

/// `strpos(s1, s2)`: the 0-based offset of the first `s2` in `s1`, or -1.
pub fn strpos(s1: &[u8], s2: &[u8]) -> i64 {
    find(cstr(s1), cstr(s2)).map_or(-1, |i| i as i64)
}

/// `str_replace(s, search, replace)`: every non-overlapping `search`, left to right,
/// replaced; an empty `search` leaves `s` as it is.
pub fn str_replace(
    out: &mut Vec<u8>,
    s: &[u8],
    search: &[u8],
    replace: &[u8],
    maxstringlen: usize,
) {
    let (mut s, search, replace) = (cstr(s), cstr(search), cstr(replace));
    let start = out.len();
    if !search.is_empty() {
        while let Some(i) = find(s, search) {
            out.extend_from_slice(&s[..i]);
            out.extend_from_slice(replace);
            s = &s[i + search.len()..];
        }
    }
    out.extend_from_slice(s);
    out.truncate(start + (out.len() - start).min(maxstringlen.saturating_sub(1)));
}

/// `tokenize(input, delim)`'s state, which SystemTap keeps in the probe context: keep
/// one per context. A non-empty `input` starts over on a copy of it; an empty one goes
/// on with the previous string. Each call returns the next non-empty token (split
/// with `strsep` on any byte of `delim`), then the empty string once none is left.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tokenizer {
    buf: Vec<u8>,
    pos: Option<usize>,
}

impl Tokenizer {
    /// Appends the next token to `out`.
    pub fn next(&mut self, out: &mut Vec<u8>, input: &[u8], delim: &[u8], maxstringlen: usize) {
        let input = cstr(input);
        if !input.is_empty() {
            self.buf.clear();
            self.buf.extend_from_slice(truncate(input, maxstringlen));
            self.pos = Some(0);
        }
        let delim = cstr(delim);
        while let Some(p) = self.pos {
            let rest = &self.buf[p..];
            let token = match rest.iter().position(|b| delim.contains(b)) {
                Some(q) => {
                    self.pos = Some(p + q + 1);
                    &rest[..q]
                }
                None => {
                    self.pos = None;
                    rest
                }
            };
            if !token.is_empty() {
                out.extend_from_slice(token);
                return;
            }
        }
    }
}

/// `strtol(s, base)`: the kernel's `simple_strtol`. No blanks or `+` are skipped; a
/// leading `-` negates; base 0 picks 16 for `0x` followed by a hex digit, 8 for a
/// leading `0`, else 10; base 16 skips a `0x`; digits stop at the first byte that is
/// not one of the base; overflow wraps; the base is taken as a C `unsigned int`.
pub fn strtol(s: &[u8], base: i64) -> i64 {
    let s = cstr(s);
    let base = base as u32;
    match s.split_first() {
        Some((b'-', rest)) => (strtoull(rest, base) as i64).wrapping_neg(),
        _ => strtoull(s, base) as i64,
    }
}

/// `simple_strtoull`.
fn strtoull(s: &[u8], mut base: u32) -> u64 {
    let at = |i: usize| s.get(i).copied().unwrap_or(0);
    if base == 0 {
        base = if at(0) == b'0' {
            if at(1) | 0x20 == b'x' && at(2).is_ascii_hexdigit() {
                16
            } else {
                8
            }
        } else {
            10
        };
    }
    let mut i = 0;
    if base == 16 && at(0) == b'0' && at(1) | 0x20 == b'x' {
        i = 2;
    }
    let mut result: u64 = 0;
    while let Some(&c) = s.get(i) {
        let lc = c | 0x20;
        let val = match c {
            b'0'..=b'9' => u32::from(c - b'0'),
            _ if (b'a'..=b'f').contains(&lc) => u32::from(lc - b'a' + 10),
            _ => break,
        };
        if val >= base {
            break;
        }
        result = result
            .wrapping_mul(u64::from(base))
            .wrapping_add(u64::from(val));
        i += 1;
    }
    result
}

/// `isdigit(s)`: 1 if the first byte is `0` to `9`.
pub fn isdigit(s: &[u8]) -> i64 {
    i64::from(s.first().is_some_and(u8::is_ascii_digit))
}

/// `_stp_decode_utf8` on `s` at `i` (bytes past the end read as NUL): the number of
/// bytes taken and the code point, or the single byte as it is.
fn decode_utf8(s: &[u8], i: usize, size: i64) -> (usize, u32) {
    let at = |k: usize| s.get(k).copied().unwrap_or(0);
    let b = at(i);
    let left = size - 1;
    let (n, mut c) = if b & 0xE0 == 0xC0 && left >= 1 {
        (2, u32::from(b & 0x1F))
    } else if b & 0xF0 == 0xE0 && left >= 2 {
        (3, u32::from(b & 0xF))
    } else if b & 0xF8 == 0xF0 && left >= 3 {
        (4, u32::from(b & 0x7))
    } else {
        return (1, u32::from(b));
    };
    for k in 1..n {
        let b2 = at(i + k);
        if b2 & 0xC0 != 0x80 {
            return (1, u32::from(b));
        }
        c = (c << 6) | u32::from(b2 & 0x3F);
    }
    let overlong = c < 0x80 || (n == 3 && c < 0x800) || (n == 4 && c < 0x10000);
    if (0xD800..=0xDFFF).contains(&c) || c > 0x10FFFF || overlong {
        return (1, u32::from(b));
    }
    (n, c)
}

/// The escape letter of a byte `_stp_text_str` escapes with two characters.
fn short_escape(c: u32) -> Option<u8> {
    Some(match c {
        0x07 => b'a',
        0x08 => b'b',
        0x0c => b'f',
        0x0a => b'n',
        0x0d => b'r',
        0x09 => b't',
        0x0b => b'v',
        0x22 => b'"',
        0x5c => b'\\',
        _ => return None,
    })
}

/// `_stp_text_str`: `s` with non-printable bytes escaped (`\n`, `\"`, `\\`, octal
/// `\ooo`, valid UTF-8 as `\uXXXX` or `\UXXXXXXXX`), at most `outlen` bytes of output
/// (0 or above `maxstringlen - 1` means `maxstringlen - 1`), an escape never cut in
/// two. Quoted, it is put in double quotes, and `"...` marks a truncation.
fn text_str_impl(out: &mut Vec<u8>, s: &[u8], outlen: i64, quoted: bool, maxstringlen: usize) {
    let max = maxstringlen as i64 - 1;
    let mut inlen = max;
    let mut outlen = if outlen <= 0 || outlen > max {
        max
    } else {
        outlen
    };
    let base = out.len();
    if quoted {
        outlen = outlen.max(5) - 2;
        out.push(b'"');
    }
    let mut esc: Option<(usize, i64)> = None;
    let mut c = 0;
    let mut i = 0;
    while inlen > 0 {
        let (n, code) = decode_utf8(s, i, inlen);
        c = code;
        if c == 0 || outlen <= 0 {
            break;
        }
        i += n;
        inlen -= n as i64;
        let num: i64;
        if n > 1 {
            num = if c <= 0xFFFF { 6 } else { 10 };
            if esc.is_none() && outlen - 3 < num {
                esc = Some((out.len(), num));
            }
            if outlen < num {
                break;
            }
            out.push(b'\\');
            out.push(if c <= 0xFFFF { b'u' } else { b'U' });
            for k in (0..num - 2).rev() {
                out.push(b"0123456789abcdef"[((c >> (k * 4)) & 0xF) as usize]);
            }
        } else if c < 0x80 && (0x20..0x7f).contains(&c) && c != 0x22 && c != 0x5c {
            num = 1;
            out.push(c as u8);
        } else {
            let escape = short_escape(c);
            num = if escape.is_some() { 2 } else { 4 };
            if esc.is_none() && outlen - 3 < num {
                esc = Some((out.len(), num));
            }
            if outlen < num {
                break;
            }
            out.push(b'\\');
            match escape {
                Some(e) => out.push(e),
                None => {
                    out.push(b'0' + ((c >> 6) & 3) as u8);
                    out.push(b'0' + ((c >> 3) & 7) as u8);
                    out.push(b'0' + (c & 7) as u8);
                }
            }
        }
        outlen -= num;
    }
    if quoted {
        if c != 0 && inlen > 0 {
            let trunc = (out.len() as i64 - 3 + outlen).max(base as i64 + 1) as usize;
            let cut = match esc {
                Some((e, len)) if e < trunc && (trunc as i64) < e as i64 + len => e,
                _ => trunc,
            };
            out.truncate(cut);
            out.extend_from_slice(b"\"...");
        } else {
            out.push(b'"');
        }
    }
}

/// `text_str(s)`: `s` with non-printable characters escaped.
pub fn text_str(out: &mut Vec<u8>, s: &[u8], maxstringlen: usize) {
    text_str_impl(out, s, 0, false, maxstringlen);
}

/// `text_strn(s, len, quoted)`: at most `len` bytes of escaped text (0: no limit but
/// the string size), in quotes if `quoted` is non-zero.
pub fn text_strn(out: &mut Vec<u8>, s: &[u8], len: i64, quoted: i64, maxstringlen: usize) {
    let len = len.clamp(0, maxstringlen as i64);
    text_str_impl(out, s, len, quoted != 0, maxstringlen);
}

/// `string_quoted(s)`: `s` escaped and in double quotes.
pub fn string_quoted(out: &mut Vec<u8>, s: &[u8], maxstringlen: usize) {
    text_str_impl(out, s, maxstringlen as i64, true, maxstringlen);
}

/// `str_tolower(s)`: ASCII letters in lower case.
pub fn str_tolower(out: &mut Vec<u8>, s: &[u8]) {
    out.extend(cstr(s).iter().map(u8::to_ascii_lowercase));
}

/// `str_toupper(s)`: ASCII letters in upper case.
pub fn str_toupper(out: &mut Vec<u8>, s: &[u8]) {
    out.extend(cstr(s).iter().map(u8::to_ascii_uppercase));
}

/// Error names by number, as errno.stp's table holds them on x86-64 (the gaps are
/// aliases it leaves out: EWOULDBLOCK, EDEADLOCK).
const ERRNO_NAMES: [&str; 132] = [
    "",
    "EPERM",
    "ENOENT",
    "ESRCH",
    "EINTR",
    "EIO",
    "ENXIO",
    "E2BIG",
    "ENOEXEC",
    "EBADF",
    "ECHILD",
    "EAGAIN",
    "ENOMEM",
    "EACCES",
    "EFAULT",
    "ENOTBLK",
    "EBUSY",
    "EEXIST",
    "EXDEV",
    "ENODEV",
    "ENOTDIR",
    "EISDIR",
    "EINVAL",
    "ENFILE",
    "EMFILE",
    "ENOTTY",
    "ETXTBSY",
    "EFBIG",
    "ENOSPC",
    "ESPIPE",
    "EROFS",
    "EMLINK",
    "EPIPE",
    "EDOM",
    "ERANGE",
    "EDEADLK",
    "ENAMETOOLONG",
    "ENOLCK",
    "ENOSYS",
    "ENOTEMPTY",
    "ELOOP",
    "",
    "ENOMSG",
    "EIDRM",
    "ECHRNG",
    "EL2NSYNC",
    "EL3HLT",
    "EL3RST",
    "ELNRNG",
    "EUNATCH",
    "ENOCSI",
    "EL2HLT",
    "EBADE",
    "EBADR",
    "EXFULL",
    "ENOANO",
    "EBADRQC",
    "EBADSLT",
    "",
    "EBFONT",
    "ENOSTR",
    "ENODATA",
    "ETIME",
    "ENOSR",
    "ENONET",
    "ENOPKG",
    "EREMOTE",
    "ENOLINK",
    "EADV",
    "ESRMNT",
    "ECOMM",
    "EPROTO",
    "EMULTIHOP",
    "EDOTDOT",
    "EBADMSG",
    "EOVERFLOW",
    "ENOTUNIQ",
    "EBADFD",
    "EREMCHG",
    "ELIBACC",
    "ELIBBAD",
    "ELIBSCN",
    "ELIBMAX",
    "ELIBEXEC",
    "EILSEQ",
    "ERESTART",
    "ESTRPIPE",
    "EUSERS",
    "ENOTSOCK",
    "EDESTADDRREQ",
    "EMSGSIZE",
    "EPROTOTYPE",
    "ENOPROTOOPT",
    "EPROTONOSUPPORT",
    "ESOCKTNOSUPPORT",
    "EOPNOTSUPP",
    "EPFNOSUPPORT",
    "EAFNOSUPPORT",
    "EADDRINUSE",
    "EADDRNOTAVAIL",
    "ENETDOWN",
    "ENETUNREACH",
    "ENETRESET",
    "ECONNABORTED",
    "ECONNRESET",
    "ENOBUFS",
    "EISCONN",
    "ENOTCONN",
    "ESHUTDOWN",
    "ETOOMANYREFS",
    "ETIMEDOUT",
    "ECONNREFUSED",
    "EHOSTDOWN",
    "EHOSTUNREACH",
    "EALREADY",
    "EINPROGRESS",
    "ESTALE",
    "EUCLEAN",
    "ENOTNAM",
    "ENAVAIL",
    "EISNAM",
    "EREMOTEIO",
    "EDQUOT",
    "ENOMEDIUM",
    "EMEDIUMTYPE",
    "ECANCELED",
    "ENOKEY",
    "EKEYEXPIRED",
    "EKEYREVOKED",
    "EKEYREJECTED",
    "EOWNERDEAD",
    "ENOTRECOVERABLE",
];

/// `errno_str(err)`: the symbolic name of `err` or `-err` (`ENOENT` for 2 or -2); the
/// empty string for a number the table lacks, as errno.stp returns.
pub fn errno_str(err: i64) -> &'static str {
    let e = err.unsigned_abs();
    ERRNO_NAMES.get(e as usize).copied().unwrap_or("")
}

/// `ctime(epochsecs)`: `Thu Jan  1 00:00:00 1970`, always UTC and 24 characters; an
/// error outside what a 32-bit `time_t` holds.
pub fn ctime(out: &mut Vec<u8>, epochsecs: i64) -> Result<(), StringError> {
    const DAY: i64 = 86400;
    if epochsecs > i64::from(i32::MAX) {
        return Err(StringError::TimeTooFarInFuture);
    }
    if epochsecs < i64::from(i32::MIN) {
        return Err(StringError::TimeTooFarInPast);
    }
    let leap = |y: i64| (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let mut days = epochsecs.div_euclid(DAY);
    let rem = epochsecs.rem_euclid(DAY);
    let (hour, min, sec) = (rem / 3600, rem % 3600 / 60, rem % 60);
    let wday = (4 + days).rem_euclid(7);
    let mut year = 1970;
    let year_len = |y: i64| if leap(y) { 366 } else { 365 };
    if days >= 0 {
        while days >= year_len(year) {
            days -= year_len(year);
            year += 1;
        }
    } else {
        while days < 0 {
            year -= 1;
            days += year_len(year);
        }
    }
    let mut months = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    if leap(year) {
        months[1] = 29;
    }
    let mut mon = 0;
    while days >= months[mon] {
        days -= months[mon];
        mon += 1;
    }
    const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let text = format!(
        "{} {}{:3} {:02}:{:02}:{:02} {}",
        DAYS[wday as usize],
        MONTHS[mon],
        days + 1,
        hour,
        min,
        sec,
        year
    );
    out.extend_from_slice(text.as_bytes());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(f: impl FnOnce(&mut Vec<u8>)) -> String {
        let mut out = Vec::new();
        f(&mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn lengths_and_substrings() {
        assert_eq!(strlen(b"hello"), 5);
        assert_eq!(strlen(b"he\0llo"), 2);
        assert_eq!(substr(b"hello", 1, 3, 512), b"ell");
        assert_eq!(substr(b"hello", 3, 100, 512), b"lo");
        assert_eq!(substr(b"hello", 5, 1, 512), b"");
        assert_eq!(substr(b"hello", -1, 2, 512), b"");
        assert_eq!(substr(b"hello", 0, 0, 512), b"");
        assert_eq!(substr(b"hello", 0, i64::MAX, 512), b"");
        assert_eq!(substr(b"hello", 0, 10, 4), b"hel");
        assert_eq!(truncate(b"abcdef", 4), b"abc");
    }

    #[test]
    fn stringat_is_a_signed_char() {
        assert_eq!(stringat(b"abc", 1), Ok(98));
        assert_eq!(stringat(b"\xff", 0), Ok(-1));
        assert_eq!(stringat(b"abc", 3), Err(StringError::PositionOutOfBounds));
        assert_eq!(
            StringError::PositionOutOfBounds.message(),
            "Position out of bounds"
        );
    }

    #[test]
    fn searching() {
        assert_eq!(isinstr(b"hello", b"ll"), 1);
        assert_eq!(isinstr(b"hello", b"x"), 0);
        assert_eq!(isinstr(b"hello", b""), 1);
        assert_eq!(strpos(b"hello", b"l"), 2);
        assert_eq!(strpos(b"hello", b"he"), 0);
        assert_eq!(strpos(b"hello", b"z"), -1);
        assert_eq!(with(|o| str_replace(o, b"aaa", b"aa", b"b", 512)), "ba");
        assert_eq!(
            with(|o| str_replace(o, b"a.b.c", b".", b"::", 512)),
            "a::b::c"
        );
        assert_eq!(with(|o| str_replace(o, b"abc", b"", b"x", 512)), "abc");
        assert_eq!(with(|o| str_replace(o, b"abab", b"b", b"xyz", 6)), "axyza");
    }

    #[test]
    fn tokenize_keeps_state() {
        let mut t = Tokenizer::default();
        let mut next = |input: &[u8]| with(|o| t.next(o, input, b", ", 512));
        assert_eq!(next(b"one, two,,three"), "one");
        assert_eq!(next(b""), "two");
        assert_eq!(next(b""), "three");
        assert_eq!(next(b""), "");
        assert_eq!(next(b""), "");
        assert_eq!(next(b"a"), "a");
        let mut fresh = Tokenizer::default();
        assert_eq!(with(|o| fresh.next(o, b"", b",", 512)), "");
    }

    #[test]
    fn strtol_is_simple_strtol() {
        assert_eq!(strtol(b"123", 10), 123);
        assert_eq!(strtol(b"-123abc", 10), -123);
        assert_eq!(strtol(b"0x1f", 16), 31);
        assert_eq!(strtol(b"0x1f", 0), 31);
        assert_eq!(strtol(b"017", 0), 15);
        assert_eq!(strtol(b"0x", 0), 0);
        assert_eq!(strtol(b"101", 2), 5);
        assert_eq!(strtol(b" 12", 10), 0);
        assert_eq!(strtol(b"+12", 10), 0);
        assert_eq!(strtol(b"ff", 16), 255);
        assert_eq!(strtol(b"18446744073709551615", 10), -1);
    }

    #[test]
    fn isdigit_looks_at_the_first_byte() {
        assert_eq!(isdigit(b"7a"), 1);
        assert_eq!(isdigit(b"a7"), 0);
        assert_eq!(isdigit(b""), 0);
    }

    #[test]
    fn text_escapes() {
        assert_eq!(
            with(|o| text_str(o, b"a\tb\n\"\\\x01\x7f", 512)),
            "a\\tb\\n\\\"\\\\\\001\\177"
        );
        assert_eq!(
            with(|o| text_str(o, "é€😀".as_bytes(), 512)),
            "\\u00e9\\u20ac\\U0001f600"
        );
        assert_eq!(with(|o| text_str(o, b"\xc3(", 512)), "\\303(");
        assert_eq!(with(|o| string_quoted(o, b"a\"b", 512)), "\"a\\\"b\"");
        assert_eq!(with(|o| text_strn(o, b"hello", 3, 0, 512)), "hel");
        assert_eq!(with(|o| text_strn(o, b"hello", 0, 1, 512)), "\"hello\"");
        // Quoted and cut: the room is max(len, 5) - 2, the cut leaves len - 3 bytes.
        assert_eq!(
            with(|o| text_strn(o, b"hello world", 8, 1, 512)),
            "\"hel\"..."
        );
        assert_eq!(
            with(|o| text_strn(o, b"ab\ncdefgh", 7, 1, 512)),
            "\"ab\"..."
        );
        assert_eq!(
            with(|o| text_strn(o, b"abc\ndefgh", 7, 1, 512)),
            "\"ab\"..."
        );
        // An escape the cut would split goes whole.
        assert_eq!(
            with(|o| text_strn(o, b"abc\x01defgh", 9, 1, 512)),
            "\"abc\"..."
        );
        assert_eq!(
            with(|o| text_strn(o, b"abcd\nefgh", 9, 1, 512)),
            "\"abcd\"..."
        );
        assert_eq!(with(|o| str_toupper(o, b"aBc1")), "ABC1");
        assert_eq!(with(|o| str_tolower(o, b"aBc1")), "abc1");
    }

    #[test]
    fn errno_names() {
        assert_eq!(errno_str(2), "ENOENT");
        assert_eq!(errno_str(-2), "ENOENT");
        assert_eq!(errno_str(131), "ENOTRECOVERABLE");
        assert_eq!(errno_str(41), "");
        assert_eq!(errno_str(3333), "");
        assert_eq!(errno_str(0), "");
        assert_eq!(errno_str(i64::MIN), "");
    }

    #[test]
    fn ctime_formats_utc() {
        let c = |t| {
            let mut out = Vec::new();
            ctime(&mut out, t).map(|()| String::from_utf8(out).unwrap())
        };
        assert_eq!(c(0).unwrap(), "Thu Jan  1 00:00:00 1970");
        assert_eq!(c(741_476_948).unwrap(), "Wed Jun 30 21:49:08 1993");
        assert_eq!(c(2_147_483_647).unwrap(), "Tue Jan 19 03:14:07 2038");
        assert_eq!(c(-2_147_483_648).unwrap(), "Fri Dec 13 20:45:52 1901");
        assert_eq!(c(951_782_400).unwrap(), "Tue Feb 29 00:00:00 2000");
        assert_eq!(c(2_147_483_648), Err(StringError::TimeTooFarInFuture));
        assert_eq!(c(-2_147_483_649), Err(StringError::TimeTooFarInPast));
        assert_eq!(
            StringError::TimeTooFarInFuture.message(),
            "Time too far in the future to be converted"
        );
    }
}
