//! Expressions: SystemTap's precedence and associativity, applied by precedence
//! climbing (a Pratt parser) to the flat operand/operator runs the grammar produces.
//!
//! From loosest to tightest (as in SystemTap's `parse_assignment` down to
//! `parse_crement`): assignment (right), `?:` (right), `||`, `&&`, `|`, `^`, `&`, `in`,
//! comparisons and regex matches, shifts, `.`, `+ -`, `* / %`, unary `+ - ! ~ &`,
//! pre-`++ --`, post-`++ --`, and tightest of all what follows a value: call arguments,
//! array indexes and target components (`->field`, `[i]`, `$`).

use pest::iterators::Pair;

use super::error;
use super::grammar::Rule;
use super::lower::{Lowered, Lowering, first, string_value};
use crate::ast::*;
use crate::source::Span;

/// How an operator binds: its precedence level (higher binds tighter) and whether it
/// is infix (with its associativity), prefix or postfix.
#[derive(Clone, Copy)]
enum Binding {
    Infix(u8, Assoc),
    Prefix(u8),
    Postfix(u8),
}

/// Whether an infix operator groups to the left or the right.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Assoc {
    Left,
    Right,
}

/// SystemTap's precedence table, loosest first.
fn binding(rule: Rule) -> Option<Binding> {
    use Rule::*;
    Some(match rule {
        assign_op => Binding::Infix(1, Assoc::Right),
        ternary_op => Binding::Infix(2, Assoc::Right),
        op_or => Binding::Infix(3, Assoc::Left),
        op_and => Binding::Infix(4, Assoc::Left),
        op_bitor => Binding::Infix(5, Assoc::Left),
        op_bitxor => Binding::Infix(6, Assoc::Left),
        op_bitand => Binding::Infix(7, Assoc::Left),
        in_op => Binding::Postfix(8),
        op_lt | op_gt | op_le | op_ge | op_eq | op_ne | op_match | op_nomatch => {
            Binding::Infix(9, Assoc::Left)
        }
        op_shl | op_shr | op_ushr => Binding::Infix(10, Assoc::Left),
        op_concat => Binding::Infix(11, Assoc::Left),
        op_add | op_sub => Binding::Infix(12, Assoc::Left),
        op_mul | op_div | op_mod => Binding::Infix(13, Assoc::Left),
        neg | plus | not | bitnot | addr_of => Binding::Prefix(14),
        pre_inc | pre_dec => Binding::Prefix(15),
        post_inc | post_dec => Binding::Postfix(16),
        call_args | index_list | member | target_index | pretty => Binding::Postfix(17),
        _ => return None,
    })
}

fn binop(rule: Rule) -> Option<BinOp> {
    Some(match rule {
        Rule::op_or => BinOp::Or,
        Rule::op_and => BinOp::And,
        Rule::op_bitor => BinOp::BitOr,
        Rule::op_bitxor => BinOp::BitXor,
        Rule::op_bitand => BinOp::BitAnd,
        Rule::op_lt => BinOp::Lt,
        Rule::op_gt => BinOp::Gt,
        Rule::op_le => BinOp::Le,
        Rule::op_ge => BinOp::Ge,
        Rule::op_eq => BinOp::Eq,
        Rule::op_ne => BinOp::Ne,
        Rule::op_shl => BinOp::Shl,
        Rule::op_shr => BinOp::Shr,
        Rule::op_ushr => BinOp::UShr,
        Rule::op_concat => BinOp::Concat,
        Rule::op_add => BinOp::Add,
        Rule::op_sub => BinOp::Sub,
        Rule::op_mul => BinOp::Mul,
        Rule::op_div => BinOp::Div,
        Rule::op_mod => BinOp::Mod,
        _ => return None,
    })
}

fn assign_op(text: &str) -> AssignOp {
    match text {
        "+=" => AssignOp::Add,
        "-=" => AssignOp::Sub,
        "*=" => AssignOp::Mul,
        "/=" => AssignOp::Div,
        "%=" => AssignOp::Mod,
        "<<=" => AssignOp::Shl,
        ">>=" => AssignOp::Shr,
        "&=" => AssignOp::BitAnd,
        "^=" => AssignOp::BitXor,
        "|=" => AssignOp::BitOr,
        ".=" => AssignOp::Concat,
        "<<<" => AssignOp::Aggregate,
        _ => AssignOp::Assign,
    }
}

