//! Pass-1 throughput: preprocess and parse a large generated script.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use stap_compiler::{Environment, MacroLibrary, SourceFile, SourceMap, pass1};

fn main_bench(c: &mut Criterion) {
    let _ = c;
}

criterion_group!(benches, main_bench);
criterion_main!(benches);
