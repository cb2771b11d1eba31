//! Type inference, as SystemTap's `typeresolution_info` does it (elaborate.cxx):
//! every function and probe body is visited with an expected type `t`, types flow
//! between expressions and the declarations they refer to, and the visits repeat until
//! nothing new is resolved. Then one last visit reports what is still wrong, with
//! SystemTap's messages and its rule that only the most specific kind of mismatch
//! found is reported.

use crate::ast::AssignOp;
use crate::ir::Type;

use super::resolve::Resolved;
use super::tokens::{Reported, Tok, Tokens};
use super::tree::*;

/// Whose body is being visited.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Owner {
    Function(usize),
    Probe(usize),
}

fn name(t: Slot) -> &'static str {
    t.map_or("unknown", Type::name)
}

/// The inference state (SystemTap's `typeresolution_info`).
struct Inference<'r, 't, 'm> {
    r: &'r mut Resolved,
    tokens: &'t Tokens<'m>,
    owner: Owner,
    t: Slot,
    assert_resolvability: bool,
    mismatch_complexity: u8,
    newly_resolved: usize,
    still_unresolved: usize,
    resolved_types: Vec<(DeclRef, i32, Tok)>,
    errors: Vec<Reported>,
}

/// Infers the types of `r` in place; returns the errors.
pub fn infer(r: &mut Resolved, tokens: &Tokens<'_>) -> Vec<Reported> {
    let mut order: Vec<usize> = (0..r.functions.len()).collect();
    order.sort_by(|a, b| r.functions[*a].name.cmp(&r.functions[*b].name));
    let mut inf = Inference {
        r,
        tokens,
        owner: Owner::Probe(0),
        t: None,
        assert_resolvability: false,
        mismatch_complexity: 0,
        newly_resolved: 0,
        still_unresolved: 0,
        resolved_types: Vec::new(),
        errors: Vec::new(),
    };
    loop {
        inf.newly_resolved = 0;
        inf.still_unresolved = 0;
        for &f in &order {
            inf.owner = Owner::Function(f);
            inf.t = None;
            let mut body = std::mem::replace(
                &mut inf.r.functions[f].body,
                TStmt {
                    kind: TStmtKind::Null,
                    tok: 0,
                },
            );
            inf.stmt(&mut body);
            inf.r.functions[f].body = body;
            let params = inf.r.functions[f].params;
            for l in params..inf.r.functions[f].locals.len() {
                let v = inf.r.functions[f].locals[l].clone();
                inf.check_local(&v);
            }
        }
        for p in 0..inf.r.probes.len() {
            inf.owner = Owner::Probe(p);
            inf.t = None;
            let mut body = std::mem::replace(
                &mut inf.r.probes[p].body,
                TStmt {
                    kind: TStmtKind::Null,
                    tok: 0,
                },
            );
            inf.stmt(&mut body);
            inf.r.probes[p].body = body;
            for l in 0..inf.r.probes[p].locals.len() {
                let v = inf.r.probes[p].locals[l].clone();
                inf.check_local(&v);
            }
        }
        for g in 0..inf.r.globals.len() {
            let decl = &inf.r.globals[g];
            if !(decl.read || decl.written) {
                continue;
            }
            let (ty, tok, scalar_wrap) = (
                decl.var.ty,
                decl.var.tok,
                decl.arity == Some(0) && decl.wrap,
            );
            if ty.is_none() {
                inf.unresolved(tok);
            }
            if scalar_wrap && inf.assert_resolvability {
                let d = inf.tokens.error("wrapping not supported for scalars", tok);
                inf.errors.push(Reported::new(d));
            }
        }
        if inf.newly_resolved == 0 {
            if inf.still_unresolved == 0 || inf.assert_resolvability {
                break;
            }
            inf.assert_resolvability = true;
        } else {
            inf.mismatch_complexity = 0;
        }
    }
    inf.errors
}

