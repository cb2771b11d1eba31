//! String literals as SystemTap's translator emits them: the C escapes the lexer kept
//! (`\n`, `\t`, `\\`, `\ooo`, `\xHH`, ...) decoded into bytes.

/// The bytes of a string literal whose escapes are as the lexer keeps them (see
/// [`crate::lexer::push_escape`]): C decodes them when it compiles SystemTap's output,
/// so stap-rs decodes them here. `\x` takes at most two hexadecimal digits and `\ooo`
/// at most three octal digits.
pub fn decode(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        i += 1;
        if b != b'\\' || i == bytes.len() {
            out.push(b);
            continue;
        }
        let e = bytes[i];
        i += 1;
        match e {
            b'a' => out.push(0x07),
            b'b' => out.push(0x08),
            b't' => out.push(b'\t'),
            b'n' => out.push(b'\n'),
            b'v' => out.push(0x0b),
            b'f' => out.push(0x0c),
            b'r' => out.push(b'\r'),
            b'x' => {
                let digits = bytes[i..]
                    .iter()
                    .take(2)
                    .take_while(|d| d.is_ascii_hexdigit())
                    .count();
                if digits == 0 {
                    out.extend_from_slice(b"\\x");
                } else {
                    let hex = std::str::from_utf8(&bytes[i..i + digits]).unwrap_or("0");
                    out.push(u8::from_str_radix(hex, 16).unwrap_or(0));
                    i += digits;
                }
            }
            b'0'..=b'7' => {
                let mut value: u32 = u32::from(e - b'0');
                let mut n = 1;
                while n < 3 && i < bytes.len() && (b'0'..=b'7').contains(&bytes[i]) {
                    value = value * 8 + u32::from(bytes[i] - b'0');
                    i += 1;
                    n += 1;
                }
                out.push(value as u8);
            }
            other => out.push(other),
        }
    }
    out
}

/// `bytes` written back with C escapes, as a string literal's content.
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        match b {
            b'\n' => out.push_str("\\n"),
            b'\t' => out.push_str("\\t"),
            b'\r' => out.push_str("\\r"),
            0x07 => out.push_str("\\a"),
            0x08 => out.push_str("\\b"),
            0x0b => out.push_str("\\v"),
            0x0c => out.push_str("\\f"),
            b'\\' => out.push_str("\\\\"),
            b'"' => out.push_str("\\\""),
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\{b:03o}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_c_escapes() {
        assert_eq!(decode(r"a\nb\t\\"), b"a\nb\t\\");
        assert_eq!(decode(r"\101\x41\x4g\0"), b"AA\x04g\0");
        assert_eq!(decode(r"\1234"), b"S4");
        assert_eq!(decode("plain %d"), b"plain %d");
    }

    #[test]
    fn encode_reverses_decode() {
        let s = r"a\nb\t\\\001";
        assert_eq!(encode(&decode(s)), s);
    }
}
