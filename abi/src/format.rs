//! `printf` formats, cut into literal text and conversions as SystemTap's
//! `print_format::string_to_components` cuts them. The parser checks every format
//! with it (a bad conversion is a parse error, as in SystemTap); later passes use the
//! pieces to type-check arguments and to print.

/// A conversion's flags (`-`, `+`, ` `, `#`, `0`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Flags {
    /// `-`: left-justify.
    pub left: bool,
    /// `+`: always print a sign.
    pub plus: bool,
    /// ` `: a blank before positive numbers.
    pub space: bool,
    /// `#`: the alternate form (`0x` prefix, ...).
    pub special: bool,
    /// `0`: pad with zeros.
    pub zero_pad: bool,
}

/// A width or precision.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Size {
    /// Not given.
    #[default]
    Unspecified,
    /// A number in the format.
    Static(u32),
    /// `*`: taken from the next argument.
    Dynamic,
}

/// What a conversion prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Conversion {
    /// `%d`, `%i`: signed decimal.
    Signed,
    /// `%u`: unsigned decimal.
    Unsigned,
    /// `%o`: octal.
    Octal,
    /// `%x`: lower-case hexadecimal.
    HexLower,
    /// `%X`: upper-case hexadecimal.
    HexUpper,
    /// `%p`: a pointer (`%#x`).
    Pointer,
    /// `%s`: a string.
    String,
    /// `%c`: a character.
    Char,
    /// `%b`: binary (the value's bytes).
    Binary,
    /// `%m`: memory at an address.
    Memory,
    /// `%M`: memory at an address, in hexadecimal.
    MemoryHex,
}

/// One conversion: `%-08.3lx`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Spec {
    /// The flags.
    pub flags: Flags,
    /// The field width.
    pub width: Size,
    /// The precision.
    pub precision: Size,
    /// The conversion.
    pub conversion: Conversion,
}

/// A piece of a format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece {
    /// Text printed as it is (`%%` already one `%`); the compiler decodes escapes first.
    Literal(Vec<u8>),
    /// A conversion of the next argument(s).
    Spec(Spec),
}

/// Why a format is invalid, in SystemTap's words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormatError {
    /// `%q` and the like.
    InvalidConversion,
    /// A `%` with flags or width but no conversion at the end.
    TrailingIncomplete,
}

impl FormatError {
    /// The message SystemTap prints.
    pub fn message(self) -> &'static str {
        match self {
            FormatError::InvalidConversion => "invalid or missing conversion specifier",
            FormatError::TrailingIncomplete => "trailing incomplete print format conversion",
        }
    }
}

/// Reads a number at `chars[*i..]`.
fn number(chars: &[u8], i: &mut usize) -> u32 {
    let mut n: u32 = 0;
    while let Some(d) = chars.get(*i).and_then(|c| (*c as char).to_digit(10)) {
        n = n.saturating_mul(10).saturating_add(d);
        *i += 1;
    }
    n
}

/// Cuts `format` into pieces.
pub fn parse(format: &[u8]) -> Result<Vec<Piece>, FormatError> {
    let chars = format;
    let mut pieces = Vec::new();
    let mut literal = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != b'%' {
            literal.push(chars[i]);
            i += 1;
            continue;
        }
        if i + 1 == chars.len() {
            // A lone `%` at the end: SystemTap 4.8 rejects it.
            return Err(FormatError::InvalidConversion);
        }
        if chars[i + 1] == b'%' {
            literal.push(b'%');
            i += 2;
            continue;
        }
        if !literal.is_empty() {
            pieces.push(Piece::Literal(std::mem::take(&mut literal)));
        }
        i += 1;
        let mut flags = Flags::default();
        // One flag, as SystemTap reads it.
        match chars[i] {
            b'0' => flags.zero_pad = true,
            b'+' => flags.plus = true,
            b'-' => flags.left = true,
            b' ' => flags.space = true,
            b'#' => flags.special = true,
            _ => i -= 1,
        }
        i += 1;
        let mut width = Size::Unspecified;
        let mut precision = Size::Unspecified;
        let started = flags != Flags::default();
        if i >= chars.len() {
            return if started {
                Err(FormatError::TrailingIncomplete)
            } else {
                Ok(pieces)
            };
        }
        if chars[i] == b'*' {
            width = Size::Dynamic;
            i += 1;
        } else if chars[i].is_ascii_digit() {
            width = Size::Static(number(chars, &mut i));
        }
        if i < chars.len() && chars[i] == b'.' {
            i += 1;
            if i < chars.len() && chars[i] == b'*' {
                precision = Size::Dynamic;
                i += 1;
            } else if i < chars.len() && chars[i].is_ascii_digit() {
                precision = Size::Static(number(chars, &mut i));
            }
        }
        if i < chars.len() && chars[i] == b'l' {
            i += 1;
        }
        let Some(&c) = chars.get(i) else {
            let started = started || width != Size::Unspecified || precision != Size::Unspecified;
            return if started {
                Err(FormatError::TrailingIncomplete)
            } else {
                Ok(pieces)
            };
        };
        let conversion = match c {
            b'b' => Conversion::Binary,
            b'c' => Conversion::Char,
            b's' => Conversion::String,
            b'm' => Conversion::Memory,
            b'M' => Conversion::MemoryHex,
            b'd' | b'i' => Conversion::Signed,
            b'u' => Conversion::Unsigned,
            b'o' => Conversion::Octal,
            b'x' => Conversion::HexLower,
            b'X' => Conversion::HexUpper,
            b'p' => {
                flags.special = true;
                Conversion::Pointer
            }
            _ => return Err(FormatError::InvalidConversion),
        };
        i += 1;
        pieces.push(Piece::Spec(Spec {
            flags,
            width,
            precision,
            conversion,
        }));
    }
    if !literal.is_empty() {
        pieces.push(Piece::Literal(literal));
    }
    Ok(pieces)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_and_literals() {
        let p = parse(b"a %-5d %% %08.3lx%s\\n").unwrap();
        assert_eq!(p.len(), 6);
        assert_eq!(p[0], Piece::Literal(b"a ".to_vec()));
        let Piece::Spec(s) = p[1] else { panic!() };
        assert!(s.flags.left);
        assert_eq!(s.width, Size::Static(5));
        assert_eq!(p[2], Piece::Literal(b" % ".to_vec()));
        let Piece::Spec(s) = p[3] else { panic!() };
        assert!(s.flags.zero_pad);
        assert_eq!((s.width, s.precision), (Size::Static(8), Size::Static(3)));
        assert_eq!(s.conversion, Conversion::HexLower);
        assert_eq!(p[5], Piece::Literal(b"\\n".to_vec()));
    }

    #[test]
    fn errors_as_systemtap_reports_them() {
        assert_eq!(parse(b"%6  %s"), Err(FormatError::InvalidConversion));
        assert_eq!(parse(b"%q"), Err(FormatError::InvalidConversion));
        assert_eq!(parse(b"abc%-"), Err(FormatError::TrailingIncomplete));
        assert_eq!(parse(b"abc%5"), Err(FormatError::TrailingIncomplete));
        assert_eq!(parse(b"abc%"), Err(FormatError::InvalidConversion));
        assert_eq!(parse(b"a%l"), Ok(vec![Piece::Literal(b"a".to_vec())]));
        assert!(parse(b"%*.*d %p").is_ok());
    }
}
