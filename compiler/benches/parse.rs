//! Pass-1 throughput: preprocess and parse a large generated script.
//!
//! The script is 10,000 lines of the kinds of code real scripts hold: probes with
//! aggregates, `foreach` loops and `printf`, functions with recursion and string work,
//! globals, conditionals and a macro. A second case parses 10,000 lines of real code,
//! SystemTap's own tapset library, where it is installed. Criterion reports the time
//! per parse and the throughput in bytes/s. Target: under 20 ms for 10,000 lines.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use stap_compiler::{Environment, MacroLibrary, SourceFile, SourceMap, pass1};

/// About 10,000 lines of realistic SystemTap.
pub fn large_script() -> String {
    let mut s = String::from("@define RATE(n, d) %( ((@n) * 100 / ((@d) + 1)) %)\n");
    let mut i = 0;
    while s.lines().count() < 10_000 {
        s.push_str(&format!(
            "global counts_{i}[2048], totals_{i}, names_{i}%\n\
             \n\
             function classify_{i}:string (value:long, name:string) {{\n\
             \x20 if (value > 1000000) return sprintf(\"big %s %d\", name, value)\n\
             \x20 else if (value < 0) return \"negative\"\n\
             \x20 for (j = 0; j < 8 && value > 0; j++) value >>= 1\n\
             \x20 return name . \":\" . sprint(value)\n\
             }}\n\
             \n\
             probe perf.sw.cpu_clock.sample(100000), timer.profile ? {{\n\
             \x20 counts_{i}[execname(), pid(), cpu()] <<< sample_period()\n\
             \x20 totals_{i} += 1 /* a comment */\n\
             \x20 if ([execname(), pid(), cpu()] in counts_{i} && totals_{i} % 100 == 0)\n\
             \x20   names_{i}[tid()] = classify_{i}(totals_{i}, execname())\n\
             %( kernel_v >= \"4.0\" %? \x20 totals_{i}++ %: \x20 totals_{i}-- %)\n\
             }}\n\
             \n\
             probe timer.s(5) {{\n\
             \x20 foreach ([name, p, c] in counts_{i} @count- limit 10) {{\n\
             \x20   printf(\"%-16s %6d %3d %8d %5d%%\\n\", name, p, c,\n\
             \x20          @count(counts_{i}[name, p, c]), @RATE(@count(counts_{i}[name, p, c]), totals_{i}))\n\
             \x20 }}\n\
             \x20 print(@hist_log(counts_{i}[\"swapper\", 0, 0]))\n\
             \x20 delete counts_{i}\n\
             }}\n\n"
        ));
        i += 1;
    }
    s
}

/// Real SystemTap code: whole files of SystemTap's own tapset library (where it is
/// installed), concatenated up to `lines` lines. Its doc comments and embedded C make
/// it lighter per byte than the generated script.
fn systemtap_tapsets(lines: usize) -> Option<String> {
    let mut files = Vec::new();
    for dir in [
        "/usr/share/systemtap/tapset",
        "/usr/share/systemtap/tapset/linux",
    ] {
        let mut here: Vec<_> = std::fs::read_dir(dir)
            .ok()?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "stp"))
            .collect();
        here.sort();
        files.extend(here);
    }
    let mut text = String::new();
    for f in files {
        text.push_str(&std::fs::read_to_string(f).ok()?);
        if text.lines().count() >= lines {
            return Some(text);
        }
    }
    None
}

/// Pass 1 on `text`. The tree and source map are returned, so that the benchmark
/// drops them outside the measured time (`iter_with_large_drop`): freeing the tree is
/// not part of parsing it.
fn parse(
    text: &str,
    env: &Environment,
    macros: &MacroLibrary,
    library: &SourceMap,
) -> (stap_compiler::Parsed, SourceMap) {
    let mut map = library.clone();
    let file = map.add(SourceFile::new("large.stp", text));
    let parsed = pass1(&mut map, file, env, macros);
    assert!(!parsed.has_errors(), "{:?}", parsed.diagnostics.first());
    (parsed, map)
}

fn bench_parse(c: &mut Criterion) {
    let text = large_script();
    let env = Environment {
        kernel_release: "6.1.0-9-amd64".into(),
        arch: "x86_64".into(),
        ..Environment::default()
    };
    let macros = MacroLibrary::new();
    let mut group = c.benchmark_group("pass1");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function(
        format!(
            "preprocess+parse {} lines, {} KiB",
            text.lines().count(),
            text.len() / 1024
        ),
        |b| b.iter_with_large_drop(|| parse(&text, &env, &macros, &SourceMap::new())),
    );
    if let Some(real) = systemtap_tapsets(10_000) {
        let env = Environment {
            guru_mode: true,
            ..env.clone()
        };
        // The tapsets use SystemTap's library macros.
        let mut library = MacroLibrary::new();
        let mut map = SourceMap::new();
        let mut stpm = Vec::new();
        for dir in ["", "/x86_64", "/linux", "/linux/x86_64"] {
            let mut here: Vec<_> = std::fs::read_dir(format!("/usr/share/systemtap/tapset{dir}"))
                .into_iter()
                .flatten()
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "stpm"))
                .collect();
            here.sort();
            stpm.extend(here);
        }
        for path in stpm {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let id = map.add(SourceFile::new(path.display().to_string(), text));
            let _ = library.load(&map, id, &env);
        }
        let macros = &library;
        let name = format!(
            "preprocess+parse SystemTap's tapsets, {} lines, {} KiB",
            real.lines().count(),
            real.len() / 1024
        );
        group.throughput(Throughput::Bytes(real.len() as u64));
        group.bench_function(name, |b| {
            b.iter_with_large_drop(|| parse(&real, &env, macros, &map))
        });
        group.throughput(Throughput::Bytes(text.len() as u64));
    } else {
        eprintln!("SystemTap's tapsets are not installed: skipping the real-code case");
    }
    group.bench_function("preprocess only", |b| {
        b.iter(|| {
            let mut map = SourceMap::new();
            let file = map.add(SourceFile::new("large.stp", text.as_str()));
            stap_compiler::preprocess::preprocess(&map, file, &env, &macros)
                .0
                .text
                .len()
        })
    });
    group.finish();
}

criterion_group!(benches, bench_parse);
criterion_main!(benches);
