//! Statistics: `<<<` into the executor's shard without a lock held by anyone else;
//! reads merge every shard.

use stap_abi::{GlobalKind, Histogram, MAX_KEYS, StatField, StatUsage};

use super::globals::{array_overflow, slot_key};
use crate::executor::ExecContext;
use crate::stats::{Aggregate, Stat};
use crate::store::{KeyRef, Map, StatSlot, insert_bounded};

/// What statistics global `g` computes.
fn usage(cx: &ExecContext, g: usize) -> StatUsage {
    match cx.session.program.globals[g].kind {
        GlobalKind::Stats(u) => u,
        GlobalKind::Value(_) => StatUsage::default(),
    }
}

/// `stp_stat_add`: `s <<< v`.
pub(crate) fn add(cx: &mut ExecContext, g: usize, v: i64) {
    let session = cx.session;
    let GlobalKind::Stats(usage) = &session.program.globals[g].kind else {
        return;
    };
    if let StatSlot::Scalar(s) = &mut cx.shard().stats[g] {
        s.add(v, usage);
    }
}

/// `stp_map_stat_add`: `s[k] <<< v`.
pub(crate) fn map_add(cx: &mut ExecContext, g: usize, v: i64) {
    let session = cx.session;
    let info = &session.program.globals[g];
    let usage = usage(cx, g);
    let max = info
        .max_entries
        .map_or(session.limits.max_map_entries, |m| m.max(0) as usize);
    if cx.shard.is_none() {
        cx.shard = Some(session.lock_shard(cx.shard_index));
    }
    let mut buf = [KeyRef::Long(0); MAX_KEYS];
    let lookup = slot_key!(cx, &info.keys, buf);
    let Some(StatSlot::Array(map)) = cx.shard.as_deref_mut().map(|s| &mut s.stats[g]) else {
        return;
    };
    match insert_bounded(map, lookup, max, info.wrap, || Stat::new(&usage)) {
        Ok(s) => s.add(v, &usage),
        Err(_) => cx.fail(array_overflow(info.max_entries)),
    }
}

/// Every shard, locked in index order (after releasing this executor's own).
fn lock_all<'s>(cx: &mut ExecContext<'s>) -> Vec<std::sync::MutexGuard<'s, crate::store::Shard>> {
    cx.release_shard();
    let session = cx.session;
    (0..session.shard_count())
        .map(|i| session.lock_shard(i))
        .collect()
}

/// The statistics of scalar `g`, every shard combined.
pub(crate) fn merged(cx: &mut ExecContext, g: usize) -> Aggregate {
    let shards = lock_all(cx);
    Aggregate::of(shards.iter().filter_map(|s| match &s.stats[g] {
        StatSlot::Scalar(s) => Some(s),
        _ => None,
    }))
}

/// The statistics of array `g`, element by element (every shard combined), in the
/// order elements were first added.
pub(crate) fn merged_map(cx: &mut ExecContext, g: usize) -> Map<Aggregate> {
    let shards = lock_all(cx);
    let mut parts: Map<Vec<&Stat>> = Map::default();
    for shard in &shards {
        if let StatSlot::Array(m) = &shard.stats[g] {
            for (k, s) in m {
                match parts.get_mut(k) {
                    Some(p) => p.push(s),
                    None => {
                        parts.insert(k.clone(), vec![s]);
                    }
                }
            }
        }
    }
    parts
        .into_iter()
        .map(|(k, p)| (k, Aggregate::of(p.iter().copied())))
        .collect()
}

/// The statistics of the element of array `g` whose keys are in the slots, every shard
/// combined.
pub(crate) fn merged_element(cx: &mut ExecContext, g: usize) -> Aggregate {
    let shards = lock_all(cx);
    let session = cx.session;
    let info = &session.program.globals[g];
    let mut buf = [KeyRef::Long(0); MAX_KEYS];
    let lookup = slot_key!(cx, &info.keys, buf);
    Aggregate::of(shards.iter().filter_map(|s| match &s.stats[g] {
        StatSlot::Array(m) => m.get(&lookup),
        _ => None,
    }))
}

