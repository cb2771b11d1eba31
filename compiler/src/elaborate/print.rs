//! `-p2` output: the elaborated program as `stap -p2` prints it (globals with their
//! types, functions with their signatures, probes with their derivation and locals),
//! and with `-v` the bodies too.

use std::fmt::Write;

use stap_abi::format::{Conversion, Piece, Size};
use stap_abi::{GlobalKind, ValueType};

use crate::ir::*;

use super::escapes::encode;

/// The `stap -p2` text of `program`.
pub fn program_to_string(program: &Program) -> String {
    render(program, false)
}

/// The `stap -v -p2` text of `program`: [`program_to_string`] with the bodies.
pub fn program_to_string_verbose(program: &Program) -> String {
    render(program, true)
}

fn value_name(v: ValueType) -> &'static str {
    match v {
        ValueType::Long => "long",
        ValueType::String => "string",
    }
}

/// Whether a function returns a value: SystemTap prints `unknown` for one that does not.
fn returns_value(stmts: &[Stmt]) -> bool {
    stmts.iter().any(|s| match &s.kind {
        StmtKind::Return(v) => v.is_some(),
        StmtKind::Block(b) => returns_value(b),
        StmtKind::If {
            then, otherwise, ..
        } => {
            returns_value(std::slice::from_ref(then))
                || otherwise
                    .as_ref()
                    .is_some_and(|o| returns_value(std::slice::from_ref(o)))
        }
        StmtKind::For { body, .. } => returns_value(std::slice::from_ref(body)),
        StmtKind::Foreach(f) => returns_value(std::slice::from_ref(&f.body)),
        StmtKind::Try { body, handler, .. } => returns_value(body) || returns_value(handler),
        _ => false,
    })
}

fn render(p: &Program, verbose: bool) -> String {
    let mut out = String::new();
    if !p.globals.is_empty() {
        out.push_str("# globals\n");
        for g in &p.globals {
            out.push_str(&g.name);
            if let Some(n) = g.max_entries {
                let _ = write!(out, "[{n}]");
            }
            let ty = match g.kind {
                GlobalKind::Value(v) => value_name(v),
                GlobalKind::Stats(_) => "stats",
            };
            let _ = write!(out, ":{ty}");
            if !g.keys.is_empty() {
                let keys: Vec<&str> = g.keys.iter().map(|k| value_name(*k)).collect();
                let _ = write!(out, " [{}]", keys.join(", "));
            }
            out.push('\n');
        }
    }
    if !p.functions.is_empty() {
        out.push_str("# functions\n");
        for f in &p.functions {
            let ret = if returns_value(&f.body.stmts) {
                f.ret.name()
            } else {
                "unknown"
            };
            let params: Vec<String> = f.body.locals[..f.params]
                .iter()
                .map(|l| format!("{}:{}", l.name, l.ty.name()))
                .collect();
            let _ = writeln!(out, "{}:{} ({})", f.name, ret, params.join(", "));
            if verbose {
                Body {
                    p,
                    locals: &f.body.locals,
                    out: &mut out,
                }
                .body(&f.body.stmts);
            }
        }
    }
    if !p.probes.is_empty() {
        out.push_str("# probes\n");
        for probe in &p.probes {
            for (_, point) in &probe.points {
                let _ = writeln!(out, "{point} /* {} */", probe.derivation);
                let locals = &probe.body.locals;
                if !locals.is_empty() {
                    out.push_str("  # locals\n");
                    for l in locals {
                        let _ = writeln!(out, "  {}:{}", l.name, l.ty.name());
                    }
                }
                if verbose {
                    Body {
                        p,
                        locals,
                        out: &mut out,
                    }
                    .body(&probe.body.stmts);
                }
            }
        }
    }
    out
}

/// Prints statements and expressions in SystemTap's canonical syntax, with globals and
/// functions under the names SystemTap gives them in its output.
struct Body<'a> {
    p: &'a Program,
    locals: &'a [Local],
    out: &'a mut String,
}

