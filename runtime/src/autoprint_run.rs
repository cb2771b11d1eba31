//! At the end of a session, the globals the script wrote but never read are printed
//! (see [`crate::autoprint`] for the format), in declaration order.

use std::cmp::Reverse;

use stap_abi::GlobalKind;

use crate::autoprint::{self, Value};
use crate::printf::Arg;
use crate::session::Session;
use crate::stats::Aggregate;
use crate::store::{GlobalSlot, Key, KeyPart, Map, StatSlot};

/// The key parts of `k` as display values.
fn key_values(k: &Key) -> Vec<Value<'_>> {
    k.0.iter()
        .map(|p| match p {
            KeyPart::Long(n) => Arg::Long(*n),
            KeyPart::Str(s) => Arg::Str(s),
        })
        .collect()
}

/// The display value of a stored value.
fn value(v: &crate::store::Value) -> Value<'_> {
    match v {
        crate::store::Value::Long(n) => Arg::Long(*n),
        crate::store::Value::Str(s) => Arg::Str(s),
    }
}

/// Prints every autoprint global of `session` to its output.
pub(crate) fn print_globals(session: &Session) {
    let mut out = Vec::new();
    for (g, info) in session.program.globals.iter().enumerate() {
        if !info.autoprint {
            continue;
        }
        match info.kind {
            GlobalKind::Value(_) => {
                let globals = session.lock_globals();
                match &globals.slots[g] {
                    GlobalSlot::Scalar(v) => autoprint::scalar(&mut out, &info.name, value(v)),
                    GlobalSlot::Array(map) => {
                        let mut entries: Vec<_> = map.iter().collect();
                        entries.sort_by(|a, b| compare_values(b.1, a.1));
                        for (k, v) in entries {
                            autoprint::array_entry(&mut out, &info.name, &key_values(k), value(v));
                        }
                    }
                    GlobalSlot::Stats => {}
                }
            }
            GlobalKind::Stats(_) => {
                let shards: Vec<_> = (0..session.shard_count())
                    .map(|i| session.lock_shard(i))
                    .collect();
                if info.keys.is_empty() {
                    let agg = Aggregate::of(shards.iter().filter_map(|s| match &s.stats[g] {
                        StatSlot::Scalar(s) => Some(s),
                        _ => None,
                    }));
                    if let Err(e) = autoprint::stat(&mut out, &info.name, &[], &agg) {
                        session.count_error(e.message());
                    }
                    continue;
                }
                let mut parts: Map<Vec<&crate::stats::Stat>> = Map::default();
                for shard in &shards {
                    if let StatSlot::Array(m) = &shard.stats[g] {
                        for (k, s) in m {
                            parts.entry(k.clone()).or_default().push(s);
                        }
                    }
                }
                let mut entries: Vec<(Key, Aggregate)> = parts
                    .into_iter()
                    .map(|(k, p)| (k, Aggregate::of(p.iter().copied())))
                    .collect();
                entries.sort_by_key(|e| Reverse(e.1.count));
                for (k, agg) in &entries {
                    if let Err(e) = autoprint::stat(&mut out, &info.name, &key_values(k), agg) {
                        session.count_error(e.message());
                    }
                }
            }
        }
    }
    if !out.is_empty() {
        session.write_output(&out);
    }
}

/// Orders stored values: longs numerically, strings bytewise.
fn compare_values(a: &crate::store::Value, b: &crate::store::Value) -> std::cmp::Ordering {
    use crate::store::Value as V;
    match (a, b) {
        (V::Long(x), V::Long(y)) => x.cmp(y),
        (V::Str(x), V::Str(y)) => x.cmp(y),
        (V::Long(_), V::Str(_)) => std::cmp::Ordering::Less,
        (V::Str(_), V::Long(_)) => std::cmp::Ordering::Greater,
    }
}
