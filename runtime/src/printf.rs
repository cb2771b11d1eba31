//! `printf` and `sprintf`: SystemTap's compiled-printf semantics, byte for byte.
//!
//! SystemTap (since 1.x, unless `-DSTP_LEGACY_PRINT`) compiles every format into a C
//! function that calls the runtime's `number`, `_stp_vsprint_char`,
//! `_stp_vsprint_memory` and `_stp_vsprint_binary` (runtime/vsprintf.c) piece by piece.
//! This module follows that code:
//!
//! - every number is 64 bits: `%u`, `%x`, `%o` of a negative value print its
//!   two's-complement bits (`%u` of -1 is `18446744073709551615`);
//! - `%p` is `%#x` (so `0x` is always there, no padding to pointer size);
//! - a `*` width or precision takes the next argument, truncated to a C `int`, then
//!   clamped to `[0, room left]`: a negative `*` width does *not* left-justify;
//! - `%c` prints the low byte; with `#` it escapes like a C character literal;
//! - `%s` stops at a NUL byte; a precision cuts it; the `0` flag on `%s`, `%m` and
//!   `%M` appends a NUL byte after the field (a quirk of `_stp_vsprint_memory`);
//! - `%b` writes the value's bytes, little-endian, padded with NUL bytes: the width
//!   (or precision) 1, 2, 4 or 8 picks the size, 8 by default;
//! - a literal piece stops at a NUL byte.
//!
//! `%m` and `%M` take a long (an address) in SystemTap and dump `precision` bytes (1
//! by default) of memory there: `%m` raw, `%M` as hexadecimal pairs, `#` for user
//! memory. Here the bytes come from a [`MemoryReader`] the caller supplies (the session
//! reads the traced process); [`NoMemory`] makes every read fail. A string argument
//! given to `%m`/`%M` dumps the string's own bytes (zero bytes past its end). More than
//! 4096 bytes (SystemTap's `PAGE_SIZE` check) is an error before anything is printed;
//! a failed read is an error and the whole print is dropped, as in SystemTap.

use stap_abi::ValueType;
use stap_abi::format::{Conversion, Piece, Size, Spec};

/// The most bytes one `printf` prints (SystemTap's `STP_BUFFER_SIZE`).
pub const STP_BUFFER_SIZE: usize = 8192;

/// The most bytes `%m`/`%M` may dump (the kernel's `PAGE_SIZE` SystemTap checks).
pub const MAX_MEMORY_DUMP: i64 = 4096;

/// A value handed to a conversion.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arg<'a> {
    /// A long: numbers, `%c`, `%b`, `%p`, `%m` addresses and `*` sizes.
    Long(i64),
    /// A string, for `%s` (a string given to a numeric conversion counts as 0).
    Str(&'a [u8]),
}

impl Arg<'_> {
    /// The argument as a long (a string is 0).
    fn long(self) -> i64 {
        match self {
            Arg::Long(v) => v,
            Arg::Str(_) => 0,
        }
    }
}

/// Reads the memory `%m` and `%M` dump.
pub trait MemoryReader {
    /// Fills `buf` with the bytes at `addr`; `user` is the `#` flag (user memory in
    /// SystemTap). Returns false when the memory cannot be read.
    fn read(&mut self, addr: u64, user: bool, buf: &mut [u8]) -> bool;
}

/// A [`MemoryReader`] for which every read fails.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoMemory;

impl MemoryReader for NoMemory {
    fn read(&mut self, _addr: u64, _user: bool, _buf: &mut [u8]) -> bool {
        false
    }
}

/// Why a print failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrintfError {
    /// `%m`/`%M` asked for more than [`MAX_MEMORY_DUMP`] bytes.
    TooManyBytes(i64),
    /// `%m`/`%M` could not read the memory at this address.
    ReadFault(u64),
}