/// A bare histogram (`@hist_log(s)` without `[bucket]`) is only a value inside `print`.
fn no_hist(e: Expr) -> Lowered<Expr> {
    if matches!(e.kind, ExprKind::Hist { .. }) {
        return Err(error(
            e.span,
            "base histogram operator where expression expected",
        ));
    }
    Ok(e)
}

fn boxed(e: Expr) -> Lowered<Box<Expr>> {
    no_hist(e).map(Box::new)
}

impl Lowering<'_> {
    /// Lowers an `expr` pair; a bare histogram is an error here.
    pub(super) fn expr(&self, pair: Pair<Rule>) -> Lowered<Expr> {
        no_hist(self.expr_or_hist(pair)?)
    }

    /// Lowers an `expr` pair, allowing a bare histogram (the argument of `print`).
    fn expr_or_hist(&self, pair: Pair<Rule>) -> Lowered<Expr> {
        let mut pairs = pair.into_inner().peekable();
        self.climb(&mut pairs, 0)
    }

    /// Precedence climbing over the flat run of operands and operators: reads one
    /// operand with its prefix operators, then every operator that binds at least as
    /// tightly as `min`.
    fn climb<'i>(
        &self,
        pairs: &mut std::iter::Peekable<pest::iterators::Pairs<'i, Rule>>,
        min: u8,
    ) -> Lowered<Expr> {
        let first = pairs.next().expect("an expression starts with an operand");
        let mut lhs = match binding(first.as_rule()) {
            Some(Binding::Prefix(level)) => {
                let operand = self.climb(pairs, level)?;
                self.prefix(first, operand)?
            }
            _ => self.primary(first)?,
        };
        while let Some(op) = pairs.peek() {
            match binding(op.as_rule()) {
                Some(Binding::Infix(level, assoc)) if level >= min => {
                    let op = pairs.next().expect("peeked");
                    let next_min = if assoc == Assoc::Right {
                        level
                    } else {
                        level + 1
                    };
                    let rhs = self.climb(pairs, next_min)?;
                    lhs = self.infix(lhs, op, rhs)?;
                }
                Some(Binding::Postfix(level)) if level >= min => {
                    let op = pairs.next().expect("peeked");
                    lhs = self.postfix(lhs, op)?;
                }
                _ => break,
            }
        }
        Ok(lhs)
    }

    /// `op operand` for the prefix operators.
    fn prefix(&self, op: Pair<Rule>, rhs: Expr) -> Lowered<Expr> {
        let span = self.span(&op).to(rhs.span);
        let kind = match op.as_rule() {
            Rule::pre_inc | Rule::pre_dec => ExprKind::PreCrement {
                inc: op.as_rule() == Rule::pre_inc,
                operand: boxed(rhs)?,
            },
            Rule::addr_of => return self.address_of(rhs, span),
            rule => {
                let u = match rule {
                    Rule::neg => UnaryOp::Neg,
                    Rule::plus => UnaryOp::Plus,
                    Rule::not => UnaryOp::Not,
                    _ => UnaryOp::BitNot,
                };
                ExprKind::Unary(u, boxed(rhs)?)
            }
        };
        Ok(Expr { kind, span })
    }

    /// `operand op` for the postfix operators (`in` included).
    fn postfix(&self, lhs: Expr, op: Pair<Rule>) -> Lowered<Expr> {
        let span = lhs.span.to(self.span(&op));
        let kind = match op.as_rule() {
            Rule::in_op => ExprKind::In {
                keys: vec![Some(no_hist(lhs)?)],
                array: Box::new(self.indexable(first(op))?),
            },
            Rule::call_args
            | Rule::index_list
            | Rule::member
            | Rule::target_index
            | Rule::pretty => return self.select(lhs, op),
            rule => ExprKind::PostCrement {
                inc: rule == Rule::post_inc,
                operand: boxed(lhs)?,
            },
        };
        Ok(Expr { kind, span })
    }

    /// `lhs op rhs` for the infix operators.
    fn infix(&self, lhs: Expr, op: Pair<Rule>, rhs: Expr) -> Lowered<Expr> {
        let span = lhs.span.to(rhs.span);
        let rule = op.as_rule();
        let kind = match rule {
            Rule::assign_op => ExprKind::Assign(assign_op(op.as_str()), boxed(lhs)?, boxed(rhs)?),
            Rule::ternary_op => {
                let middle = self.expr(first(op))?;
                ExprKind::Ternary(boxed(lhs)?, Box::new(middle), boxed(rhs)?)
            }
            Rule::op_match | Rule::op_nomatch => match rhs.kind {
                ExprKind::Literal(Literal::String(pattern)) if self.is_bare(&rhs) => {
                    ExprKind::Regex {
                        subject: boxed(lhs)?,
                        negated: rule == Rule::op_nomatch,
                        pattern,
                    }
                }
                _ => return Err(error(rhs.span, "expected literal string")),
            },
            _ => ExprKind::Binary(
                binop(rule).expect("every infix rule is an operator"),
                boxed(lhs)?,
                boxed(rhs)?,
            ),
        };
        Ok(Expr { kind, span })
    }

    /// Whether `e` was written as a bare literal, not in parentheses.
    fn is_bare(&self, e: &Expr) -> bool {
        !matches!(self.text_at(e.span).chars().next(), Some('('))
    }

    /// `&expr`: only a target expression can have its address taken.
    fn address_of(&self, operand: Expr, span: Span) -> Lowered<Expr> {
        let kind = match operand.kind {
            ExprKind::Target { .. }
            | ExprKind::Cast { .. }
            | ExprKind::AtVar { .. }
            | ExprKind::AutoCast { .. } => ExprKind::Unary(UnaryOp::AddrOf, Box::new(operand)),
            _ => ExprKind::Unary(
                UnaryOp::AddrOf,
                Box::new(Expr {
                    span: operand.span,
                    kind: ExprKind::AutoCast {
                        operand: Box::new(operand),
                        components: Vec::new(),
                    },
                }),
            ),
        };
        Ok(Expr { kind, span })
    }

    /// An array name or histogram, as `in` and `foreach` take.
    fn indexable(&self, pair: Pair<Rule>) -> Lowered<Expr> {
        match pair.as_rule() {
            Rule::hist_op => self.hist(pair),
            _ => Ok(Expr {
                span: self.span(&pair),
                kind: ExprKind::Symbol(pair.as_str().to_string()),
            }),
        }
    }

    /// What follows a value: the arguments of a call, the indexes of an array or a
    /// histogram, or a target component that uses the value as a typed pointer.
    fn select(&self, lhs: Expr, op: Pair<Rule>) -> Lowered<Expr> {
        let op_span = self.span(&op);
        let span = lhs.span.to(op_span);
        match (op.as_rule(), lhs.kind) {
            (Rule::call_args, ExprKind::Symbol(name)) => {
                let name = Ident {
                    name,
                    span: lhs.span,
                };
                self.call(name, op)
            }
            (Rule::index_list, ExprKind::Symbol(name)) => Ok(Expr {
                span,
                kind: ExprKind::Index {
                    base: Box::new(Expr {
                        span: lhs.span,
                        kind: ExprKind::Symbol(name),
                    }),
                    indexes: self.index_list(op)?,
                },
            }),
            (Rule::target_index, kind @ ExprKind::Hist { .. }) => {
                // `@hist_log(s)[bucket]`: one bucket of a histogram.
                let bucket = self.expr(first(op))?;
                Ok(Expr {
                    span,
                    kind: ExprKind::Index {
                        base: Box::new(Expr {
                            span: lhs.span,
                            kind,
                        }),
                        indexes: vec![Some(bucket)],
                    },
                })
            }
            (_, kind) => {
                let lhs = Expr {
                    span: lhs.span,
                    kind,
                };
                let components = self.target_components(std::iter::once(op))?;
                self.with_components(lhs, components, span)
            }
        }
    }

    /// Adds target components to `lhs`: to its own components when it is a target
    /// expression written right before it, else to a new typed-pointer cast of it.
    fn with_components(
        &self,
        mut lhs: Expr,
        new: Vec<TargetComponent>,
        span: Span,
    ) -> Lowered<Expr> {
        // A component right after the target's own text extends it; after a closing
        // parenthesis it applies to the parenthesised value, as in SystemTap.
        let adjacent = matches!(
            self.text_after(lhs.span).trim_start().as_bytes().first(),
            Some(b'-' | b'[' | b'$')
        );
        if adjacent
            && let ExprKind::Target { components, .. }
            | ExprKind::Cast { components, .. }
            | ExprKind::AtVar { components, .. }
            | ExprKind::AutoCast { components, .. } = &mut lhs.kind
        {
            if matches!(components.last(), Some(TargetComponent::Pretty(_))) {
                return Err(error(
                    span,
                    "-> and [ are not accepted for a pretty-printing variable",
                ));
            }
            components.extend(new);
            lhs.span = span;
            return Ok(lhs);
        }
        Ok(Expr {
            span,
            kind: ExprKind::AutoCast {
                operand: boxed(lhs)?,
                components: new,
            },
        })
    }

    fn primary(&self, pair: Pair<Rule>) -> Lowered<Expr> {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let kind = match rule {
            Rule::ident => {
                let name = pair.as_str();
                let rest = self.text_after(span);
                if PrintKind::from_name(name).is_some() && !rest.trim_start().starts_with('(') {
                    // The print family is syntax in SystemTap: its names must be called.
                    let at = span.hi as usize + (rest.len() - rest.trim_start().len());
                    let next = Span {
                        lo: at as u32,
                        hi: at as u32,
                        ..span
                    };
                    return Err(error(next, "expected '('"));
                }
                ExprKind::Symbol(name.to_string())
            }
            Rule::paren => return self.expr(first(pair)),
            Rule::number => ExprKind::Literal(Literal::Number(self.number(pair)?)),
            Rule::string_lit => ExprKind::Literal(Literal::String(string_value(&pair))),
            Rule::bracket_in => {
                let mut keys = Vec::new();
                let mut array = None;
                for p in pair.into_inner() {
                    match p.as_rule() {
                        Rule::wildcard => keys.push(None),
                        Rule::key_expr => keys.push(Some(self.expr(p)?)),
                        _ => array = Some(self.indexable(p)?),
                    }
                }
                ExprKind::In {
                    keys,
                    array: Box::new(array.expect("bracket_in has an array")),
                }
            }
            Rule::stat_op => {
                let mut parts = pair.into_inner();
                let op = StatOp::from_name(parts.next().expect("stat name").as_str())
                    .expect("grammar only accepts known statistics");
                let operand = Box::new(self.expr(parts.next().expect("stat operand"))?);
                let params: Vec<_> = parts.collect();
                let max = usize::from(op == StatOp::Variance);
                if params.len() > max {
                    let msg = if max == 1 {
                        "not more than 2 parameters allowed"
                    } else {
                        "not more than 1 parameter allowed"
                    };
                    return Err(error(self.span(&params[max]), msg));
                }
                let shift = match params.into_iter().next() {
                    Some(p) => Some(self.signed_number(p)?),
                    None => None,
                };
                ExprKind::Stat { op, operand, shift }
            }
            Rule::hist_op => return self.hist(pair),
            Rule::defined_op => ExprKind::Defined(Box::new(self.expr(first(pair))?)),
            Rule::probewrite_op => ExprKind::ProbeWrite(self.ident(first(pair))),
            Rule::perf_op => {
                let name = string_value(&first(pair));
                if name.is_empty() {
                    return Err(error(span, "expected non-empty string"));
                }
                ExprKind::Perf(name)
            }
            Rule::const_op => {
                self.require_guru(&pair, "using @const operator not permitted; need stap -g")?;
                let name = string_value(&first(pair));
                if name.is_empty() {
                    return Err(error(span, "expected non-empty string"));
                }
                ExprKind::Const(name)
            }
            Rule::entry_op => ExprKind::Entry(Box::new(self.expr(first(pair))?)),
            Rule::cast_op => {
                let mut parts = pair.into_inner().peekable();
                let operand = Box::new(self.expr(parts.next().expect("cast operand"))?);
                let ty = string_value(&parts.next().expect("cast type"));
                if ty.is_empty() {
                    return Err(error(span, "expected non-empty string"));
                }
                let (module, components) = self.module_and_components(parts)?;
                ExprKind::Cast {
                    op: "@cast".to_string(),
                    operand,
                    ty,
                    module,
                    components,
                }
            }
            Rule::atvar_op => {
                let mut parts = pair.into_inner().peekable();
                let name = string_value(&parts.next().expect("@var name"));
                let (module, components) = self.module_and_components(parts)?;
                ExprKind::AtVar {
                    name,
                    module,
                    components,
                }
            }
            Rule::register_op => {
                if pair.as_str().starts_with("@k") {
                    self.require_guru(
                        &pair,
                        "using @kregister operator not permitted; need stap -g",
                    )?;
                }
                let mut parts = pair.into_inner();
                let op = parts.next().expect("register name").as_str().to_string();
                let n = self.signed_number(parts.next().expect("register number"))?;
                ExprKind::Register {
                    op,
                    operand: Box::new(Expr {
                        span,
                        kind: ExprKind::Literal(Literal::Number(n)),
                    }),
                }
            }
            Rule::deref_op => {
                if pair.as_str().starts_with("@k") {
                    self.require_guru(&pair, "using @kderef operator not permitted; need stap -g")?;
                }
                let mut parts = pair.into_inner();
                let op = parts.next().expect("deref name").as_str().to_string();
                let size = self.signed_number(parts.next().expect("deref size"))?;
                let addr = Box::new(self.expr(parts.next().expect("deref address"))?);
                ExprKind::Deref { op, size, addr }
            }
            Rule::target_symbol => {
                let mut parts = pair.into_inner();
                let mut name = parts.next().expect("target name").as_str().to_string();
                let mut components = Vec::new();
                // `$foo$` and `$foo$$`: a pretty-printing suffix glued to the name.
                let base_len = name.trim_end_matches('$').len();
                if base_len > 0 && base_len < name.len() {
                    components.push(TargetComponent::Pretty(name[base_len..].to_string()));
                    name.truncate(base_len);
                    if let Some(p) = parts.next() {
                        return Err(error(
                            self.span(&p),
                            "-> and [ are not accepted for a pretty-printing variable",
                        ));
                    }
                }
                components.extend(self.target_components(parts)?);
                ExprKind::Target { name, components }
            }
            Rule::embedded_expr => {
                self.require_guru(
                    &pair,
                    "embedded expression code in unprivileged script; need stap -g",
                )?;
                let code = pair.as_str().trim();
                ExprKind::Embedded(Embedded {
                    span,
                    code: code[2..code.len() - 2].to_string(),
                })
            }
            _ => unreachable!("primary rule {rule:?}"),
        };
        Ok(Expr { kind, span })
    }

    /// `@hist_linear(s, lo, hi, step)` / `@hist_log(s)`.
    pub(super) fn hist(&self, pair: Pair<Rule>) -> Lowered<Expr> {
        let span = self.span(&pair);
        let mut parts = pair.into_inner();
        let linear = parts.next().expect("hist name").as_str() == "@hist_linear";
        let operand = Box::new(self.expr(parts.next().expect("hist operand"))?);
        let params: Vec<_> = parts.collect();
        let kind = if linear {
            if params.len() != 3 {
                let msg = if params.len() < 3 {
                    "expected ','"
                } else {
                    "expected ')'"
                };
                return Err(error(span, msg));
            }
            let mut v = [0i64; 3];
            for (slot, p) in v.iter_mut().zip(params) {
                *slot = self.signed_number(p)?;
            }
            HistKind::Linear {
                lo: v[0],
                hi: v[1],
                step: v[2],
            }
        } else {
            if let Some(p) = params.first() {
                return Err(error(self.span(p), "expected ')'"));
            }
            HistKind::Log
        };
        Ok(Expr {
            span,
            kind: ExprKind::Hist { kind, operand },
        })
    }

    /// The optional module name of `@cast`/`@var`, then the target components after it.
    fn module_and_components<'i>(
        &self,
        mut parts: std::iter::Peekable<impl Iterator<Item = Pair<'i, Rule>>>,
    ) -> Lowered<(Option<String>, Vec<TargetComponent>)> {
        let module = parts
            .next_if(|p| p.as_rule() == Rule::string_lit)
            .map(|p| string_value(&p));
        Ok((module, self.target_components(parts)?))
    }

    /// `->field`, `[i]`, `$`, `$$` after a target expression.
    fn target_components<'i>(
        &self,
        parts: impl Iterator<Item = Pair<'i, Rule>>,
    ) -> Lowered<Vec<TargetComponent>> {
        let mut out = Vec::new();
        let mut pretty = false;
        for p in parts {
            if pretty {
                return Err(error(
                    self.span(&p),
                    "-> and [ are not accepted for a pretty-printing variable",
                ));
            }
            match p.as_rule() {
                Rule::member => {
                    let member = first(p).as_str().to_string();
                    let base_len = member.trim_end_matches('$').len();
                    if base_len > 0 {
                        out.push(TargetComponent::Member(member[..base_len].to_string()));
                    }
                    if base_len < member.len() {
                        out.push(TargetComponent::Pretty(member[base_len..].to_string()));
                        pretty = true;
                    }
                }
                Rule::target_index => {
                    out.push(TargetComponent::Index(Box::new(self.expr(first(p))?)));
                }
                _ => {
                    out.push(TargetComponent::Pretty(p.as_str().to_string()));
                    pretty = true;
                }
            }
        }
        Ok(out)
    }

    /// A function call, or a member of the print family with its special arguments.
    fn call(&self, name: Ident, args: Pair<Rule>) -> Lowered<Expr> {
        let span = name.span.to(self.span(&args));
        let parts = args.into_inner();
        let Some(kind) = PrintKind::from_name(&name.name) else {
            let args = parts.map(|p| self.expr(p)).collect::<Lowered<Vec<_>>>()?;
            return Ok(Expr {
                span,
                kind: ExprKind::Call { name, args },
            });
        };
        let mut args: Vec<Pair<Rule>> = parts.collect();
        let mut format = None;
        let mut hist = None;
        if kind.format || kind.delim {
            let first_arg = (!args.is_empty()).then(|| args.remove(0));
            let literal = first_arg.as_ref().and_then(|a| {
                let e = self.expr(a.clone()).ok()?;
                match e.kind {
                    ExprKind::Literal(Literal::String(s)) if self.is_bare(&e) => Some(s),
                    _ => None,
                }
            });
            match literal {
                Some(s) => {
                    if kind.format
                        && let Err(e) = stap_abi::format::parse(s.as_bytes())
                        && let Some(arg) = &first_arg
                    {
                        // SystemTap reports it at the token after the format.
                        let after = self.span(arg);
                        let rest = self.text_after(after);
                        let at = (after.hi as usize + rest.len() - rest.trim_start().len()) as u32;
                        return Err(error(
                            Span {
                                lo: at,
                                hi: at,
                                ..after
                            },
                            e.message(),
                        ));
                    }
                    format = Some(s)
                }
                None => {
                    let at = first_arg.as_ref().map_or(span, |a| self.span(a));
                    return Err(error(at, "expected literal string"));
                }
            }
        } else if !args.is_empty() {
            // `print(@hist_log(s))` draws the histogram.
            let e = self.expr_or_hist(args[0].clone())?;
            if matches!(e.kind, ExprKind::Hist { .. }) {
                hist = Some(Box::new(e));
                args.remove(0);
            }
        }
        let min_args = if kind.delim {
            2
        } else if !kind.format && !kind.newline && hist.is_none() {
            1
        } else {
            0
        };
        if args.len() < min_args {
            // The missing value belongs before the closing parenthesis.
            let close = Span {
                lo: span.hi.saturating_sub(1),
                ..span
            };
            return Err(error(close, "expected an expression"));
        }
        let args = args
            .into_iter()
            .map(|p| self.expr(p))
            .collect::<Lowered<Vec<_>>>()?;
        Ok(Expr {
            span,
            kind: ExprKind::Print {
                kind,
                format,
                hist,
                args,
            },
        })
    }
}
