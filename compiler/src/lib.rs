//! The stap-rs compiler: from SystemTap script text to an AST (pass 1), and later to
//! typed IR and Cranelift code.
//!
//! The passes run in one direction, in the order [`pass1`] writes out:
//! preprocess (`%( %)` conditionals, `@define` macros, `$1`/`@1` arguments) → parse
//! (pest grammar → [`ast`]). Each pass returns its result together with the
//! [`Diagnostic`]s it found; nothing here prints or exits.

pub mod ast;
pub mod diagnostic;
pub mod format;
pub mod lexer;
pub mod parse;
pub mod preprocess;
pub mod print;
pub mod source;

pub use diagnostic::{Diagnostic, Severity};

/// The SystemTap language version stap-rs implements (`systemtap_v`, `--compatible`).
pub const COMPATIBLE_VERSION: &str = "5.0";
pub use preprocess::{Environment, MacroLibrary};
pub use source::{FileId, SourceFile, SourceMap, Span};

/// The result of pass 1 for one file.
#[derive(Debug)]
pub struct Parsed {
    /// The declarations that parsed (all of them when `diagnostics` has no error).
    pub script: ast::Script,
    /// What went wrong, in source order.
    pub diagnostics: Vec<Diagnostic>,
}

impl Parsed {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.severity.is_error())
    }
}

/// Pass 1 on file `file` of `map`: preprocess it in `env` with the library macros
/// `macros`, then parse it.
pub fn pass1(
    map: &mut SourceMap,
    file: FileId,
    env: &Environment,
    macros: &MacroLibrary,
) -> Parsed {
    let (expansion, mut diagnostics) = preprocess::preprocess(map, file, env, macros);
    let name = map.file(file).name.clone();
    let expansion = map.set_expansion(file, expansion);
    let (script, parse_diagnostics) =
        parse::parse_expansion(file, &name, &expansion, env.guru_mode);
    let origin = |d: &Diagnostic| match d.place {
        Some(diagnostic::Place::Span(s)) => Some(map.origin(s)),
        Some(diagnostic::Place::Origin(o)) => Some(o),
        None => None,
    };
    // The preprocessor stops at its first error; what the parser says about the text
    // cut short there is noise.
    let cut = diagnostics.iter().filter_map(origin).min();
    let at_cut_end = |d: &Diagnostic| matches!(d.place, Some(diagnostic::Place::Span(s)) if s.lo as usize >= expansion.text.len());
    // Errors come in the order SystemTap finds them: the parser's, in reading order,
    // then the preprocessor's, which ended the text where it stopped.
    let preprocessor = std::mem::take(&mut diagnostics);
    diagnostics.extend(
        parse_diagnostics
            .into_iter()
            .filter(|d| cut.is_none_or(|c| origin(d).is_some_and(|o| o < c) && !at_cut_end(d))),
    );
    diagnostics.extend(preprocessor);
    Parsed {
        script,
        diagnostics,
    }
}
