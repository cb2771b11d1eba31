//! Pass 2 against SystemTap 4.8: the expected texts below are what
//! `stap -u -p2` prints for the same scripts (its semantic errors, and its `-p2`
//! listing of globals, functions and probes with their inferred types).

use stap_compiler::diagnostic::render_all;
use stap_compiler::elaborate::{ElaborateConfig, Elaborated, elaborate, program_to_string};
use stap_compiler::{Environment, MacroLibrary, SourceFile, SourceMap, pass1};

fn run(name: &str, text: &str) -> (Elaborated, SourceMap) {
    let mut map = SourceMap::new();
    let file = map.add(SourceFile::new(name, text));
    let env = Environment {
        kernel_release: "6.1.0".into(),
        arch: "x86_64".into(),
        ..Environment::default()
    };
    let parsed = pass1(&mut map, file, &env, &MacroLibrary::new());
    assert!(!parsed.has_errors(), "{:?}", parsed.diagnostics);
    let e = elaborate(&parsed.script, &map, &ElaborateConfig::default());
    (e, map)
}

fn errors(name: &str, text: &str) -> String {
    let (e, map) = run(name, text);
    assert!(e.program.is_none());
    render_all(&e.diagnostics, &map)
}

fn listing(text: &str) -> String {
    let (e, map) = run("t.stp", text);
    let program = e
        .program
        .unwrap_or_else(|| panic!("{}", render_all(&e.diagnostics, &map)));
    program_to_string(&program)
}

#[test]
fn type_mismatch_names_where_the_type_was_first_inferred() {
    assert_eq!(
        errors("e1.stp", "probe begin { x = 1; x = \"a\" }\n"),
        r#"semantic error: type mismatch (string): identifier 'x' at e1.stp:1:22
        source: probe begin { x = 1; x = "a" }
                                     ^

semantic error: type was first inferred here (long): identifier 'x' at :1:15
        source: probe begin { x = 1; x = "a" }
                              ^

"#
    );
}

#[test]
fn only_the_most_specific_mismatch_is_reported() {
    assert_eq!(
        errors(
            "f2.stp",
            "probe begin { w = 1 + \"s\"; x = 1; x = \"a\" }\n"
        ),
        r#"semantic error: type mismatch (string): identifier 'x' at f2.stp:1:35
        source: probe begin { w = 1 + "s"; x = 1; x = "a" }
                                                  ^

semantic error: type was first inferred here (long): identifier 'x' at :1:28
        source: probe begin { w = 1 + "s"; x = 1; x = "a" }
                                           ^

"#
    );
    assert_eq!(
        errors("f1.stp", "probe begin { w = 1 + \"s\" }\n"),
        r#"semantic error: type mismatch: expected long but found string: string 's' at f1.stp:1:23
        source: probe begin { w = 1 + "s" }
                                      ^

"#
    );
}

#[test]
fn function_arguments_and_array_keys_are_indexed() {
    assert_eq!(
        errors(
            "f4.stp",
            "function f(a) { return a } probe begin { print(f(1)); print(f(\"s\")) }\n"
        ),
        r#"semantic error: index 0 type mismatch (string): string 's' at f4.stp:1:63
        source: function f(a) { return a } probe begin { print(f(1)); print(f("s")) }
                                                                              ^

semantic error: type of index 0 was first inferred here (long): number '1' at :1:50
        source: function f(a) { return a } probe begin { print(f(1)); print(f("s")) }
                                                                 ^

"#
    );
    assert_eq!(
        errors(
            "f6.stp",
            "global a; probe begin { a[\"x\"] = 1; a[1] = 2 }\n"
        ),
        r#"semantic error: index 0 type mismatch (long): number '1' at f6.stp:1:39
        source: global a; probe begin { a["x"] = 1; a[1] = 2 }
                                                      ^

semantic error: type of index 0 was first inferred here (long): string 'x' at :1:27
        source: global a; probe begin { a["x"] = 1; a[1] = 2 }
                                          ^

"#
    );
}

#[test]
fn statistics_errors() {
    assert_eq!(
        errors("e5.stp", "global s; probe begin { s <<< 1; s = 3 }\n"),
        r#"semantic error: type mismatch (long): identifier 's' at e5.stp:1:34
        source: global s; probe begin { s <<< 1; s = 3 }
                                                 ^

semantic error: type was first inferred here (stats): identifier 's' at :1:25
        source: global s; probe begin { s <<< 1; s = 3 }
                                        ^

"#
    );
    assert_eq!(
        errors("e6.stp", "probe begin { s <<< 1 }\n"),
        r#"semantic error: stat locals not supported, missing global declaration? : identifier 's' at e6.stp:1:15
        source: probe begin { s <<< 1 }
                              ^

"#
    );
    assert_eq!(
        errors(
            "e10.stp",
            "global s; probe begin { s <<< 1; print(@hist_linear(s, 0, 10, 1)); print(@hist_linear(s, 0, 20, 1)) }\n"
        ),
        r#"semantic error: multiple histogram types declared on '__global_s': operator '@hist_linear' at e10.stp:1:74
        source: global s; probe begin { s <<< 1; print(@hist_linear(s, 0, 10, 1)); print(@hist_linear(s, 0, 20, 1)) }
                                                                                         ^

"#
    );
}

