//! Pass 1a: the preprocessor, run on tokens before parsing, as SystemTap's is.
//!
//! Three things happen, in SystemTap's order and with its rules:
//! - script arguments are pasted where `$1`/`@1`/`$#`/`@#` stand (in the lexer);
//! - `@define NAME(params) %( body %)` macros are recorded and `@NAME(args)` expanded
//!   (library macros come from `.stpm` files, see [`MacroLibrary`]);
//! - `%( cond %? then %: else %)` conditionals keep one branch (see `condition.rs`).
//!
//! The result is an [`Expansion`]: text for the parser, with a map from every byte
//! back to the place in the original files it came from, so errors point at what the
//! user wrote.

mod condition;
mod glob;
mod tokens;

use std::collections::HashMap;
use std::rc::Rc;

pub use condition::Environment;
use tokens::{PpToken, TokenStream};

use crate::diagnostic::{Diagnostic, Place};
use crate::lexer::TokenKind;
use crate::source::{Expansion, FileId, Origin, SourceMap};

/// A macro definition, or a parameter of an expanding macro.
#[derive(Clone, Debug)]
pub struct MacroDef<'a> {
    params: Vec<String>,
    body: Rc<Vec<PpToken<'a>>>,
    defined_at: Origin,
    library: bool,
    /// For a parameter: the parameters in scope where the macro was invoked.
    closure: Option<Rc<Params<'a>>>,
}

impl MacroDef<'_> {
    /// The same definition, owning its tokens' text.
    fn into_owned(self) -> MacroDef<'static> {
        MacroDef {
            params: self.params,
            body: Rc::new(self.body.iter().cloned().map(PpToken::into_owned).collect()),
            defined_at: self.defined_at,
            library: self.library,
            closure: None,
        }
    }
}

/// The parameters of an expanding macro, by name.
type Params<'a> = HashMap<String, Rc<MacroDef<'a>>>;

/// The public macros of the tapset library: every `@define` of every `.stpm` file.
#[derive(Clone, Debug, Default)]
pub struct MacroLibrary {
    macros: HashMap<String, Rc<MacroDef<'static>>>,
}

impl MacroLibrary {
    /// An empty library.
    pub fn new() -> MacroLibrary {
        MacroLibrary::default()
    }

    /// Reads the macros of the `.stpm` file `file` (already added to `map`). A file with
    /// anything but `@define`s, or a macro defined by an earlier file, is an error and
    /// adds nothing, as in SystemTap. The macros point into `map`: scripts that use them
    /// must be added to the same map (or a clone of it).
    pub fn load(&mut self, map: &SourceMap, file: FileId, env: &Environment) -> Vec<Diagnostic> {
        let empty = MacroLibrary::new();
        let mut pp = Preprocessor::new(map, file, env, &empty);
        let mut diagnostics = Vec::new();
        match pp.scan_pp() {
            Ok(Some(t)) => {
                let name = &map.file(file).name;
                diagnostics.push(pp.error_at(
                    &t,
                    format!("unexpected token in library macro file '{name}'"),
                ));
            }
            Ok(None) => {}
            Err(d) => diagnostics.push(*d),
        }
        if !diagnostics.is_empty() {
            return diagnostics;
        }
        for (name, def) in &pp.namespace {
            if let Some(first) = self.macros.get(name) {
                return vec![
                    Diagnostic::parse_error(
                        format!("duplicate definition of library macro '@{name}'"),
                        Place::Origin(def.defined_at),
                    )
                    .with_note(format!(
                        "macro '@{name}' first defined at {}",
                        describe_origin(map, first.defined_at)
                    )),
                ];
            }
        }
        for (name, def) in pp.namespace {
            let mut def = (*def).clone().into_owned();
            def.library = true;
            self.macros.insert(name, Rc::new(def));
        }
        diagnostics
    }

    /// Whether a macro named `name` (without `@`) is defined.
    pub fn contains(&self, name: &str) -> bool {
        self.macros.contains_key(name)
    }
}

fn describe_origin(map: &SourceMap, o: Origin) -> String {
    let loc = map.location_of(o);
    format!("{}:{}:{}", loc.file, loc.line, loc.col)
}