impl Inference<'_, '_, '_> {
    fn local_ref(&self, l: usize) -> DeclRef {
        match self.owner {
            Owner::Function(f) => DeclRef::FunctionLocal(f, l),
            Owner::Probe(p) => DeclRef::ProbeLocal(p, l),
        }
    }

    fn decl_of(&self, v: Var) -> DeclRef {
        match v {
            Var::Local(l) => self.local_ref(l),
            Var::Global(g) => DeclRef::Global(g),
        }
    }

    fn slot(&mut self, d: DeclRef) -> &mut Slot {
        match d {
            DeclRef::Global(g) => &mut self.r.globals[g].var.ty,
            DeclRef::FunctionLocal(f, l) => &mut self.r.functions[f].locals[l].ty,
            DeclRef::ProbeLocal(p, l) => &mut self.r.probes[p].locals[l].ty,
            DeclRef::Function(f) => &mut self.r.functions[f].ty,
        }
    }

    fn report(&mut self, kind: &str, message: String, tok: Tok) {
        let d = self.tokens.error(message, tok);
        self.errors.push(Reported::of_kind(kind, d));
    }

    fn resolved(&mut self, tok: Tok, decl: Option<(DeclRef, i32)>) {
        self.newly_resolved += 1;
        if let Some((d, i)) = decl {
            match self
                .resolved_types
                .iter_mut()
                .find(|r| r.0 == d && r.1 == i)
            {
                Some(r) => r.2 = tok,
                None => self.resolved_types.push((d, i, tok)),
            }
        }
    }

    fn unresolved(&mut self, tok: Tok) {
        self.still_unresolved += 1;
        if self.assert_resolvability && self.mismatch_complexity == 0 {
            self.report("unresolved", "unresolved type ".into(), tok);
        }
    }

    fn invalid(&mut self, tok: Tok, t: Slot) {
        self.still_unresolved += 1;
        if self.assert_resolvability {
            let operator = self.tokens.get(tok).describe.starts_with("operator");
            let message = if operator {
                "invalid operator".to_string()
            } else {
                format!("invalid type {}", name(t))
            };
            self.report("invalid", message, tok);
        }
    }

    /// Whether a mismatch of complexity `n` is reported now.
    fn mismatch_shown(&mut self, n: u8) -> bool {
        self.still_unresolved += 1;
        if self.assert_resolvability && self.mismatch_complexity <= n {
            true
        } else {
            self.mismatch_complexity = self.mismatch_complexity.max(n);
            false
        }
    }

    fn mismatch_sides(&mut self, tok: Tok, left: Slot, right: Slot) {
        if self.mismatch_shown(1) {
            let message = format!(
                "type mismatch: left and right sides don't agree ({} vs {})",
                name(left),
                name(right)
            );
            self.report("mismatch_sides", message, tok);
        }
    }

    fn mismatch(&mut self, tok: Tok, expected: Slot, found: Slot) {
        if self.mismatch_shown(2) {
            let mut message = format!("type mismatch: expected {}", name(expected));
            if found.is_some() {
                message.push_str(&format!(" but found {}", name(found)));
            }
            self.report("mismatch_expected", message, tok);
        }
    }

    fn mismatch_decl(&mut self, tok: Tok, ty: Slot, decl: DeclRef, mut index: i32) {
        if !self.mismatch_shown(3) {
            return;
        }
        if let (Owner::Function(f), -1, DeclRef::FunctionLocal(g, l)) = (self.owner, index, decl)
            && f == g
            && l < self.r.functions[f].params
        {
            index = l as i32;
        }
        let decl_ty = *self.slot(decl);
        let original = self
            .resolved_types
            .iter()
            .find(|r| r.0 == decl && r.1 == index)
            .map(|r| r.2);
        let Some(original) = original else {
            let message = format!(
                "type mismatch: expected {} but found {}",
                name(ty),
                name(decl_ty)
            );
            self.report("mismatch_decl_basic", message, tok);
            return;
        };
        let mut message = String::new();
        if index >= 0 {
            message.push_str(&format!("index {index} "));
        }
        message.push_str(&format!("type mismatch ({})", name(ty)));
        self.report("mismatch_decl", message, tok);
        let mut chain = "type".to_string();
        if index >= 0 {
            chain.push_str(&format!(" of index {index}"));
        }
        chain.push_str(&format!(" was first inferred here ({})", name(decl_ty)));
        let d = self.tokens.error(chain, original);
        self.errors.push(Reported::chained(d));
    }

    /// SystemTap's `resolve_2types`: the referrer `re` (an expression's slot) and its
    /// referent `decl` agree with each other and with the expected type `t`.
    fn resolve_2types(
        &mut self,
        re: &mut Slot,
        re_tok: Tok,
        decl: DeclRef,
        t: Slot,
        accept_unknown: bool,
    ) {
        loop {
            let te = *self.slot(decl);
            let re_ty = *re;
            let agree = (t.is_some() && re_ty == t && re_ty == te)
                || (t.is_none() && re_ty.is_some() && re_ty == te);
            if agree {
                return;
            } else if re_ty.is_some() && te.is_some() && re_ty != te {
                return self.mismatch_decl(re_tok, re_ty, decl, -1);
            } else if (re_ty.is_some() && t.is_some() && re_ty != t)
                || (te.is_some() && t.is_some() && te != t)
            {
                return self.mismatch_decl(re_tok, t, decl, -1);
            } else if re_ty.is_none() && t.is_some() {
                *re = t;
                self.resolved(re_tok, None);
            } else if re_ty.is_none() && te.is_some() {
                *re = te;
                self.resolved(re_tok, None);
            } else if re_ty.is_some() && te.is_none() {
                *self.slot(decl) = re_ty;
                self.resolved(re_tok, Some((decl, -1)));
            } else {
                if !accept_unknown {
                    self.unresolved(re_tok);
                }
                return;
            }
        }
    }

    fn check_local(&mut self, v: &VarDecl) {
        match v.ty {
            None => self.unresolved(v.tok),
            Some(Type::Stats) => {
                self.still_unresolved += 1;
                if self.assert_resolvability {
                    self.report(
                        "stat_local",
                        "stat locals not supported, missing global declaration? ".into(),
                        v.tok,
                    );
                }
            }
            Some(_) => {}
        }
    }

    fn check_arg_type(&mut self, wanted: Type, arg: &mut TExpr) {
        self.t = Some(wanted);
        self.expr(arg);
        match arg.ty {
            None => {
                arg.ty = Some(wanted);
                self.resolved(arg.tok, None);
            }
            Some(t) if t != wanted => self.mismatch(arg.tok, Some(wanted), Some(t)),
            Some(_) => {}
        }
    }

    fn stmt(&mut self, s: &mut TStmt) {
        match &mut s.kind {
            TStmtKind::Block(stmts) => {
                for st in stmts {
                    self.t = None;
                    self.stmt(st);
                }
            }
            TStmtKind::Null | TStmtKind::Break | TStmtKind::Continue | TStmtKind::Next => {}
            TStmtKind::Expr(e) => {
                self.t = None;
                self.expr(e);
            }
            TStmtKind::If(c, then, otherwise) => {
                self.t = Some(Type::Long);
                self.expr(c);
                self.t = None;
                self.stmt(then);
                if let Some(o) = otherwise {
                    self.t = None;
                    self.stmt(o);
                }
            }
            TStmtKind::For(init, cond, step, body) => {
                self.t = None;
                if let Some(i) = init {
                    self.expr(i);
                }
                self.t = Some(Type::Long);
                self.expr(cond);
                self.t = None;
                if let Some(st) = step {
                    self.expr(st);
                }
                self.t = None;
                self.stmt(body);
            }
            TStmtKind::Foreach(f) => self.foreach(f, s.tok),
            TStmtKind::Return(v) => self.return_stmt(v.as_mut(), s.tok),
            TStmtKind::Delete(e) => {
                self.t = None;
                match &mut e.kind {
                    TKind::Sym(v) => {
                        let decl = self.decl_of(*v);
                        self.resolve_2types(&mut e.ty, e.tok, decl, None, false);
                    }
                    _ => self.expr(e),
                }
            }
            TStmtKind::Try(body, var, handler) => {
                for st in body.iter_mut() {
                    self.t = None;
                    self.stmt(st);
                }
                if let Some(v) = var {
                    self.t = Some(Type::String);
                    self.expr(v);
                }
                for st in handler.iter_mut() {
                    self.t = None;
                    self.stmt(st);
                }
            }
        }
    }

    fn return_stmt(&mut self, value: Option<&mut TExpr>, tok: Tok) {
        let Owner::Function(f) = self.owner else {
            return;
        };
        let decl = DeclRef::Function(f);
        let fty = self.r.functions[f].ty;
        self.t = fty;
        let Some(v) = value else {
            if fty.is_some() {
                self.mismatch_decl(tok, None, decl, -1);
            }
            return;
        };
        self.expr(v);
        if fty.is_some() && v.ty.is_some() && fty != v.ty {
            self.mismatch_decl(v.tok, v.ty, decl, -1);
        }
        if fty.is_none() && matches!(v.ty, Some(Type::Long | Type::String)) {
            self.r.functions[f].ty = v.ty;
            self.resolved(v.tok, Some((decl, -1)));
        }
        if v.ty == Some(Type::Stats) {
            self.invalid(v.tok, v.ty);
        }
    }

    fn foreach(&mut self, f: &mut TForeach, tok: Tok) {
        match &mut f.base {
            IterBase::Hist(h) => {
                if f.keys.len() != 1 {
                    self.unresolved(tok);
                }
                self.t = Some(Type::Long);
                if let Some(k) = f.keys.first_mut() {
                    self.expr(k);
                    if k.ty != Some(Type::Long) {
                        self.unresolved(tok);
                    }
                }
                self.hist(h);
            }
            IterBase::Array(g, gtok) => {
                let (g, gtok) = (*g, *gtok);
                if g == usize::MAX {
                    return;
                }
                for (i, k) in f.keys.iter_mut().enumerate() {
                    self.key(g, i, k);
                }
                if let Some(slice) = &mut f.slice {
                    for (i, k) in slice.iter_mut().enumerate() {
                        if let Some(k) = k {
                            self.key(g, i, k);
                        }
                    }
                }
                self.t = None;
                let mut wanted_value = self.r.globals[g].var.ty;
                self.resolve_2types(&mut wanted_value, gtok, DeclRef::Global(g), None, false);
                if let Some(v) = &mut f.value {
                    match wanted_value {
                        Some(Type::Stats) => self.invalid(v.tok, wanted_value),
                        Some(w) => self.check_arg_type(w, v),
                        None => {
                            self.t = None;
                            self.expr(v);
                        }
                    }
                }
                if wanted_value.is_some()
                    && f.sort_agg.is_some()
                    && wanted_value != Some(Type::Stats)
                {
                    self.invalid(gtok, wanted_value);
                }
            }
        }
        if let (IterBase::Hist(_), Some(v)) = (&f.base, &mut f.value) {
            self.check_arg_type(Type::Long, v);
        }
        if let Some(l) = &mut f.limit {
            self.t = Some(Type::Long);
            self.expr(l);
        }
        self.t = None;
        self.stmt(&mut f.body);
    }

    /// Key `i` of array `g`.
    fn key(&mut self, g: usize, i: usize, k: &mut TExpr) {
        let ft = self.r.globals[g].var.index_types.get(i).copied().flatten();
        self.t = ft;
        self.expr(k);
        let at = k.ty;
        if matches!(at, Some(Type::Long | Type::String)) && ft.is_none() {
            if let Some(slot) = self.r.globals[g].var.index_types.get_mut(i) {
                *slot = at;
            }
            self.resolved(k.tok, Some((DeclRef::Global(g), i as i32)));
        }
        let ft = self.r.globals[g].var.index_types.get(i).copied().flatten();
        if at == Some(Type::Stats) {
            self.invalid(k.tok, at);
        }
        if ft == Some(Type::Stats) {
            self.invalid(k.tok, ft);
        }
        if at.is_some() && ft.is_some() && at != ft {
            self.mismatch_decl(k.tok, at, DeclRef::Global(g), i as i32);
        }
        if at.is_none() {
            self.unresolved(k.tok);
        }
    }

    fn hist(&mut self, h: &mut THist) {
        self.t = Some(Type::Stats);
        self.expr(&mut h.operand);
    }

    fn binary(&mut self, tok: Tok, ty: &mut Slot, l: &mut TExpr, r: &mut TExpr) {
        if matches!(self.t, Some(Type::Stats | Type::String)) {
            self.invalid(tok, self.t);
        }
        self.t = Some(Type::Long);
        self.expr(l);
        self.t = Some(Type::Long);
        self.expr(r);
        if l.ty.is_some() && r.ty.is_some() && l.ty != r.ty {
            self.mismatch_sides(tok, l.ty, r.ty);
        }
        if ty.is_none() {
            *ty = Some(Type::Long);
            self.resolved(tok, None);
        }
    }

    fn settle(&mut self, ty: &mut Slot, tok: Tok, to: Type) {
        if ty.is_none() {
            *ty = Some(to);
            self.resolved(tok, None);
        }
    }

    fn expr(&mut self, e: &mut TExpr) {
        let tok = e.tok;
        match &mut e.kind {
            TKind::Long(_) | TKind::Str(_) => {
                if self.t.is_some() && self.t != e.ty {
                    self.mismatch(tok, self.t, e.ty);
                }
            }
            TKind::Sym(v) => {
                let decl = self.decl_of(*v);
                self.resolve_2types(&mut e.ty, tok, decl, self.t, false);
            }
            TKind::Index { array, keys, .. } => {
                let g = *array;
                self.resolve_2types(&mut e.ty, tok, DeclRef::Global(g), self.t, false);
                self.keys(g, keys, tok);
            }
            TKind::In {
                keys,
                array,
                array_tok,
                element,
            } => {
                let t1 = self.t;
                let g = *array;
                self.resolve_2types(element, *array_tok, DeclRef::Global(g), None, false);
                self.keys(g, keys, *array_tok);
                if t1.is_none() && e.ty.is_some() {
                } else if matches!(t1, Some(Type::String | Type::Stats)) {
                    self.mismatch(tok, t1, Some(Type::Long));
                } else {
                    self.settle(&mut e.ty, tok, Type::Long);
                }
            }
            TKind::HistIndex(h, index) => {
                self.t = Some(Type::Long);
                self.expr(index);
                if index.ty != Some(Type::Long) {
                    self.unresolved(tok);
                }
                self.hist(h);
                if e.ty != Some(Type::Long) {
                    e.ty = Some(Type::Long);
                    self.resolved(tok, None);
                }
            }
            TKind::Binary(_, l, r) => self.binary(tok, &mut e.ty, l, r),
            TKind::Compare(_, l, r) => {
                if matches!(self.t, Some(Type::Stats | Type::String)) {
                    self.invalid(tok, self.t);
                }
                self.t = r.ty;
                self.expr(l);
                self.t = l.ty;
                self.expr(r);
                if l.ty.is_some() && r.ty.is_some() && l.ty != r.ty {
                    self.mismatch_sides(tok, l.ty, r.ty);
                }
                self.settle(&mut e.ty, tok, Type::Long);
            }
            TKind::Concat(l, r) => {
                if self.t.is_some() && self.t != Some(Type::String) {
                    self.invalid(tok, self.t);
                }
                self.t = Some(Type::String);
                self.expr(l);
                self.t = Some(Type::String);
                self.expr(r);
                self.settle(&mut e.ty, tok, Type::String);
            }
            TKind::Unary(_, operand) | TKind::Crement { operand, .. } => {
                if matches!(self.t, Some(Type::Stats | Type::String)) {
                    self.invalid(tok, self.t);
                }
                self.t = Some(Type::Long);
                self.expr(operand);
                self.settle(&mut e.ty, tok, Type::Long);
            }
            TKind::Regex { subject, .. } => {
                if matches!(self.t, Some(Type::Stats | Type::String)) {
                    self.invalid(tok, self.t);
                }
                self.t = Some(Type::String);
                self.expr(subject);
                self.settle(&mut e.ty, tok, Type::Long);
            }
            TKind::Assign(op, l, r) => self.assign(*op, tok, &mut e.ty, l, r),
            TKind::Ternary(c, a, b) => {
                let mut sub = self.t;
                self.t = Some(Type::Long);
                self.expr(c);
                if sub.is_none() && e.ty.is_some() {
                    sub = e.ty;
                }
                self.t = sub;
                self.expr(a);
                self.t = sub;
                self.expr(b);
                if sub.is_none() && e.ty.is_some() {
                } else if sub.is_some() && e.ty.is_none() {
                    e.ty = sub;
                    self.resolved(tok, None);
                } else if sub.is_none() && a.ty.is_some() {
                    e.ty = a.ty;
                    self.resolved(tok, None);
                } else if sub.is_none() && b.ty.is_some() {
                    e.ty = b.ty;
                    self.resolved(tok, None);
                } else if e.ty != sub {
                    self.mismatch(tok, sub, e.ty);
                }
            }
            TKind::Call(f, args) => {
                let f = *f;
                self.resolve_2types(&mut e.ty, tok, DeclRef::Function(f), self.t, true);
                if e.ty == Some(Type::Stats) {
                    self.invalid(tok, e.ty);
                }
                for (i, a) in args.iter_mut().enumerate() {
                    let decl = DeclRef::FunctionLocal(f, i);
                    let ft = self.r.functions[f].locals[i].ty;
                    self.t = ft;
                    self.expr(a);
                    let at = a.ty;
                    if matches!(at, Some(Type::Long | Type::String)) && ft.is_none() {
                        self.r.functions[f].locals[i].ty = at;
                        self.resolved(a.tok, Some((decl, i as i32)));
                    }
                    let ft = self.r.functions[f].locals[i].ty;
                    if at == Some(Type::Stats) {
                        self.invalid(a.tok, at);
                    }
                    if ft == Some(Type::Stats) {
                        let ptok = self.r.functions[f].locals[i].tok;
                        self.invalid(ptok, ft);
                    }
                    if at.is_some() && ft.is_some() && at != ft {
                        self.mismatch_decl(a.tok, at, decl, i as i32);
                    }
                    if at.is_none() {
                        self.unresolved(a.tok);
                    }
                }
            }
            TKind::Builtin(b, args) => {
                if let Some(ret) = b.ret {
                    let ret = value_type(ret);
                    let t = self.t;
                    if e.ty.is_none() {
                        e.ty = Some(ret);
                        self.resolved(tok, None);
                    }
                    if let Some(t) = t
                        && t != ret
                        && self.mismatch_shown(3)
                    {
                        {
                            let message = format!(
                                "type mismatch: expected {} but found {}",
                                name(Some(t)),
                                name(Some(ret))
                            );
                            self.report("mismatch_decl_basic", message, tok);
                        }
                    }
                }
                let params = b.params;
                for (a, p) in args.iter_mut().zip(params) {
                    self.builtin_arg(a, value_type(*p));
                }
            }
            TKind::Exit => {}
            TKind::Error(msg) => self.builtin_arg(msg, Type::String),
            TKind::Print {
                kind,
                format,
                hist,
                args,
                ..
            } => {
                let mut unresolved_args = 0;
                if let Some(h) = hist {
                    self.hist(h);
                } else if let Some(format) = format {
                    let mut wanted = Vec::new();
                    for piece in format.iter() {
                        if let stap_abi::format::Piece::Spec(spec) = piece {
                            use stap_abi::format::{Conversion, Size};
                            if spec.width == Size::Dynamic {
                                wanted.push(Type::Long);
                            }
                            if spec.precision == Size::Dynamic {
                                wanted.push(Type::Long);
                            }
                            wanted.push(if spec.conversion == Conversion::String {
                                Type::String
                            } else {
                                Type::Long
                            });
                        }
                    }
                    if wanted.len() != args.len() {
                        self.still_unresolved += 1;
                        if self.assert_resolvability || self.errors.is_empty() {
                            self.report(
                                "print_args",
                                "Wrong number of args to formatted print operator".into(),
                                tok,
                            );
                        }
                        return;
                    }
                    for (w, a) in wanted.into_iter().zip(args.iter_mut()) {
                        self.check_arg_type(w, a);
                    }
                } else {
                    for a in args.iter_mut() {
                        self.t = None;
                        self.expr(a);
                        if a.ty.is_none() {
                            self.unresolved(a.tok);
                            unresolved_args += 1;
                        }
                    }
                }
                if unresolved_args == 0 {
                    let to = if kind.to_string {
                        Type::String
                    } else {
                        Type::Long
                    };
                    self.settle(&mut e.ty, tok, to);
                } else {
                    e.ty = None;
                    self.unresolved(tok);
                }
            }
            TKind::Stat { operand, .. } => {
                self.t = Some(Type::Stats);
                self.expr(operand);
                match e.ty {
                    None => {
                        e.ty = Some(Type::Long);
                        self.resolved(tok, None);
                    }
                    Some(Type::Long) => {}
                    other => self.mismatch(tok, Some(Type::Long), other),
                }
            }
        }
    }

    fn builtin_arg(&mut self, a: &mut TExpr, ft: Type) {
        self.t = Some(ft);
        self.expr(a);
        match a.ty {
            None => self.unresolved(a.tok),
            Some(Type::Stats) => self.invalid(a.tok, a.ty),
            Some(at) if at != ft => {
                if self.mismatch_shown(3) {
                    let message = format!(
                        "type mismatch: expected {} but found {}",
                        name(Some(at)),
                        name(Some(ft))
                    );
                    self.report("mismatch_decl_basic", message, a.tok);
                }
            }
            Some(_) => {}
        }
    }

    fn keys(&mut self, g: usize, keys: &mut [Option<TExpr>], tok: Tok) {
        if keys.len() != self.r.globals[g].var.index_types.len() {
            self.unresolved(tok);
            return;
        }
        for (i, k) in keys.iter_mut().enumerate() {
            if let Some(k) = k {
                self.key(g, i, k);
            }
        }
    }

    fn assign(&mut self, op: AssignOp, tok: Tok, ty: &mut Slot, l: &mut TExpr, r: &mut TExpr) {
        if self.t == Some(Type::Stats) {
            self.invalid(tok, self.t);
        }
        match op {
            AssignOp::Aggregate => {
                if self.t == Some(Type::String) {
                    self.invalid(tok, self.t);
                }
                self.t = Some(Type::Stats);
                self.expr(l);
                self.t = Some(Type::Long);
                self.expr(r);
                if ty.is_none() || *ty == Some(Type::Stats) {
                    *ty = Some(Type::Long);
                    self.resolved(tok, None);
                }
            }
            _ if l.ty == Some(Type::Stats) => self.invalid(l.tok, l.ty),
            _ if r.ty == Some(Type::Stats) => self.invalid(r.tok, r.ty),
            AssignOp::Concat => {
                if matches!(self.t, Some(Type::Long | Type::Stats)) {
                    self.invalid(tok, self.t);
                }
                self.t = Some(Type::String);
                self.expr(l);
                self.t = Some(Type::String);
                self.expr(r);
                self.settle(ty, tok, Type::String);
            }
            AssignOp::Assign => {
                let mut sub = self.t;
                if sub.is_none() && ty.is_some() {
                    sub = *ty;
                }
                self.t = if sub.is_some() { sub } else { r.ty };
                self.expr(l);
                self.t = if sub.is_some() { sub } else { l.ty };
                self.expr(r);
                if sub.is_some() && ty.is_none() {
                    *ty = sub;
                    self.resolved(tok, None);
                }
                if sub.is_none() && l.ty.is_some() && *ty != l.ty {
                    *ty = l.ty;
                    self.resolved(tok, None);
                }
                if l.ty.is_some() && r.ty.is_some() && l.ty != r.ty {
                    self.mismatch_sides(tok, l.ty, r.ty);
                }
            }
            _ => self.binary(tok, ty, l, r),
        }
    }
}

/// The IR type of a runtime value type.
pub fn value_type(v: stap_abi::ValueType) -> Type {
    match v {
        stap_abi::ValueType::Long => Type::Long,
        stap_abi::ValueType::String => Type::String,
    }
}