impl PrintfError {
    /// The error message (SystemTap's for `TooManyBytes`; SystemTap's kernel-pointer
    /// text for a fault has no userspace equivalent, so a read fault names the address).
    pub fn message(&self) -> String {
        match self {
            PrintfError::TooManyBytes(n) => format!("{n} is too many bytes for a memory dump"),
            PrintfError::ReadFault(addr) => format!("read fault at 0x{addr:x}"),
        }
    }
}

impl std::fmt::Display for PrintfError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for PrintfError {}

/// The type of each argument a format consumes, in order: a `*` width, then a `*`
/// precision, then the converted value, for every conversion.
pub fn arg_types(pieces: &[Piece]) -> Vec<ValueType> {
    let mut types = Vec::new();
    for piece in pieces {
        let Piece::Spec(spec) = piece else { continue };
        if spec.width == Size::Dynamic {
            types.push(ValueType::Long);
        }
        if spec.precision == Size::Dynamic {
            types.push(ValueType::Long);
        }
        types.push(match spec.conversion {
            Conversion::String => ValueType::String,
            _ => ValueType::Long,
        });
    }
    types
}

/// `printf`: appends the formatted text to `out` (at most [`STP_BUFFER_SIZE`] bytes),
/// with no memory to read for `%m`/`%M`.
pub fn format_into(out: &mut Vec<u8>, pieces: &[Piece], args: &[Arg]) -> Result<(), PrintfError> {
    format_with(out, pieces, args, STP_BUFFER_SIZE, &mut NoMemory)
}

/// `sprintf`: appends the result string to `out`, as SystemTap's string value holds it:
/// formatted into `maxstringlen` bytes, cut to `maxstringlen - 1`, then at the first
/// NUL byte (a `%b` of a small number ends the string early).
pub fn sprintf_into(
    out: &mut Vec<u8>,
    pieces: &[Piece],
    args: &[Arg],
    maxstringlen: usize,
    memory: &mut dyn MemoryReader,
) -> Result<(), PrintfError> {
    let start = out.len();
    format_with(out, pieces, args, maxstringlen, memory)?;
    let keep = out[start..]
        .iter()
        .take(maxstringlen.saturating_sub(1))
        .position(|&b| b == 0)
        .unwrap_or(maxstringlen.saturating_sub(1));
    out.truncate(start + keep);
    Ok(())
}

/// Formats into `out`, writing at most `limit` bytes (widths and precisions are clamped
/// to the room left, as SystemTap clamps them to its buffer). On error nothing is
/// appended.
pub fn format_with(
    out: &mut Vec<u8>,
    pieces: &[Piece],
    args: &[Arg],
    limit: usize,
    memory: &mut dyn MemoryReader,
) -> Result<(), PrintfError> {
    check_memory_sizes(pieces, args)?;
    let start = out.len();
    let mut sink = Sink {
        cap: start + limit,
        out,
    };
    let mut next = 0;
    let mut take = || {
        let arg = args.get(next).copied().unwrap_or(Arg::Long(0));
        next += 1;
        arg
    };
    for piece in pieces {
        let spec = match piece {
            Piece::Literal(text) => {
                for &b in text.iter().take_while(|&&b| b != 0) {
                    sink.put(b);
                }
                continue;
            }
            Piece::Spec(spec) => spec,
        };
        let width = match spec.width {
            Size::Dynamic => sink.clamp(take().long() as i32),
            Size::Static(w) => sink.clamp(w.min(i32::MAX as u32) as i32),
            Size::Unspecified => -1,
        };
        let precision = match spec.precision {
            Size::Dynamic => sink.clamp(take().long() as i32),
            Size::Static(p) => sink.clamp(p.min(i32::MAX as u32) as i32),
            Size::Unspecified => -1,
        };
        let value = take();
        let flags = NumberFlags::of(spec);
        match spec.conversion {
            Conversion::Signed
            | Conversion::Unsigned
            | Conversion::Octal
            | Conversion::HexLower
            | Conversion::HexUpper
            | Conversion::Pointer => number(
                &mut sink,
                value.long() as u64,
                base(spec),
                width,
                precision,
                flags,
            ),
            Conversion::Char => print_char(&mut sink, value.long() as u8, width, flags),
            Conversion::String => {
                let s = match value {
                    Arg::Str(s) => s,
                    Arg::Long(_) => b"",
                };
                print_string(&mut sink, s, width, precision, flags);
            }
            Conversion::Memory | Conversion::MemoryHex => {
                let hex = spec.conversion == Conversion::MemoryHex;
                if let Err(e) = print_memory(&mut sink, value, width, precision, hex, flags, memory)
                {
                    sink.out.truncate(start);
                    return Err(e);
                }
            }
            Conversion::Binary => print_binary(&mut sink, value.long(), width, precision, flags),
        }
    }
    Ok(())
}