#[test]
fn arity_and_resolution_errors() {
    assert_eq!(
        errors("e7.stp", "global a; probe begin { a[1] = 1; a[1,2] = 3 }\n"),
        r#"semantic error: inconsistent arity (1 vs 2): identifier 'a' at e7.stp:1:35
        source: global a; probe begin { a[1] = 1; a[1,2] = 3 }
                                                  ^

semantic error: arity 1 first inferred here: identifier 'a' at :1:25
        source: global a; probe begin { a[1] = 1; a[1,2] = 3 }
                                        ^

"#
    );
    assert_eq!(
        errors("e8.stp", "probe begin { x = y }\n"),
        r#"semantic error: unresolved type : identifier 'x' at e8.stp:1:15
        source: probe begin { x = y }
                              ^

"#
    );
    assert_eq!(
        errors("e3.stp", "probe foo.bar { }\n"),
        r#"semantic error: while resolving probe point: identifier 'foo' at e3.stp:1:7
        source: probe foo.bar { }
                      ^

semantic error: probe point mismatch: identifier 'foo' at :1:7
        source: probe foo.bar { }
                      ^

"#
    );
}

#[test]
fn print_formats_are_checked() {
    assert_eq!(
        errors(
            "e11.stp",
            "probe begin { printf(\"%d %s\\n\", \"a\", 1) }\n"
        ),
        r#"semantic error: type mismatch: expected long but found string: string 'a' at e11.stp:1:33
        source: probe begin { printf("%d %s\n", "a", 1) }
                                                ^

"#
    );
    assert_eq!(
        errors("e12.stp", "probe begin { printf(\"%d\\n\") }\n"),
        r#"semantic error: Wrong number of args to formatted print operator: identifier 'printf' at e12.stp:1:15
        source: probe begin { printf("%d\n") }
                              ^

"#
    );
}

#[test]
fn foreach_may_not_modify_its_array() {
    assert_eq!(
        errors(
            "g2.stp",
            "global a; probe begin { foreach (k in a) { a[k] = 1; delete a } a[1]=1 }\n"
        ),
        r#"semantic error: variable 'a' modified during 'foreach' iteration: identifier 'a' at g2.stp:1:44
        source: global a; probe begin { foreach (k in a) { a[k] = 1; delete a } a[1]=1 }
                                                           ^

"#
    );
    assert_eq!(
        errors(
            "g11.stp",
            "global a; function f() { a[1] = 2 } probe begin { foreach (k in a) f() }\n"
        ),
        r#"semantic error: function call modifies var 'a' during 'foreach' iteration: identifier 'f' at g11.stp:1:68
        source: global a; function f() { a[1] = 2 } probe begin { foreach (k in a) f() }
                                                                                   ^

"#
    );
}

#[test]
fn inferred_types_match_systemtap() {
    let text = r#"global g, arr, s, cnt
function f(x) { return x + 1 }
function h:string(a:long, b) { return sprint(a, b) }
probe begin { g = f(3); arr["a", 1] = "x"; s <<< 4; print(@count(s)); print(h(1, "z")); x = 3; y = "s" . sprint(x); print(y) }
probe timer.ms(100), end { cnt++; foreach ([k1, k2] in arr) printf("%s %d\n", k1, k2) ; if (cnt > 2) exit(); else { while (1) break } }
"#;
    assert_eq!(
        listing(text),
        "# globals
g:long
arr:string [string, long]
s:stats
cnt:long
# functions
f:long (x:long)
h:string (a:long, b:string)
# probes
begin /* <- begin */
  # locals
  x:long
  y:string
timer.ms(100) /* <- timer.ms(100),end */
  # locals
  k1:string
  k2:long
end /* <- timer.ms(100),end */
  # locals
  k1:string
  k2:long
"
    );
}

#[test]
fn aliases_expand_with_their_prologues_and_epilogues() {
    let text = r#"private global pg
global a, st
probe myal = timer.s(1), timer.jiffies(5).randomize(2) { pro = 1 }
probe myal += timer.hz(100) { epi = 2 }
probe myal { print(pp()) }
probe begin(5), end(-1), error { pg = "x"; print(pg); try { a[1] = 2 } catch (m) { print(m) } delete a[1]; delete a; x = a[1] ? "a" : "b"; print(x, 1 in a, [1] in a); st <<< 1; print(@hist_log(st)); print(@avg(st), @variance(st, 2)); foreach (v = [k] in a- limit 2) print(v); print(@hist_log(st)[2]) }
"#;
    assert_eq!(
        listing(text),
        "# globals
pg:string
a:long [long]
st:stats
# probes
timer.s(1) /* <- myal = timer.s(1), timer.jiffies(5).randomize(2) <- myal */
  # locals
  pro:long
timer.jiffies(5).randomize(2) /* <- myal = timer.s(1), timer.jiffies(5).randomize(2) <- myal */
  # locals
  pro:long
timer.hz(100) /* <- myal += timer.hz(100) <- myal */
  # locals
  epi:long
begin(5) /* <- begin(5),end(-1),error */
  # locals
  m:string
  x:string
  k:long
  v:long
end(-1) /* <- begin(5),end(-1),error */
  # locals
  m:string
  x:string
  k:long
  v:long
error /* <- begin(5),end(-1),error */
  # locals
  m:string
  x:string
  k:long
  v:long
"
    );
}

#[test]
fn optional_points_that_fail_are_skipped() {
    assert_eq!(
        listing("probe foo.bar ?, begin { print(1) }\n"),
        "# probes\nbegin /* <- foo.bar?,begin */\n"
    );
}
