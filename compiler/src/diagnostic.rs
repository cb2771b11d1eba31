//! Diagnostics as plain data, rendered only at the edge.
//!
//! A pass never prints: it returns what it found as [`Diagnostic`]s, and the binary renders
//! them with [`Diagnostic::render`] in SystemTap's layout:
//!
//! ```text
//! parse error: expected ';' or '}'
//!         saw: identifier 'foo' at script.stp:3:5
//!      source:     foo bar
//!                  ^
//! ```

use crate::source::{Location, Origin, SourceMap, Span};

/// How bad a diagnostic is, and which pass found it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Severity {
    /// A syntax error (pass 1): shown as `parse error:`.
    ParseError,
    /// A resolution or type error (pass 2): shown as `semantic error:`.
    SemanticError,
    /// A warning: shown as `WARNING:`; it does not stop compilation.
    Warning,
}

impl Severity {
    /// The prefix SystemTap prints for this severity.
    pub fn label(self) -> &'static str {
        match self {
            Severity::ParseError => "parse error",
            Severity::SemanticError => "semantic error",
            Severity::Warning => "WARNING",
        }
    }

    /// Whether this severity stops compilation.
    pub fn is_error(self) -> bool {
        !matches!(self, Severity::Warning)
    }
}

/// Where a diagnostic points: an AST span or an original-source position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// A span of expanded text.
    Span(Span),
    /// A byte in an original file (used by the preprocessor, before expansion exists).
    Origin(Origin),
}

/// One problem found in a script.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Kind and weight.
    pub severity: Severity,
    /// What is wrong, in one sentence without a trailing period.
    pub message: String,
    /// The place, if the problem has one.
    pub place: Option<Place>,
    /// What was found there (`identifier 'foo'`), shown on the `saw:` line.
    pub saw: Option<String>,
    /// Further lines: what to do, or where a macro was expanded.
    pub notes: Vec<String>,
}

impl Diagnostic {
    /// A parse error at `place`.
    pub fn parse_error(message: impl Into<String>, place: Place) -> Diagnostic {
        Diagnostic {
            severity: Severity::ParseError,
            message: message.into(),
            place: Some(place),
            saw: None,
            notes: Vec::new(),
        }
    }

    /// Sets what was found at the place.
    pub fn with_saw(mut self, saw: impl Into<String>) -> Diagnostic {
        self.saw = Some(saw.into());
        self
    }

    /// Adds a note line.
    pub fn with_note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    /// The resolved location of the diagnostic, if it has a place.
    pub fn location(&self, map: &SourceMap) -> Option<Location> {
        self.place.map(|p| match p {
            Place::Span(s) => map.location(s),
            Place::Origin(o) => map.location_of(o),
        })
    }

    /// Renders the diagnostic as SystemTap does, ending with a blank line.
    pub fn render(&self, map: &SourceMap) -> String {
        self.render_after(map, None)
    }

    /// Renders the diagnostic as SystemTap does after one that pointed into file
    /// `previous_file`: SystemTap leaves out the file name of a semantic error's place
    /// when it is the file of the place it named before (`identifier 'x' at :1:15`).
    ///
    /// A semantic error with an empty message is the bare place SystemTap chains to
    /// the error before it (the function an arity mismatch is about).
    pub fn render_after(&self, map: &SourceMap, previous_file: Option<&str>) -> String {
        if self.severity == Severity::SemanticError {
            return self.render_semantic(map, previous_file);
        }
        let mut out = format!("{}: {}\n", self.severity.label(), self.message);
        if let Some(loc) = self.location(map) {
            let at = format!("{}:{}:{}", loc.file, loc.line, loc.col);
            match &self.saw {
                Some(saw) => out.push_str(&format!("        saw: {saw} at {at}\n")),
                None => out.push_str(&format!("         at: {at}\n")),
            }
            let line = loc.line_text.replace('\t', " ");
            out.push_str(&format!("     source: {line}\n"));
            let caret_col: usize = loc.line_text.chars().take(loc.col - 1).count();
            out.push_str(&format!("             {}^\n", " ".repeat(caret_col)));
        }
        for note in &self.notes {
            out.push_str(&format!("       note: {note}\n"));
        }
        out.push('\n');
        out
    }
}

impl Diagnostic {
    /// SystemTap's layout for semantic errors:
    ///
    /// ```text
    /// semantic error: type mismatch (string): identifier 'x' at t.stp:1:22
    ///         source: probe begin { x = 1; x = "a" }
    ///                              ^
    /// ```
    fn render_semantic(&self, map: &SourceMap, previous_file: Option<&str>) -> String {
        let mut out = String::new();
        let Some(loc) = self.location(map) else {
            return format!("{}: {}\n\n", self.severity.label(), self.message);
        };
        if !self.message.is_empty() {
            out.push_str(&format!("{}: {}: ", self.severity.label(), self.message));
        }
        let file = if previous_file == Some(loc.file.as_str()) {
            ""
        } else {
            loc.file.as_str()
        };
        let saw = self.saw.as_deref().unwrap_or("");
        out.push_str(&format!("{saw} at {file}:{}:{}\n", loc.line, loc.col));
        let line = loc.line_text.replace('\t', " ");
        out.push_str(&format!("        source: {line}\n"));
        let caret_col: usize = loc.line_text.chars().take(loc.col - 1).count();
        out.push_str(&format!("                {}^\n", " ".repeat(caret_col)));
        for note in &self.notes {
            out.push_str(&format!("       note: {note}\n"));
        }
        out.push('\n');
        out
    }
}

/// Renders a pass's diagnostics and its closing summary (`2 parse errors.`; SystemTap
/// counts parse errors only).
pub fn render_all(diagnostics: &[Diagnostic], map: &SourceMap) -> String {
    let mut out = String::new();
    let mut previous_file: Option<String> = None;
    for d in diagnostics {
        if d.severity == Severity::SemanticError && d.message.is_empty() && out.ends_with("\n\n") {
            // A chained place continues the error before it.
            out.pop();
        }
        out.push_str(&d.render_after(map, previous_file.as_deref()));
        if let Some(loc) = d.location(map) {
            previous_file = Some(loc.file);
        }
    }
    let label = Severity::ParseError.label();
    match diagnostics
        .iter()
        .filter(|d| d.severity == Severity::ParseError)
        .count()
    {
        0 => {}
        1 => out.push_str(&format!("1 {label}.\n")),
        n => out.push_str(&format!("{n} {label}s.\n")),
    }
    out
}
