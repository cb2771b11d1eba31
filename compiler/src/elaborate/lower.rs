//! From the resolved, typed tree to the IR codegen reads: unused globals dropped,
//! print calls turned into formats, statistics usage and `foreach` specs collected,
//! every construct given its error site.

use std::collections::HashMap;

use stap_abi::format::{Conversion, Flags, Piece, Size, Spec};
use stap_abi::{
    GlobalInfo, GlobalKind, Histogram, InitValue, IterSpec, SortSpec, StatField, StatUsage,
    ValueType,
};

use crate::ast::{AssignOp, HistKind, SortDir, SortKey, StatOp};
use crate::ir::{self, ArithOp, LValue, Program, StatTarget, Type};

use super::resolve::Resolved;
use super::tokens::{Reported, Tok, Tokens};
use super::tree::*;
use super::walk;

/// Builds the program; statistics conflicts go to `errors`.
pub fn lower(r: &Resolved, tokens: &Tokens<'_>, errors: &mut Vec<Reported>) -> Program {
    let mut l = Lowering {
        r,
        tokens,
        program: Program::default(),
        global_ids: vec![None; r.globals.len()],
        usage: Vec::new(),
        hist_seen: Vec::new(),
        variance_seen: Vec::new(),
        sites: HashMap::new(),
        regexes: HashMap::new(),
        errors,
    };
    l.globals();
    for f in &r.functions {
        let body = l.body(&f.locals, &f.body);
        let site = l.site(f.tok);
        l.program.functions.push(ir::Function {
            name: f.name.clone(),
            params: f.params,
            ret: f.ty.unwrap_or(Type::Long),
            body,
            location: f.location.clone(),
            site,
        });
    }
    let touched = l.touched_by_functions();
    for p in &r.probes {
        if p.points.is_empty() {
            continue;
        }
        let body = l.body(&p.locals, &p.body);
        let mut globals = l.touched(&p.body);
        for f in walk::calls(&p.body) {
            globals.extend(&touched[f]);
        }
        globals.sort_unstable();
        globals.dedup();
        l.program.probes.push(ir::Probe {
            points: p.points.clone(),
            body,
            location: p.location.clone(),
            globals,
            derivation: p.derivation.clone(),
        });
    }
    for (g, usage) in l.usage.iter().enumerate() {
        if let GlobalKind::Stats(u) = &mut l.program.globals[g].kind {
            *u = *usage;
        }
    }
    l.program
}

struct Lowering<'a, 't, 'm, 'e> {
    r: &'a Resolved,
    tokens: &'t Tokens<'m>,
    program: Program,
    global_ids: Vec<Option<usize>>,
    usage: Vec<StatUsage>,
    hist_seen: Vec<bool>,
    variance_seen: Vec<bool>,
    sites: HashMap<String, ir::SiteId>,
    regexes: HashMap<String, usize>,
    errors: &'e mut Vec<Reported>,
}

fn value_type(t: Slot) -> ValueType {
    match t {
        Some(Type::String) => ValueType::String,
        _ => ValueType::Long,
    }
}

fn stat_field(op: StatOp) -> StatField {
    match op {
        StatOp::Count => StatField::Count,
        StatOp::Sum => StatField::Sum,
        StatOp::Min => StatField::Min,
        StatOp::Max => StatField::Max,
        StatOp::Avg => StatField::Avg,
        StatOp::Variance => StatField::Variance,
    }
}

fn spec(conversion: Conversion) -> Piece {
    Piece::Spec(Spec {
        flags: Flags::default(),
        width: Size::Unspecified,
        precision: Size::Unspecified,
        conversion,
    })
}

fn push_literal(pieces: &mut Vec<Piece>, text: &[u8]) {
    if text.is_empty() {
        return;
    }
    if let Some(Piece::Literal(l)) = pieces.last_mut() {
        l.extend_from_slice(text);
    } else {
        pieces.push(Piece::Literal(text.to_vec()));
    }
}