/// SystemTap checks every `%m`/`%M` size before printing: the `*` precision as given,
/// else a static precision above 0, else 1.
fn check_memory_sizes(pieces: &[Piece], args: &[Arg]) -> Result<(), PrintfError> {
    let mut next = 0;
    for piece in pieces {
        let Piece::Spec(spec) = piece else { continue };
        if spec.width == Size::Dynamic {
            next += 1;
        }
        let mut dynamic_precision = None;
        if spec.precision == Size::Dynamic {
            dynamic_precision = Some(args.get(next).copied().unwrap_or(Arg::Long(0)).long());
            next += 1;
        }
        if matches!(spec.conversion, Conversion::Memory | Conversion::MemoryHex) {
            let size = match (dynamic_precision, spec.precision) {
                (Some(p), _) => p,
                (None, Size::Static(p)) if p > 0 => i64::from(p),
                _ => 1,
            };
            if size > MAX_MEMORY_DUMP {
                return Err(PrintfError::TooManyBytes(size));
            }
        }
        next += 1;
    }
    Ok(())
}

/// The output buffer with SystemTap's end pointer: bytes past `cap` are dropped.
struct Sink<'o> {
    out: &'o mut Vec<u8>,
    cap: usize,
}

impl Sink<'_> {
    /// Appends `b` if there is room.
    fn put(&mut self, b: u8) {
        if self.out.len() < self.cap {
            self.out.push(b);
        }
    }

    /// Bytes that still fit (`end - str + 1`).
    fn room(&self) -> i64 {
        self.cap.saturating_sub(self.out.len()) as i64
    }

    /// `clamp_t(int, v, 0, end - str + 1)`.
    fn clamp(&self, v: i32) -> i64 {
        i64::from(v).clamp(0, self.room().min(i64::from(i32::MAX)))
    }
}

/// The flags `number` and friends look at.
#[derive(Clone, Copy, Debug, Default)]
struct NumberFlags {
    left: bool,
    plus: bool,
    space: bool,
    special: bool,
    zero_pad: bool,
    sign: bool,
    large: bool,
}

impl NumberFlags {
    fn of(spec: &Spec) -> NumberFlags {
        NumberFlags {
            left: spec.flags.left,
            plus: spec.flags.plus,
            space: spec.flags.space,
            special: spec.flags.special || spec.conversion == Conversion::Pointer,
            zero_pad: spec.flags.zero_pad,
            sign: spec.conversion == Conversion::Signed,
            large: spec.conversion == Conversion::HexUpper,
        }
    }
}

/// The base of a numeric conversion.
fn base(spec: &Spec) -> u64 {
    match spec.conversion {
        Conversion::Octal => 8,
        Conversion::HexLower | Conversion::HexUpper | Conversion::Pointer => 16,
        _ => 10,
    }
}

