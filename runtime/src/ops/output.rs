//! `printf`, `sprintf` and regular-expression matches.

use stap_abi::{SLOTS, ValueType};

use crate::executor::{ExecContext, alloc_in, resolve};
use crate::printf::{Arg, NoMemory, format_into, sprintf_into};

/// Reads the arguments of format `format` from the slots into `args`; returns how many.
fn load_args<'a>(
    slots: &[i64],
    strings: &'a [Vec<u8>],
    arena: &'a [u8],
    types: &[ValueType],
    args: &mut [Arg<'a>; SLOTS],
) -> usize {
    for (i, ty) in types.iter().enumerate().take(SLOTS) {
        args[i] = match ty {
            ValueType::Long => Arg::Long(slots[i]),
            ValueType::String => Arg::Str(resolve(strings, arena, slots[i])),
        };
    }
    types.len().min(SLOTS)
}

/// `printf(format, ...)` into the run's output.
pub(crate) fn printf(cx: &mut ExecContext, format: usize) {
    let session = cx.session;
    let mut args = [Arg::Long(0); SLOTS];
    let n = load_args(
        &cx.abi.slots,
        &session.program.strings,
        &cx.arena,
        &session.format_types[format],
        &mut args,
    );
    if let Err(e) = format_into(&mut cx.out, &session.program.formats[format], &args[..n]) {
        cx.fail(e.message());
    }
}

/// `sprintf(format, ...)`: the text as a string.
pub(crate) fn sprintf(cx: &mut ExecContext, format: usize) -> i64 {
    let session = cx.session;
    let mut args = [Arg::Long(0); SLOTS];
    let n = load_args(
        &cx.abi.slots,
        &session.program.strings,
        &cx.arena,
        &session.format_types[format],
        &mut args,
    );
    cx.scratch.clear();
    let result = sprintf_into(
        &mut cx.scratch,
        &session.program.formats[format],
        &args[..n],
        session.limits.max_string_len,
        &mut NoMemory,
    );
    if let Err(e) = result {
        cx.fail(e.message());
        return 0;
    }
    alloc_in(&mut cx.arena, &cx.scratch)
}

/// `subject =~ regex`: 1 on a match, whose groups `matched(n)` then returns.
pub(crate) fn regex_match(cx: &mut ExecContext, subject: i64, regex: usize) -> i64 {
    let session = cx.session;
    let text = resolve(&session.program.strings, &cx.arena, subject);
    match session.regexes[regex].captures(text) {
        Some(caps) => {
            cx.matched.clear();
            cx.matched
                .extend(caps.iter().map(|m| m.map(|m| m.as_bytes().to_vec())));
            1
        }
        None => 0,
    }
}