impl Lowering<'_, '_, '_, '_> {
    fn globals(&mut self) {
        for (old, g) in self.r.globals.iter().enumerate() {
            if !(g.read || g.written) {
                continue;
            }
            self.global_ids[old] = Some(self.program.globals.len());
            let kind = match g.var.ty {
                Some(Type::Stats) => GlobalKind::Stats(StatUsage::default()),
                t => GlobalKind::Value(value_type(t)),
            };
            let special = matches!(g.init, Some(InitValue::ScriptArgc | InitValue::ScriptArgv));
            self.program.globals.push(GlobalInfo {
                name: g.var.name.clone(),
                kind,
                keys: g.var.index_types.iter().map(|t| value_type(*t)).collect(),
                max_entries: g.size,
                wrap: g.wrap,
                init: g.init.clone(),
                autoprint: g.written && !g.read && !special,
            });
            self.program.global_locations.push(g.location.clone());
            self.usage.push(StatUsage::default());
            self.hist_seen.push(false);
            self.variance_seen.push(false);
        }
    }

    fn global(&self, old: usize) -> usize {
        self.global_ids[old].unwrap_or(0)
    }

    fn is_stats(&self, old: usize) -> bool {
        self.r.globals[old].var.ty == Some(Type::Stats)
    }

    /// For each function, the non-statistics globals it touches, itself or through
    /// the functions it calls.
    fn touched_by_functions(&self) -> Vec<Vec<usize>> {
        let calls: Vec<Vec<usize>> = self
            .r
            .functions
            .iter()
            .map(|f| walk::calls(&f.body))
            .collect();
        let mut touched: Vec<Vec<usize>> = self
            .r
            .functions
            .iter()
            .map(|f| self.touched(&f.body))
            .collect();
        loop {
            let mut changed = false;
            for f in 0..touched.len() {
                for &c in &calls[f] {
                    for g in touched[c].clone() {
                        if !touched[f].contains(&g) {
                            touched[f].push(g);
                            changed = true;
                        }
                    }
                }
            }
            if !changed {
                return touched;
            }
        }
    }

    /// The non-statistics globals (new ids) `s` reads or writes itself.
    fn touched(&self, s: &TStmt) -> Vec<usize> {
        let mut out = Vec::new();
        let mut add = |old: usize| {
            if !self.is_stats(old) {
                let g = self.global(old);
                if !out.contains(&g) {
                    out.push(g);
                }
            }
        };
        walk::stmt_exprs(s, &mut |e| match &e.kind {
            TKind::Sym(Var::Global(g)) => add(*g),
            TKind::Index { array, .. } | TKind::In { array, .. } => add(*array),
            _ => {}
        });
        if let Some(fs) = foreach_arrays(s) {
            fs.into_iter().for_each(&mut add);
        }
        out
    }

    fn site(&mut self, tok: Tok) -> ir::SiteId {
        let text = &self.tokens.get(tok).site;
        if let Some(&id) = self.sites.get(text) {
            return id;
        }
        let id = self.program.sites.len() as ir::SiteId;
        self.program.sites.push(text.clone());
        self.sites.insert(text.clone(), id);
        id
    }

    fn body(&mut self, locals: &[VarDecl], s: &TStmt) -> ir::Body {
        let locals = locals
            .iter()
            .map(|v| ir::Local {
                name: v.name.clone(),
                ty: match v.ty {
                    Some(Type::String) => Type::String,
                    _ => Type::Long,
                },
            })
            .collect();
        let stmts = match &s.kind {
            TStmtKind::Block(stmts) => stmts.iter().map(|s| self.stmt(s)).collect(),
            _ => vec![self.stmt(s)],
        };
        ir::Body { locals, stmts }
    }

    fn stmts(&mut self, stmts: &[TStmt]) -> Vec<ir::Stmt> {
        stmts.iter().map(|s| self.stmt(s)).collect()
    }

