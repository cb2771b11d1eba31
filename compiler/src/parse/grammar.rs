//! The pest parser generated from `grammar/stap.pest`.

#![allow(missing_docs)]

/// The parser for the SystemTap grammar; its rules are documented in the grammar file.
#[derive(pest_derive::Parser)]
#[grammar = "../../grammar/stap.pest"]
pub struct StapParser;
