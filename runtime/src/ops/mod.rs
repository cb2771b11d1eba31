//! The safe operations behind the helpers: globals and arrays, statistics, `foreach`,
//! output and regular expressions.

pub(crate) mod globals;
pub(crate) mod iterate;
pub(crate) mod output;
pub(crate) mod stats;
