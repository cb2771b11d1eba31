//! Pass 2, elaboration: names resolved, probe aliases expanded, types inferred as
//! SystemTap infers them, and the result lowered to the [`crate::ir`] codegen reads.
//!
//! The steps, in order: `resolve` binds every name and expands probe points
//! ([`points`]); `types` runs SystemTap's type inference to a fixpoint; `checks`
//! rejects `foreach` loops that modify their array; `lower` builds the IR, with error
//! sites from `tokens`. [`print`](mod@print) shows the result as `stap -p2` does.

mod checks;
pub mod escapes;
mod lower;
pub mod points;
pub mod print;
mod resolve;
mod tokens;
mod tree;
mod types;
mod walk;

use crate::ast::Script;
use crate::diagnostic::Diagnostic;
use crate::ir::Program;
use crate::source::SourceMap;

pub use print::{program_to_string, program_to_string_verbose};

/// What elaboration needs besides the script.
#[derive(Clone, Debug, Default)]
pub struct ElaborateConfig {
    /// The script arguments (`argv`).
    pub args: Vec<String>,
    /// `MAXMAPENTRIES`, the default capacity of arrays, if set.
    pub maxmapentries: Option<i64>,
}

/// The result of pass 2.
#[derive(Debug)]
pub struct Elaborated {
    /// The program; `None` when there is an error.
    pub program: Option<Program>,
    /// Errors (SystemTap's `semantic error:`s) and warnings.
    pub diagnostics: Vec<Diagnostic>,
}

impl Elaborated {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.severity.is_error())
    }
}

/// Elaborates `script` (parsed from files of `map`) with no library.
pub fn elaborate(script: &Script, map: &SourceMap, config: &ElaborateConfig) -> Elaborated {
    elaborate_with_library(script, &[], map, config)
}

/// Elaborates `script` with the library scripts `library`, whose functions, globals
/// and probe aliases the script may use (a function or global of the script wins over
/// a library one of the same name). Only the script's own probes run.
pub fn elaborate_with_library(
    script: &Script,
    library: &[Script],
    map: &SourceMap,
    _config: &ElaborateConfig,
) -> Elaborated {
    let mut tokens = tokens::Tokens::new(map);
    let mut reported = Vec::new();
    let scripts: Vec<&Script> = std::iter::once(script).chain(library).collect();
    let mut resolved = resolve::Resolver::run(&scripts, &mut tokens, &mut reported);
    if reported.is_empty() {
        reported.extend(types::infer(&mut resolved, &tokens));
    }
    if reported.is_empty() {
        reported.extend(checks::foreach_modifications(&resolved, &tokens));
    }
    let mut program = None;
    if reported.is_empty() {
        let p = lower::lower(&resolved, &tokens, &mut reported);
        if resolved.probes.is_empty() {
            reported.push(tokens::Reported::new(tokens::error_nowhere(
                "no probes found",
            )));
        }
        program = Some(p);
    }
    let diagnostics = tokens::first_of_each_kind(reported);
    if diagnostics.iter().any(|d| d.severity.is_error()) {
        program = None;
    }
    Elaborated {
        program,
        diagnostics,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{ExprKind, StmtKind};
    use crate::{Environment, MacroLibrary, SourceFile, pass1};
    use stap_abi::format::Piece;
    use stap_abi::{GlobalKind, Histogram, ProbeKind, StatField};

    fn program(text: &str) -> Program {
        let mut map = SourceMap::new();
        let file = map.add(SourceFile::new("t.stp", text));
        let parsed = pass1(
            &mut map,
            file,
            &Environment::default(),
            &MacroLibrary::new(),
        );
        assert!(!parsed.has_errors(), "{:?}", parsed.diagnostics);
        let e = elaborate(&parsed.script, &map, &ElaborateConfig::default());
        e.program.expect("elaborates")
    }

    fn first_expr(p: &Program) -> &crate::ir::Expr {
        match &p.probes[0].body.stmts[0].kind {
            StmtKind::Expr(e) => e,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn globals_written_but_never_read_are_autoprinted() {
        let p = program("global a, b, c; probe begin { a = 1; b = 2; c++; print(b) }");
        let auto: Vec<bool> = p.globals.iter().map(|g| g.autoprint).collect();
        assert_eq!(auto, [true, false, false]);
    }

    #[test]
    fn print_becomes_a_format_by_argument_types() {
        let p = program(r#"probe begin { printdln("%", 1, "s") }"#);
        let ExprKind::Printf { format, .. } = &first_expr(&p).kind else {
            panic!()
        };
        assert_eq!(format.len(), 4);
        assert_eq!(format[1], Piece::Literal(b"%".to_vec()));
        assert_eq!(format[3], Piece::Literal(b"\n".to_vec()));
    }

    #[test]
    fn sites_name_the_principal_token() {
        let p = program("probe begin {\n  x = 4 / 0\n  print(x)\n}");
        let e = first_expr(&p);
        assert_eq!(p.sites[e.site as usize], "operator '=' at t.stp:2:5");
        let ExprKind::Assign { value, .. } = &e.kind else {
            panic!()
        };
        assert_eq!(p.sites[value.site as usize], "operator '/' at t.stp:2:9");
    }

    #[test]
    fn statistics_usage_and_iterations() {
        let p = program(
            "global s; probe begin { s[1] <<< 2; print(@hist_log(s[1])); print(@variance(s[1], 3)) \
             foreach ([k] in s @sum- limit 3) print(k) }",
        );
        let GlobalKind::Stats(usage) = p.globals[0].kind else {
            panic!()
        };
        assert_eq!(usage.histogram, Some(Histogram::Log));
        assert_eq!(usage.variance, Some(3));
        let spec = p.iterations[0].sort.expect("sorted");
        assert_eq!(
            (spec.column, spec.descending, spec.field),
            (0, true, StatField::Sum)
        );
    }

    #[test]
    fn timers_convert_to_nanoseconds() {
        let p = program("probe timer.jiffies(2).randomize(1), timer.hz(1000), never { }");
        assert_eq!(
            p.probes[0].points,
            [
                (
                    ProbeKind::Timer {
                        interval_ns: 8_000_000,
                        randomize_ns: 4_000_000
                    },
                    "timer.jiffies(2).randomize(1)".to_string()
                ),
                (
                    ProbeKind::Timer {
                        interval_ns: 1_000_000,
                        randomize_ns: 0
                    },
                    "timer.hz(1000)".to_string()
                ),
            ]
        );
    }

    #[test]
    fn argv_and_argc_are_script_argument_globals() {
        let p = program("probe begin { print(argc, argv[1]) }");
        let inits: Vec<_> = p.globals.iter().map(|g| g.init.clone()).collect();
        assert_eq!(
            inits,
            [
                Some(stap_abi::InitValue::ScriptArgc),
                Some(stap_abi::InitValue::ScriptArgv)
            ]
        );
    }
}
