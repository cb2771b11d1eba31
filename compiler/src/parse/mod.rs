//! Pass 1b: the parser. Reads preprocessed text with the pest grammar
//! (`grammar/stap.pest`) and lowers it into the [`crate::ast`].
//!
//! Declarations are read one at a time, so that an error in one does not hide errors in
//! the next: after an error the parser skips to the next `probe`, `global`, `private`,
//! `function` or `%{`, as SystemTap does. `Pair<Rule>` never leaves this module.

mod expr;
mod grammar;
mod lower;
mod syntax_error;

use std::collections::HashMap;

use pest::Parser;

use crate::ast::{Item, Script};
use crate::diagnostic::{Diagnostic, Place};
use crate::lexer::{Lexer, TokenKind};
use crate::source::{Expansion, FileId, Span};
use grammar::{Rule, StapParser};

pub(crate) use lower::parse_number;

/// Held while pest's (global) error-detail switch is on.
static ERROR_DETAIL: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Texts at least this long are parsed on several threads.
const PARALLEL_MIN_BYTES: usize = 128 * 1024;

/// Stack of each parsing thread: the parser recurses over nested constructs (see
/// `preprocess::MAX_NESTING`).
const PARSER_STACK_BYTES: usize = 1 << 30;

/// Parses the expansion of file `file` into a script named `name`; `privileged` (guru
/// mode) accepts embedded C and kernel-only operators, as SystemTap's `-g` does.
///
/// Returns the declarations that parsed, and a diagnostic for each one that did not.
/// The pieces of text between top-level keywords are independent, so a large file is
/// split there and its pieces are parsed on several threads; the result is the same
/// as a sequential parse, in the same order, whatever the number of threads.
pub fn parse_expansion(
    file: FileId,
    name: &str,
    expansion: &Expansion,
    privileged: bool,
) -> (Script, Vec<Diagnostic>) {
    let text = expansion.text.as_str();
    let mut bounds: Vec<usize> = Vec::with_capacity(expansion.declaration_starts.len() + 2);
    bounds.push(0);
    bounds.extend(
        expansion
            .declaration_starts
            .iter()
            .copied()
            .filter(|&b| b > 0),
    );
    bounds.push(text.len());
    let threads = if text.len() >= PARALLEL_MIN_BYTES {
        std::thread::available_parallelism().map_or(1, |n| n.get().min(8))
    } else {
        1
    };
    // Contiguous groups of pieces of about equal size, one per thread.
    let mut groups: Vec<(usize, usize)> = Vec::new();
    let mut first = 0;
    for i in 1..bounds.len() {
        let target = text.len() * (groups.len() + 1) / threads;
        if bounds[i] >= target || i + 1 == bounds.len() {
            groups.push((bounds[first], bounds[i]));
            first = i;
        }
    }
    let results: Vec<(Vec<Item>, Vec<Diagnostic>)> = match groups.as_slice() {
        [] => Vec::new(),
        [(a, b)] => vec![parse_range(file, privileged, text, *a, *b)],
        [(a, b), rest @ ..] => std::thread::scope(|scope| {
            let handles: Vec<_> = rest
                .iter()
                .map(|&(a, b)| {
                    std::thread::Builder::new()
                        .stack_size(PARSER_STACK_BYTES)
                        .spawn_scoped(scope, move || parse_range(file, privileged, text, a, b))
                })
                .collect();
            let mut results = vec![parse_range(file, privileged, text, *a, *b)];
            for (h, &(a, b)) in handles.into_iter().zip(rest) {
                // A thread that cannot be started, or fails, is replaced by a sequential
                // parse of its range here.
                let r = h.ok().and_then(|h| h.join().ok());
                results.push(r.unwrap_or_else(|| parse_range(file, privileged, text, a, b)));
            }
            results
        }),
    };
    let mut script = Script {
        name: name.to_string(),
        items: Vec::new(),
    };
    let mut diagnostics = Vec::new();
    for (items, diags) in results {
        script.items.extend(items);
        diagnostics.extend(diags);
    }
    diagnostics.extend(duplicate_globals(&script, text));
    // In reading order, as SystemTap reports them.
    diagnostics.sort_by_key(|d| match d.place {
        Some(Place::Span(s)) => s.lo,
        _ => u32::MAX,
    });
    (script, diagnostics)
}

