//! `foreach`: a sorted snapshot of an array, stepped by the generated code.
//!
//! The snapshot is taken when the loop starts, so the body may read the array freely;
//! pass 2 rejects loops that modify the array they iterate, as SystemTap does.

use std::cmp::Ordering;

use stap_abi::{GlobalKind, MAX_KEYS, SortSpec, StatField};

use super::globals::slot_key;
use crate::executor::{ExecContext, alloc_in};
use crate::store::{GlobalSlot, Key, KeyPart, KeyRef, Value};

/// The value an element contributes to an iteration.
#[derive(Clone, Debug)]
enum Item {
    Long(i64),
    Str(Box<[u8]>),
}

/// An open iteration.
#[derive(Debug)]
pub(crate) struct Iteration {
    entries: Vec<(Key, Item)>,
    position: usize,
}

/// Orders two stored keys' parts.
fn compare_parts(a: &KeyPart, b: &KeyPart) -> Ordering {
    match (a, b) {
        (KeyPart::Long(x), KeyPart::Long(y)) => x.cmp(y),
        (KeyPart::Str(x), KeyPart::Str(y)) => x.cmp(y),
        (KeyPart::Long(_), KeyPart::Str(_)) => Ordering::Less,
        (KeyPart::Str(_), KeyPart::Long(_)) => Ordering::Greater,
    }
}

/// Orders two items.
fn compare_items(a: &Item, b: &Item) -> Ordering {
    match (a, b) {
        (Item::Long(x), Item::Long(y)) => x.cmp(y),
        (Item::Str(x), Item::Str(y)) => x.cmp(y),
        (Item::Long(_), Item::Str(_)) => Ordering::Less,
        (Item::Str(_), Item::Long(_)) => Ordering::Greater,
    }
}

/// `stp_iter_start`: snapshots iteration `index` (its slice keys in the slots), sorted
/// and limited; returns the iterator.
pub(crate) fn start(cx: &mut ExecContext, index: usize, limit: i64) -> i64 {
    let session = cx.session;
    let spec = &session.program.iterations[index];
    let g = spec.global;
    let info = &session.program.globals[g];
    if spec.buckets {
        return start_buckets(cx, index, limit);
    }
    // Statistics are merged (and the globals checked) before the slice key borrows the
    // arena.
    let stats = match info.kind {
        GlobalKind::Stats(_) => Some(super::stats::merged_map(cx, g)),
        GlobalKind::Value(_) => {
            if cx.globals().is_none() {
                return 0;
            }
            None
        }
    };
    let mut buf = [KeyRef::Long(0); MAX_KEYS];
    let lookup = slot_key!(cx, &info.keys, buf);
    let mut mask = 0i64;
    for i in 0..lookup.0.len() {
        if !spec.fixed.get(i).copied().unwrap_or(false) {
            mask |= 1 << i;
        }
    }
    let slice = lookup;
    let sort_field = spec.sort.map(|s| s.field).unwrap_or(StatField::Count);
    let mut entries: Vec<(Key, Item, Item)> = Vec::new();
    match stats {
        Some(map) => {
            for (k, s) in map.iter() {
                if !slice.matches(k, mask) || s.count == 0 {
                    continue;
                }
                let field = |f: StatField| Item::Long(s.field(f).unwrap_or(0));
                let value = field(spec.value.unwrap_or(StatField::Count));
                entries.push((k.clone(), value, field(sort_field)));
            }
        }
        None => {
            if let Some(GlobalSlot::Array(map)) = cx.globals.as_deref().map(|x| &x.slots[g]) {
                for (k, v) in map.iter() {
                    if !slice.matches(k, mask) {
                        continue;
                    }
                    let item = match v {
                        Value::Long(n) => Item::Long(*n),
                        Value::Str(s) => Item::Str(s.clone()),
                    };
                    entries.push((k.clone(), item.clone(), item));
                }
            }
        }
    }
    open(cx, spec.sort, limit, entries)
}

/// Sorts `entries` (key, value, sort value) as `sort` asks, keeps the first `limit`
/// (all when negative) and opens the iteration; returns the iterator.
fn open(
    cx: &mut ExecContext,
    sort: Option<SortSpec>,
    limit: i64,
    mut entries: Vec<(Key, Item, Item)>,
) -> i64 {
    if let Some(sort) = sort {
        entries.sort_by(|a, b| {
            let o = if sort.column == 0 {
                compare_items(&a.2, &b.2)
            } else {
                let c = sort.column - 1;
                match (a.0.0.get(c), b.0.0.get(c)) {
                    (Some(x), Some(y)) => compare_parts(x, y),
                    _ => Ordering::Equal,
                }
            };
            if sort.descending { o.reverse() } else { o }
        });
    }
    if limit >= 0 {
        entries.truncate(limit as usize);
    }
    cx.iterations.push(Iteration {
        entries: entries.into_iter().map(|(k, v, _)| (k, v)).collect(),
        position: 0,
    });
    (cx.iterations.len() - 1) as i64
}

/// `stp_iter_start` for `foreach (b in @hist_*(s))`: every bucket number with its count.
fn start_buckets(cx: &mut ExecContext, index: usize, limit: i64) -> i64 {
    let spec = &cx.session.program.iterations[index];
    let g = spec.global;
    let aggregate = if spec.fixed.is_empty() {
        super::stats::merged(cx, g)
    } else {
        super::stats::merged_element(cx, g)
    };
    let entries = if aggregate.count == 0 {
        Vec::new()
    } else {
        aggregate
            .histogram
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let key = Key(Box::new([KeyPart::Long(i as i64)]));
                (key, Item::Long(*c), Item::Long(*c))
            })
            .collect()
    };
    open(cx, spec.sort, limit, entries)
}

/// `stp_iter_next`: the next element's keys (then value) into the slots; 0 at the end.
pub(crate) fn next(cx: &mut ExecContext, iterator: i64) -> i64 {
    let max = cx.max_len();
    let Some(it) = usize::try_from(iterator)
        .ok()
        .and_then(|i| cx.iterations.get_mut(i))
    else {
        return 0;
    };
    let Some((key, item)) = it.entries.get(it.position) else {
        return 0;
    };
    it.position += 1;
    let n = key.0.len();
    for (i, part) in key.0.iter().enumerate() {
        cx.abi.slots[i] = match part {
            KeyPart::Long(v) => *v,
            KeyPart::Str(s) => alloc_in(&mut cx.arena, &s[..s.len().min(max)]),
        };
    }
    cx.abi.slots[n] = match item {
        Item::Long(v) => *v,
        Item::Str(s) => alloc_in(&mut cx.arena, &s[..s.len().min(max)]),
    };
    1
}

/// `stp_iter_end`: ends iterator `iterator` and every one started after it.
pub(crate) fn end(cx: &mut ExecContext, iterator: i64) {
    if let Ok(i) = usize::try_from(iterator) {
        cx.iterations.truncate(i);
    }
}
