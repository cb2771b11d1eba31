//! The stap-rs compiler: from SystemTap script text to an AST (pass 1), and later to
//! typed IR and Cranelift code.
//!
//! The passes run in one direction, in the order [`pass1`] writes out:
//! preprocess (`%( %)` conditionals, `@define` macros, `$1`/`@1` arguments) → parse
//! (pest grammar → [`ast`]). Each pass returns its result together with the
//! [`Diagnostic`]s it found; nothing here prints or exits.

pub mod ast;
pub mod codegen;
pub mod diagnostic;
pub mod elaborate;
pub mod ir;
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

/// Files at least this long are parsed on a second thread while they are preprocessed.
const CONCURRENT_MIN_BYTES: usize = 128 * 1024;

/// Stack of a parsing thread: the parser recurses over nested constructs (see
/// `preprocess::MAX_NESTING`).
const PARSER_STACK_BYTES: usize = 1 << 30;

/// The declarations and diagnostics of one piece of expanded text.
type ParsedPiece = (Vec<ast::Item>, Vec<Diagnostic>);

/// Pass 1 on file `file` of `map`: preprocess it in `env` with the library macros
/// `macros`, then parse it.
///
/// The expanded text comes in independent pieces (the declarations between top-level
/// keywords). A large file's pieces are parsed on a second thread as soon as the
/// preprocessor completes them, and by this thread too once it is done preprocessing;
/// the result is the same as a sequential parse, in the same order.
pub fn pass1(
    map: &mut SourceMap,
    file: FileId,
    env: &Environment,
    macros: &MacroLibrary,
) -> Parsed {
    let privileged = env.guru_mode;
    let concurrent = map.file(file).text.len() >= CONCURRENT_MIN_BYTES;
    let (expansion, mut diagnostics, pieces) = if concurrent {
        preprocess_and_parse_concurrently(map, file, env, macros)
    } else {
        let mut pieces: Vec<ParsedPiece> = Vec::new();
        let (expansion, diagnostics) =
            preprocess::preprocess_in_pieces(map, file, env, macros, &mut |at, text| {
                pieces.push(parse::parse_piece(file, privileged, text, at));
            });
        (expansion, diagnostics, pieces)
    };
    let name = map.file(file).name.clone();
    let expansion = map.set_expansion(file, expansion);
    let (script, parse_diagnostics) = parse::assemble(&name, &expansion.text, pieces);
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

/// Preprocesses `file` on this thread while a second thread parses the pieces it
/// completes; when preprocessing ends, this thread helps parse the rest. The pieces
/// come back in file order.
fn preprocess_and_parse_concurrently(
    map: &SourceMap,
    file: FileId,
    env: &Environment,
    macros: &MacroLibrary,
) -> (source::Expansion, Vec<Diagnostic>, Vec<ParsedPiece>) {
    use std::sync::{Mutex, mpsc};
    let privileged = env.guru_mode;
    let (send, receive) = mpsc::channel::<(usize, usize, String)>();
    let receive = Mutex::new(receive);
    let results = Mutex::new(Vec::new());
    // Takes pieces from the queue and parses them until the queue is closed and empty.
    let work = || {
        loop {
            let next = receive.lock().unwrap_or_else(|e| e.into_inner()).recv();
            let Ok((index, at, text)) = next else { break };
            let parsed = parse::parse_piece(file, privileged, &text, at);
            results
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((index, parsed));
        }
    };
    let (expansion, diagnostics) = std::thread::scope(|scope| {
        let helper = std::thread::Builder::new()
            .stack_size(PARSER_STACK_BYTES)
            .spawn_scoped(scope, work);
        // Pieces go out in batches of about this many bytes, to keep the hand-over cost
        // small against the parsing.
        const BATCH_BYTES: usize = 16 * 1024;
        let mut count = 0;
        let mut batch = String::new();
        let mut batch_at = 0;
        let out = preprocess::preprocess_in_pieces(map, file, env, macros, &mut |at, text| {
            if batch.is_empty() {
                batch_at = at;
            }
            batch.push_str(text);
            if batch.len() >= BATCH_BYTES {
                // If the helper is gone, this thread parses everything below.
                let _ = send.send((count, batch_at, std::mem::take(&mut batch)));
                count += 1;
            }
        });
        if !batch.is_empty() {
            let _ = send.send((count, batch_at, batch));
        }
        drop(send);
        work();
        if let Ok(h) = helper
            && let Err(panic) = h.join()
        {
            // A bug in the parser: fail as loudly as on this thread.
            std::panic::resume_unwind(panic);
        }
        out
    });
    let mut pieces: Vec<(usize, ParsedPiece)> =
        results.into_inner().unwrap_or_else(|e| e.into_inner());
    pieces.sort_by_key(|(index, _)| *index);
    (
        expansion,
        diagnostics,
        pieces.into_iter().map(|(_, p)| p).collect(),
    )
}