/// Preprocesses file `file` of `map`: returns the text the parser reads and the errors.
pub fn preprocess(
    map: &SourceMap,
    file: FileId,
    env: &Environment,
    macros: &MacroLibrary,
) -> (Expansion, Vec<Diagnostic>) {
    preprocess_in_pieces(map, file, env, macros, &mut |_, _| {})
}

/// Preprocesses file `file` of `map` like [`preprocess`], and hands each piece of
/// expanded text to `piece` as soon as it is complete: `piece(offset, text)` for the
/// text between two places where a declaration surely starts (a top-level `probe`,
/// `global`, `function` or `private` right after the end of a declaration), in order,
/// the last one when the file ends. The parser can read the pieces while the rest of
/// the file is being preprocessed.
pub fn preprocess_in_pieces(
    map: &SourceMap,
    file: FileId,
    env: &Environment,
    macros: &MacroLibrary,
    piece: &mut dyn FnMut(usize, &str),
) -> (Expansion, Vec<Diagnostic>) {
    let mut pp = Preprocessor::new(map, file, env, macros);
    let mut piece_start = 0;
    let mut after_declaration = true;
    let mut out = Emitter::new();
    let mut diagnostics = Vec::new();
    let mut depth = 0usize;
    loop {
        match pp.scan_pp() {
            Ok(Some(t)) => {
                // A bad `$N` is only an error where it is used, not in a branch skipped.
                if let Some(msg) = &t.junk_message {
                    diagnostics.push(pp.error_at(&t, msg.clone()));
                    break;
                }
                // A declaration surely starts here if a top-level keyword follows the
                // end of one (`}`, `;`, `%}`) or nothing: `function` inside
                // `kernel.function(...)`, or `%{` as a function's body, do not count.
                let starts_declaration = depth == 0
                    && after_declaration
                    && t.kind == TokenKind::Keyword
                    && matches!(t.text.as_ref(), "probe" | "global" | "function" | "private");
                if t.kind == TokenKind::Operator {
                    match t.text.as_ref() {
                        "(" | "[" | "{" => depth += 1,
                        ")" | "]" | "}" => depth = depth.saturating_sub(1),
                        _ => {}
                    }
                }
                if depth > MAX_NESTING {
                    diagnostics.push(pp.error_at(
                        &t,
                        format!(
                            "nesting too deep: more than {MAX_NESTING} open brackets; \
                             split the expression into smaller pieces"
                        ),
                    ));
                    break;
                }
                after_declaration =
                    depth == 0 && (t.kind == TokenKind::Embedded || t.is_op("}") || t.is_op(";"));
                let at = out.emit(map, &t);
                if starts_declaration && at > piece_start {
                    piece(piece_start, &out.expansion.text[piece_start..at]);
                    piece_start = at;
                }
            }
            Ok(None) => break,
            Err(d) => {
                diagnostics.push(*d);
                // Like SystemTap, a preprocessor error ends the file: what follows
                // depends on the broken construct.
                break;
            }
        }
    }
    if out.expansion.text.len() > piece_start {
        piece(piece_start, &out.expansion.text[piece_start..]);
    }
    (out.expansion, diagnostics)
}

/// Writes tokens as parser text: each token's own text, mapped to where it came from,
/// and one space between tokens that were not adjacent in their file (comments and
/// line breaks are gone, so the parser only ever skips single spaces).
struct Emitter {
    expansion: Expansion,
    last: Option<(FileId, u32, usize)>,
}

impl Emitter {
    fn new() -> Emitter {
        Emitter {
            expansion: Expansion::default(),
            last: None,
        }
    }

    /// Writes `t`; returns the offset of its text in the expansion.
    fn emit(&mut self, map: &SourceMap, t: &PpToken<'_>) -> usize {
        let origin = t.origin;
        let adjacent = t.synthetic.is_none()
            && self.last.is_some_and(|(file, seq, end)| {
                file == origin.file && seq + 1 == t.seq && end == origin.offset
            });
        if !adjacent && !self.expansion.text.is_empty() {
            self.expansion.push_synth(" ", origin);
        }
        let at = self.expansion.text.len();
        match &t.synthetic {
            None => {
                let text = &map.file(origin.file).text;
                self.expansion
                    .push_copy(&text[origin.offset..t.end], origin);
                self.last = Some((origin.file, t.seq, t.end));
            }
            Some(text) => {
                self.expansion.push_synth(text, origin);
                self.last = None;
            }
        }
        at
    }
}

