//! Evaluation of one `l op r` preprocessor condition, with SystemTap's rules
//! (`eval_pp_conditional`): versions compare as `strverscmp`, `arch`, `runtime` and
//! `CONFIG_*` strings as `fnmatch` wildcards.

use std::cmp::Ordering;
use std::collections::HashMap;

use super::glob::fnmatch;
use super::tokens::PpToken;
use crate::lexer::TokenKind;
use crate::parse::parse_number;

/// What preprocessor conditions can ask about. The binary fills it in (the compiler
/// makes no system calls).
#[derive(Clone, Debug)]
pub struct Environment {
    /// The kernel release, as `uname -r` prints it (`kernel_vr`).
    pub kernel_release: String,
    /// The architecture (`arch`), as the kernel names it (`x86_64`, `arm64`, ...).
    pub arch: String,
    /// The SystemTap language version scripts are compiled for (`systemtap_v`).
    pub systemtap_version: String,
    /// The runtime (`runtime`).
    pub runtime: String,
    /// `systemtap_privilege`: `stapusr`, `stapsys` or `stapdev`.
    pub privilege: String,
    /// `guru_mode`: whether `-g` was given.
    pub guru_mode: bool,
    /// The kernel configuration (`CONFIG_*`); unset options are absent.
    pub kernel_config: HashMap<String, String>,
    /// The script arguments (`$1`, `@1`, `$#`).
    pub args: Vec<String>,
}

impl Default for Environment {
    fn default() -> Environment {
        Environment {
            kernel_release: String::new(),
            arch: String::new(),
            systemtap_version: crate::COMPATIBLE_VERSION.to_string(),
            runtime: "kernel".to_string(),
            privilege: "stapdev".to_string(),
            guru_mode: false,
            kernel_config: HashMap::new(),
            args: Vec::new(),
        }
    }
}

impl Environment {
    /// The kernel version without the release suffix (`kernel_v`): `6.1.0` of `6.1.0-9-amd64`.
    pub fn kernel_version(&self) -> &str {
        self.kernel_release
            .split('-')
            .next()
            .unwrap_or(&self.kernel_release)
    }
}

/// Which token of `l op r` an error is about (0, 1 or 2) and what it says.
pub type ConditionError = (usize, String);

fn compare<T: PartialOrd>(l: T, op: &PpToken, r: T) -> Result<bool, ConditionError> {
    Ok(match op.text.as_ref() {
        "<=" => l <= r,
        ">=" => l >= r,
        "<" => l < r,
        ">" => l > r,
        "==" => l == r,
        "!=" => l != r,
        _ => return Err((1, "expected comparison operator".into())),
    })
}

fn equality(matched: bool, op: &PpToken) -> Result<bool, ConditionError> {
    match op.text.as_ref() {
        "==" => Ok(matched),
        "!=" => Ok(!matched),
        _ => Err((1, "expected '==' or '!='".into())),
    }
}

fn number(t: &PpToken) -> i64 {
    parse_number(&t.text).map_or(0, |v| v as i64)
}

/// A C `strtoll(s, 0, 0)` of a whole config value, if it is a number.
fn config_number(s: &str) -> Option<i64> {
    let (neg, digits) = match s.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, s),
    };
    let v = parse_number(digits)? as i64;
    Some(if neg { v.wrapping_neg() } else { v })
}

