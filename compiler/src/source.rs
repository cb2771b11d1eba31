//! Source files, spans and the map from preprocessed text back to the original source.
//!
//! The preprocessor turns each input file into one *expanded* buffer: conditionals are
//! resolved, macros and script arguments substituted. The parser sees only that buffer, so
//! every AST span is an offset range in it. An [`Expansion`] keeps, for each piece of the
//! buffer, where its text came from, so diagnostics always point at what the user wrote.

use std::sync::Arc;

/// Identifies one file held by a [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// A byte range in the expanded text of one file (see [`Expansion`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// The file whose expanded text the range is in.
    pub file: u32,
    /// First byte of the range.
    pub lo: u32,
    /// One past the last byte of the range.
    pub hi: u32,
}

impl Span {
    /// A span over `lo..hi` of the expanded text of `file`.
    pub fn new(file: FileId, lo: usize, hi: usize) -> Span {
        Span {
            file: file.0,
            lo: lo as u32,
            hi: hi as u32,
        }
    }

    /// The file the span belongs to.
    pub fn file_id(self) -> FileId {
        FileId(self.file)
    }

    /// The smallest span covering both `self` and `other` (same file).
    pub fn to(self, other: Span) -> Span {
        Span {
            file: self.file,
            lo: self.lo.min(other.lo),
            hi: self.hi.max(other.hi),
        }
    }
}

/// One source file as read from disk (or given with `-e`, or typed at the REPL).
#[derive(Debug)]
pub struct SourceFile {
    /// The name shown in diagnostics and in `-p1` output (`<input>` for `-e`).
    pub name: String,
    /// The file's text.
    pub text: String,
    line_starts: Vec<usize>,
}

impl SourceFile {
    /// Wraps `text` under `name`, indexing its line starts.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> SourceFile {
        let text = text.into();
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        SourceFile {
            name: name.into(),
            text,
            line_starts,
        }
    }

    /// The 1-based line and column of byte `offset` (columns count characters).
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line];
        let col = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        (line + 1, col + 1)
    }

    /// The text of 1-based line `line`, without its newline.
    pub fn line_text(&self, line: usize) -> &str {
        let start = self.line_starts.get(line - 1).copied().unwrap_or(0);
        let end = self
            .line_starts
            .get(line)
            .map_or(self.text.len(), |e| e - 1);
        self.text
            .get(start..end)
            .unwrap_or("")
            .trim_end_matches('\r')
    }
}

/// Where a byte of expanded text came from: a file and an offset in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Origin {
    /// The original file.
    pub file: FileId,
    /// Byte offset in that file's text.
    pub offset: usize,
}

/// A run of expanded text copied from one place (or synthesised at it).
#[derive(Clone, Copy, Debug)]
struct Piece {
    /// Offset of the run in the expanded text.
    out: usize,
    /// Where the run's first byte came from.
    origin: Origin,
    /// Whether the run is a verbatim copy (offsets advance together) or synthesised
    /// text (every byte maps to `origin`).
    verbatim: bool,
}

/// Expanded (preprocessed) text and the map from its bytes back to original sources.
#[derive(Debug, Default)]
pub struct Expansion {
    /// The text the parser reads.
    pub text: String,
    pieces: Vec<Piece>,
}

impl Expansion {
    /// Appends `text`, copied verbatim from `origin` onwards.
    pub fn push_copy(&mut self, text: &str, origin: Origin) {
        self.push(text, origin, true);
    }

    /// Appends `text`, synthesised at `origin` (a substituted argument, a separator).
    pub fn push_synth(&mut self, text: &str, origin: Origin) {
        self.push(text, origin, false);
    }

    fn push(&mut self, text: &str, origin: Origin, verbatim: bool) {
        if text.is_empty() {
            return;
        }
        let out = self.text.len();
        let contiguous = self.pieces.last().is_some_and(|p| {
            p.verbatim
                && verbatim
                && p.origin.file == origin.file
                && p.origin.offset + (out - p.out) == origin.offset
        });
        if !contiguous {
            self.pieces.push(Piece {
                out,
                origin,
                verbatim,
            });
        }
        self.text.push_str(text);
    }

    /// The original place of expanded byte `offset` (the end maps to the last byte's place).
    pub fn origin(&self, offset: usize) -> Option<Origin> {
        let i = match self.pieces.binary_search_by(|p| p.out.cmp(&offset)) {
            Ok(i) => i,
            Err(0) => return None,
            Err(i) => i - 1,
        };
        let p = self.pieces[i];
        let delta = if p.verbatim { offset - p.out } else { 0 };
        Some(Origin {
            file: p.origin.file,
            offset: p.origin.offset + delta,
        })
    }
}

/// A resolved place in an original file, ready to show a user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// The file's name.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub col: usize,
    /// The whole source line, for the caret display.
    pub line_text: String,
}

/// Every file of a compilation, original and expanded.
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    files: Vec<Arc<SourceFile>>,
    expansions: Vec<Option<Arc<Expansion>>>,
}

impl SourceMap {
    /// An empty map.
    pub fn new() -> SourceMap {
        SourceMap::default()
    }

    /// Adds a file and returns its id.
    pub fn add(&mut self, file: SourceFile) -> FileId {
        self.files.push(Arc::new(file));
        self.expansions.push(None);
        FileId(self.files.len() as u32 - 1)
    }

    /// The file with id `id`.
    pub fn file(&self, id: FileId) -> &Arc<SourceFile> {
        &self.files[id.0 as usize]
    }

    /// Records the expanded text of file `id`.
    pub fn set_expansion(&mut self, id: FileId, expansion: Expansion) -> Arc<Expansion> {
        let e = Arc::new(expansion);
        self.expansions[id.0 as usize] = Some(e.clone());
        e
    }

    /// The expanded text of file `id`, once preprocessed.
    pub fn expansion(&self, id: FileId) -> Option<&Arc<Expansion>> {
        self.expansions.get(id.0 as usize).and_then(|e| e.as_ref())
    }

    /// The original place of the start of `span`.
    pub fn origin(&self, span: Span) -> Origin {
        let id = span.file_id();
        self.expansion(id)
            .and_then(|e| e.origin(span.lo as usize))
            .unwrap_or(Origin {
                file: id,
                offset: span.lo as usize,
            })
    }

    /// The user-facing location of `origin`.
    pub fn location_of(&self, origin: Origin) -> Location {
        let f = self.file(origin.file);
        let (line, col) = f.line_col(origin.offset);
        Location {
            file: f.name.clone(),
            line,
            col,
            line_text: f.line_text(line).to_string(),
        }
    }

    /// The user-facing location of the start of `span`.
    pub fn location(&self, span: Span) -> Location {
        self.location_of(self.origin(span))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one() {
        let f = SourceFile::new("x", "ab\ncd\n");
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(4), (2, 2));
        assert_eq!(f.line_text(2), "cd");
        assert_eq!(f.line_col(6), (3, 1));
    }

    #[test]
    fn expansion_maps_copies_and_synthesised_text() {
        let mut e = Expansion::default();
        let file = FileId(0);
        e.push_copy("abc", Origin { file, offset: 10 });
        e.push_copy("de", Origin { file, offset: 13 });
        e.push_synth("XYZ", Origin { file, offset: 40 });
        assert_eq!(e.origin(4), Some(Origin { file, offset: 14 }));
        assert_eq!(e.origin(7), Some(Origin { file, offset: 40 }));
        assert_eq!(e.pieces.len(), 2);
    }
}
