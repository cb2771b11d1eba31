//! No input, however broken, makes stap-rs panic, hang or overflow its stack: it
//! either prints a parse tree (exit 0) or reports errors (exit 1).

mod common;

use common::{assert_code, p1_text, stderr, stdout};

/// Runs `-p1` on `text` and checks it ended normally with 0 or 1, with no panic.
fn survives(name: &str, text: &[u8]) -> i32 {
    let out = p1_text(name, text);
    let code = out.status.code();
    assert!(
        matches!(code, Some(0) | Some(1)),
        "{name}: exit {:?}\n{}",
        out.status,
        stderr(&out)
    );
    assert!(
        !stderr(&out).contains("panicked"),
        "{name}: {}",
        stderr(&out)
    );
    code.unwrap_or(1)
}

#[test]
fn ten_thousand_nested_parentheses_parse() {
    let script = format!(
        "probe begin {{ x = {}1{} }}",
        "(".repeat(10_000),
        ")".repeat(10_000)
    );
    let out = p1_text("parens.stp", script.as_bytes());
    assert_code(&out, 0);
    assert!(stdout(&out).contains("(x) = (1);"));
}

#[test]
fn ten_thousand_unclosed_parentheses_are_an_error() {
    let script = format!("probe begin {{ x = {}1 }}", "(".repeat(10_000));
    assert_eq!(survives("unclosed.stp", script.as_bytes()), 1);
}

#[test]
fn ten_thousand_nested_blocks_and_ifs_parse() {
    let blocks = format!("probe begin {}{}", "{".repeat(10_000), "}".repeat(10_000));
    assert_eq!(survives("blocks.stp", blocks.as_bytes()), 0);
    let ifs = format!("probe begin {{ {} x = 1 }}", "if (1) ".repeat(10_000));
    assert_eq!(survives("ifs.stp", ifs.as_bytes()), 0);
    let unary = format!("probe begin {{ x = {}1 }}", "- ".repeat(10_000));
    assert_eq!(survives("unary.stp", unary.as_bytes()), 0);
}

#[test]
fn unterminated_constructs_are_errors() {
    for (i, text) in [
        "probe begin { x = \"abc",
        "probe begin { /* never closed",
        "probe begin { %{ never closed",
        "probe begin { x = 1",
        "probe begin {",
        "probe",
        "%(",
        "%( arch == \"x86_64\" %?",
        "@define x %( 1",
        "@define",
        "probe begin { x = @hist_linear(s, 1",
        "probe begin { foreach ([a,",
        "function f(",
        "global",
    ]
    .iter()
    .enumerate()
    {
        assert_eq!(
            survives(&format!("unterminated{i}.stp"), text.as_bytes()),
            1,
            "{text}"
        );
    }
}

/// A deterministic xorshift generator, so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn binary_junk_is_rejected() {
    let mut rng = Rng(0x1234_5678_9abc_def1);
    for i in 0..40 {
        let len = (rng.next() % 4000) as usize;
        let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        survives(&format!("junk{i}.stp"), &bytes);
    }
}

#[test]
fn every_prefix_and_mutation_of_a_real_script_is_handled() {
    let script = std::fs::read(common::root().join("tests/p1/expressions.stp")).expect("fixture");
    let mut rng = Rng(0xfeed_face_cafe_beef);
    // Truncations at many places.
    for (i, cut) in (0..script.len()).step_by(97).enumerate() {
        survives(&format!("prefix{i}.stp"), &script[..cut]);
    }
    // Random token-level damage: delete, duplicate or replace single bytes.
    for i in 0..60 {
        let mut s = script.clone();
        for _ in 0..3 {
            let at = (rng.next() as usize) % s.len();
            match rng.next() % 3 {
                0 => {
                    s.remove(at);
                }
                1 => s.insert(at, s[at]),
                _ => s[at] = b"(){}[];,\"%@$#?:!-"[(rng.next() % 17) as usize],
            }
        }
        survives(&format!("mutant{i}.stp"), &s);
    }
}