fn arith_op(op: ArithOp) -> &'static str {
    match op {
        ArithOp::Add => "+",
        ArithOp::Sub => "-",
        ArithOp::Mul => "*",
        ArithOp::Div => "/",
        ArithOp::Mod => "%",
        ArithOp::Shl => "<<",
        ArithOp::Shr => ">>",
        ArithOp::UShr => ">>>",
        ArithOp::BitAnd => "&",
        ArithOp::BitOr => "|",
        ArithOp::BitXor => "^",
    }
}

fn cmp_op(op: CmpOp) -> &'static str {
    match op {
        CmpOp::Lt => "<",
        CmpOp::Le => "<=",
        CmpOp::Gt => ">",
        CmpOp::Ge => ">=",
        CmpOp::Eq => "==",
        CmpOp::Ne => "!=",
    }
}

fn stat_name(f: stap_abi::StatField) -> &'static str {
    match f {
        stap_abi::StatField::Count => "@count",
        stap_abi::StatField::Sum => "@sum",
        stap_abi::StatField::Min => "@min",
        stap_abi::StatField::Max => "@max",
        stap_abi::StatField::Avg => "@avg",
        stap_abi::StatField::Variance => "@variance",
    }
}

/// A format written back as a string literal's content.
fn format_text(pieces: &[Piece]) -> String {
    let mut s = String::new();
    for piece in pieces {
        match piece {
            Piece::Literal(l) => s.push_str(&encode(l).replace('%', "%%")),
            Piece::Spec(spec) => {
                s.push('%');
                let f = spec.flags;
                for (on, c) in [
                    (f.left, '-'),
                    (f.plus, '+'),
                    (f.space, ' '),
                    (f.special, '#'),
                    (f.zero_pad, '0'),
                ] {
                    if on {
                        s.push(c);
                    }
                }
                match spec.width {
                    Size::Static(n) => {
                        let _ = write!(s, "{n}");
                    }
                    Size::Dynamic => s.push('*'),
                    Size::Unspecified => {}
                }
                match spec.precision {
                    Size::Static(n) => {
                        let _ = write!(s, ".{n}");
                    }
                    Size::Dynamic => s.push_str(".*"),
                    Size::Unspecified => {}
                }
                s.push(match spec.conversion {
                    Conversion::Signed => 'd',
                    Conversion::Unsigned => 'u',
                    Conversion::Octal => 'o',
                    Conversion::HexLower => 'x',
                    Conversion::HexUpper => 'X',
                    Conversion::Pointer => 'p',
                    Conversion::String => 's',
                    Conversion::Char => 'c',
                    Conversion::Binary => 'b',
                    Conversion::Memory => 'm',
                    Conversion::MemoryHex => 'M',
                });
            }
        }
    }
    s
}