    fn stmt(&mut self, s: &TStmt) -> ir::Stmt {
        let site = self.site(s.tok);
        let kind = match &s.kind {
            TStmtKind::Block(stmts) => ir::StmtKind::Block(self.stmts(stmts)),
            TStmtKind::Null => ir::StmtKind::Block(Vec::new()),
            TStmtKind::Expr(e) => ir::StmtKind::Expr(self.expr(e)),
            TStmtKind::If(c, t, o) => ir::StmtKind::If {
                cond: self.expr(c),
                then: Box::new(self.stmt(t)),
                otherwise: o.as_ref().map(|o| Box::new(self.stmt(o))),
            },
            TStmtKind::For(i, c, st, b) => ir::StmtKind::For {
                init: i.as_ref().map(|e| self.expr(e)),
                cond: self.expr(c),
                step: st.as_ref().map(|e| self.expr(e)),
                body: Box::new(self.stmt(b)),
            },
            TStmtKind::Foreach(f) => self.foreach(f, s.tok),
            TStmtKind::Return(v) => ir::StmtKind::Return(v.as_ref().map(|e| self.expr(e))),
            TStmtKind::Delete(e) => ir::StmtKind::Delete(match &e.kind {
                TKind::Sym(Var::Local(l)) => ir::DeleteTarget::Local(*l),
                TKind::Sym(Var::Global(g)) => ir::DeleteTarget::Global(self.global(*g)),
                TKind::Index { array, keys, .. } => ir::DeleteTarget::Element {
                    global: self.global(*array),
                    keys: keys
                        .iter()
                        .map(|k| k.as_ref().map(|k| self.expr(k)))
                        .collect(),
                },
                _ => ir::DeleteTarget::Local(0),
            }),
            TStmtKind::Break => ir::StmtKind::Break,
            TStmtKind::Continue => ir::StmtKind::Continue,
            TStmtKind::Next => ir::StmtKind::Next,
            TStmtKind::Try(b, v, h) => ir::StmtKind::Try {
                body: self.stmts(b),
                var: v.as_ref().and_then(|v| match v.kind {
                    TKind::Sym(Var::Local(l)) => Some(l),
                    _ => None,
                }),
                handler: self.stmts(h),
            },
        };
        ir::Stmt { kind, site }
    }

    fn local_of(&mut self, e: &TExpr) -> ir::LocalId {
        match e.kind {
            TKind::Sym(Var::Local(l)) => l,
            _ => {
                let d = self
                    .tokens
                    .error("a foreach variable must be a local, not a global", e.tok);
                self.errors.push(Reported::new(d));
                0
            }
        }
    }

    fn foreach(&mut self, f: &TForeach, tok: Tok) -> ir::StmtKind {
        let (old, _) = match &f.base {
            IterBase::Array(g, t) => (*g, *t),
            IterBase::Hist(h) => return self.foreach_buckets(f, h),
        };
        if old == usize::MAX {
            return ir::StmtKind::Block(Vec::new());
        }
        let global = self.global(old);
        let stats = self.is_stats(old);
        let keys = f.keys.iter().map(|k| self.local_of(k)).collect();
        let value = f.value.as_ref().map(|v| self.local_of(v));
        let mut fixed = vec![false; f.keys.len()];
        let mut slice = Vec::new();
        if let Some(s) = &f.slice {
            for (i, k) in s.iter().enumerate() {
                if let Some(k) = k {
                    if let Some(x) = fixed.get_mut(i) {
                        *x = true;
                    }
                    slice.push(self.expr(k));
                }
            }
        }
        let field = f.sort_agg.map_or(StatField::Count, stat_field);
        if stats && field == StatField::Variance {
            self.variance(global, None, tok);
        }
        let spec = IterSpec {
            global,
            sort: sort_spec(f, field),
            fixed,
            value: value.map(|_| field),
            buckets: false,
        };
        self.finish_foreach(f, spec, keys, value, slice)
    }

    /// Registers `spec` and lowers the rest of the loop: its limit and body.
    fn finish_foreach(
        &mut self,
        f: &TForeach,
        spec: IterSpec,
        keys: Vec<ir::LocalId>,
        value: Option<ir::LocalId>,
        slice: Vec<ir::Expr>,
    ) -> ir::StmtKind {
        let iteration = self.program.iterations.len();
        self.program.iterations.push(spec);
        let limit = f.limit.as_ref().map(|e| self.expr(e));
        let body = self.stmt(&f.body);
        ir::StmtKind::Foreach(Box::new(ir::Foreach {
            iteration,
            keys,
            value,
            slice,
            limit,
            body,
        }))
    }