/// A macro being expanded: where we are in its body and what its parameters are.
struct Activation<'a> {
    body: Rc<Vec<PpToken<'a>>>,
    cursor: usize,
    params: Rc<Params<'a>>,
    library: bool,
}

/// State of an open conditional.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Branch {
    KeepThen,
    SkipThen,
    KeepElse,
    SkipElse,
}

struct Preprocessor<'a> {
    map: &'a SourceMap,
    env: &'a Environment,
    library: &'a MacroLibrary,
    input: TokenStream<'a>,
    namespace: Params<'a>,
    stack: Vec<Activation<'a>>,
    conditionals: Vec<(PpToken<'a>, Branch)>,
}

type PpResult<T> = Result<T, Box<Diagnostic>>;

/// Brackets nested deeper than this are an error: the parser is recursive, and this
/// bounds the stack it needs (the binary runs it on a 1 GiB stack; 30,000 levels need
/// about half of that in a debug build).
pub const MAX_NESTING: usize = 20_000;

/// Macro expansions nested deeper than this are reported as recursive.
const MAX_EXPANSION_DEPTH: usize = 256;

impl<'a> Preprocessor<'a> {
    fn new(
        map: &'a SourceMap,
        file: FileId,
        env: &'a Environment,
        library: &'a MacroLibrary,
    ) -> Preprocessor<'a> {
        Preprocessor {
            map,
            env,
            library,
            input: TokenStream::new(map, file, &env.args),
            namespace: HashMap::new(),
            stack: Vec::new(),
            conditionals: Vec::new(),
        }
    }

    fn error_at(&self, t: &PpToken<'_>, message: impl Into<String>) -> Diagnostic {
        Diagnostic::parse_error(message, Place::Origin(t.origin)).with_saw(t.describe())
    }

    fn err(&self, t: &PpToken<'_>, message: impl Into<String>) -> Box<Diagnostic> {
        Box::new(self.error_at(t, message))
    }

    /// The next raw token: from the innermost macro body, or from the file.
    fn next_pp1(&mut self) -> PpResult<Option<PpToken<'a>>> {
        if let Some(act) = self.stack.last_mut() {
            let t = act.body.get(act.cursor).cloned();
            act.cursor += 1;
            return Ok(t);
        }
        match self.input.next() {
            Some(t) => Ok(Some(t)),
            None => match self.input.take_error() {
                Some(d) => Err(Box::new(d)),
                None => Ok(None),
            },
        }
    }

    /// The next token with macros defined and expanded.
    fn scan_pp1(&mut self, ignore_macros: bool) -> PpResult<Option<PpToken<'a>>> {
        loop {
            let Some(t) = self.next_pp1()? else {
                if self.stack.pop().is_some() {
                    continue;
                }
                return Ok(None);
            };
            if t.is_op("@define") && !ignore_macros {
                self.define(&t)?;
                continue;
            }
            if t.kind == TokenKind::Operator && t.text.starts_with('@') && t.text.len() > 1 {
                let name = &t.text[1..];
                let act = self.stack.last();
                let def = if let Some(p) = act.and_then(|a| a.params.get(name)) {
                    Some(p.clone())
                } else if !act.is_some_and(|a| a.library)
                    && let Some(d) = self.namespace.get(name)
                {
                    Some(d.clone())
                } else {
                    self.library.macros.get(name).cloned()
                };
                if let Some(def) = def {
                    self.invoke(t, def)?;
                    continue;
                }
            }
            return Ok(Some(t));
        }
    }

    /// Records `@define NAME(params) %( body %)`.
    fn define(&mut self, at: &PpToken<'a>) -> PpResult<()> {
        if !self.stack.is_empty() {
            return Err(self.err(at, "'@define' forbidden inside macro body"));
        }
        let name_tok = self.require(at)?;
        if name_tok.kind != TokenKind::Identifier {
            return Err(self.err(&name_tok, "expected identifier"));
        }
        let name = name_tok.text.to_string();
        if let Some(first) = self.namespace.get(&name) {
            let first = first.defined_at;
            return Err(Box::new(
                self.error_at(
                    &name_tok,
                    format!("attempt to redefine macro '@{name}' in the same file"),
                )
                .with_note(format!(
                    "macro '@{name}' first defined at {}",
                    describe_origin(self.map, first)
                )),
            ));
        }
        if name == "define" {
            return Err(self.err(&name_tok, "attempt to redefine '@define'"));
        }
        let mut params = Vec::new();
        let mut t = self.require(&name_tok)?;
        let saw_params = t.is_op("(");
        if saw_params {
            loop {
                let p = self.require(&t)?;
                if p.kind != TokenKind::Identifier {
                    return Err(self.err(&p, "expected identifier"));
                }
                params.push(p.text.to_string());
                let sep = self.require(&p)?;
                if sep.is_op(",") {
                    t = sep;
                    continue;
                }
                if sep.is_op(")") {
                    t = self.require(&sep)?;
                    break;
                }
                return Err(self.err(&sep, "expected ',' or ')'"));
            }
        }
        if !t.is_op("%(") {
            let msg = if saw_params {
                "expected '%('"
            } else {
                "expected '%(' or '('"
            };
            return Err(self.err(&t, msg));
        }
        let mut body = Vec::new();
        let mut nesting = 0;
        loop {
            let Some(b) = self.next_pp1()? else {
                return Err(self.err(&name_tok, "incomplete macro definition - missing '%)'"));
            };
            if b.is_op("%(") {
                nesting += 1;
            } else if b.is_op("%)") {
                if nesting == 0 {
                    break;
                }
                nesting -= 1;
            }
            body.push(b);
        }
        self.namespace.insert(
            name,
            Rc::new(MacroDef {
                params,
                body: Rc::new(body),
                defined_at: name_tok.origin,
                library: false,
                closure: None,
            }),
        );
        Ok(())
    }

    /// Expands `@NAME(args)`. Each argument becomes a parameter macro that, when used
    /// in the body, is expanded with the invoker's parameters in scope (a closure).
    fn invoke(&mut self, t: PpToken<'a>, def: Rc<MacroDef<'a>>) -> PpResult<()> {
        if self.stack.len() >= MAX_EXPANSION_DEPTH {
            return Err(self.err(
                &t,
                format!(
                    "macro expansion nested too deeply (recursive macro '{}'?)",
                    t.text
                ),
            ));
        }
        let name = t.text[1..].to_string();
        let caller_params = self
            .stack
            .last()
            .map(|a| a.params.clone())
            .unwrap_or_default();
        let params = match &def.closure {
            Some(scope) => scope.clone(),
            None if def.params.is_empty() => Rc::default(),
            None => Rc::new(self.arguments(&t, &name, &def, caller_params)?),
        };
        self.stack.push(Activation {
            body: def.body.clone(),
            cursor: 0,
            params,
            library: def.library,
        });
        Ok(())
    }

    /// Reads the arguments of an invocation of `def` as parameter closures.
    fn arguments(
        &mut self,
        t: &PpToken<'a>,
        name: &str,
        def: &MacroDef<'a>,
        scope: Rc<Params<'a>>,
    ) -> PpResult<Params<'a>> {
        let n = def.params.len();
        let open = self.next_pp1()?;
        if !open.as_ref().is_some_and(|o| o.is_op("(")) {
            let s = if n == 1 { "" } else { "s" };
            let at = open.as_ref().unwrap_or(t);
            return Err(self.err(
                at,
                format!("expected '(' in invocation of macro '@{name}' taking {n} parameter{s}"),
            ));
        }
        let mut params = HashMap::new();
        for (i, pname) in def.params.iter().enumerate() {
            let mut arg = Vec::new();
            let mut nesting = 0;
            let sep = loop {
                let Some(a) = self.next_pp1()? else {
                    return Err(self.err(t, "could not find end of macro invocation"));
                };
                if a.is_op("(") || a.is_op("[") {
                    nesting += 1;
                } else if nesting > 0 && (a.is_op(")") || a.is_op("]")) {
                    nesting -= 1;
                } else if nesting == 0 && (a.is_op(")") || a.is_op(",")) {
                    break a;
                }
                arg.push(a);
            };
            let last = i + 1 == n;
            if sep.is_op(",") && last {
                return Err(self.err(
                    &sep,
                    format!("too many parameters for macro '@{name}' (expected {n})"),
                ));
            }
            if sep.is_op(")") && !last {
                return Err(self.err(
                    &sep,
                    format!("too few parameters for macro '@{name}' (expected {n})"),
                ));
            }
            params.insert(
                pname.clone(),
                Rc::new(MacroDef {
                    params: Vec::new(),
                    body: Rc::new(arg),
                    defined_at: t.origin,
                    library: false,
                    closure: Some(scope.clone()),
                }),
            );
        }
        Ok(params)
    }

    /// The next raw token, or an "unexpected end of file" error after `after`.
    fn require(&mut self, after: &PpToken<'a>) -> PpResult<PpToken<'a>> {
        match self.next_pp1()? {
            Some(t) => Ok(t),
            None => Err(self.err(after, "unexpected end-of-file")),
        }
    }

    /// The next token with conditionals resolved: what the parser sees.
    fn scan_pp(&mut self) -> PpResult<Option<PpToken<'a>>> {
        loop {
            let state = self.conditionals.last().map(|c| c.1);
            let t = if matches!(state, Some(Branch::SkipThen | Branch::SkipElse)) {
                self.skip_pp()?
            } else {
                self.scan_pp1(false)?
            };
            let Some(t) = t else {
                if let Some((open, _)) = self.conditionals.pop() {
                    return Err(self.err(&open, "incomplete conditional at end of file"));
                }
                return Ok(None);
            };
            if t.is_op("%?") {
                return Err(self.err(&t, "incomplete conditional - missing '%('"));
            }
            if t.is_op("%:") {
                let Some(top) = self.conditionals.last_mut() else {
                    return Err(self.err(&t, "incomplete conditional - missing '%('"));
                };
                top.1 = match top.1 {
                    Branch::KeepThen => Branch::SkipElse,
                    Branch::SkipThen => Branch::KeepElse,
                    _ => {
                        return Err(self.err(&t, "invalid conditional - duplicate '%:'"));
                    }
                };
                continue;
            }
            if t.is_op("%)") {
                if self.conditionals.pop().is_none() {
                    return Err(self.err(&t, "incomplete conditional - missing '%('"));
                }
                continue;
            }
            if !t.is_op("%(") {
                return Ok(Some(t));
            }
            let result = self.condition(&t)?;
            let branch = if result {
                Branch::KeepThen
            } else {
                Branch::SkipThen
            };
            self.conditionals.push((t, branch));
        }
    }

    /// Evaluates `l op r [&& ...] [|| ...] %?` after a `%(`.
    fn condition(&mut self, open: &PpToken<'a>) -> PpResult<bool> {
        let mut result = false;
        let mut and_result = true;
        loop {
            let l = self.scan_pp1(false)?;
            let op = self.scan_pp1(false)?;
            let r = self.scan_pp1(false)?;
            let (Some(l), Some(op), Some(r)) = (l, op, r) else {
                return Err(self.err(open, "incomplete condition after '%('"));
            };
            let value = condition::evaluate(self.env, &l, &op, &r)
                .map_err(|(which, msg)| self.err([&l, &op, &r][which], msg))?;
            and_result &= value;
            let n = self.scan_pp1(false)?;
            if n.as_ref().is_some_and(|n| n.is_op("&&")) {
                continue;
            }
            result |= and_result;
            and_result = true;
            if n.as_ref().is_some_and(|n| n.is_op("||")) {
                continue;
            }
            if !n.as_ref().is_some_and(|n| n.is_op("%?")) {
                return Err(self.err(open, "expected '%?' marker for conditional"));
            }
            return Ok(result);
        }
    }

    /// Skips a branch not taken, heeding only nested conditionals.
    fn skip_pp(&mut self) -> PpResult<Option<PpToken<'a>>> {
        let mut nesting = 0;
        loop {
            let t = match self.scan_pp1(true) {
                Ok(t) => t,
                Err(_) => continue,
            };
            let Some(t) = t else { return Ok(None) };
            if t.is_op("%(") {
                nesting += 1;
            } else if nesting > 0 && t.is_op("%)") {
                nesting -= 1;
            } else if nesting == 0 && (t.is_op("%:") || t.is_op("%?") || t.is_op("%)")) {
                return Ok(Some(t));
            }
        }
    }
}

#[cfg(test)]
mod tests;
