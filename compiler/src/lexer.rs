//! SystemTap's tokens, as its lexer cuts them.
//!
//! The preprocessor works on these tokens (conditionals and macros are token-level in
//! SystemTap), and diagnostics use them to say what was found at an error (`saw:
//! identifier 'foo'`). The parser proper reads text with the pest grammar.

use std::borrow::Cow;

/// The kind of a token, named as SystemTap names them in messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// A name (`$` and `@` names included, `@`-names being operators in SystemTap).
    Identifier,
    /// A reserved word.
    Keyword,
    /// Punctuation, including the preprocessor's `%(`, `%?`, `%:`, `%)` and `@name`.
    Operator,
    /// A double-quoted string; `text` holds its content (escapes as SystemTap keeps them).
    String,
    /// A run of digits and letters starting with a digit.
    Number,
    /// `%{ ... %}`.
    Embedded,
    /// Anything else.
    Junk,
}

impl TokenKind {
    /// The name SystemTap uses in messages.
    pub fn describe(self) -> &'static str {
        match self {
            TokenKind::Identifier => "identifier",
            TokenKind::Keyword => "keyword",
            TokenKind::Operator => "operator",
            TokenKind::String => "string",
            TokenKind::Number => "number",
            TokenKind::Embedded => "embedded-code",
            TokenKind::Junk => "junk",
        }
    }
}

/// The reserved words of the language.
pub const KEYWORDS: &[&str] = &[
    "probe", "global", "private", "function", "if", "else", "for", "foreach", "in", "limit",
    "return", "delete", "while", "break", "continue", "next", "string", "long", "try", "catch",
];

/// A token: its kind, its place in the text and its content (borrowed from the text
/// unless a string's escapes made it differ).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token<'a> {
    /// The kind.
    pub kind: TokenKind,
    /// Byte offset of the first character.
    pub start: usize,
    /// Byte offset one past the last character.
    pub end: usize,
    /// The content: the text as written, or a string's content without quotes.
    pub text: Cow<'a, str>,
}

impl Token<'_> {
    /// Whether the token is the operator `op`.
    pub fn is_op(&self, op: &str) -> bool {
        self.kind == TokenKind::Operator && self.text == op
    }

    /// `identifier 'foo'`, `keyword`, `operator '}'`: how SystemTap describes a token.
    pub fn describe(&self) -> String {
        match self.kind {
            TokenKind::Keyword | TokenKind::Embedded => self.kind.describe().to_string(),
            TokenKind::Junk if !self.text.chars().all(|c| c.is_ascii_graphic()) => {
                format!("junk '\\x{:02x}'", self.text.as_bytes()[0])
            }
            _ => {
                let shown: String = self
                    .text
                    .chars()
                    .map(|c| if c.is_control() { '?' } else { c })
                    .collect();
                format!("{} '{}'", self.kind.describe(), shown)
            }
        }
    }
}

/// A problem the lexer found: unterminated strings, comments and embedded code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LexError {
    /// Where the unterminated construct starts.
    pub start: usize,
    /// What is wrong.
    pub message: &'static str,
}

const THREE_CHAR_OPS: &[&str] = &["<<<", "<<=", ">>="];
const TWO_CHAR_OPS: &[&str] = &[
    "==", "!=", "<=", ">=", "+=", "-=", "*=", "/=", "%=", "&=", "^=", "|=", ".=", "&&", "||", "++",
    "--", "->", "<<", ">>", "=~", "!~", "%(", "%?", "%:", "%)",
];

