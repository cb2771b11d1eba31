//! One handler run, measured through the whole stack: a script compiled by stap-rs's
//! passes 1 to 4, its handler called by the runtime's executor.
//!
//! (a) `s <<< x`; (b) `a[tid(), cpu()] <<< x` into an array that holds 1,000 keys;
//! (c) a `printf` into the output buffer (the output goes to a sink).

use criterion::{Criterion, criterion_group, criterion_main};
use stap_compiler::codegen::{self, CodegenOptions};
use stap_compiler::elaborate::{self, ElaborateConfig};
use stap_compiler::{Environment, MacroLibrary, SourceFile, SourceMap, pass1};
use stap_runtime::{Executor, Limits, Session};

/// Compiles `script` and makes a session for it with its output thrown away.
fn session(script: &str) -> (Session, usize) {
    let mut map = SourceMap::new();
    let file = map.add(SourceFile::new("bench.stp", script));
    let parsed = pass1(
        &mut map,
        file,
        &Environment::default(),
        &MacroLibrary::default(),
    );
    assert!(!parsed.has_errors(), "{:?}", parsed.diagnostics);
    let elaborated = elaborate::elaborate(&parsed.script, &map, &ElaborateConfig::default());
    let program = elaborated.program.expect("the script elaborates");
    let symbols = stap_runtime::symbols();
    let compiled = codegen::translate(&program, &symbols, &CodegenOptions::default())
        .and_then(|t| t.compile())
        .expect("the script compiles");
    let handlers = compiled.handlers();
    let probe = compiled
        .info
        .probes
        .iter()
        .position(|p| p.point.starts_with("timer"))
        .expect("a timer probe");
    let session = Session::new(
        compiled.info.clone(),
        handlers,
        Limits::default(),
        2,
        Box::new(std::io::sink()),
        Box::new(std::io::sink()),
    )
    .expect("a session");
    // The machine code must outlive the session: leak the (small) compiled program.
    std::mem::forget(compiled);
    (session, probe)
}

fn handler_runs(c: &mut Criterion) {
    let mut group = c.benchmark_group("handler");
    let (s, probe) =
        session("global s probe timer.s(1) { s <<< 42 } probe end { print(@count(s)) }");
    let mut ex = Executor::new(&s, 1);
    group.bench_function("stat_add", |b| b.iter(|| ex.run(probe)));
    drop(ex);

    let (s, probe) = session(
        "global a probe begin { for (i = 0; i < 999; i++) a[i + 1000000, -1] <<< 1 } \
         probe timer.s(1) { a[tid(), cpu()] <<< 42 } probe end { print(@count(a[0, 0])) }",
    );
    let begin = s
        .program
        .probes
        .iter()
        .position(|p| p.point == "begin")
        .expect("a begin probe");
    let mut ex = Executor::new(&s, 1);
    ex.run(begin);
    ex.run(probe);
    group.bench_function("keyed_stat_add_1000_keys", |b| b.iter(|| ex.run(probe)));
    drop(ex);

    let (s, probe) = session(r#"global n probe timer.s(1) { printf("%d %s\n", 12345, "abc") }"#);
    let mut ex = Executor::new(&s, 1);
    group.bench_function("printf", |b| b.iter(|| ex.run(probe)));
    drop(ex);
    group.finish();
}

criterion_group!(benches, handler_runs);
criterion_main!(benches);
