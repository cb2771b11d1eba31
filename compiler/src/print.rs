//! The pass-1 printer: a script as `stap -p1` prints its parse tree.
//!
//! Every construct has one canonical form, byte for byte SystemTap's (staptree.cxx):
//! operands of operators in parentheses, a `;` and a newline after each statement of a
//! block, globals, then aliases, then probes, then functions.

use std::fmt::{self, Write};

use crate::ast::*;

/// The `-p1` text of `script`: `# file NAME` and its declarations.
///
/// Like SystemTap, this quotes `printf` formats and `printd` delimiters with
/// [`qstring`], which doubles their backslashes: reading the text back gives formats
/// with doubled backslashes. [`script_to_canonical_string`] does not.
pub fn script_to_string(script: &Script) -> String {
    let mut out = String::new();
    let _ = Printer {
        out: &mut out,
        quote_formats: true,
    }
    .script(script);
    out
}

/// The `-p1` text of `script` with formats printed as plain string literals: reading
/// it back gives the same tree (spans aside).
pub fn script_to_canonical_string(script: &Script) -> String {
    let mut out = String::new();
    let _ = Printer {
        out: &mut out,
        quote_formats: false,
    }
    .script(script);
    out
}

/// `s` quoted as SystemTap's `lex_cast_qstring` quotes it: `"` and `\` escaped,
/// unprintable bytes as three-digit octal escapes.
pub fn qstring(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for &b in s.as_bytes() {
        match b {
            b'"' | b'\\' => {
                out.push('\\');
                out.push(b as char);
            }
            0x20..=0x7e => out.push(b as char),
            _ => {
                let _ = write!(out, "\\{:03o}", b);
            }
        }
    }
    out.push('"');
    out
}

struct Printer<'o> {
    out: &'o mut String,
    /// Quote formats as SystemTap does (see [`script_to_string`]).
    quote_formats: bool,
}

