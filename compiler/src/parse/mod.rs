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

use pest::Parser;

use crate::ast::Script;
use crate::diagnostic::{Diagnostic, Place};
use crate::lexer::{Lexer, TokenKind};
use crate::source::{FileId, Span};
use grammar::{Rule, StapParser};

pub(crate) use lower::parse_number;

/// Parses the expanded text `text` of file `file` into a script named `name`.
///
/// Returns the declarations that parsed, and a diagnostic for each one that did not.
pub fn parse_text(file: FileId, name: &str, text: &str) -> (Script, Vec<Diagnostic>) {
    let mut script = Script {
        name: name.to_string(),
        items: Vec::new(),
    };
    let mut diagnostics = Vec::new();
    let mut pos = 0;
    loop {
        pos += skip_trivia(&text[pos..]);
        if pos >= text.len() {
            break;
        }
        match StapParser::parse(Rule::declaration, &text[pos..]) {
            Ok(mut pairs) => {
                let decl = pairs.next().expect("a successful parse yields its rule");
                let end = pos + decl.as_span().end();
                let mut lowering = lower::Lowering::new(file, text, pos);
                match lowering.declaration(decl) {
                    Ok(items) => script.items.extend(items),
                    Err(d) => diagnostics.push(with_saw(*d, text)),
                }
                pos = end;
            }
            Err(e) => {
                // Parse again with pest's error detail on, which also records the
                // literal tokens it expected; only failing declarations pay for it.
                pest::set_error_detail(true);
                let detailed = StapParser::parse(Rule::declaration, &text[pos..]).err();
                pest::set_error_detail(false);
                let (err_pos, message) = syntax_error::describe(&e, detailed.as_ref());
                let err_pos = (pos + err_pos).min(text.len());
                diagnostics.push(syntax_error::diagnostic(file, text, err_pos, message));
                pos = recovery_point(text, pos, err_pos);
            }
        }
    }
    (script, diagnostics)
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
