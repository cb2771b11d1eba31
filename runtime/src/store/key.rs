//! Array keys: owned ones stored in maps, borrowed ones built per access without
//! allocating, hashing and comparing equal to each other.

use std::hash::{Hash, Hasher};

use indexmap::Equivalent;

/// One position of a stored key.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum KeyPart {
    /// A long key.
    Long(i64),
    /// A string key.
    Str(Box<[u8]>),
}

/// One position of a key being looked up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyRef<'a> {
    /// A long key.
    Long(i64),
    /// A string key.
    Str(&'a [u8]),
}

impl KeyRef<'_> {
    /// The owned form.
    pub fn to_owned_part(self) -> KeyPart {
        match self {
            KeyRef::Long(n) => KeyPart::Long(n),
            KeyRef::Str(s) => KeyPart::Str(s.into()),
        }
    }
}

impl KeyPart {
    /// The borrowed form.
    pub fn as_ref(&self) -> KeyRef<'_> {
        match self {
            KeyPart::Long(n) => KeyRef::Long(*n),
            KeyPart::Str(s) => KeyRef::Str(s),
        }
    }
}

/// A stored key: one part per array key.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Key(pub Box<[KeyPart]>);

/// Hashes one key position; the owned and borrowed forms hash alike.
fn hash_part<H: Hasher>(part: KeyRef<'_>, state: &mut H) {
    match part {
        KeyRef::Long(n) => state.write_i64(n),
        KeyRef::Str(s) => {
            state.write_usize(s.len());
            state.write(s);
        }
    }
}

impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        for p in self.0.iter() {
            hash_part(p.as_ref(), state);
        }
    }
}

/// A key being looked up: borrowed parts.
#[derive(Clone, Copy, Debug)]
pub struct Lookup<'a, 'b>(pub &'b [KeyRef<'a>]);

impl Hash for Lookup<'_, '_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        for p in self.0 {
            hash_part(*p, state);
        }
    }
}

impl Equivalent<Key> for Lookup<'_, '_> {
    fn equivalent(&self, key: &Key) -> bool {
        self.0.len() == key.0.len()
            && self
                .0
                .iter()
                .zip(key.0.iter())
                .all(|(a, b)| *a == b.as_ref())
    }
}

impl Lookup<'_, '_> {
    /// The owned key.
    pub fn to_key(self) -> Key {
        Key(self.0.iter().map(|p| p.to_owned_part()).collect())
    }

    /// Whether `key` matches this lookup where `mask` has no wildcard bit.
    pub fn matches(self, key: &Key, mask: i64) -> bool {
        self.0
            .iter()
            .zip(key.0.iter())
            .enumerate()
            .all(|(i, (a, b))| mask & (1 << i) != 0 || *a == b.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use std::hash::BuildHasher;

    use super::*;

    #[test]
    fn borrowed_and_owned_keys_hash_and_compare_alike() {
        let parts = [KeyRef::Long(3), KeyRef::Str(b"abc")];
        let lookup = Lookup(&parts);
        let key = lookup.to_key();
        let s = rustc_hash::FxBuildHasher;
        assert_eq!(s.hash_one(lookup), s.hash_one(&key));
        assert!(lookup.equivalent(&key));
        let other = [KeyRef::Long(3), KeyRef::Str(b"abd")];
        assert!(!Lookup(&other).equivalent(&key));
        assert!(Lookup(&other).matches(&key, 0b10));
    }
}
