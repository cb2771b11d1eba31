//! Lowering of declarations, probe points and statements from pest pairs to the AST.

use pest::iterators::Pair;

use super::error;
use super::grammar::Rule;
use crate::ast::*;
use crate::diagnostic::Diagnostic;
use crate::lexer::push_escape;
use crate::source::{FileId, Span};

/// The result of lowering one construct.
pub(super) type Lowered<T> = Result<T, Box<Diagnostic>>;

/// Lowers the pairs of one declaration; `base` is where the parsed slice starts.
pub(super) struct Lowering<'t> {
    file: FileId,
    /// Guru mode (`-g`): embedded C and kernel-only operators are accepted.
    privileged: bool,
    /// The piece of expanded text being read.
    text: &'t str,
    /// Offset of `text` in the whole expanded text (spans are whole-text positions).
    origin: usize,
    /// Offset in `text` of the slice the pairs were parsed from.
    base: usize,
    /// Whether a `return` is allowed here (inside a function).
    in_function: bool,
}

impl<'t> Lowering<'t> {
    /// A lowering for the slice of `text` (file `file`) that starts at byte `base`.
    pub(super) fn new(
        file: FileId,
        privileged: bool,
        text: &'t str,
        origin: usize,
        base: usize,
    ) -> Lowering<'t> {
        Lowering {
            file,
            privileged,
            text,
            origin,
            base,
            in_function: false,
        }
    }

    /// The expanded text after `span`.
    pub(super) fn text_after(&self, span: Span) -> &'t str {
        self.text
            .get((span.hi as usize).saturating_sub(self.origin)..)
            .unwrap_or("")
    }

    /// The expanded text under `span`.
    pub(super) fn text_at(&self, span: Span) -> &'t str {
        let lo = (span.lo as usize).saturating_sub(self.origin);
        let hi = (span.hi as usize).saturating_sub(self.origin);
        self.text.get(lo..hi).unwrap_or("")
    }

    /// The span of `pair` in the expanded text.
    pub(super) fn span(&self, pair: &Pair<Rule>) -> Span {
        let s = pair.as_span();
        let at = self.origin + self.base;
        Span::new(self.file, at + s.start(), at + s.end())
    }

    /// An identifier.
    pub(super) fn ident(&self, pair: Pair<Rule>) -> Ident {
        Ident {
            span: self.span(&pair),
            name: pair.as_str().to_string(),
        }
    }

    /// Lowers a `declaration` into its items (a `global` line declares several).
    pub(super) fn declaration(&mut self, pair: Pair<Rule>) -> Lowered<Vec<Item>> {
        let inner = pair.into_inner().next().expect("declaration has one child");
        Ok(match inner.as_rule() {
            Rule::global_decl => self.global_decl(inner)?,
            Rule::function_decl => vec![Item::Function(self.function(inner)?)],
            Rule::probe_decl => vec![self.probe(inner)?],
            Rule::embedded => vec![Item::Embedded(self.embedded(inner)?)],
            _ => Vec::new(),
        })
    }

    /// `%{ code %}`.
    /// `%{ code %}` as a declaration or function body.
    pub(super) fn embedded(&self, pair: Pair<Rule>) -> Lowered<Embedded> {
        self.require_guru(&pair, "embedded code in unprivileged script; need stap -g")?;
        let text = pair.as_str();
        Ok(Embedded {
            span: self.span(&pair),
            code: text[2..text.len() - 2].to_string(),
        })
    }

    /// SystemTap's refusal of kernel-only constructs outside guru mode (`-g`).
    pub(super) fn require_guru(&self, pair: &Pair<Rule>, message: &str) -> Lowered<()> {
        if self.privileged {
            return Ok(());
        }
        Err(Box::new(
            Diagnostic::parse_error(message, crate::diagnostic::Place::Span(self.span(pair)))
                .with_note("stap-rs runs no embedded C and reads no kernel memory, even with -g"),
        ))
    }

    fn global_decl(&mut self, pair: Pair<Rule>) -> Lowered<Vec<Item>> {
        let mut private = false;
        let mut items = Vec::new();
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::kw_private => private = true,
                Rule::global_var => {
                    let span = self.span(&p);
                    let mut parts = p.into_inner();
                    let name = self.ident(parts.next().expect("global has a name"));
                    let mut g = Global {
                        name,
                        private,
                        size: None,
                        wrap: false,
                        init: None,
                        span,
                    };
                    for part in parts {
                        match part.as_rule() {
                            Rule::wrap_flag => g.wrap = true,
                            Rule::global_size => {
                                let inner = part.into_inner().next().expect("size");
                                let size = self.signed_number(inner)?;
                                if size <= 0 || size > i64::from(i32::MAX) {
                                    return Err(error(g.span, "array size out of range"));
                                }
                                g.size = Some(size);
                            }
                            Rule::global_init => g.init = Some(self.literal(part)?),
                            _ => {}
                        }
                    }
                    items.push(Item::Global(g));
                }
                _ => {}
            }
        }
        Ok(items)
    }

    fn function(&mut self, pair: Pair<Rule>) -> Lowered<Function> {
        let span = self.span(&pair);
        let mut f = Function {
            name: Ident {
                name: String::new(),
                span,
            },
            private: false,
            ret: None,
            params: Vec::new(),
            priority: None,
            body: FunctionBody::Block(Block {
                stmts: Vec::new(),
                span,
            }),
            span,
        };
        self.in_function = true;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::kw_private => f.private = true,
                Rule::ident => f.name = self.ident(p),
                Rule::type_name => f.ret = Some(type_name(&p)),
                Rule::params => {
                    for param in p.into_inner() {
                        let mut parts = param.into_inner();
                        let name = self.ident(parts.next().expect("param name"));
                        if f.params.iter().any(|q| q.name.name == name.name) {
                            return Err(error(name.span, "duplicate parameter names"));
                        }
                        let ty = parts.next().map(|t| type_name(&t));
                        f.params.push(Param { name, ty });
                    }
                }
                Rule::priority => {
                    let pspan = self.span(&p);
                    let n = self.number(p.into_inner().next().expect("number"))?;
                    if n < 1 {
                        return Err(error(pspan, "specified priority must be > 0"));
                    }
                    f.priority = Some(n);
                }
                Rule::embedded => f.body = FunctionBody::Embedded(self.embedded(p)?),
                Rule::block => f.body = FunctionBody::Block(self.block(p)?),
                _ => {}
            }
        }
        self.in_function = false;
        Ok(f)
    }

    fn probe(&mut self, pair: Pair<Rule>) -> Lowered<Item> {
        let span = self.span(&pair);
        let mut lists = Vec::new();
        let mut op = None;
        let mut blocks = Vec::new();
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::probe_point_list => lists.push(self.probe_point_list(p)?),
                Rule::alias_op => op = Some((p.as_str() == "+=", self.span(&p))),
                Rule::block => blocks.push(self.block(p)?),
                _ => {}
            }
        }
        let mut blocks = blocks.into_iter();
        let body = blocks.next().expect("probe has a body");
        let second = blocks.next();
        let Some((epilogue, op_span)) = op else {
            if let Some(b) = second {
                return Err(error(
                    b.span,
                    "expected 'probe', 'global', 'private', 'function', or '%{'",
                ));
            }
            let points = lists.pop().expect("probe has points");
            return Ok(Item::Probe(Probe { points, body, span }));
        };
        let points = lists.pop().expect("alias has points");
        let names = lists.pop().expect("alias has a name");
        if names.len() != 1 {
            return Err(error(op_span, "expected '{'"));
        }
        if names[0].optional || names[0].sufficient {
            return Err(error(
                names[0].span,
                "probe point alias name cannot be optional nor sufficient",
            ));
        }
        if epilogue && second.is_some() {
            return Err(error(
                op_span,
                "Combined prologue and epilogue cannot be defined with '+='",
            ));
        }
        Ok(Item::Alias(ProbeAlias {
            names,
            epilogue,
            points,
            body,
            epilogue_body: second,
            span,
        }))
    }

    fn probe_point_list(&mut self, pair: Pair<Rule>) -> Lowered<Vec<ProbePoint>> {
        let mut out = Vec::new();
        for p in pair.into_inner() {
            out.extend(self.probe_point(p)?);
        }
        Ok(out)
    }

    /// One probe point; a brace group makes it stand for several (a Cartesian product).
    fn probe_point(&mut self, pair: Pair<Rule>) -> Lowered<Vec<ProbePoint>> {
        let span = self.span(&pair);
        let mut points: Vec<ProbePoint> = vec![ProbePoint {
            components: Vec::new(),
            optional: false,
            sufficient: false,
            condition: None,
            span,
        }];
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::component => {
                    let c = self.component(p)?;
                    for pp in &mut points {
                        pp.components.push(c.clone());
                    }
                }
                Rule::component_group => {
                    let inner = p.into_inner().next().expect("group has points");
                    let alternatives = self.probe_point_list(inner)?;
                    let mut product = Vec::new();
                    for prefix in &points {
                        if prefix.optional || prefix.sufficient || prefix.condition.is_some() {
                            return Err(error(
                                prefix.span,
                                "'?', '!' or condition must only be specified in suffix",
                            ));
                        }
                        for alt in &alternatives {
                            let mut pp = prefix.clone();
                            pp.components.extend(alt.components.iter().cloned());
                            pp.optional = alt.optional;
                            pp.sufficient = alt.sufficient;
                            pp.condition = alt.condition.clone();
                            product.push(pp);
                        }
                    }
                    points = product;
                }
                Rule::point_flag => {
                    for pp in &mut points {
                        if pp.optional || pp.sufficient {
                            return Err(error(self.span(&p), "'?' or '!' respecified"));
                        }
                        pp.optional = true;
                        pp.sufficient = p.as_str() == "!";
                    }
                }
                Rule::point_condition => {
                    let cspan = self.span(&p);
                    let e = self.expr(p.into_inner().next().expect("condition"))?;
                    for pp in &mut points {
                        if pp.condition.is_some() {
                            return Err(error(cspan, "condition respecified"));
                        }
                        pp.condition = Some(e.clone());
                    }
                }
                _ => {}
            }
        }
        Ok(points)
    }

    fn component(&mut self, pair: Pair<Rule>) -> Lowered<Component> {
        let span = self.span(&pair);
        let mut parts = pair.into_inner();
        let name = parts.next().expect("component name").as_str().to_string();
        let arg = match parts.next() {
            Some(a) => Some(self.literal(a)?),
            None => None,
        };
        Ok(Component { name, arg, span })
    }

    /// A `signed_number` or `string_lit` (global initialisers, component arguments).
    pub(super) fn literal(&self, pair: Pair<Rule>) -> Lowered<Literal> {
        let inner = pair.into_inner().next().expect("literal");
        match inner.as_rule() {
            Rule::signed_number => Ok(Literal::Number(self.signed_number(inner)?)),
            _ => Ok(Literal::String(string_value(&inner))),
        }
    }

    /// `-N` or `N`, with SystemTap's range rules.
    pub(super) fn signed_number(&self, pair: Pair<Rule>) -> Lowered<i64> {
        let mut neg = false;
        let mut value = 0;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::minus => neg = true,
                Rule::number => {
                    let span = self.span(&p);
                    let v = parse_number(p.as_str())
                        .ok_or_else(|| error(span, "number invalid or out of range"))?;
                    if neg && v > 1u64 << 63 {
                        return Err(error(span, "number invalid or out of range"));
                    }
                    value = if neg {
                        (v as i64).wrapping_neg()
                    } else {
                        v as i64
                    };
                }
                _ => {}
            }
        }
        Ok(value)
    }

    /// A plain `number` token.
    pub(super) fn number(&self, pair: Pair<Rule>) -> Lowered<i64> {
        let span = self.span(&pair);
        parse_number(pair.as_str())
            .map(|v| v as i64)
            .ok_or_else(|| error(span, "number invalid or out of range"))
    }

    /// `{ statements }`.
    pub(super) fn block(&mut self, pair: Pair<Rule>) -> Lowered<Block> {
        let span = self.span(&pair);
        let mut stmts = Vec::new();
        for p in pair.into_inner() {
            stmts.push(self.stmt(p)?);
        }
        Ok(Block { stmts, span })
    }

    fn stmt(&mut self, pair: Pair<Rule>) -> Lowered<Stmt> {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let kind = match rule {
            Rule::block => StmtKind::Block(self.block(pair)?),
            Rule::null_stmt => StmtKind::Null,
            Rule::expr_stmt => StmtKind::Expr(self.expr(first(pair))?),
            Rule::if_stmt => {
                let mut parts = pair.into_inner();
                let cond = self.expr(parts.next().expect("if condition"))?;
                let then = Box::new(self.stmt(parts.next().expect("if body"))?);
                let otherwise = match parts.next() {
                    Some(e) => Some(Box::new(self.stmt(first(e))?)),
                    None => None,
                };
                StmtKind::If {
                    cond,
                    then,
                    otherwise,
                }
            }
            Rule::while_stmt => {
                let mut parts = pair.into_inner();
                let cond = self.expr(parts.next().expect("while condition"))?;
                let body = self.stmt(parts.next().expect("while body"))?;
                StmtKind::For(Box::new(ForLoop {
                    init: None,
                    cond,
                    step: None,
                    body,
                }))
            }
            Rule::for_stmt => {
                let mut parts = pair.into_inner();
                let init = self.opt_expr(parts.next().expect("for init"))?;
                let cond_pair = parts.next().expect("for cond");
                let cond_span = self.span(&cond_pair);
                let cond = self.opt_expr(cond_pair)?.unwrap_or(Expr {
                    kind: ExprKind::Literal(Literal::Number(1)),
                    span: cond_span,
                });
                let step = self.opt_expr(parts.next().expect("for step"))?;
                let body = self.stmt(parts.next().expect("for body"))?;
                StmtKind::For(Box::new(ForLoop {
                    init,
                    cond,
                    step,
                    body,
                }))
            }
            Rule::foreach_stmt => StmtKind::Foreach(Box::new(self.foreach(pair)?)),
            Rule::return_stmt => {
                if !self.in_function {
                    return Err(error(span, "found 'return' not in function context"));
                }
                match pair.into_inner().next() {
                    Some(e) => StmtKind::Return(Some(self.expr(e)?)),
                    None => StmtKind::Return(None),
                }
            }
            Rule::delete_stmt => StmtKind::Delete(self.expr(first(pair))?),
            Rule::break_stmt => StmtKind::Break,
            Rule::continue_stmt => StmtKind::Continue,
            Rule::next_stmt => StmtKind::Next,
            Rule::try_stmt => {
                let mut body = None;
                let mut var = None;
                let mut handler = None;
                for p in pair.into_inner() {
                    match p.as_rule() {
                        Rule::ident => var = Some(self.ident(p)),
                        Rule::block if body.is_none() => body = Some(self.block(p)?),
                        Rule::block => handler = Some(self.block(p)?),
                        _ => {}
                    }
                }
                StmtKind::Try {
                    body: body.expect("try body"),
                    var,
                    handler: handler.expect("catch body"),
                }
            }
            _ => unreachable!("statement rule {rule:?}"),
        };
        Ok(Stmt { kind, span })
    }

    fn opt_expr(&mut self, pair: Pair<Rule>) -> Lowered<Option<Expr>> {
        match pair.into_inner().next() {
            Some(e) => Ok(Some(self.expr(e)?)),
            None => Ok(None),
        }
    }

    fn foreach(&mut self, pair: Pair<Rule>) -> Lowered<Foreach> {
        let mut value = None;
        let mut keys = Vec::new();
        let mut sort: Option<(SortKey, SortDir, Span)> = None;
        let mut base = None;
        let mut slice = None;
        let mut sort_agg = None;
        let mut limit = None;
        let mut body = None;
        let mut set_sort = |key: SortKey, flag: &Pair<Rule>, lo: &Lowering<'_>| -> Lowered<()> {
            if sort.is_some() {
                return Err(error(lo.span(flag), "multiple sort directives"));
            }
            sort = Some((key, sort_dir(flag), lo.span(flag)));
            Ok(())
        };
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::foreach_value => {
                    let mut parts = p.into_inner();
                    value = Some(self.ident(parts.next().expect("value name")));
                    if let Some(flag) = parts.next() {
                        set_sort(SortKey::Value, &flag, self)?;
                    }
                }
                Rule::foreach_keys => {
                    for (i, key) in p.into_inner().enumerate() {
                        let mut parts = key.into_inner();
                        keys.push(self.ident(parts.next().expect("key name")));
                        if let Some(flag) = parts.next() {
                            set_sort(SortKey::Key(i), &flag, self)?;
                        }
                    }
                }
                Rule::foreach_base => {
                    for part in p.into_inner() {
                        match part.as_rule() {
                            Rule::ident => {
                                let span = self.span(&part);
                                base = Some(Expr {
                                    kind: ExprKind::Symbol(part.as_str().to_string()),
                                    span,
                                });
                            }
                            Rule::hist_op => base = Some(self.hist(part)?),
                            Rule::index_list => slice = Some(self.index_list(part)?),
                            Rule::foreach_sort => {
                                for s in part.into_inner() {
                                    match s.as_rule() {
                                        Rule::stat_name => sort_agg = StatOp::from_name(s.as_str()),
                                        _ => set_sort(SortKey::Value, &s, self)?,
                                    }
                                }
                            }
                            _ => {}
                        }
                    }
                }
                Rule::expr => limit = Some(self.expr(p)?),
                _ => body = Some(self.stmt(p)?),
            }
        }
        Ok(Foreach {
            value,
            keys,
            base: base.expect("foreach base"),
            slice,
            sort: sort.map(|(k, d, _)| (k, d)),
            sort_agg,
            limit,
            body: body.expect("foreach body"),
        })
    }

    /// `[i, *, j]`.
    pub(super) fn index_list(&self, pair: Pair<Rule>) -> Lowered<Vec<Option<Expr>>> {
        let mut out = Vec::new();
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::wildcard => out.push(None),
                _ => out.push(Some(self.expr(p)?)),
            }
        }
        Ok(out)
    }
}