    /// `foreach (b in @hist_log(s))`: the bucket numbers of a histogram.
    fn foreach_buckets(&mut self, f: &TForeach, h: &THist) -> ir::StmtKind {
        let (global, slice) = match self.histogram(h) {
            StatTarget::Global(g) => (g, Vec::new()),
            StatTarget::Element { global, keys, .. } => (global, keys),
        };
        let keys = f.keys.iter().map(|k| self.local_of(k)).collect();
        let value = f.value.as_ref().map(|v| self.local_of(v));
        let spec = IterSpec {
            global,
            sort: sort_spec(f, StatField::Count),
            fixed: vec![true; slice.len()],
            value: value.map(|_| StatField::Count),
            buckets: true,
        };
        self.finish_foreach(f, spec, keys, value, slice)
    }

    fn lvalue(&mut self, e: &TExpr) -> LValue {
        match &e.kind {
            TKind::Sym(Var::Local(l)) => LValue::Local(*l),
            TKind::Sym(Var::Global(g)) => LValue::Global(self.global(*g)),
            TKind::Index { array, keys, .. } => LValue::Element {
                global: self.global(*array),
                keys: keys.iter().flatten().map(|k| self.expr(k)).collect(),
                site: self.site(e.tok),
            },
            _ => LValue::Local(0),
        }
    }

    fn stat_target(&mut self, e: &TExpr) -> StatTarget {
        match &e.kind {
            TKind::Index { array, keys, .. } => StatTarget::Element {
                global: self.global(*array),
                keys: keys.iter().flatten().map(|k| self.expr(k)).collect(),
                site: self.site(e.tok),
            },
            TKind::Sym(Var::Global(g)) => StatTarget::Global(self.global(*g)),
            _ => StatTarget::Global(0),
        }
    }

    fn stat_global(e: &TExpr) -> Option<usize> {
        match &e.kind {
            TKind::Index { array, .. } => Some(*array),
            TKind::Sym(Var::Global(g)) => Some(*g),
            _ => None,
        }
    }

    fn global_display_name(&self, g: usize) -> String {
        let old = self
            .global_ids
            .iter()
            .position(|x| *x == Some(g))
            .unwrap_or(0);
        let decl = &self.r.globals[old];
        match &decl.private_prefix {
            Some(p) => format!("{p}{}", decl.var.name),
            None => format!("__global_{}", decl.var.name),
        }
    }

    fn histogram(&mut self, h: &THist) -> StatTarget {
        if let Some(old) = Self::stat_global(&h.operand) {
            let g = self.global(old);
            let wanted = match h.kind {
                HistKind::Log => Histogram::Log,
                HistKind::Linear { lo, hi, step } => Histogram::Linear {
                    start: lo,
                    stop: hi,
                    interval: step,
                },
            };
            if self.hist_seen[g] && self.usage[g].histogram != Some(wanted) {
                let name = self.global_display_name(g);
                let d = self.tokens.error(
                    format!("multiple histogram types declared on '{name}'"),
                    h.tok,
                );
                self.errors.push(Reported::new(d));
            }
            self.hist_seen[g] = true;
            self.usage[g].histogram = Some(wanted);
        }
        self.stat_target(&h.operand)
    }

    fn variance(&mut self, g: usize, shift: Option<i64>, tok: Tok) {
        let shift = shift.unwrap_or(0);
        if !(0..=62).contains(&shift) {
            let d = self
                .tokens
                .error(format!("bit shift ({shift}) out of range <0..62>"), tok);
            self.errors.push(Reported::new(d));
        }
        if let Some(previous) = self.usage[g].variance
            && self.variance_seen[g]
            && previous != shift
        {
            let d = self.tokens.error(
                format!("conflicting bit shifts declared (previously {previous})"),
                tok,
            );
            self.errors.push(Reported::new(d));
        }
        self.variance_seen[g] = true;
        self.usage[g].variance = Some(shift);
    }

