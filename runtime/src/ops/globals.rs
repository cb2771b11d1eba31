//! Scalar globals and arrays of values.

use stap_abi::{GlobalKind, MAX_KEYS, ValueType};

use crate::executor::{ExecContext, alloc_in, resolve};
use crate::store::{GlobalSlot, KeyRef, Value, insert_bounded};

/// The message of a full array, as SystemTap words it: a declared size is named.
pub(crate) fn array_overflow(declared: Option<i64>) -> String {
    match declared {
        Some(n) => format!("Array overflow, check size limit ({n})"),
        None => "Array overflow, check MAXMAPENTRIES".to_string(),
    }
}

/// Builds the key of an access to global `g` from the slots into `buf`; returns its
/// length.
pub(crate) fn build_keys<'a>(
    cx_slots: &[i64],
    strings: &'a [Vec<u8>],
    arena: &'a [u8],
    types: &[ValueType],
    buf: &mut [KeyRef<'a>; MAX_KEYS],
) -> usize {
    for (i, ty) in types.iter().enumerate().take(MAX_KEYS) {
        buf[i] = match ty {
            ValueType::Long => KeyRef::Long(cx_slots[i]),
            ValueType::String => KeyRef::Str(resolve(strings, arena, cx_slots[i])),
        };
    }
    types.len().min(MAX_KEYS)
}

/// The key of an access to an array with key types `$types`, read from the slots of
/// `$cx` into the `[KeyRef; MAX_KEYS]` buffer `$buf`. (A macro, because the key borrows
/// the arena while the caller goes on to borrow the context's other fields.)
macro_rules! slot_key {
    ($cx:ident, $types:expr, $buf:ident) => {{
        let n = $crate::ops::globals::build_keys(
            &$cx.abi.slots,
            &$cx.session.program.strings,
            &$cx.arena,
            $types,
            &mut $buf,
        );
        $crate::store::Lookup(&$buf[..n])
    }};
}
pub(crate) use slot_key;

/// The value type of a non-statistics global.
fn value_type(cx: &ExecContext, g: usize) -> ValueType {
    match cx.session.program.globals[g].kind {
        GlobalKind::Value(t) => t,
        GlobalKind::Stats(_) => ValueType::Long,
    }
}

/// Turns a stored value into the `i64` the generated code holds.
fn load(arena: &mut Vec<u8>, v: &Value) -> i64 {
    match v {
        Value::Long(n) => *n,
        Value::Str(s) => alloc_in(arena, s),
    }
}

/// The stored form of `v` for a global of type `ty`.
fn store(cx: &ExecContext, ty: ValueType, v: i64) -> Value {
    match ty {
        ValueType::Long => Value::Long(v),
        ValueType::String => {
            let s = cx.str(v);
            Value::Str(s[..s.len().min(cx.max_len())].into())
        }
    }
}

/// `stp_global_get`.
pub(crate) fn global_get(cx: &mut ExecContext, g: usize) -> i64 {
    if cx.globals().is_none() {
        return 0;
    }
    let Some(globals) = cx.globals.as_deref() else {
        return 0;
    };
    match &globals.slots[g] {
        GlobalSlot::Scalar(v) => load(&mut cx.arena, v),
        _ => 0,
    }
}

/// `stp_global_set`.
pub(crate) fn global_set(cx: &mut ExecContext, g: usize, v: i64) {
    let value = store(cx, value_type(cx, g), v);
    if let Some(globals) = cx.globals()
        && let GlobalSlot::Scalar(slot) = &mut globals.slots[g]
    {
        *slot = value;
    }
}

/// `stp_global_delete`: a scalar reset, an array emptied, statistics cleared.
pub(crate) fn global_delete(cx: &mut ExecContext, g: usize) {
    let info = &cx.session.program.globals[g];
    if let GlobalKind::Stats(usage) = info.kind {
        crate::ops::stats::clear(cx, g, usage);
        return;
    }
    let ty = value_type(cx, g);
    if let Some(globals) = cx.globals() {
        match &mut globals.slots[g] {
            GlobalSlot::Scalar(v) => *v = Value::zero(ty),
            GlobalSlot::Array(m) => m.clear(),
            GlobalSlot::Stats => {}
        }
    }
}