/// SystemTap's checks across global declarations of one file: a name declared twice,
/// or declared both private and not.
fn duplicate_globals(script: &Script, text: &str) -> Vec<Diagnostic> {
    let mut seen: HashMap<&str, bool> = HashMap::new();
    let mut out = Vec::new();
    for item in &script.items {
        let Item::Global(g) = item else { continue };
        let message = match seen.insert(&g.name.name, g.private) {
            None => continue,
            Some(private) if private == g.private => "duplicate global name",
            Some(_) => "global versus private variable declaration conflict",
        };
        out.push(with_saw(*error(g.name.span, message), text));
    }
    out
}

/// Parses the declarations in `text[start..end]` (positions stay absolute).
fn parse_range(
    file: FileId,
    privileged: bool,
    text: &str,
    start: usize,
    end: usize,
) -> (Vec<Item>, Vec<Diagnostic>) {
    let mut items = Vec::new();
    let mut diagnostics = Vec::new();
    let bounded = &text[..end];
    let mut pos = start;
    loop {
        pos += skip_trivia(&bounded[pos..]);
        if pos >= end {
            break;
        }
        match StapParser::parse(Rule::declaration, &bounded[pos..]) {
            Ok(mut pairs) => {
                let decl = pairs.next().expect("a successful parse yields its rule");
                let decl_end = pos + decl.as_span().end();
                let mut lowering = lower::Lowering::new(file, privileged, text, pos);
                match lowering.declaration(decl) {
                    Ok(found) => items.extend(found),
                    Err(d) => diagnostics.push(with_saw(*d, text)),
                }
                pos = decl_end;
            }
            Err(e) => {
                // Parse again with pest's error detail on, which also records the
                // literal tokens it expected; only failing declarations pay for it. The
                // switch is global, so parsing threads take turns with it.
                let detailed = {
                    let _turn = ERROR_DETAIL.lock().unwrap_or_else(|e| e.into_inner());
                    pest::set_error_detail(true);
                    let d = StapParser::parse(Rule::declaration, &bounded[pos..]).err();
                    pest::set_error_detail(false);
                    d
                };
                let (err_pos, message) = syntax_error::describe(&e, detailed.as_ref());
                let err_pos = (pos + err_pos).min(end);
                diagnostics.push(syntax_error::diagnostic(file, text, err_pos, message));
                pos = recovery_point(bounded, pos, err_pos);
            }
        }
    }
    (items, diagnostics)
}

/// The length of the blanks and comments at the start of `text`.
fn skip_trivia(text: &str) -> usize {
    StapParser::parse(Rule::trivia, text)
        .ok()
        .and_then(|mut p| p.next())
        .map_or(0, |p| p.as_span().end())
}

/// Where to resume after an error at `err_pos` in a declaration starting at `start`: the
/// next token that can begin a declaration, never `start` itself.
fn recovery_point(text: &str, start: usize, err_pos: usize) -> usize {
    let mut lexer = Lexer::at(text, err_pos.max(start));
    while let Some(tok) = lexer.next_token() {
        let Ok(tok) = tok else { continue };
        if tok.start <= start {
            continue;
        }
        let starts_declaration = tok.kind == TokenKind::Embedded
            || (tok.kind == TokenKind::Keyword
                && matches!(
                    tok.text.as_ref(),
                    "probe" | "global" | "private" | "function"
                ));
        if starts_declaration {
            return tok.start;
        }
    }
    text.len()
}

/// Adds what was found at the place to a lowering error, as SystemTap's errors show it.
fn with_saw(d: Diagnostic, text: &str) -> Diagnostic {
    match (d.place, &d.saw) {
        (Some(Place::Span(span)), None) => match crate::lexer::token_at(text, span.lo as usize) {
            Some(t) => d.with_saw(t.describe()),
            None => d,
        },
        _ => d,
    }
}

/// A parse error at `span`.
fn error(span: Span, message: impl Into<String>) -> Box<Diagnostic> {
    Box::new(Diagnostic::parse_error(message, Place::Span(span)))
}
