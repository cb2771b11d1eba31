//! The constant tables the generated code refers to by index: string literals and print
//! formats, each stored once.

use std::collections::HashMap;

use stap_abi::FormatPieces;

use crate::ir::Program;

/// Literals and formats collected while translating.
pub(crate) struct Tables {
    strings: Vec<Vec<u8>>,
    string_index: HashMap<Vec<u8>, u32>,
    formats: Vec<FormatPieces>,
    /// For each `foreach` iteration, which key positions a slice fixes.
    fixed: Vec<Vec<bool>>,
}

impl Tables {
    /// Empty tables for `program`.
    pub(crate) fn new(program: &Program) -> Tables {
        Tables {
            strings: Vec::new(),
            string_index: HashMap::new(),
            formats: Vec::new(),
            fixed: program.iterations.iter().map(|i| i.fixed.clone()).collect(),
        }
    }

    /// Which key positions the slice of iteration `i` fixes.
    pub(crate) fn iteration_fixed(&self, i: usize) -> Vec<bool> {
        self.fixed[i].clone()
    }

    /// The index of literal `s`.
    pub(crate) fn string(&mut self, s: &[u8]) -> u32 {
        if let Some(&i) = self.string_index.get(s) {
            return i;
        }
        let i = self.strings.len() as u32;
        self.strings.push(s.to_vec());
        self.string_index.insert(s.to_vec(), i);
        i
    }

    /// The index of `format`, stored once.
    pub(crate) fn format(&mut self, format: &FormatPieces) -> u32 {
        if let Some(i) = self.formats.iter().position(|f| f == format) {
            return i as u32;
        }
        self.formats.push(format.clone());
        (self.formats.len() - 1) as u32
    }

    /// The literals and formats.
    pub(crate) fn finish(self) -> (Vec<Vec<u8>>, Vec<FormatPieces>) {
        (self.strings, self.formats)
    }
}
