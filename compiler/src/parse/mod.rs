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
use crate::source::{FileId, Span};
use grammar::{Rule, StapParser};

pub(crate) use lower::parse_number;

/// Held while pest's (global) error-detail switch is on.
static ERROR_DETAIL: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Parses one piece of expanded text of file `file`: the declarations between two
/// sure declaration starts (see `preprocess::preprocess_in_pieces`), which can be parsed
/// independently of the rest. `origin` is the piece's offset in the whole expanded
/// text: spans and diagnostics come out in whole-text positions. `privileged` (guru
/// mode) accepts embedded C and kernel-only operators, as SystemTap's `-g` does.
pub fn parse_piece(
    file: FileId,
    privileged: bool,
    text: &str,
    origin: usize,
) -> (Vec<Item>, Vec<Diagnostic>) {
    parse_range(file, privileged, text, origin)
}

/// Puts the parsed pieces of one file together: declarations in order, checks across
/// declarations, and the diagnostics in reading order, as SystemTap reports them.
/// `text` is the whole expanded text.
pub fn assemble(
    name: &str,
    text: &str,
    pieces: Vec<(Vec<Item>, Vec<Diagnostic>)>,
) -> (Script, Vec<Diagnostic>) {
    let mut script = Script {
        name: name.to_string(),
        items: Vec::new(),
    };
    let mut diagnostics = Vec::new();
    for (items, diags) in pieces {
        script.items.extend(items);
        diagnostics.extend(diags);
    }
    diagnostics.extend(duplicate_globals(&script, text));
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
        out.push(with_saw(*error(g.name.span, message), text, 0));
    }
    out
}

/// Parses the declarations in `text`, which starts at offset `origin` of the whole
/// expanded text.
fn parse_range(
    file: FileId,
    privileged: bool,
    text: &str,
    origin: usize,
) -> (Vec<Item>, Vec<Diagnostic>) {
    let mut items = Vec::new();
    let mut diagnostics = Vec::new();
    let end = text.len();
    let mut pos = 0;
    loop {
        pos += skip_trivia(&text[pos..]);
        if pos >= end {
            break;
        }
        match StapParser::parse(Rule::declaration, &text[pos..]) {
            Ok(mut pairs) => {
                let decl = pairs.next().expect("a successful parse yields its rule");
                let decl_end = pos + decl.as_span().end();
                let mut lowering = lower::Lowering::new(file, privileged, text, origin, pos);
                match lowering.declaration(decl) {
                    Ok(found) => items.extend(found),
                    Err(d) => diagnostics.push(with_saw(*d, text, origin)),
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
                    let d = StapParser::parse(Rule::declaration, &text[pos..]).err();
                    pest::set_error_detail(false);
                    d
                };
                let (err_pos, message) = syntax_error::describe(&e, detailed.as_ref());
                let err_pos = (pos + err_pos).min(end);
                diagnostics.push(syntax_error::diagnostic(
                    file, text, origin, err_pos, message,
                ));
                pos = recovery_point(text, pos, err_pos);
            }
        }
    }
    (items, diagnostics)
}

/// The length of the blanks at the start of `text` (the preprocessor has removed the
/// comments and left single blanks between tokens, as the grammar's `WHITESPACE`).
fn skip_trivia(text: &str) -> usize {
    text.bytes().take_while(|&b| b == b' ').count()
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
/// `text` starts at offset `origin` of the whole expanded text.
fn with_saw(d: Diagnostic, text: &str, origin: usize) -> Diagnostic {
    match (d.place, &d.saw) {
        (Some(Place::Span(span)), None) => {
            match crate::lexer::token_at(text, (span.lo as usize).saturating_sub(origin)) {
                Some(t) => d.with_saw(t.describe()),
                None => d,
            }
        }
        _ => d,
    }
}

/// A parse error at `span`.
fn error(span: Span, message: impl Into<String>) -> Box<Diagnostic> {
    Box::new(Diagnostic::parse_error(message, Place::Span(span)))
}