/// Formats a number as the runtime's `number()` does.
fn number(
    sink: &mut Sink,
    mut num: u64,
    base: u64,
    mut size: i64,
    mut precision: i64,
    mut flags: NumberFlags,
) {
    let digits: &[u8; 16] = if flags.large {
        b"0123456789ABCDEF"
    } else {
        b"0123456789abcdef"
    };
    if flags.left {
        flags.zero_pad = false;
    }
    let pad = if flags.zero_pad { b'0' } else { b' ' };
    let mut sign = None;
    if flags.sign {
        if (num as i64) < 0 {
            sign = Some(b'-');
            num = (num as i64).wrapping_neg() as u64;
            size -= 1;
        } else if flags.plus {
            sign = Some(b'+');
            size -= 1;
        } else if flags.space {
            sign = Some(b' ');
            size -= 1;
        }
    }
    if flags.special {
        if base == 16 {
            size -= 2;
        } else if base == 8 {
            size -= 1;
        }
    }
    let mut tmp = Vec::with_capacity(22);
    if num == 0 {
        tmp.push(b'0');
    }
    while num != 0 {
        tmp.push(digits[(num % base) as usize]);
        num /= base;
    }
    let len = tmp.len() as i64;
    if len > precision {
        precision = len;
    }
    size -= precision;
    if !flags.zero_pad && !flags.left {
        while size > 0 {
            sink.put(b' ');
            size -= 1;
        }
    }
    if let Some(s) = sign {
        sink.put(s);
    }
    if flags.special {
        if base == 8 {
            sink.put(b'0');
        } else if base == 16 {
            sink.put(b'0');
            sink.put(if flags.large { b'X' } else { b'x' });
        }
    }
    if !flags.left {
        while size > 0 {
            sink.put(pad);
            size -= 1;
        }
    }
    while len < precision {
        sink.put(b'0');
        precision -= 1;
    }
    for &d in tmp.iter().rev() {
        sink.put(d);
    }
    while size > 0 {
        sink.put(b' ');
        size -= 1;
    }
}

/// The C escape letter of a byte `%#c` escapes with two characters.
fn char_escape(c: u8) -> Option<u8> {
    Some(match c {
        0x07 => b'a',
        0x08 => b'b',
        0x0c => b'f',
        b'\n' => b'n',
        b'\r' => b'r',
        b'\t' => b't',
        0x0b => b'v',
        b'\'' => b'\'',
        b'\\' => b'\\',
        _ => return None,
    })
}

/// `%c` as `_stp_vsprint_char` prints it.
fn print_char(sink: &mut Sink, c: u8, width: i64, flags: NumberFlags) {
    let quote = flags.special && (!c.is_ascii_graphic() && c != b' ' || c == b'\'' || c == b'\\');
    let escape = if quote { char_escape(c) } else { None };
    let size = match (quote, escape) {
        (false, _) => 1,
        (true, Some(_)) => 2,
        (true, None) => 4,
    };
    let mut width = width;
    if !flags.left {
        while width > size {
            sink.put(b' ');
            width -= 1;
        }
    }
    if !quote {
        sink.put(c);
    } else {
        sink.put(b'\\');
        match escape {
            Some(e) => sink.put(e),
            None => {
                sink.put(b'0' + ((c >> 6) & 3));
                sink.put(b'0' + ((c >> 3) & 7));
                sink.put(b'0' + (c & 7));
            }
        }
    }
    while width > size {
        sink.put(b' ');
        width -= 1;
    }
}

/// Pads before a field of `len` bytes in `width`, unless left-justified; returns the
/// width left for the padding after it.
fn pad_before(sink: &mut Sink, len: i64, mut width: i64, flags: NumberFlags) -> i64 {
    if !flags.left {
        while len < width && sink.room() > 0 {
            sink.put(b' ');
            width -= 1;
        }
    }
    width
}

/// Pads after a field, then the `0`-flag NUL byte of `_stp_vsprint_memory`.
fn pad_after(sink: &mut Sink, len: i64, mut width: i64, flags: NumberFlags) {
    while len < width && sink.room() > 0 {
        sink.put(b' ');
        width -= 1;
    }
    if flags.zero_pad {
        sink.put(0);
    }
}