/// The only child of `pair`.
pub(super) fn first(pair: Pair<Rule>) -> Pair<Rule> {
    pair.into_inner().next().expect("rule has a child")
}

fn sort_dir(flag: &Pair<Rule>) -> SortDir {
    if flag.as_str() == "+" {
        SortDir::Ascending
    } else {
        SortDir::Descending
    }
}

fn type_name(pair: &Pair<Rule>) -> TypeName {
    if pair.as_str() == "long" {
        TypeName::Long
    } else {
        TypeName::String
    }
}

/// Parses a number token as C's `strtoull(s, 0)` does: `0x` hex, leading-`0` octal,
/// else decimal; `None` when the whole token is not a valid number or overflows.
pub(crate) fn parse_number(s: &str) -> Option<u64> {
    let (digits, radix) = if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        (h, 16)
    } else if s.len() > 1 && s.starts_with('0') {
        (&s[1..], 8)
    } else {
        (s, 10)
    };
    if digits.is_empty() {
        return None;
    }
    u64::from_str_radix(digits, radix).ok()
}

/// The value of a `string_lit`: its pieces' contents glued together, with escapes kept
/// as SystemTap's lexer keeps them.
pub(super) fn string_value(pair: &Pair<Rule>) -> String {
    let mut out = String::new();
    for piece in pair.clone().into_inner() {
        let text = piece.as_str();
        let mut chars = text[1..text.len() - 1].chars();
        while let Some(c) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            if let Some(e) = chars.next() {
                push_escape(&mut out, e);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::parse_number;

    #[test]
    fn numbers_follow_strtoull() {
        assert_eq!(parse_number("0x10"), Some(16));
        assert_eq!(parse_number("010"), Some(8));
        assert_eq!(parse_number("0"), Some(0));
        assert_eq!(parse_number("9223372036854775808"), Some(1 << 63));
        assert_eq!(parse_number("18446744073709551616"), None);
        assert_eq!(parse_number("12ab"), None);
        assert_eq!(parse_number("08"), None);
    }
}