impl Body<'_> {
    fn body(&mut self, stmts: &[Stmt]) {
        self.out.push_str("{ {\n");
        for s in stmts {
            self.stmt(s);
            self.out.push_str(";\n");
        }
        self.out.push_str("} }\n");
    }

    fn global(&self, g: GlobalId) -> String {
        format!("__global_{}", self.p.globals[g].name)
    }

    fn stmt(&mut self, s: &Stmt) {
        match &s.kind {
            StmtKind::Block(stmts) => {
                self.out.push_str("{\n");
                for s in stmts {
                    self.stmt(s);
                    self.out.push_str(";\n");
                }
                self.out.push('}');
            }
            StmtKind::Expr(e) => self.expr(e),
            StmtKind::If {
                cond,
                then,
                otherwise,
            } => {
                self.out.push_str("if (");
                self.expr(cond);
                self.out.push_str(") ");
                self.stmt(then);
                if let Some(o) = otherwise {
                    self.out.push_str("\nelse ");
                    self.stmt(o);
                }
            }
            StmtKind::For {
                init,
                cond,
                step,
                body,
            } => {
                self.out.push_str("for (");
                if let Some(i) = init {
                    self.expr(i);
                }
                self.out.push_str("; ");
                self.expr(cond);
                self.out.push_str("; ");
                if let Some(st) = step {
                    self.expr(st);
                }
                self.out.push_str(") ");
                self.stmt(body);
            }
            StmtKind::Foreach(f) => {
                let spec = &self.p.iterations[f.iteration];
                self.out.push_str("foreach (");
                if let Some(v) = f.value {
                    let _ = write!(self.out, "{} = ", self.locals[v].name);
                }
                let keys: Vec<String> = f
                    .keys
                    .iter()
                    .enumerate()
                    .map(|(i, k)| {
                        let mut s = self.locals[*k].name.clone();
                        if let Some(sort) = spec.sort
                            && sort.column == i + 1
                        {
                            s.push(if sort.descending { '-' } else { '+' });
                        }
                        s
                    })
                    .collect();
                let _ = write!(
                    self.out,
                    "[{}] in {}",
                    keys.join(", "),
                    self.global(spec.global)
                );
                if let Some(sort) = spec.sort
                    && sort.column == 0
                {
                    self.out.push(if sort.descending { '-' } else { '+' });
                }
                if let Some(l) = &f.limit {
                    self.out.push_str(" limit ");
                    self.expr(l);
                }
                self.out.push_str(") ");
                self.stmt(&f.body);
            }
            StmtKind::Return(v) => {
                self.out.push_str("return");
                if let Some(v) = v {
                    self.out.push(' ');
                    self.expr(v);
                }
            }
            StmtKind::Delete(t) => {
                self.out.push_str("delete ");
                match t {
                    DeleteTarget::Local(l) => self.out.push_str(&self.locals[*l].name),
                    DeleteTarget::Global(g) => self.out.push_str(&self.p.globals[*g].name),
                    DeleteTarget::Element { global, keys } => {
                        let name = self.global(*global);
                        self.out.push_str(&name);
                        self.keys_opt(keys);
                    }
                }
            }
            StmtKind::Break => self.out.push_str("break"),
            StmtKind::Continue => self.out.push_str("continue"),
            StmtKind::Next => self.out.push_str("next"),
            StmtKind::Try { body, var, handler } => {
                self.out.push_str("try {\n");
                for s in body {
                    self.stmt(s);
                    self.out.push_str(";\n");
                }
                self.out.push_str("} catch");
                if let Some(v) = var {
                    let _ = write!(self.out, " ({})", self.locals[*v].name);
                }
                self.out.push_str(" {\n");
                for s in handler {
                    self.stmt(s);
                    self.out.push_str(";\n");
                }
                self.out.push('}');
            }
        }
    }

    fn keys(&mut self, keys: &[Expr]) {
        self.out.push('[');
        for (i, k) in keys.iter().enumerate() {
            if i > 0 {
                self.out.push_str(", ");
            }
            self.expr(k);
        }
        self.out.push(']');
    }

    fn keys_opt(&mut self, keys: &[Option<Expr>]) {
        self.out.push('[');
        for (i, k) in keys.iter().enumerate() {
            if i > 0 {
                self.out.push_str(", ");
            }
            match k {
                Some(k) => self.expr(k),
                None => self.out.push('*'),
            }
        }
        self.out.push(']');
    }

    fn paren(&mut self, e: &Expr) {
        self.out.push('(');
        self.expr(e);
        self.out.push(')');
    }

    fn infix(&mut self, l: &Expr, op: &str, r: &Expr) {
        self.paren(l);
        let _ = write!(self.out, " {op} ");
        self.paren(r);
    }

    fn lvalue(&mut self, t: &LValue) {
        self.out.push('(');
        match t {
            LValue::Local(l) => self.out.push_str(&self.locals[*l].name),
            LValue::Global(g) => {
                let name = self.global(*g);
                self.out.push_str(&name);
            }
            LValue::Element { global, keys, .. } => {
                let name = self.global(*global);
                self.out.push_str(&name);
                self.keys(keys);
            }
        }
        self.out.push(')');
    }

    fn stat_target(&mut self, t: &StatTarget) {
        match t {
            StatTarget::Global(g) => {
                let name = self.global(*g);
                self.out.push_str(&name);
            }
            StatTarget::Element { global, keys, .. } => {
                let name = self.global(*global);
                self.out.push_str(&name);
                self.keys(keys);
            }
        }
    }

    fn args(&mut self, args: &[Expr]) {
        for (i, a) in args.iter().enumerate() {
            if i > 0 {
                self.out.push_str(", ");
            }
            self.expr(a);
        }
    }

    fn expr(&mut self, e: &Expr) {
        match &e.kind {
            ExprKind::Long(n) => {
                let _ = write!(self.out, "{n}");
            }
            ExprKind::Str(s) => {
                let _ = write!(self.out, "\"{}\"", encode(s));
            }
            ExprKind::Local(l) => self.out.push_str(&self.locals[*l].name),
            ExprKind::Global(g) => {
                let name = self.global(*g);
                self.out.push_str(&name);
            }
            ExprKind::Element { global, keys } => {
                let name = self.global(*global);
                self.out.push_str(&name);
                self.keys(keys);
            }
            ExprKind::Arith(op, l, r) => self.infix(l, arith_op(*op), r),
            ExprKind::Compare(op, l, r) => self.infix(l, cmp_op(*op), r),
            ExprKind::Concat(l, r) => self.infix(l, ".", r),
            ExprKind::And(l, r) => self.infix(l, "&&", r),
            ExprKind::Or(l, r) => self.infix(l, "||", r),
            ExprKind::Not(o) => {
                self.out.push('!');
                self.paren(o);
            }
            ExprKind::Neg(o) => {
                self.out.push('-');
                self.paren(o);
            }
            ExprKind::BitNot(o) => {
                self.out.push('~');
                self.paren(o);
            }
            ExprKind::Ternary(c, a, b) => {
                self.paren(c);
                self.out.push('?');
                self.paren(a);
                self.out.push(':');
                self.paren(b);
            }
            ExprKind::Assign { target, op, value } => {
                self.lvalue(target);
                let op = op.map_or("=".to_string(), |o| format!("{}=", arith_op(o)));
                let _ = write!(self.out, " {op} ");
                self.paren(value);
            }
            ExprKind::ConcatAssign { target, value } => {
                self.lvalue(target);
                self.out.push_str(" .= ");
                self.paren(value);
            }
            ExprKind::Crement { target, inc, post } => {
                let op = if *inc { "++" } else { "--" };
                if !post {
                    self.out.push_str(op);
                }
                self.lvalue(target);
                if *post {
                    self.out.push_str(op);
                }
            }
            ExprKind::StatAdd { target, value } => {
                self.out.push('(');
                self.stat_target(target);
                self.out.push_str(") <<< ");
                self.paren(value);
            }
            ExprKind::StatGet { target, field } => {
                let _ = write!(self.out, "{}(", stat_name(*field));
                self.stat_target(target);
                self.out.push(')');
            }
            ExprKind::HistBucket { target, bucket } => {
                self.out.push_str("@hist(");
                self.stat_target(target);
                self.out.push_str(")[");
                self.expr(bucket);
                self.out.push(']');
            }
            ExprKind::HistPrint { target, to_string } => {
                self.out.push_str(if *to_string {
                    "sprint(@hist("
                } else {
                    "print(@hist("
                });
                self.stat_target(target);
                self.out.push_str("))");
            }
            ExprKind::In { global, keys } => {
                self.keys_opt(keys);
                let name = self.global(*global);
                let _ = write!(self.out, " in {name}");
            }
            ExprKind::Regex {
                subject,
                regex,
                negated,
            } => {
                self.paren(subject);
                let op = if *negated { "!~" } else { "=~" };
                let _ = write!(self.out, " {op} \"{}\"", self.p.regexes[*regex]);
            }
            ExprKind::Call { function, args } => {
                let name = &self.p.functions[*function].name;
                let _ = write!(self.out, "__global_{name}__overload_0(");
                self.args(args);
                self.out.push(')');
            }
            ExprKind::Builtin { builtin, args } => {
                let _ = write!(self.out, "{}(", builtin.name);
                self.args(args);
                self.out.push(')');
            }
            ExprKind::Printf {
                format,
                args,
                to_string,
            } => {
                let name = if *to_string { "sprintf" } else { "printf" };
                let _ = write!(self.out, "{name}(\"{}\"", format_text(format));
                if !args.is_empty() {
                    self.out.push_str(", ");
                }
                self.args(args);
                self.out.push(')');
            }
            ExprKind::Exit => self.out.push_str("exit()"),
            ExprKind::Error(m) => {
                self.out.push_str("error(");
                self.expr(m);
                self.out.push(')');
            }
        }
    }
}