    fn boxed(&mut self, e: &TExpr) -> Box<ir::Expr> {
        Box::new(self.expr(e))
    }

    fn expr(&mut self, e: &TExpr) -> ir::Expr {
        let site = self.site(e.tok);
        let mut ty = match e.ty {
            Some(Type::String) => Type::String,
            _ => Type::Long,
        };
        let kind = match &e.kind {
            TKind::Long(n) => ir::ExprKind::Long(*n),
            TKind::Str(s) => ir::ExprKind::Str(s.clone()),
            TKind::Sym(Var::Local(l)) => ir::ExprKind::Local(*l),
            TKind::Sym(Var::Global(g)) => ir::ExprKind::Global(self.global(*g)),
            TKind::Index { array, keys, .. } => ir::ExprKind::Element {
                global: self.global(*array),
                keys: keys.iter().flatten().map(|k| self.expr(k)).collect(),
            },
            TKind::HistIndex(h, i) => ir::ExprKind::HistBucket {
                target: self.histogram(h),
                bucket: self.boxed(i),
            },
            TKind::Binary(op, l, r) => {
                let (l, r) = (self.boxed(l), self.boxed(r));
                match op {
                    LongOp::Arith(a) => ir::ExprKind::Arith(*a, l, r),
                    LongOp::And => ir::ExprKind::And(l, r),
                    LongOp::Or => ir::ExprKind::Or(l, r),
                }
            }
            TKind::Compare(op, l, r) => ir::ExprKind::Compare(*op, self.boxed(l), self.boxed(r)),
            TKind::Concat(l, r) => ir::ExprKind::Concat(self.boxed(l), self.boxed(r)),
            TKind::Unary(op, o) => match op {
                UnOp::Plus => return self.expr(o),
                UnOp::Neg => ir::ExprKind::Neg(self.boxed(o)),
                UnOp::Not => ir::ExprKind::Not(self.boxed(o)),
                UnOp::BitNot => ir::ExprKind::BitNot(self.boxed(o)),
            },
            TKind::Crement { inc, post, operand } => ir::ExprKind::Crement {
                target: self.lvalue(operand),
                inc: *inc,
                post: *post,
            },
            TKind::Assign(op, l, r) => {
                let value = self.boxed(r);
                match op {
                    AssignOp::Aggregate => {
                        ty = Type::Long;
                        ir::ExprKind::StatAdd {
                            target: self.stat_target(l),
                            value,
                        }
                    }
                    AssignOp::Concat => ir::ExprKind::ConcatAssign {
                        target: self.lvalue(l),
                        value,
                    },
                    _ => ir::ExprKind::Assign {
                        target: self.lvalue(l),
                        op: arith(*op),
                        value,
                    },
                }
            }
            TKind::Ternary(c, a, b) => {
                ir::ExprKind::Ternary(self.boxed(c), self.boxed(a), self.boxed(b))
            }
            TKind::Regex {
                subject,
                pattern,
                negated,
            } => {
                let next = self.program.regexes.len();
                let regex = *self.regexes.entry(pattern.clone()).or_insert(next);
                if regex == next {
                    self.program.regexes.push(pattern.clone());
                }
                ir::ExprKind::Regex {
                    subject: self.boxed(subject),
                    regex,
                    negated: *negated,
                }
            }
            TKind::In { keys, array, .. } => ir::ExprKind::In {
                global: self.global(*array),
                keys: keys
                    .iter()
                    .map(|k| k.as_ref().map(|k| self.expr(k)))
                    .collect(),
            },
            TKind::Call(f, args) => ir::ExprKind::Call {
                function: *f,
                args: args.iter().map(|a| self.expr(a)).collect(),
            },
            TKind::Builtin(b, args) => ir::ExprKind::Builtin {
                builtin: b,
                args: args.iter().map(|a| self.expr(a)).collect(),
            },
            TKind::Print {
                kind,
                format,
                delim,
                hist,
                args,
            } => {
                if let Some(h) = hist {
                    ir::ExprKind::HistPrint {
                        target: self.histogram(h),
                        to_string: kind.to_string,
                    }
                } else {
                    if args.len() > stap_abi::SLOTS {
                        let d = self.tokens.error(
                            format!(
                                "too many arguments to print ({}); stap-rs takes at most {}",
                                args.len(),
                                stap_abi::SLOTS
                            ),
                            e.tok,
                        );
                        self.errors.push(Reported::new(d));
                    }
                    let args: Vec<ir::Expr> = args.iter().map(|a| self.expr(a)).collect();
                    let format = match format {
                        Some(f) => f.clone(),
                        None => {
                            let mut pieces = Vec::new();
                            for (i, a) in args.iter().enumerate() {
                                if i > 0
                                    && let Some(d) = delim
                                {
                                    push_literal(&mut pieces, d);
                                }
                                pieces.push(spec(if a.ty == Type::String {
                                    Conversion::String
                                } else {
                                    Conversion::Signed
                                }));
                            }
                            if kind.newline {
                                push_literal(&mut pieces, b"\n");
                            }
                            pieces
                        }
                    };
                    ir::ExprKind::Printf {
                        format,
                        args,
                        to_string: kind.to_string,
                    }
                }
            }
            TKind::Stat { op, operand, shift } => {
                if *op == StatOp::Variance
                    && let Some(old) = Self::stat_global(operand)
                {
                    let g = self.global(old);
                    self.variance(g, *shift, e.tok);
                }
                ir::ExprKind::StatGet {
                    target: self.stat_target(operand),
                    field: stat_field(*op),
                }
            }
            TKind::Exit => ir::ExprKind::Exit,
            TKind::Error(m) => ir::ExprKind::Error(self.boxed(m)),
        };
        ir::Expr { kind, ty, site }
    }
}

