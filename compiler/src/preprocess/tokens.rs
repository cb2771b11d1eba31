//! The preprocessor's tokens: lexer tokens with their origin, and with script arguments
//! (`$1`, `@1`, `$#`, `@#`) already pasted in, as SystemTap's lexer does.

use std::borrow::Cow;

use crate::diagnostic::{Diagnostic, Place};
use crate::lexer::{Lexer, Token, TokenKind};
use crate::print::qstring;
use crate::source::{FileId, Origin, SourceMap};

/// A token on its way through the preprocessor; its text borrows from the source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PpToken<'a> {
    /// The kind.
    pub kind: TokenKind,
    /// The content (a string's without quotes).
    pub text: Cow<'a, str>,
    /// Where the token starts in its file (for a pasted argument: where `$N` stood).
    pub origin: Origin,
    /// Byte offset one past the token's end in its file.
    pub end: usize,
    /// Position among the file's tokens: neighbours keep the text between them.
    pub seq: u32,
    /// Text to emit instead of the file's, for tokens pasted from script arguments.
    pub synthetic: Option<String>,
    /// For a junk token: the error to report when the parser reaches it.
    pub junk_message: Option<String>,
}

impl PpToken<'_> {
    /// Whether the token is the operator `op`.
    pub fn is_op(&self, op: &str) -> bool {
        self.kind == TokenKind::Operator && self.text == op
    }

    /// How SystemTap describes the token in an error (`identifier 'x'`).
    pub fn describe(&self) -> String {
        Token {
            kind: self.kind,
            start: 0,
            end: 0,
            text: Cow::Borrowed(&self.text),
        }
        .describe()
    }

    /// The same token, owning its text (for macro libraries, which outlive the
    /// preprocessing of one file).
    pub fn into_owned(self) -> PpToken<'static> {
        PpToken {
            kind: self.kind,
            text: Cow::Owned(self.text.into_owned()),
            origin: self.origin,
            end: self.end,
            seq: self.seq,
            synthetic: self.synthetic,
            junk_message: self.junk_message,
        }
    }
}

/// The tokens of one file, cut as they are needed, with script arguments pasted where
/// the script names them. The first lexical error (an unterminated string, comment or
/// embedded code) ends the stream and is kept for [`TokenStream::take_error`].
pub struct TokenStream<'a> {
    lexer: Lexer<'a>,
    file: FileId,
    args: &'a [String],
    seq: u32,
    pending: std::collections::VecDeque<PpToken<'a>>,
    error: Option<Diagnostic>,
}

impl<'a> TokenStream<'a> {
    /// The tokens of file `file` of `map`, with `args` as `$1`, `@1`, ...
    pub fn new(map: &'a SourceMap, file: FileId, args: &'a [String]) -> TokenStream<'a> {
        TokenStream {
            lexer: Lexer::new(&map.file(file).text),
            file,
            args,
            seq: 0,
            pending: std::collections::VecDeque::new(),
            error: None,
        }
    }

    /// The lexical error that ended the stream, if one did.
    pub fn take_error(&mut self) -> Option<Diagnostic> {
        self.error.take()
    }
}

impl<'a> Iterator for TokenStream<'a> {
    type Item = PpToken<'a>;

    fn next(&mut self) -> Option<PpToken<'a>> {
        if let Some(t) = self.pending.pop_front() {
            return Some(t);
        }
        let tok = match self.lexer.next_token()? {
            Ok(t) => t,
            Err(e) => {
                let origin = Origin {
                    file: self.file,
                    offset: e.start,
                };
                self.error = Some(Diagnostic::parse_error(e.message, Place::Origin(origin)));
                // Nothing after an unterminated construct is read.
                self.lexer = Lexer::at("", 0);
                return None;
            }
        };
        self.seq += 1;
        let origin = Origin {
            file: self.file,
            offset: tok.start,
        };
        if tok.kind == TokenKind::Operator && tok.text.len() > 1 {
            let sigil = tok.text.as_bytes()[0];
            let rest = &tok.text[1..];
            if (sigil == b'$' || sigil == b'@')
                && (rest == "#" || rest.as_bytes()[0].is_ascii_digit())
            {
                let mut pasted = Vec::new();
                paste_argument(
                    &tok,
                    sigil == b'$',
                    rest,
                    self.args,
                    origin,
                    self.seq,
                    &mut pasted,
                );
                self.pending.extend(pasted);
                return self.next();
            }
        }
        Some(PpToken {
            kind: tok.kind,
            text: tok.text,
            origin,
            end: tok.end,
            seq: self.seq,
            synthetic: None,
            junk_message: None,
        })
    }
}

/// Pastes argument `which` (`#` or a number) of `args` at `tok`: raw tokens for `$`,
/// a string literal for `@`.
fn paste_argument(
    tok: &Token<'_>,
    raw: bool,
    which: &str,
    args: &[String],
    origin: Origin,
    seq: u32,
    out: &mut Vec<PpToken<'_>>,
) {
    let value = if which == "#" {
        Some(args.len().to_string())
    } else {
        which
            .parse::<usize>()
            .ok()
            .filter(|&i| i >= 1 && i <= args.len())
            .map(|i| args[i - 1].clone())
    };
    let Some(value) = value else {
        out.push(PpToken {
            kind: TokenKind::Junk,
            text: Cow::Borrowed(""),
            origin,
            end: tok.end,
            seq,
            synthetic: Some(String::new()),
            junk_message: Some(format!(
                "command line argument out of range [1-{}]",
                args.len()
            )),
        });
        return;
    };
    if !raw {
        // `@N` is the argument quoted as a string literal, then read back by the lexer.
        let quoted = qstring(&value);
        let content = match Lexer::new(&quoted).next_token() {
            Some(Ok(t)) => t.text.into_owned(),
            _ => value,
        };
        out.push(PpToken {
            kind: TokenKind::String,
            synthetic: Some(quoted),
            text: Cow::Owned(content),
            origin,
            end: tok.end,
            seq,
            junk_message: None,
        });
        return;
    }
    let mut lexer = Lexer::new(&value);
    while let Some(Ok(t)) = lexer.next_token() {
        out.push(PpToken {
            kind: t.kind,
            synthetic: Some(value[t.start..t.end].to_string()),
            text: Cow::Owned(t.text.into_owned()),
            origin,
            end: tok.end,
            seq,
            junk_message: None,
        });
    }
}
