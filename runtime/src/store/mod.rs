//! Where globals live: values and arrays of values under the session's lock, statistics
//! in per-executor shards merged when read.

mod key;

use indexmap::IndexMap;
use rustc_hash::FxBuildHasher;
use stap_abi::{GlobalInfo, GlobalKind, InitValue, ValueType};

pub use key::{Key, KeyPart, KeyRef, Lookup};

use crate::stats::Stat;

/// An associative array: insertion-ordered, hashed with FxHash.
pub type Map<V> = IndexMap<Key, V, FxBuildHasher>;

/// A stored value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// A long.
    Long(i64),
    /// A string.
    Str(Box<[u8]>),
}

impl Value {
    /// The zero value of `ty`: 0 or "".
    pub fn zero(ty: ValueType) -> Value {
        match ty {
            ValueType::Long => Value::Long(0),
            ValueType::String => Value::Str(Box::default()),
        }
    }
}

/// One global's storage outside the shards.
#[derive(Clone, Debug)]
pub enum GlobalSlot {
    /// A scalar.
    Scalar(Value),
    /// An array of values.
    Array(Map<Value>),
    /// Statistics: stored in the shards.
    Stats,
}

/// Every non-statistics global, guarded together by the session.
#[derive(Debug)]
pub struct Globals {
    /// By global index.
    pub slots: Vec<GlobalSlot>,
}

impl Globals {
    /// The globals of a program, initialised (`args` fill `argc` and `argv`).
    pub fn new(globals: &[GlobalInfo], args: &[String]) -> Globals {
        let slots = globals
            .iter()
            .map(|g| match g.kind {
                GlobalKind::Stats(_) => GlobalSlot::Stats,
                GlobalKind::Value(ty) if g.keys.is_empty() => GlobalSlot::Scalar(match &g.init {
                    Some(InitValue::Long(n)) => Value::Long(*n),
                    Some(InitValue::String(s)) => Value::Str(s.clone().into()),
                    Some(InitValue::ScriptArgc) => Value::Long(args.len() as i64),
                    _ => Value::zero(ty),
                }),
                GlobalKind::Value(_) => {
                    let mut map = Map::default();
                    if g.init == Some(InitValue::ScriptArgv) {
                        for (i, a) in args.iter().enumerate() {
                            let key = Key(Box::new([KeyPart::Long(i as i64 + 1)]));
                            map.insert(key, Value::Str(a.as_bytes().into()));
                        }
                    }
                    GlobalSlot::Array(map)
                }
            })
            .collect();
        Globals { slots }
    }
}

/// One global's statistics in a shard.
#[derive(Clone, Debug)]
pub enum StatSlot {
    /// Not a statistics global.
    None,
    /// A scalar statistics global.
    Scalar(Stat),
    /// An array of statistics.
    Array(Map<Stat>),
}

/// The statistics one executor adds to; merged with the other shards when read.
#[derive(Debug)]
pub struct Shard {
    /// By global index.
    pub stats: Vec<StatSlot>,
}

impl Shard {
    /// An empty shard for `globals`.
    pub fn new(globals: &[GlobalInfo]) -> Shard {
        let stats = globals
            .iter()
            .map(|g| match g.kind {
                GlobalKind::Stats(usage) if g.keys.is_empty() => {
                    StatSlot::Scalar(Stat::new(&usage))
                }
                GlobalKind::Stats(_) => StatSlot::Array(Map::default()),
                GlobalKind::Value(_) => StatSlot::None,
            })
            .collect();
        Shard { stats }
    }

    /// Empties the statistics of global `g`.
    pub fn clear(&mut self, g: usize, usage: stap_abi::StatUsage) {
        match &mut self.stats[g] {
            StatSlot::Scalar(s) => *s = Stat::new(&usage),
            StatSlot::Array(m) => m.clear(),
            StatSlot::None => {}
        }
    }
}

/// The entry of `lookup` in `map` of capacity `max`, created with `make` if absent; a full
/// map drops its oldest entry when `wrap`, and is an error otherwise.
pub fn insert_bounded<'m, V>(
    map: &'m mut Map<V>,
    lookup: Lookup<'_, '_>,
    max: usize,
    wrap: bool,
    make: impl FnOnce() -> V,
) -> Result<&'m mut V, Full> {
    if let Some(i) = map.get_index_of(&lookup) {
        return Ok(&mut map[i]);
    }
    if map.len() >= max {
        if !wrap || max == 0 {
            return Err(Full);
        }
        map.shift_remove_index(0);
    }
    let (i, _) = map.insert_full(lookup.to_key(), make());
    Ok(&mut map[i])
}

/// A map is full.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Full;
