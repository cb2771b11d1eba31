//! Principal tokens: the token SystemTap names when it reports a construct, in an error
//! message (`identifier 'x' at t.stp:1:20`) or as a runtime error site.
//!
//! The AST keeps spans of whole constructs; the token is found by lexing the expanded
//! text at the right place: the start of the construct, or for an infix operator the
//! first token after its left operand.

use std::collections::HashMap;

use crate::diagnostic::{Diagnostic, Place, Severity};
use crate::lexer::{Token, TokenKind, token_at};
use crate::source::{SourceMap, Span};

/// Index of a token in a [`Tokens`] table.
pub type Tok = u32;

/// A token SystemTap would name.
#[derive(Clone, Debug)]
pub struct TokInfo {
    /// The token's own span.
    pub span: Span,
    /// `identifier 'x'`, `keyword`, `operator '+'`.
    pub describe: String,
    /// An identifier, keyword or operator's text (a string's content).
    pub text: String,
    /// `identifier 'x' at t.stp:1:20`: the error-site text.
    pub site: String,
}

/// The tokens named so far, each found once.
pub struct Tokens<'m> {
    map: &'m SourceMap,
    list: Vec<TokInfo>,
    by_start: HashMap<(u32, u32), Tok>,
}

impl<'m> Tokens<'m> {
    /// An empty table over the texts of `map`.
    pub fn new(map: &'m SourceMap) -> Tokens<'m> {
        Tokens {
            map,
            list: Vec::new(),
            by_start: HashMap::new(),
        }
    }

    /// The source map.
    pub fn map(&self) -> &'m SourceMap {
        self.map
    }

    /// The token with index `tok`.
    pub fn get(&self, tok: Tok) -> &TokInfo {
        &self.list[tok as usize]
    }

    fn text(&self, file: u32) -> &'m str {
        let id = crate::source::FileId(file);
        match self.map.expansion(id) {
            Some(e) => &e.text,
            None => &self.map.file(id).text,
        }
    }

    fn intern(&mut self, file: u32, token: Option<Token<'_>>, at: u32) -> Tok {
        let (start, end) = token
            .as_ref()
            .map_or((at, at), |t| (t.start as u32, t.end as u32));
        if let Some(&t) = self.by_start.get(&(file, start)) {
            return t;
        }
        let span = Span {
            file,
            lo: start,
            hi: end,
        };
        let (describe, text) = match &token {
            Some(t) => (t.describe(), t.text.to_string()),
            None => ("end of file".to_string(), String::new()),
        };
        let loc = self.map.location(span);
        let site = format!("{describe} at {}:{}:{}", loc.file, loc.line, loc.col);
        let tok = self.list.len() as Tok;
        self.list.push(TokInfo {
            span,
            describe,
            text,
            site,
        });
        self.by_start.insert((file, start), tok);
        tok
    }

    /// The token at the start of `span`, past any opening parentheses.
    pub fn at_start(&mut self, span: Span) -> Tok {
        let text = self.text(span.file);
        let mut pos = span.lo as usize;
        loop {
            let t = token_at(text, pos);
            match t {
                Some(t) if t.is_op("(") && t.end < span.hi as usize => pos = t.end,
                other => return self.intern(span.file, other, span.lo),
            }
        }
    }

    /// The first token after byte `pos` of `span`'s file that is not a closing
    /// parenthesis: the operator after a left operand that ends at `pos`.
    pub fn after(&mut self, span: Span, pos: u32) -> Tok {
        let text = self.text(span.file);
        let mut at = pos as usize;
        loop {
            let t = token_at(text, at);
            match t {
                Some(t) if t.is_op(")") => at = t.end,
                other => return self.intern(span.file, other, pos),
            }
        }
    }

    /// The first token at or after `pos` in `span`'s file whose text is `word`.
    pub fn find(&mut self, span: Span, pos: u32, word: &str) -> Tok {
        let text = self.text(span.file);
        let mut at = pos as usize;
        while at < span.hi as usize {
            match token_at(text, at) {
                Some(t) if t.text == word && t.kind != TokenKind::String => {
                    return self.intern(span.file, Some(t), pos);
                }
                Some(t) if t.end > at => at = t.end,
                _ => break,
            }
        }
        self.at_start(span)
    }

    /// A semantic error at `tok`.
    pub fn error(&self, message: impl Into<String>, tok: Tok) -> Diagnostic {
        let info = self.get(tok);
        Diagnostic {
            severity: Severity::SemanticError,
            message: message.into(),
            place: Some(Place::Span(info.span)),
            saw: Some(info.describe.clone()),
            notes: Vec::new(),
        }
    }
}

/// A diagnostic with the kind SystemTap suppresses repeats of: only the first error
/// of each kind is shown (SystemTap keys this on the place in its own source that
/// reports the error). A chained diagnostic (`type was first inferred here`) has an
/// empty kind and goes with the one before it.
#[derive(Clone, Debug)]
pub struct Reported {
    /// The kind; empty for a chained diagnostic.
    pub kind: String,
    /// The diagnostic.
    pub diagnostic: Diagnostic,
}

impl Reported {
    /// An error whose kind is its message's first two words.
    pub fn new(diagnostic: Diagnostic) -> Reported {
        let kind: Vec<&str> = diagnostic.message.split(' ').take(2).collect();
        Reported {
            kind: kind.join(" "),
            diagnostic,
        }
    }

    /// An error of kind `kind`.
    pub fn of_kind(kind: &str, diagnostic: Diagnostic) -> Reported {
        Reported {
            kind: kind.to_string(),
            diagnostic,
        }
    }

    /// A diagnostic chained to the one before.
    pub fn chained(diagnostic: Diagnostic) -> Reported {
        Reported {
            kind: String::new(),
            diagnostic,
        }
    }
}

/// The diagnostics of `reported` as SystemTap shows them: only the first error of each
/// kind, with its chained diagnostics.
pub fn first_of_each_kind(reported: Vec<Reported>) -> Vec<Diagnostic> {
    let mut seen = std::collections::HashSet::new();
    let mut keep = false;
    let mut out = Vec::new();
    for r in reported {
        if !r.kind.is_empty() {
            keep = seen.insert(r.kind);
        }
        if keep {
            out.push(r.diagnostic);
        }
    }
    out
}

/// A semantic error with no place.
pub fn error_nowhere(message: impl Into<String>) -> Diagnostic {
    Diagnostic {
        severity: Severity::SemanticError,
        message: message.into(),
        place: None,
        saw: None,
        notes: Vec::new(),
    }
}