/// Evaluates `l op r`.
pub fn evaluate(
    env: &Environment,
    l: &PpToken,
    op: &PpToken,
    r: &PpToken,
) -> Result<bool, ConditionError> {
    let ident = |t: &PpToken, name: &str| t.kind == TokenKind::Identifier && t.text == name;
    if ident(l, "kernel_v") || ident(l, "kernel_vr") || ident(l, "systemtap_v") {
        if r.kind != TokenKind::String {
            return Err((2, "expected string literal".into()));
        }
        let target = match l.text.as_ref() {
            "kernel_v" => env.kernel_version(),
            "kernel_vr" => env.kernel_release.as_str(),
            _ => env.systemtap_version.as_str(),
        };
        let wildcard = r.text.contains(['*', '?', '[']);
        if wildcard {
            if !matches!(op.text.as_ref(), "==" | "!=") {
                if matches!(op.text.as_ref(), "<" | ">" | "<=" | ">=") {
                    return Err((
                        1,
                        "wildcard not allowed with order comparison operators".into(),
                    ));
                }
                return Err((1, "expected comparison operator".into()));
            }
            return equality(fnmatch(&r.text, target), op);
        }
        return compare(strverscmp(target, &r.text), op, Ordering::Equal);
    }
    if ident(l, "systemtap_privilege") {
        if r.kind != TokenKind::String {
            return Err((2, "expected string literal".into()));
        }
        return equality(env.privilege == r.text, op);
    }
    if ident(l, "guru_mode") {
        if r.kind != TokenKind::Number {
            return Err((2, "expected number".into()));
        }
        let rhs = number(r);
        if rhs != 0 && rhs != 1 {
            return Err((1, "expected 0 or 1".into()));
        }
        return equality(i64::from(env.guru_mode) == rhs, op);
    }
    if ident(l, "arch") || ident(l, "runtime") {
        if r.kind != TokenKind::String {
            return Err((2, "expected string literal".into()));
        }
        let target = if l.text == "arch" {
            &env.arch
        } else {
            &env.runtime
        };
        return equality(fnmatch(&r.text, target), op);
    }
    if l.kind == TokenKind::Identifier && l.text.starts_with("CONFIG_") {
        let lhs = env
            .kernel_config
            .get(l.text.as_ref())
            .map_or("", String::as_str);
        return match r.kind {
            TokenKind::String => equality(fnmatch(&r.text, lhs), op),
            TokenKind::Number => match config_number(lhs) {
                Some(v) => compare(v, op, number(r)),
                None => Err((0, "Config option value not a number".into())),
            },
            TokenKind::Identifier if r.text.starts_with("CONFIG_") => {
                let rhs = env
                    .kernel_config
                    .get(r.text.as_ref())
                    .map_or("", String::as_str);
                match (config_number(lhs), config_number(rhs)) {
                    (Some(a), Some(b)) => compare(a, op, b),
                    _ => compare(lhs, op, rhs),
                }
            }
            _ => Err((
                2,
                "expected string, number literal or other CONFIG_... as right side operand".into(),
            )),
        };
    }
    match (l.kind, r.kind) {
        (TokenKind::String, TokenKind::String) => compare(l.text.as_ref(), op, r.text.as_ref()),
        (TokenKind::Number, TokenKind::Number) => compare(number(l), op, number(r)),
        (TokenKind::String, TokenKind::Number) if op.kind == TokenKind::Operator => {
            Err((2, "expected string literal as right value".into()))
        }
        (TokenKind::Number, TokenKind::String) if op.kind == TokenKind::Operator => {
            Err((2, "expected number literal as right value".into()))
        }
        _ => Err((
            0,
            "expected 'arch', 'kernel_v', 'kernel_vr', 'systemtap_v',\n             \
             'runtime', 'systemtap_privilege', 'CONFIG_...', or\n             \
             comparison between strings or integers"
                .into(),
        )),
    }
}

/// Compares version strings as glibc's `strverscmp`: runs of digits compare by value,
/// except that runs with leading zeros compare as fractions (`1.01` < `1.1`).
pub fn strverscmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if a[i].is_ascii_digit() && b[j].is_ascii_digit() {
            let si = i;
            while i < a.len() && a[i].is_ascii_digit() {
                i += 1;
            }
            let sj = j;
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            let (da, db) = (&a[si..i], &b[sj..j]);
            let frac = da[0] == b'0' || db[0] == b'0';
            let ord = if frac {
                // Fractional parts: compare digit by digit; a shorter prefix is greater
                // unless both are equal so far.
                match da.cmp(db) {
                    Ordering::Equal => Ordering::Equal,
                    o if da.starts_with(db) || db.starts_with(da) => o.reverse(),
                    o => o,
                }
            } else {
                da.len().cmp(&db.len()).then_with(|| da.cmp(db))
            };
            if ord != Ordering::Equal {
                return ord;
            }
        } else {
            if a[i] != b[j] {
                return a[i].cmp(&b[j]);
            }
            i += 1;
            j += 1;
        }
    }
    (a.len() - i).cmp(&(b.len() - j))
}

#[cfg(test)]
mod tests {
    use super::strverscmp;
    use std::cmp::Ordering::*;

    #[test]
    fn versions_compare_by_components() {
        assert_eq!(strverscmp("2.6.30", "2.6.9"), Greater);
        assert_eq!(strverscmp("6.1.0", "6.1"), Greater);
        assert_eq!(strverscmp("3.0", "3.0"), Equal);
        assert_eq!(strverscmp("4.8", "4.10"), Less);
        assert_eq!(strverscmp("6.18.0", "2.6.30"), Greater);
    }
}