/// The statistics a read refers to: scalar `g`, or its element keyed by the slots.
fn target(cx: &mut ExecContext, g: usize, keyed: bool) -> Aggregate {
    if keyed {
        merged_element(cx, g)
    } else {
        merged(cx, g)
    }
}

/// The value of `field` of `stat`, or the error SystemTap raises.
fn read_field(cx: &mut ExecContext, stat: &Aggregate, field: StatField) -> i64 {
    match stat.field(field) {
        Ok(v) => v,
        Err(e) => {
            cx.fail(e.to_string());
            0
        }
    }
}

/// `stp_stat_get`: `@count(s)`, ....
pub(crate) fn get(cx: &mut ExecContext, g: usize, field: StatField) -> i64 {
    let s = merged(cx, g);
    read_field(cx, &s, field)
}

/// `stp_map_stat_get`: `@count(s[k])`, ....
pub(crate) fn map_get(cx: &mut ExecContext, g: usize, field: StatField) -> i64 {
    let s = merged_element(cx, g);
    read_field(cx, &s, field)
}

/// The histogram of global `g`.
fn histogram(cx: &ExecContext, g: usize) -> Histogram {
    match cx.session.program.globals[g].kind {
        GlobalKind::Stats(StatUsage {
            histogram: Some(h), ..
        }) => h,
        _ => Histogram::Log,
    }
}

/// `stp_hist_bucket`: the count in bucket `bucket` of the histogram.
pub(crate) fn hist_bucket(cx: &mut ExecContext, g: usize, keyed: bool, bucket: i64) -> i64 {
    let s = target(cx, g, keyed);
    match s.bucket(bucket) {
        Ok(c) => c,
        Err(e) => {
            cx.fail(e.to_string());
            0
        }
    }
}

/// `stp_hist_print` / `stp_hist_sprint`: draws the histogram into the output or a string.
pub(crate) fn hist_print(cx: &mut ExecContext, g: usize, keyed: bool, to_string: bool) -> i64 {
    let s = target(cx, g, keyed);
    let h = histogram(cx, g);
    if to_string {
        let mut text = Vec::new();
        crate::histogram::render(&mut text, &h, &s.histogram);
        cx.alloc(&text)
    } else {
        crate::histogram::render(&mut cx.out, &h, &s.histogram);
        0
    }
}

/// `delete s`: every shard's statistics of `g` cleared.
pub(crate) fn clear(cx: &mut ExecContext, g: usize, usage: StatUsage) {
    cx.release_shard();
    let session = cx.session;
    for i in 0..session.shard_count() {
        session.lock_shard(i).clear(g, usage);
    }
}

/// `delete s[k]` (with `*` where `mask` has a bit) in every shard.
pub(crate) fn delete_match(cx: &mut ExecContext, g: usize, mask: i64) {
    cx.release_shard();
    let session = cx.session;
    let info = &session.program.globals[g];
    let mut buf = [KeyRef::Long(0); MAX_KEYS];
    let lookup = slot_key!(cx, &info.keys, buf);
    for i in 0..session.shard_count() {
        if let StatSlot::Array(m) = &mut session.lock_shard(i).stats[g] {
            if mask == 0 {
                m.shift_remove(&lookup);
            } else {
                m.retain(|k, _| !lookup.matches(k, mask));
            }
        }
    }
}

/// `[k] in s` for a statistics array.
pub(crate) fn exists_match(cx: &mut ExecContext, g: usize, mask: i64) -> i64 {
    cx.release_shard();
    let session = cx.session;
    let info = &session.program.globals[g];
    let mut buf = [KeyRef::Long(0); MAX_KEYS];
    let lookup = slot_key!(cx, &info.keys, buf);
    for i in 0..session.shard_count() {
        if let StatSlot::Array(m) = &session.lock_shard(i).stats[g] {
            let found = if mask == 0 {
                m.contains_key(&lookup)
            } else {
                m.keys().any(|k| lookup.matches(k, mask))
            };
            if found {
                return 1;
            }
        }
    }
    0
}