/// Cuts `text` into tokens from byte `pos` on.
pub struct Lexer<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Lexer<'a> {
    /// A lexer over `text`, starting at its beginning.
    pub fn new(text: &'a str) -> Lexer<'a> {
        Lexer { text, pos: 0 }
    }

    /// A lexer over `text`, starting at byte `pos`.
    pub fn at(text: &'a str, pos: usize) -> Lexer<'a> {
        Lexer { text, pos }
    }

    fn peek_byte(&self, ahead: usize) -> Option<u8> {
        self.text.as_bytes().get(self.pos + ahead).copied()
    }

    /// Skips blanks and comments; reports an unterminated `/*`.
    fn skip_trivia(&mut self) -> Result<(), LexError> {
        let bytes = self.text.as_bytes();
        loop {
            match bytes.get(self.pos) {
                Some(b) if b.is_ascii_whitespace() || *b == 0x0b => self.pos += 1,
                // `$#` and `@#` never reach here: `next_token` reads them as tokens.
                Some(b'#') => self.skip_line(),
                Some(b'/') if self.peek_byte(1) == Some(b'/') => self.skip_line(),
                Some(b'/') if self.peek_byte(1) == Some(b'*') => {
                    let start = self.pos;
                    match self.text[self.pos + 2..].find("*/") {
                        Some(i) => self.pos += 2 + i + 2,
                        None => {
                            self.pos = self.text.len();
                            return Err(LexError {
                                start,
                                message: "unterminated comment: '/*' without '*/'",
                            });
                        }
                    }
                }
                _ => return Ok(()),
            }
        }
    }

    fn skip_line(&mut self) {
        self.pos = self.text[self.pos..]
            .find('\n')
            .map_or(self.text.len(), |i| self.pos + i);
    }

    /// The next token, `None` at the end of the text.
    pub fn next_token(&mut self) -> Option<Result<Token<'a>, LexError>> {
        if let Err(e) = self.skip_trivia() {
            return Some(Err(e));
        }
        let start = self.pos;
        let rest = &self.text[start..];
        let c = rest.chars().next()?;
        let bytes = rest.as_bytes();
        let tok = |kind, end: usize, text: &'a str| Token {
            kind,
            start,
            end,
            text: Cow::Borrowed(text),
        };
        // `$#`, `@#`, `$1`, `@1`: script arguments, read whole.
        if (c == '$' || c == '@')
            && bytes.len() > 1
            && (bytes[1] == b'#' || bytes[1].is_ascii_digit())
        {
            let len = if bytes[1] == b'#' {
                2
            } else {
                1 + bytes[1..].iter().take_while(|b| b.is_ascii_digit()).count()
            };
            self.pos += len;
            return Some(Ok(tok(TokenKind::Operator, self.pos, &rest[..len])));
        }
        if c.is_ascii_alphabetic() || c == '_' || c == '$' || c == '@' {
            let len = 1 + bytes[1..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_' || **b == b'$')
                .count();
            self.pos += len;
            let word = &rest[..len];
            let kind = if KEYWORDS.contains(&word) {
                TokenKind::Keyword
            } else if c == '@' {
                TokenKind::Operator
            } else {
                TokenKind::Identifier
            };
            return Some(Ok(tok(kind, self.pos, word)));
        }
        if c.is_ascii_digit() {
            let len = 1 + bytes[1..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric())
                .count();
            self.pos += len;
            return Some(Ok(tok(TokenKind::Number, self.pos, &rest[..len])));
        }
        if c == '"' {
            return Some(self.string(start));
        }
        if let Some(code) = rest.strip_prefix("%{") {
            return Some(match code.find("%}") {
                Some(i) => {
                    self.pos += 2 + i + 2;
                    Ok(tok(TokenKind::Embedded, self.pos, &code[..i]))
                }
                None => {
                    self.pos = self.text.len();
                    Err(LexError {
                        start,
                        message: "could not find matching '%}' to close embedded code block",
                    })
                }
            });
        }
        if c.is_ascii_punctuation() {
            let len = if THREE_CHAR_OPS.iter().any(|op| rest.starts_with(op)) {
                3
            } else if TWO_CHAR_OPS.iter().any(|op| rest.starts_with(op)) {
                2
            } else {
                1
            };
            self.pos += len;
            return Some(Ok(tok(TokenKind::Operator, self.pos, &rest[..len])));
        }
        self.pos += c.len_utf8();
        Some(Ok(tok(TokenKind::Junk, self.pos, &rest[..c.len_utf8()])))
    }

    /// Reads a string literal, keeping escapes as SystemTap does: `\"` becomes `"`, a
    /// backslash before any other character SystemTap does not know is dropped, and the
    /// escapes C knows stay as written for the translator to decode.
    fn string(&mut self, start: usize) -> Result<Token<'a>, LexError> {
        let body = &self.text[start + 1..];
        // Most strings have no escapes: their content is a slice of the text.
        if let Some(i) = body.find(['"', '\\', '\n'])
            && body.as_bytes()[i] == b'"'
        {
            self.pos = start + 1 + i + 1;
            return Ok(Token {
                kind: TokenKind::String,
                start,
                end: self.pos,
                text: Cow::Borrowed(&body[..i]),
            });
        }
        let mut content = String::new();
        let mut chars = body.char_indices();
        loop {
            let Some((i, ch)) = chars.next() else {
                self.pos = self.text.len();
                return Err(LexError {
                    start,
                    message: "could not find matching closing quote",
                });
            };
            match ch {
                '\n' => {
                    self.pos = start + 1 + i;
                    return Err(LexError {
                        start,
                        message: "could not find matching closing quote",
                    });
                }
                '"' => {
                    self.pos = start + 1 + i + 1;
                    return Ok(Token {
                        kind: TokenKind::String,
                        start,
                        end: self.pos,
                        text: Cow::Owned(content),
                    });
                }
                '\\' => {
                    if let Some((_, e)) = chars.next() {
                        push_escape(&mut content, e);
                    }
                }
                _ => content.push(ch),
            }
        }
    }
}