impl Printer<'_> {
    fn script(&mut self, s: &Script) -> fmt::Result {
        writeln!(self.out, "# file {}", s.name)?;
        for item in &s.items {
            if let Item::Embedded(e) = item {
                write!(self.out, "%{{{}%}}", e.code)?;
            }
        }
        for item in &s.items {
            if let Item::Global(g) = item {
                write!(self.out, "global {}", g.name.name)?;
                if g.wrap {
                    self.out.push('%');
                }
                if let Some(n) = g.size {
                    write!(self.out, "[{n}]")?;
                }
                if let Some(init) = &g.init {
                    self.out.push_str(" = ");
                    self.literal(init);
                }
                self.out.push('\n');
            }
        }
        for item in &s.items {
            if let Item::Alias(a) = item {
                self.out.push_str("probe ");
                for (i, n) in a.names.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(" = ");
                    }
                    self.probe_point(n)?;
                }
                self.out.push_str(if a.epilogue { " += " } else { " = " });
                for (i, p) in a.points.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(", ");
                    }
                    self.probe_point(p)?;
                }
                self.block(&a.body)?;
                self.out.push('\n');
            }
        }
        for item in &s.items {
            if let Item::Probe(p) = item {
                self.out.push_str("probe ");
                for (i, pp) in p.points.iter().enumerate() {
                    if i > 0 {
                        self.out.push(',');
                    }
                    self.probe_point(pp)?;
                }
                self.block(&p.body)?;
                self.out.push('\n');
            }
        }
        for item in &s.items {
            if let Item::Function(f) = item {
                write!(self.out, "function {} (", f.name.name)?;
                for (i, p) in f.params.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(", ");
                    }
                    self.out.push_str(&p.name.name);
                }
                self.out.push_str(")\n");
                match &f.body {
                    FunctionBody::Block(b) => self.block(b)?,
                    FunctionBody::Embedded(e) => write!(self.out, "%{{{}%}}", e.code)?,
                }
                self.out.push('\n');
            }
        }
        Ok(())
    }

    fn probe_point(&mut self, pp: &ProbePoint) -> fmt::Result {
        for (i, c) in pp.components.iter().enumerate() {
            if i > 0 {
                self.out.push('.');
            }
            self.out.push_str(&c.name);
            if let Some(arg) = &c.arg {
                self.out.push('(');
                self.literal(arg);
                self.out.push(')');
            }
        }
        if pp.sufficient {
            self.out.push('!');
        } else if pp.optional {
            self.out.push('?');
        }
        if let Some(cond) = &pp.condition {
            self.out.push_str(" if (");
            self.expr(cond)?;
            self.out.push(')');
        }
        Ok(())
    }

    fn literal(&mut self, l: &Literal) {
        match l {
            Literal::Number(n) => {
                let _ = write!(self.out, "{n}");
            }
            Literal::String(s) => self.string(s),
        }
    }

    /// A string literal as `literal_string::print` writes it: only `"` is escaped.
    fn string(&mut self, s: &str) {
        self.out.push('"');
        for c in s.chars() {
            if c == '"' {
                self.out.push('\\');
            }
            self.out.push(c);
        }
        self.out.push('"');
    }

    fn block(&mut self, b: &Block) -> fmt::Result {
        self.out.push_str("{\n");
        for s in &b.stmts {
            self.stmt(s)?;
            self.out.push_str(";\n");
        }
        self.out.push('}');
        Ok(())
    }

    fn stmt(&mut self, s: &Stmt) -> fmt::Result {
        match &s.kind {
            StmtKind::Block(b) => self.block(b)?,
            StmtKind::Null => self.out.push(';'),
            StmtKind::Expr(e) => self.expr(e)?,
            StmtKind::If {
                cond,
                then,
                otherwise,
            } => {
                self.out.push_str("if (");
                self.expr(cond)?;
                self.out.push_str(") ");
                self.stmt(then)?;
                self.out.push('\n');
                if let Some(e) = otherwise {
                    self.out.push_str("else ");
                    self.stmt(e)?;
                    self.out.push('\n');
                }
            }
            StmtKind::For(f) => {
                self.out.push_str("for (");
                if let Some(i) = &f.init {
                    self.expr(i)?;
                }
                self.out.push_str("; ");
                self.expr(&f.cond)?;
                self.out.push_str("; ");
                if let Some(st) = &f.step {
                    self.expr(st)?;
                }
                self.out.push_str(") ");
                self.stmt(&f.body)?;
            }
            StmtKind::Foreach(f) => self.foreach(f)?,
            StmtKind::Return(v) => {
                self.out.push_str("return");
                if let Some(v) = v {
                    self.out.push(' ');
                    self.expr(v)?;
                }
            }
            StmtKind::Delete(e) => {
                self.out.push_str("delete ");
                self.expr(e)?;
            }
            StmtKind::Break => self.out.push_str("break"),
            StmtKind::Continue => self.out.push_str("continue"),
            StmtKind::Next => self.out.push_str("next"),
            StmtKind::Try { body, var, handler } => {
                self.out.push_str("try {\n");
                self.block(body)?;
                self.out.push_str("\n} catch ");
                if let Some(v) = var {
                    write!(self.out, "({}) ", v.name)?;
                }
                self.out.push_str("{\n");
                self.block(handler)?;
                self.out.push_str("\n}\n");
            }
        }
        Ok(())
    }

    fn foreach(&mut self, f: &Foreach) -> fmt::Result {
        self.out.push_str("foreach (");
        if let Some(v) = &f.value {
            write!(self.out, "{} = ", v.name)?;
        }
        self.out.push('[');
        for (i, k) in f.keys.iter().enumerate() {
            if i > 0 {
                self.out.push_str(", ");
            }
            self.out.push_str(&k.name);
            if let Some((SortKey::Key(c), dir)) = f.sort
                && c == i
            {
                self.out.push(sort_char(dir));
            }
        }
        self.out.push_str("] in ");
        self.expr(&f.base)?;
        if let Some(slice) = &f.slice {
            self.indexes(slice)?;
        }
        if let Some((SortKey::Value, dir)) = f.sort {
            if let Some(agg) = f.sort_agg
                && agg != StatOp::Variance
            {
                write!(self.out, " {}", agg.as_str())?;
            }
            self.out.push(sort_char(dir));
        }
        if let Some(l) = &f.limit {
            self.out.push_str(" limit ");
            self.expr(l)?;
        }
        self.out.push_str(") ");
        self.stmt(&f.body)
    }

    fn indexes(&mut self, idx: &[Option<Expr>]) -> fmt::Result {
        self.out.push('[');
        for (i, e) in idx.iter().enumerate() {
            if i > 0 {
                self.out.push_str(", ");
            }
            match e {
                Some(e) => self.expr(e)?,
                None => self.out.push('*'),
            }
        }
        self.out.push(']');
        Ok(())
    }

    fn paren(&mut self, e: &Expr) -> fmt::Result {
        self.out.push('(');
        self.expr(e)?;
        self.out.push(')');
        Ok(())
    }

    fn components(&mut self, comps: &[TargetComponent]) -> fmt::Result {
        for c in comps {
            match c {
                TargetComponent::Member(m) | TargetComponent::Pretty(m) => {
                    write!(self.out, "->{m}")?
                }
                TargetComponent::Index(e) => {
                    self.out.push('[');
                    self.expr(e)?;
                    self.out.push(']');
                }
            }
        }
        Ok(())
    }

    fn expr(&mut self, e: &Expr) -> fmt::Result {
        match &e.kind {
            ExprKind::Literal(l) => self.literal(l),
            ExprKind::Symbol(s) => self.out.push_str(s),
            ExprKind::Index { base, indexes } => {
                self.expr(base)?;
                self.indexes(indexes)?;
            }
            ExprKind::Binary(op, l, r) => {
                self.paren(l)?;
                write!(self.out, " {} ", op.as_str())?;
                self.paren(r)?;
            }
            ExprKind::Assign(op, l, r) => {
                self.paren(l)?;
                write!(self.out, " {} ", op.as_str())?;
                self.paren(r)?;
            }
            ExprKind::Unary(UnaryOp::AddrOf, x) => {
                self.out.push('&');
                self.expr(x)?;
            }
            ExprKind::Unary(op, x) => {
                self.out.push_str(op.as_str());
                self.paren(x)?;
            }
            ExprKind::PreCrement { inc, operand } => {
                self.out.push_str(if *inc { "++" } else { "--" });
                self.paren(operand)?;
            }
            ExprKind::PostCrement { inc, operand } => {
                self.paren(operand)?;
                self.out.push_str(if *inc { "++" } else { "--" });
            }
            ExprKind::Ternary(c, a, b) => {
                self.paren(c)?;
                self.out.push('?');
                self.paren(a)?;
                self.out.push(':');
                self.paren(b)?;
            }
            ExprKind::Regex {
                subject,
                negated,
                pattern,
            } => {
                self.paren(subject)?;
                self.out.push_str(if *negated { " !~ " } else { " =~ " });
                self.string(pattern);
            }
            ExprKind::In { keys, array } => {
                self.indexes(keys)?;
                self.out.push_str(" in ");
                self.expr(array)?;
            }
            ExprKind::Call { name, args } => {
                write!(self.out, "{}(", name.name)?;
                self.args(args, false)?;
                self.out.push(')');
            }
            ExprKind::Print {
                kind,
                format,
                hist,
                args,
            } => {
                write!(self.out, "{}(", kind.name())?;
                match format {
                    Some(f) if self.quote_formats => self.out.push_str(&qstring(f)),
                    Some(f) => self.string(f),
                    None => {}
                }
                if let Some(h) = hist {
                    self.expr(h)?;
                }
                self.args(args, format.is_some())?;
                self.out.push(')');
            }
            ExprKind::Stat { op, operand, shift } => {
                write!(self.out, "{}(", op.as_str())?;
                self.expr(operand)?;
                if let (StatOp::Variance, Some(s)) = (op, shift) {
                    write!(self.out, ", {s}")?;
                }
                self.out.push(')');
            }
            ExprKind::Hist { kind, operand } => match kind {
                HistKind::Linear { lo, hi, step } => {
                    self.out.push_str("@hist_linear(");
                    self.expr(operand)?;
                    write!(self.out, ", {lo}, {hi}, {step})")?;
                }
                HistKind::Log => {
                    self.out.push_str("@hist_log(");
                    self.expr(operand)?;
                    self.out.push(')');
                }
            },
            ExprKind::Defined(x) => {
                self.out.push_str("@defined(");
                self.expr(x)?;
                self.out.push(')');
            }
            ExprKind::ProbeWrite(v) => write!(self.out, "@probewrite({})", v.name)?,
            ExprKind::Perf(name) => {
                self.out.push_str("@perf(");
                self.string(name);
                self.out.push(')');
            }
            ExprKind::Const(name) => write!(
                self.out,
                "%{{ /* pure */ /* unprivileged */ /* stable */ {name} %}}"
            )?,
            ExprKind::Entry(x) => {
                self.out.push_str("@entry(");
                self.expr(x)?;
                self.out.push(')');
            }
            ExprKind::Target { name, components } => {
                self.out.push_str(name);
                self.components(components)?;
            }
            ExprKind::Cast {
                op,
                operand,
                ty,
                module,
                components,
            } => {
                write!(self.out, "{op}(")?;
                self.expr(operand)?;
                write!(self.out, ", {}", qstring(ty))?;
                if let Some(m) = module.as_ref().filter(|m| !m.is_empty()) {
                    write!(self.out, ", {}", qstring(m))?;
                }
                self.out.push(')');
                self.components(components)?;
            }
            ExprKind::AtVar {
                name,
                module,
                components,
            } => {
                write!(self.out, "@var(\"{name}\"")?;
                if let Some(m) = module.as_ref().filter(|m| !m.is_empty()) {
                    write!(self.out, ", {}", qstring(m))?;
                }
                self.out.push(')');
                self.components(components)?;
            }
            ExprKind::AutoCast {
                operand,
                components,
            } => {
                self.paren(operand)?;
                self.components(components)?;
            }
            ExprKind::Register { op, operand } => {
                write!(self.out, "{op}(")?;
                self.expr(operand)?;
                self.out.push(')');
            }
            ExprKind::Deref { op, size, addr } => {
                write!(self.out, "{op}({size}, ")?;
                self.expr(addr)?;
                self.out.push(')');
            }
            ExprKind::Embedded(code) => write!(self.out, "%{{ {} %}}", code.code)?,
        }
        Ok(())
    }

    fn args(&mut self, args: &[Expr], after_first: bool) -> fmt::Result {
        for (i, a) in args.iter().enumerate() {
            if i > 0 || after_first {
                self.out.push_str(", ");
            }
            self.expr(a)?;
        }
        Ok(())
    }
}

fn sort_char(dir: SortDir) -> char {
    match dir {
        SortDir::Ascending => '+',
        SortDir::Descending => '-',
    }
}