fn arith(op: AssignOp) -> Option<ArithOp> {
    Some(match op {
        AssignOp::Add => ArithOp::Add,
        AssignOp::Sub => ArithOp::Sub,
        AssignOp::Mul => ArithOp::Mul,
        AssignOp::Div => ArithOp::Div,
        AssignOp::Mod => ArithOp::Mod,
        AssignOp::Shl => ArithOp::Shl,
        AssignOp::Shr => ArithOp::Shr,
        AssignOp::BitAnd => ArithOp::BitAnd,
        AssignOp::BitOr => ArithOp::BitOr,
        AssignOp::BitXor => ArithOp::BitXor,
        AssignOp::Assign | AssignOp::Concat | AssignOp::Aggregate => return None,
    })
}

/// The arrays `foreach` loops in `s` iterate (old global ids).
fn foreach_arrays(s: &TStmt) -> Option<Vec<usize>> {
    let mut out = Vec::new();
    collect_foreach(s, &mut out);
    (!out.is_empty()).then_some(out)
}

fn collect_foreach(s: &TStmt, out: &mut Vec<usize>) {
    match &s.kind {
        TStmtKind::Foreach(f) => {
            if let IterBase::Array(g, _) = f.base
                && g != usize::MAX
            {
                out.push(g);
            }
            collect_foreach(&f.body, out);
        }
        TStmtKind::Block(stmts) => stmts.iter().for_each(|s| collect_foreach(s, out)),
        TStmtKind::If(_, t, o) => {
            collect_foreach(t, out);
            if let Some(o) = o {
                collect_foreach(o, out);
            }
        }
        TStmtKind::For(_, _, _, b) => collect_foreach(b, out),
        TStmtKind::Try(b, _, h) => b.iter().chain(h).for_each(|s| collect_foreach(s, out)),
        _ => {}
    }
}

/// The order a `foreach` asks for; a value sort of statistics uses `field`.
fn sort_spec(f: &TForeach, field: StatField) -> Option<SortSpec> {
    f.sort.map(|(key, dir)| SortSpec {
        column: match key {
            SortKey::Value => 0,
            SortKey::Key(i) => i + 1,
        },
        descending: dir == SortDir::Descending,
        field,
    })
}