/// `stp_map_get`: the element's value, 0 or "" when absent.
pub(crate) fn map_get(cx: &mut ExecContext, g: usize) -> i64 {
    if cx.globals().is_none() {
        return 0;
    }
    let session = cx.session;
    let info = &session.program.globals[g];
    let mut buf = [KeyRef::Long(0); MAX_KEYS];
    let lookup = slot_key!(cx, &info.keys, buf);
    let Some(GlobalSlot::Array(map)) = cx.globals.as_deref().map(|g2| &g2.slots[g]) else {
        return 0;
    };
    let Some(i) = map.get_index_of(&lookup) else {
        return 0;
    };
    let v = &map[i];
    load(&mut cx.arena, v)
}

/// `stp_map_set`: a full array is an error (or drops its oldest entry with `%`).
pub(crate) fn map_set(cx: &mut ExecContext, g: usize, v: i64) {
    let value = store(cx, value_type(cx, g), v);
    if cx.globals().is_none() {
        return;
    }
    let session = cx.session;
    let info = &session.program.globals[g];
    let max = info
        .max_entries
        .map_or(session.limits.max_map_entries, |m| m.max(0) as usize);
    let mut buf = [KeyRef::Long(0); MAX_KEYS];
    let lookup = slot_key!(cx, &info.keys, buf);
    let Some(GlobalSlot::Array(map)) = cx.globals.as_deref_mut().map(|g2| &mut g2.slots[g]) else {
        return;
    };
    match insert_bounded(map, lookup, max, info.wrap, || Value::zero(ValueType::Long)) {
        Ok(slot) => *slot = value,
        Err(_) => cx.fail(array_overflow(info.max_entries)),
    }
}

/// `stp_map_delete`.
pub(crate) fn map_delete(cx: &mut ExecContext, g: usize) {
    map_delete_match(cx, g, 0);
}

/// `stp_map_delete_match`: deletes the elements matching the keys, `*` where `mask`
/// has a bit.
pub(crate) fn map_delete_match(cx: &mut ExecContext, g: usize, mask: i64) {
    let info = &cx.session.program.globals[g];
    if let GlobalKind::Stats(_) = info.kind {
        crate::ops::stats::delete_match(cx, g, mask);
        return;
    }
    if cx.globals().is_none() {
        return;
    }
    let mut buf = [KeyRef::Long(0); MAX_KEYS];
    let lookup = slot_key!(cx, &info.keys, buf);
    let Some(GlobalSlot::Array(map)) = cx.globals.as_deref_mut().map(|g2| &mut g2.slots[g]) else {
        return;
    };
    if mask == 0 {
        map.shift_remove(&lookup);
    } else {
        map.retain(|k, _| !lookup.matches(k, mask));
    }
}

/// `stp_map_exists_match`: whether an element matches (`mask` as for delete).
pub(crate) fn map_exists_match(cx: &mut ExecContext, g: usize, mask: i64) -> i64 {
    let info = &cx.session.program.globals[g];
    if let GlobalKind::Stats(_) = info.kind {
        return crate::ops::stats::exists_match(cx, g, mask);
    }
    if cx.globals().is_none() {
        return 0;
    }
    let mut buf = [KeyRef::Long(0); MAX_KEYS];
    let lookup = slot_key!(cx, &info.keys, buf);
    let Some(GlobalSlot::Array(map)) = cx.globals.as_deref().map(|g2| &g2.slots[g]) else {
        return 0;
    };
    let found = if mask == 0 {
        map.contains_key(&lookup)
    } else {
        map.keys().any(|k| lookup.matches(k, mask))
    };
    i64::from(found)
}