/// `%s` as `_stp_vsprint_memory` prints it.
fn print_string(sink: &mut Sink, s: &[u8], width: i64, precision: i64, flags: NumberFlags) {
    let max = if precision < 0 {
        STP_BUFFER_SIZE
    } else {
        (precision as usize).min(STP_BUFFER_SIZE)
    };
    let s = &s[..s
        .iter()
        .take(max)
        .position(|&b| b == 0)
        .unwrap_or(s.len().min(max))];
    let len = s.len() as i64;
    let width = pad_before(sink, len, width, flags);
    for &b in s {
        sink.put(b);
    }
    pad_after(sink, len, width, flags);
}

/// `%m` and `%M`: `precision` bytes (1 by default) read through `memory`.
fn print_memory(
    sink: &mut Sink,
    value: Arg,
    width: i64,
    precision: i64,
    hex: bool,
    flags: NumberFlags,
    memory: &mut dyn MemoryReader,
) -> Result<(), PrintfError> {
    let len = if precision > 0 { precision } else { 1 };
    let shown = if hex { len * 2 } else { len };
    let width = pad_before(sink, shown, width, flags);
    // Only the bytes that fit are read, as SystemTap's loop stops at the end.
    let count = if hex {
        len.min(sink.room() / 2)
    } else {
        len.min(sink.room())
    } as usize;
    let mut bytes = vec![0u8; count];
    match value {
        Arg::Long(addr) => {
            if count > 0 && !memory.read(addr as u64, flags.special, &mut bytes) {
                return Err(PrintfError::ReadFault(addr as u64));
            }
        }
        Arg::Str(s) => {
            let n = s.len().min(count);
            bytes[..n].copy_from_slice(&s[..n]);
        }
    }
    for b in bytes {
        if hex {
            sink.put(b"0123456789abcdef"[usize::from(b >> 4)]);
            sink.put(b"0123456789abcdef"[usize::from(b & 15)]);
        } else {
            sink.put(b);
        }
    }
    pad_after(sink, shown, width, flags);
    Ok(())
}