/// Appends the escape `\e` to a string's content as SystemTap's lexer keeps it: the
/// escapes C knows stay as written (the translator decodes them), any other backslash is
/// dropped, so `\"` is stored as `"`.
pub fn push_escape(content: &mut String, e: char) {
    if matches!(e, 'a' | 'b' | 't' | 'n' | 'v' | 'f' | 'r' | 'x' | '\\') || e.is_digit(8) {
        content.push('\\');
    }
    content.push(e);
}

/// The token at byte `pos` of `text`, for error messages (`None` at the end).
pub fn token_at(text: &str, pos: usize) -> Option<Token<'_>> {
    let pos = pos.min(text.len());
    let mut lexer = Lexer::at(text, pos);
    match lexer.next_token()? {
        Ok(t) => Some(t),
        Err(e) => Some(Token {
            kind: TokenKind::Junk,
            start: e.start,
            end: e.start + 1,
            text: Cow::Borrowed(
                text[e.start..]
                    .chars()
                    .next()
                    .map_or("", |c| &text[e.start..e.start + c.len_utf8()]),
            ),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(TokenKind, String)> {
        let mut l = Lexer::new(text);
        let mut out = Vec::new();
        while let Some(t) = l.next_token() {
            let t = t.unwrap();
            out.push((t.kind, t.text.into_owned()));
        }
        out
    }

    #[test]
    fn operators_take_the_longest_match() {
        let k = kinds("a <<< b <<= c << d %( %? $# @1");
        let ops: Vec<_> = k
            .iter()
            .filter(|(k, _)| *k == TokenKind::Operator)
            .map(|(_, t)| t.as_str())
            .collect();
        assert_eq!(ops, ["<<<", "<<=", "<<", "%(", "%?", "$#", "@1"]);
    }

    #[test]
    fn strings_keep_c_escapes_and_drop_backslash_quote() {
        let k = kinds(r#""a\"b\n\q""#);
        assert_eq!(k, [(TokenKind::String, r#"a"b\nq"#.to_string())]);
    }

    #[test]
    fn unterminated_constructs_are_errors() {
        for text in ["\"abc", "/* abc", "%{ abc", "\"ab\ncd\""] {
            let mut l = Lexer::new(text);
            let mut saw_error = false;
            while let Some(t) = l.next_token() {
                saw_error |= t.is_err();
            }
            assert!(saw_error, "{text}");
        }
    }

    #[test]
    fn keywords_and_at_words() {
        let k = kinds("probe @count $x foo");
        assert_eq!(k[0].0, TokenKind::Keyword);
        assert_eq!(k[1], (TokenKind::Operator, "@count".into()));
        assert_eq!(k[2], (TokenKind::Identifier, "$x".into()));
    }
}
