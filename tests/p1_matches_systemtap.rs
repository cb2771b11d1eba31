//! `stap-rs -p1` prints the parse tree byte for byte as SystemTap 4.8's `stap -p1` does.
//!
//! Each `tests/p1/NAME.stp` has `NAME.p1`, the output of real SystemTap on it
//! (`stap-oracle -p1 NAME.stp ARGS`, with `-g` for embedded C), and optionally
//! `NAME.args`, the script arguments.

mod common;

use common::{assert_code, fixtures, run_in, stdout};

fn check(name: &str) {
    check_with(name, &[]);
}

fn check_with(name: &str, options: &[&str]) {
    let dir = fixtures().join("p1");
    let expected =
        std::fs::read_to_string(dir.join(format!("{name}.p1"))).expect("expected output");
    let args_text = std::fs::read_to_string(dir.join(format!("{name}.args"))).unwrap_or_default();
    let script = format!("{name}.stp");
    let mut args = vec!["-p1"];
    args.extend(options);
    args.push(script.as_str());
    args.extend(args_text.split_whitespace());
    let out = run_in(&dir, &args);
    assert_code(&out, 0);
    let got = stdout(&out);
    if got != expected {
        let first = got
            .lines()
            .zip(expected.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(got.lines().count().min(expected.lines().count()));
        panic!(
            "{name}: -p1 output differs from SystemTap's at line {}\n--- stap-rs\n{got}\n--- stap\n{expected}",
            first + 1
        );
    }
}

#[test]
fn statements() {
    check("statements");
}

#[test]
fn expressions() {
    check("expressions");
}

#[test]
fn printing() {
    check("printing");
}

#[test]
fn probes_and_aliases() {
    check("probes");
}

#[test]
fn functions() {
    check("functions");
}

#[test]
fn target_forms() {
    check("target_forms");
}

#[test]
fn preprocessor_and_macros() {
    check("preprocessor");
}

#[test]
fn embedded_code_in_guru_mode() {
    check_with("embedded", &["-g"]);
}

#[test]
fn embedded_code_needs_guru_mode() {
    let dir = fixtures().join("p1");
    let out = run_in(&dir, &["-p1", "embedded.stp"]);
    assert_code(&out, 1);
    let err = common::stderr(&out);
    assert!(
        err.starts_with(
            "parse error: embedded code in unprivileged script; need stap -g\n        \
             saw: embedded-code at embedded.stp:2:1\n"
        ),
        "{err}"
    );
    assert!(
        err.contains("note: stap-rs runs no embedded C and reads no kernel memory, even with -g")
    );
}

#[test]
fn comments_and_layout() {
    check("comments_and_layout");
}

#[test]
fn every_example_matches() {
    let dir = common::root().join("examples");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .expect("examples")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".stp"))
        .collect();
    names.sort();
    assert!(names.len() >= 10, "at least ten examples");
    for n in names {
        let expected = std::fs::read_to_string(
            fixtures()
                .join("p1/examples")
                .join(n.replace(".stp", ".p1")),
        )
        .unwrap_or_else(|_| panic!("no expected output for example {n}"));
        let out = run_in(&dir, &["-p1", &n]);
        assert_code(&out, 0);
        assert_eq!(stdout(&out), expected, "example {n}");
    }
}