/// `%b` as `_stp_vsprint_binary` prints it.
fn print_binary(sink: &mut Sink, num: i64, mut width: i64, precision: i64, flags: NumberFlags) {
    let valid = |p: i64| if matches!(p, 1 | 2 | 4 | 8) { p } else { -1 };
    let mut precision = valid(precision);
    if width == -1 {
        if precision == -1 {
            width = 8;
            precision = 8;
        } else {
            width = precision;
        }
    } else if precision == -1 {
        precision = valid(width);
        if precision == -1 {
            precision = 8;
        }
    }
    if !flags.left {
        while precision < width && sink.room() > 0 {
            sink.put(0);
            width -= 1;
        }
    }
    if precision <= sink.room() {
        for &b in &num.to_le_bytes()[..precision as usize] {
            sink.put(b);
        }
    }
    while precision < width && sink.room() > 0 {
        sink.put(0);
        width -= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stap_abi::format::parse;

    fn fmt(format: &str, args: &[Arg]) -> Vec<u8> {
        let pieces = parse(format.as_bytes()).unwrap();
        let mut out = Vec::new();
        format_into(&mut out, &pieces, args).unwrap();
        out
    }

    fn s(format: &str, args: &[Arg]) -> String {
        String::from_utf8(fmt(format, args)).unwrap()
    }

    #[test]
    fn flags_width_and_bases() {
        use Arg::Long as L;
        assert_eq!(
            s("%-5d|%05x|%#o|%+d|% d", &[L(42), L(255), L(8), L(7), L(7)]),
            "42   |000ff|010|+7| 7"
        );
        assert_eq!(s("%#x %#X %X", &[L(255), L(255), L(255)]), "0xff 0XFF FF");
        assert_eq!(s("%d %i", &[L(-5), L(i64::MIN)]), "-5 -9223372036854775808");
        // One flag only, as SystemTap parses it: `%+05d` has width 5, no zero padding.
        assert_eq!(
            s("%05d|%-05d|%+05d", &[L(-42), L(3), L(3)]),
            "-0042|3    |   +3"
        );
        assert_eq!(s("%#08x|%#8o", &[L(255), L(8)]), "    0xff|     010");
        assert_eq!(s("%.3d|%6.3d|%.0d", &[L(7), L(-7), L(0)]), "007|  -007|0");
        assert_eq!(s("%#x|%#o", &[L(0), L(0)]), "0x0|00");
    }

    #[test]
    fn negative_numbers_are_64_bit_unsigned() {
        use Arg::Long as L;
        assert_eq!(s("%u", &[L(-1)]), "18446744073709551615");
        assert_eq!(s("%x", &[L(-1)]), "ffffffffffffffff");
        assert_eq!(s("%o", &[L(-1)]), "1777777777777777777777");
        assert_eq!(s("%+u % x", &[L(5), L(5)]), "5 5");
    }

    #[test]
    fn pointer_is_special_hex_without_padding() {
        use Arg::Long as L;
        assert_eq!(s("%p", &[L(0x1234)]), "0x1234");
        assert_eq!(s("%p", &[L(0)]), "0x0");
        assert_eq!(
            s("%10p|%-10p|", &[L(255), L(255)]),
            "      0xff|0xff      |"
        );
        assert_eq!(s("%010p", &[L(255)]), "0x000000ff");
    }

    #[test]
    fn dynamic_width_and_precision_come_first() {
        use Arg::{Long as L, Str as S};
        assert_eq!(s("%*d|", &[L(5), L(42)]), "   42|");
        assert_eq!(s("%.*s|", &[L(2), S(b"abcdef")]), "ab|");
        assert_eq!(s("%*.*d|", &[L(6), L(4), L(7)]), "  0007|");
        // A negative `*` width is clamped to 0, not turned into `-`.
        assert_eq!(s("%*d|", &[L(-5), L(42)]), "42|");
        // The width is truncated to a C int first.
        assert_eq!(s("%*d|", &[L((1 << 32) + 3), L(1)]), "  1|");
    }

    #[test]
    fn strings() {
        use Arg::Str as S;
        assert_eq!(
            s("[%5s][%-5s][%.2s]", &[S(b"ab"), S(b"ab"), S(b"abc")]),
            "[   ab][ab   ][ab]"
        );
        assert_eq!(s("[%s]", &[S(b"a\0b")]), "[a]");
        assert_eq!(s("[%.0s]", &[S(b"abc")]), "[]");
        assert_eq!(fmt("%03s|", &[S(b"a")]), b"  a\0|");
        assert_eq!(s("[%#s]", &[S(b"a\"b")]), "[a\"b]");
    }

    #[test]
    fn chars() {
        use Arg::Long as L;
        assert_eq!(s("%c%c", &[L(65), L(0x142)]), "AB");
        assert_eq!(s("[%3c][%-3c]", &[L(120), L(120)]), "[  x][x  ]");
        assert_eq!(
            s("%#c|%#c|%#c|%#c|%#c", &[L(10), L(39), L(92), L(1), L(255)]),
            "\\n|\\'|\\\\|\\001|\\377"
        );
        assert_eq!(s("[%#5c]", &[L(10)]), "[   \\n]");
        assert_eq!(fmt("%c", &[L(0)]), b"\0");
    }

    #[test]
    fn binary_sizes() {
        use Arg::Long as L;
        let v = 0x0102030405060708;
        assert_eq!(fmt("%b", &[L(v)]), [8, 7, 6, 5, 4, 3, 2, 1]);
        assert_eq!(fmt("%1b", &[L(v)]), [8]);
        assert_eq!(fmt("%2b", &[L(v)]), [8, 7]);
        assert_eq!(fmt("%4b", &[L(v)]), [8, 7, 6, 5]);
        assert_eq!(fmt("%.2b", &[L(v)]), [8, 7]);
        // Width 3 is no size: 8 bytes. Width 6 with precision 2 pads with NULs.
        assert_eq!(fmt("%3b", &[L(1)]), [1, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(fmt("%6.2b", &[L(1)]), [0, 0, 0, 0, 1, 0]);
        assert_eq!(fmt("%-6.2b", &[L(1)]), [1, 0, 0, 0, 0, 0]);
    }

    struct Fake;
    impl MemoryReader for Fake {
        fn read(&mut self, addr: u64, _user: bool, buf: &mut [u8]) -> bool {
            if addr != 0x1000 {
                return false;
            }
            for (i, b) in buf.iter_mut().enumerate() {
                *b = b"hello world"[i % 11];
            }
            true
        }
    }

    fn mem(format: &str, args: &[Arg]) -> Result<Vec<u8>, PrintfError> {
        let pieces = parse(format.as_bytes()).unwrap();
        let mut out = b"x".to_vec();
        format_with(&mut out, &pieces, args, STP_BUFFER_SIZE, &mut Fake).map(|()| out)
    }

    #[test]
    fn memory_dumps() {
        use Arg::{Long as L, Str as S};
        assert_eq!(mem("[%m]", &[L(0x1000)]).unwrap(), b"x[h]");
        assert_eq!(mem("[%.5m]", &[L(0x1000)]).unwrap(), b"x[hello]");
        assert_eq!(mem("[%.2M]", &[L(0x1000)]).unwrap(), b"x[6865]");
        assert_eq!(mem("[%6.2M]", &[L(0x1000)]).unwrap(), b"x[  6865]");
        assert_eq!(mem("[%.*m]", &[L(3), L(0x1000)]).unwrap(), b"x[hel]");
        assert_eq!(mem("[%.3m]", &[S(b"ab")]).unwrap(), b"x[ab\0]");
        assert_eq!(mem("[%m]", &[L(8)]), Err(PrintfError::ReadFault(8)));
        assert_eq!(
            mem("a%.*m", &[L(4097), L(0x1000)]),
            Err(PrintfError::TooManyBytes(4097))
        );
        assert_eq!(
            PrintfError::TooManyBytes(4097).message(),
            "4097 is too many bytes for a memory dump"
        );
    }

    #[test]
    fn output_is_limited() {
        use Arg::{Long as L, Str as S};
        let out = fmt("%*d", &[L(100_000), L(1)]);
        assert_eq!(out.len(), STP_BUFFER_SIZE);
        assert!(out[..STP_BUFFER_SIZE - 1].iter().all(|&b| b == b' '));
        assert_eq!(out[STP_BUFFER_SIZE - 1], b'1');
        let pieces = parse(b"%s-%d").unwrap();
        let mut out = Vec::new();
        sprintf_into(&mut out, &pieces, &[S(b"abcdef"), L(12)], 6, &mut NoMemory).unwrap();
        assert_eq!(out, b"abcde");
        let pieces = parse(b"a%bz").unwrap();
        let mut out = Vec::new();
        sprintf_into(&mut out, &pieces, &[L(1)], 512, &mut NoMemory).unwrap();
        assert_eq!(out, b"a\x01");
    }

    #[test]
    fn literals_stop_at_nul_and_missing_args_are_zero() {
        assert_eq!(fmt("%d %s|", &[]), b"0 |");
        let pieces = vec![Piece::Literal(b"ab\0cd".to_vec())];
        let mut out = Vec::new();
        format_into(&mut out, &pieces, &[]).unwrap();
        assert_eq!(out, b"ab");
    }

    #[test]
    fn argument_types_include_star_sizes() {
        let pieces = parse(b"%*.*s %d %.*m %c").unwrap();
        use ValueType::{Long as L, String as S};
        assert_eq!(arg_types(&pieces), vec![L, L, S, L, L, L, L]);
    }
}
