//! Name resolution: the AST of the reachable probes and functions turned into the
//! resolved tree, every symbol bound to a local, parameter, global or function, and
//! every global's arity (number of keys) fixed by its uses.

use std::collections::HashMap;

use stap_abi::{InitValue, builtin_named};

use crate::ast::{self, AssignOp, BinOp, ExprKind, Literal, StmtKind, UnaryOp};
use crate::ir::{ArithOp, CmpOp, Type};

use super::escapes::decode;
use super::points::{Derived, PointResolver};
use super::tokens::{Reported, Tok, Tokens};
use super::tree::*;

/// The resolved program, before types.
pub struct Resolved {
    /// Globals, declared ones first, then `argc`/`argv` if used.
    pub globals: Vec<GlobalDecl>,
    /// Reachable functions, in the order they were first called.
    pub functions: Vec<FuncDecl>,
    /// Probes, aliases expanded.
    pub probes: Vec<ProbeDecl>,
}

/// Resolves names; see [`Resolver::run`].
pub struct Resolver<'a, 't, 'm> {
    tokens: &'t mut Tokens<'m>,
    diagnostics: &'t mut Vec<Reported>,
    globals: Vec<GlobalDecl>,
    global_index: HashMap<String, usize>,
    function_asts: HashMap<&'a str, &'a ast::Function>,
    functions: Vec<FuncDecl>,
    function_index: HashMap<String, usize>,
    queue: Vec<(usize, &'a ast::Function)>,
    locals: Vec<VarDecl>,
    in_function: Option<usize>,
    writes: Vec<usize>,
}

/// `__private_` names as SystemTap mangles them: the file name's non-alphanumeric
/// characters become `_`.
fn private_prefix(file: &str) -> String {
    let base = file.rsplit('/').next().unwrap_or(file);
    let clean: String = base
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!("__private_{clean}_")
}

fn declared(t: Option<ast::TypeName>) -> Slot {
    t.map(|t| match t {
        ast::TypeName::Long => Type::Long,
        ast::TypeName::String => Type::String,
    })
}

/// Whether an expression needs debuginfo (for `@defined`).
fn needs_debuginfo(e: &ast::Expr) -> bool {
    matches!(
        e.kind,
        ExprKind::Target { .. }
            | ExprKind::Cast { .. }
            | ExprKind::AtVar { .. }
            | ExprKind::AutoCast { .. }
            | ExprKind::Entry(_)
            | ExprKind::Perf(_)
            | ExprKind::Const(_)
            | ExprKind::Register { .. }
            | ExprKind::Deref { .. }
            | ExprKind::Embedded(_)
    )
}

/// How an expression is used, for the read and write marks of globals.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Use {
    Read,
    Write,
    ReadWrite,
}

impl<'a, 't, 'm> Resolver<'a, 't, 'm> {
    /// Resolves `scripts` (the user's script first, then library scripts): every probe,
    /// and the functions they reach.
    pub fn run(
        scripts: &[&'a ast::Script],
        tokens: &'t mut Tokens<'m>,
        diagnostics: &'t mut Vec<Reported>,
    ) -> Resolved {
        let mut r = Resolver {
            tokens,
            diagnostics,
            globals: Vec::new(),
            global_index: HashMap::new(),
            function_asts: HashMap::new(),
            functions: Vec::new(),
            function_index: HashMap::new(),
            queue: Vec::new(),
            locals: Vec::new(),
            in_function: None,
            writes: Vec::new(),
        };
        let mut aliases = Vec::new();
        for script in scripts {
            for item in &script.items {
                match item {
                    ast::Item::Global(g) => r.declare_global(g, &script.name),
                    ast::Item::Function(f) => {
                        r.function_asts.entry(&f.name.name).or_insert(f);
                    }
                    ast::Item::Alias(a) => aliases.push(a),
                    ast::Item::Probe(_) => {}
                    ast::Item::Embedded(e) => {
                        let tok = r.tokens.at_start(e.span);
                        r.error("embedded C code is not supported by stap-rs", tok);
                    }
                }
            }
        }
        let mut probes = Vec::new();
        if let Some(user) = scripts.first() {
            for item in &user.items {
                if let ast::Item::Probe(p) = item {
                    let derived = PointResolver {
                        aliases: &aliases,
                        tokens: r.tokens,
                        diagnostics: r.diagnostics,
                    }
                    .resolve_probe(&p.points);
                    for d in derived {
                        probes.push(r.probe(p, d));
                    }
                }
            }
        }
        while let Some((id, f)) = r.queue.pop() {
            r.function_body(id, f);
        }
        Resolved {
            globals: r.globals,
            functions: r.functions,
            probes,
        }
    }

    fn declare_global(&mut self, g: &ast::Global, file: &str) {
        let tok = self.tokens.at_start(g.name.span);
        let mut var = VarDecl::new(&g.name.name, tok);
        let init = g.init.as_ref().map(|l| match l {
            Literal::Number(n) => {
                var.ty = Some(Type::Long);
                InitValue::Long(*n)
            }
            Literal::String(s) => {
                var.ty = Some(Type::String);
                InitValue::String(decode(s))
            }
        });
        let loc = self.tokens.map().location(g.name.span);
        self.global_index
            .insert(g.name.name.clone(), self.globals.len());
        self.globals.push(GlobalDecl {
            var,
            arity: None,
            arity_tok: None,
            private_prefix: g.private.then(|| private_prefix(file)),
            size: g.size,
            wrap: g.wrap,
            init,
            location: format!("{}:{}:{}", loc.file, loc.line, loc.col),
            read: false,
            written: false,
        });
    }

    fn error(&mut self, message: impl Into<String>, tok: Tok) {
        let d = self.tokens.error(message, tok);
        self.diagnostics.push(Reported::new(d));
    }

    fn location(&self, span: crate::source::Span) -> String {
        let loc = self.tokens.map().location(span);
        format!("{}:{}:{}", loc.file, loc.line, loc.col)
    }

    fn probe(&mut self, p: &'a ast::Probe, d: Derived<'a>) -> ProbeDecl {
        self.locals = Vec::new();
        self.in_function = None;
        let keyword = self.tokens.at_start(p.span);
        let mut stmts = Vec::new();
        for c in &d.conditions {
            let cond = self.expr(c, Use::Read);
            let tok = cond.tok;
            let negated = TExpr {
                kind: TKind::Unary(UnOp::Not, Box::new(cond)),
                ty: None,
                tok,
            };
            let next = TStmt {
                kind: TStmtKind::Next,
                tok,
            };
            stmts.push(TStmt {
                kind: TStmtKind::If(negated, Box::new(next), None),
                tok,
            });
        }
        let composed = !d.before.is_empty() || !d.after.is_empty();
        for b in &d.before {
            stmts.push(self.block(b));
        }
        if composed {
            stmts.push(self.block(&p.body));
        } else {
            for s in &p.body.stmts {
                stmts.push(self.stmt(s));
            }
        }
        for b in &d.after {
            stmts.push(self.block(b));
        }
        let chain: Vec<String> = d.chain.iter().map(|c| format!("<- {c}")).collect();
        ProbeDecl {
            points: d
                .points
                .into_iter()
                .filter_map(|(k, s)| k.map(|k| (k, s)))
                .collect(),
            derivation: chain.join(" "),
            locals: std::mem::take(&mut self.locals),
            body: TStmt {
                kind: TStmtKind::Block(stmts),
                tok: keyword,
            },
            location: self.location(p.span),
        }
    }

    /// The id of user function `name`, queued for resolution on first use.
    fn function_id(&mut self, name: &str) -> Option<usize> {
        if let Some(&id) = self.function_index.get(name) {
            return Some(id);
        }
        let f = *self.function_asts.get(name)?;
        let id = self.functions.len();
        let tok = self.tokens.at_start(f.name.span);
        let locals = f
            .params
            .iter()
            .map(|p| {
                let ptok = self.tokens.at_start(p.name.span);
                let mut v = VarDecl::new(&p.name.name, ptok);
                v.ty = declared(p.ty);
                v
            })
            .collect();
        self.functions.push(FuncDecl {
            name: f.name.name.clone(),
            ty: declared(f.ret),
            params: f.params.len(),
            locals,
            body: TStmt {
                kind: TStmtKind::Null,
                tok,
            },
            tok,
            location: self.location(f.name.span),
            writes: Vec::new(),
        });
        self.function_index.insert(name.to_string(), id);
        self.queue.push((id, f));
        Some(id)
    }

    fn function_body(&mut self, id: usize, f: &'a ast::Function) {
        self.locals = std::mem::take(&mut self.functions[id].locals);
        self.in_function = Some(id);
        self.writes = Vec::new();
        let body = match &f.body {
            ast::FunctionBody::Block(b) => self.block(b),
            ast::FunctionBody::Embedded(e) => {
                let tok = self.tokens.at_start(e.span);
                self.error("embedded C code is not supported by stap-rs", tok);
                TStmt {
                    kind: TStmtKind::Null,
                    tok,
                }
            }
        };
        let f = &mut self.functions[id];
        f.body = body;
        f.locals = std::mem::take(&mut self.locals);
        f.writes = std::mem::take(&mut self.writes);
        self.in_function = None;
    }

    fn block(&mut self, b: &'a ast::Block) -> TStmt {
        let tok = self.tokens.at_start(b.span);
        let stmts = b.stmts.iter().map(|s| self.stmt(s)).collect();
        TStmt {
            kind: TStmtKind::Block(stmts),
            tok,
        }
    }

    fn stmt(&mut self, s: &'a ast::Stmt) -> TStmt {
        let keyword = |r: &mut Self| r.tokens.at_start(s.span);
        let (kind, tok) = match &s.kind {
            StmtKind::Block(b) => return self.block(b),
            StmtKind::Null => (TStmtKind::Null, keyword(self)),
            StmtKind::Expr(e) => {
                // SystemTap's expression statement is named by its first token.
                let tok = keyword(self);
                let e = self.expr(e, Use::Read);
                (TStmtKind::Expr(e), tok)
            }
            StmtKind::If {
                cond,
                then,
                otherwise,
            } => {
                let tok = keyword(self);
                let c = self.expr(cond, Use::Read);
                let t = self.stmt(then);
                let o = otherwise.as_ref().map(|o| Box::new(self.stmt(o)));
                (TStmtKind::If(c, Box::new(t), o), tok)
            }
            StmtKind::For(f) => {
                let tok = keyword(self);
                let init = f.init.as_ref().map(|e| self.expr(e, Use::Read));
                let cond = self.expr(&f.cond, Use::Read);
                let step = f.step.as_ref().map(|e| self.expr(e, Use::Read));
                let body = self.stmt(&f.body);
                (TStmtKind::For(init, cond, step, Box::new(body)), tok)
            }
            StmtKind::Foreach(f) => {
                let tok = keyword(self);
                (TStmtKind::Foreach(Box::new(self.foreach(f))), tok)
            }
            StmtKind::Return(v) => {
                let tok = keyword(self);
                let v = v.as_ref().map(|e| self.expr(e, Use::Read));
                (TStmtKind::Return(v), tok)
            }
            StmtKind::Delete(e) => {
                let tok = keyword(self);
                (TStmtKind::Delete(self.delete_operand(e)), tok)
            }
            StmtKind::Break => (TStmtKind::Break, keyword(self)),
            StmtKind::Continue => (TStmtKind::Continue, keyword(self)),
            StmtKind::Next => (TStmtKind::Next, keyword(self)),
            StmtKind::Try { body, var, handler } => {
                let tok = keyword(self);
                let b = self.block_stmts(body);
                let v = var.as_ref().map(|v| {
                    let vtok = self.tokens.at_start(v.span);
                    let var = self.lookup_local_only(&v.name, vtok);
                    TExpr {
                        kind: TKind::Sym(var),
                        ty: None,
                        tok: vtok,
                    }
                });
                let h = self.block_stmts(handler);
                (TStmtKind::Try(b, v, h), tok)
            }
        };
        TStmt { kind, tok }
    }

    fn block_stmts(&mut self, b: &'a ast::Block) -> Vec<TStmt> {
        b.stmts.iter().map(|s| self.stmt(s)).collect()
    }

    /// A variable that must be a local (a `foreach` key, a `catch` variable): an
    /// existing local or a new one, never a global.
    fn lookup_local_only(&mut self, name: &str, tok: Tok) -> Var {
        match self.lookup(name, tok) {
            Var::Global(g) => {
                self.mark(g, Use::Write);
                Var::Global(g)
            }
            v => v,
        }
    }

    /// Binds `name`: a local or parameter, else a global, else `argc`/`argv`, else a
    /// new local.
    fn lookup(&mut self, name: &str, tok: Tok) -> Var {
        if let Some(i) = self.locals.iter().position(|l| l.name == name) {
            return Var::Local(i);
        }
        if let Some(&g) = self.global_index.get(name) {
            return Var::Global(g);
        }
        if name == "argc" || name == "argv" {
            let argv = name == "argv";
            let mut var = VarDecl::new(name, tok);
            var.ty = Some(if argv { Type::String } else { Type::Long });
            if argv {
                var.index_types = vec![Some(Type::Long)];
            }
            let id = self.globals.len();
            self.globals.push(GlobalDecl {
                var,
                arity: Some(usize::from(argv)),
                arity_tok: Some(tok),
                private_prefix: None,
                size: None,
                wrap: false,
                init: Some(if argv {
                    InitValue::ScriptArgv
                } else {
                    InitValue::ScriptArgc
                }),
                location: String::new(),
                read: false,
                written: false,
            });
            self.global_index.insert(name.to_string(), id);
            return Var::Global(id);
        }
        self.locals.push(VarDecl::new(name, tok));
        Var::Local(self.locals.len() - 1)
    }

    fn mark(&mut self, g: usize, how: Use) {
        let decl = &mut self.globals[g];
        if how != Use::Write {
            decl.read = true;
        }
        if how != Use::Read {
            decl.written = true;
            if !self.writes.contains(&g) {
                self.writes.push(g);
            }
        }
    }

    /// Fixes or checks the arity of global `g` at a use with `arity` keys.
    fn arity(&mut self, g: usize, arity: usize, tok: Tok) {
        if arity > stap_abi::MAX_KEYS {
            self.error(
                format!(
                    "array with {arity} keys: stap-rs supports at most {}",
                    stap_abi::MAX_KEYS
                ),
                tok,
            );
        }
        let decl = &mut self.globals[g];
        match decl.arity {
            None => {
                decl.arity = Some(arity);
                decl.arity_tok = Some(tok);
                decl.var.index_types = vec![None; arity];
            }
            Some(a) if a != arity => {
                let first = decl.arity_tok.unwrap_or(decl.var.tok);
                self.error(format!("inconsistent arity ({a} vs {arity})"), tok);
                let chain = self
                    .tokens
                    .error(format!("arity {a} first inferred here"), first);
                self.diagnostics.push(Reported::chained(chain));
            }
            Some(_) => {}
        }
    }

    fn texpr(kind: TKind, tok: Tok) -> TExpr {
        TExpr {
            kind,
            ty: None,
            tok,
        }
    }

    fn placeholder(tok: Tok) -> TExpr {
        TExpr {
            kind: TKind::Long(0),
            ty: Some(Type::Long),
            tok,
        }
    }

    /// A scalar use of a name.
    fn symbol(&mut self, name: &str, tok: Tok, how: Use) -> TExpr {
        let var = self.lookup(name, tok);
        if let Var::Global(g) = var {
            self.mark(g, how);
            self.arity(g, 0, tok);
        }
        Self::texpr(TKind::Sym(var), tok)
    }

    /// The global array a name used with keys refers to.
    fn array(&mut self, base: &'a ast::Expr, keys: usize, how: Use) -> Option<(usize, Tok)> {
        let tok = self.tokens.at_start(base.span);
        let ExprKind::Symbol(name) = &base.kind else {
            self.error("expected an array name", tok);
            return None;
        };
        let known = self.locals.iter().any(|l| &l.name == name)
            || self.global_index.contains_key(name.as_str())
            || name == "argc"
            || name == "argv";
        if !known {
            self.error(
                format!("unresolved arity-{keys} global array {name}, missing global declaration?"),
                tok,
            );
            return None;
        }
        match self.lookup(name, tok) {
            Var::Global(g) => {
                self.mark(g, how);
                self.arity(g, keys, tok);
                Some((g, tok))
            }
            Var::Local(l) => {
                let ltok = self.locals[l].tok;
                self.error(
                    "array locals not supported, missing global declaration? ",
                    ltok,
                );
                None
            }
        }
    }

    fn keys(&mut self, keys: &'a [Option<ast::Expr>], wildcards: bool) -> Vec<Option<TExpr>> {
        keys.iter()
            .map(|k| match k {
                Some(k) => Some(self.expr(k, Use::Read)),
                None if wildcards => None,
                None => None,
            })
            .collect()
    }

    fn delete_operand(&mut self, e: &'a ast::Expr) -> TExpr {
        match &e.kind {
            ExprKind::Symbol(name) => {
                let tok = self.tokens.at_start(e.span);
                let var = self.lookup(name, tok);
                if let Var::Global(g) = var {
                    self.mark(g, Use::Write);
                }
                Self::texpr(TKind::Sym(var), tok)
            }
            ExprKind::Index { base, indexes } => {
                let keys = self.keys(indexes, true);
                match self.array(base, indexes.len(), Use::Write) {
                    Some((array, array_tok)) => Self::texpr(
                        TKind::Index {
                            array,
                            array_tok,
                            keys,
                        },
                        array_tok,
                    ),
                    None => Self::placeholder(self.tokens.at_start(e.span)),
                }
            }
            _ => {
                let tok = self.tokens.at_start(e.span);
                self.error("invalid operand of delete expression", tok);
                Self::placeholder(tok)
            }
        }
    }

    fn foreach(&mut self, f: &'a ast::Foreach) -> TForeach {
        let base = match &f.base.kind {
            ExprKind::Hist { .. } => self.hist(&f.base).map(|h| IterBase::Hist(Box::new(h))),
            _ => self
                .array(&f.base, f.keys.len(), Use::Read)
                .map(|(g, tok)| IterBase::Array(g, tok)),
        };
        let slice = f.slice.as_ref().map(|s| self.keys(s, true));
        let keys = f
            .keys
            .iter()
            .map(|k| {
                let tok = self.tokens.at_start(k.span);
                let var = self.lookup_local_only(&k.name, tok);
                Self::texpr(TKind::Sym(var), tok)
            })
            .collect();
        let value = f.value.as_ref().map(|v| {
            let tok = self.tokens.at_start(v.span);
            let var = self.lookup_local_only(&v.name, tok);
            Self::texpr(TKind::Sym(var), tok)
        });
        let limit = f.limit.as_ref().map(|l| self.expr(l, Use::Read));
        let body = self.stmt(&f.body);
        let base = base.unwrap_or(IterBase::Array(usize::MAX, body.tok));
        TForeach {
            value,
            keys,
            base,
            slice,
            sort: f.sort,
            sort_agg: f.sort_agg,
            limit,
            body,
        }
    }

    fn hist(&mut self, e: &'a ast::Expr) -> Option<THist> {
        let ExprKind::Hist { kind, operand } = &e.kind else {
            return None;
        };
        let tok = self.tokens.at_start(e.span);
        let operand = self.stat_operand(operand)?;
        Some(THist {
            kind: kind.clone(),
            operand: Box::new(operand),
            tok,
        })
    }

    /// The operand of `@count`, `@hist_*`: a global or an element of a global array.
    fn stat_operand(&mut self, e: &'a ast::Expr) -> Option<TExpr> {
        match &e.kind {
            ExprKind::Symbol(_) | ExprKind::Index { .. } => Some(self.expr(e, Use::Read)),
            _ => {
                let tok = self.tokens.at_start(e.span);
                self.error("expected a statistics variable", tok);
                None
            }
        }
    }

    fn unsupported(&mut self, e: &ast::Expr, message: &str) -> TExpr {
        let tok = self.tokens.at_start(e.span);
        self.error(message, tok);
        Self::placeholder(tok)
    }

    fn binary(
        &mut self,
        e: &'a ast::Expr,
        l: &'a ast::Expr,
        r: &'a ast::Expr,
    ) -> (Tok, Box<TExpr>, Box<TExpr>) {
        let tok = self.tokens.after(e.span, l.span.hi);
        let l = self.expr(l, Use::Read);
        let r = self.expr(r, Use::Read);
        (tok, Box::new(l), Box::new(r))
    }

    fn expr(&mut self, e: &'a ast::Expr, how: Use) -> TExpr {
        match &e.kind {
            ExprKind::Literal(Literal::Number(n)) => {
                let tok = self.tokens.at_start(e.span);
                TExpr {
                    kind: TKind::Long(*n),
                    ty: Some(Type::Long),
                    tok,
                }
            }
            ExprKind::Literal(Literal::String(s)) => {
                let tok = self.tokens.at_start(e.span);
                TExpr {
                    kind: TKind::Str(decode(s)),
                    ty: Some(Type::String),
                    tok,
                }
            }
            ExprKind::Symbol(name) => {
                let tok = self.tokens.at_start(e.span);
                self.symbol(name, tok, how)
            }
            ExprKind::Index { base, indexes } => {
                if let ExprKind::Hist { .. } = base.kind {
                    let tok = self.tokens.at_start(base.span);
                    let Some(h) = self.hist(base) else {
                        return Self::placeholder(tok);
                    };
                    if how != Use::Read {
                        self.error("cannot assign to histogram buckets", tok);
                    }
                    let index = match indexes.first() {
                        Some(Some(i)) if indexes.len() == 1 => self.expr(i, Use::Read),
                        _ => {
                            self.error("a histogram bucket takes one index", tok);
                            Self::placeholder(tok)
                        }
                    };
                    return Self::texpr(TKind::HistIndex(Box::new(h), Box::new(index)), tok);
                }
                let keys = self.keys(indexes, false);
                if keys.iter().any(Option::is_none) {
                    let tok = self.tokens.at_start(e.span);
                    self.error("wildcard '*' is only valid in 'delete' and 'in'", tok);
                }
                match self.array(base, indexes.len(), how) {
                    Some((array, array_tok)) => Self::texpr(
                        TKind::Index {
                            array,
                            array_tok,
                            keys,
                        },
                        array_tok,
                    ),
                    None => Self::placeholder(self.tokens.at_start(e.span)),
                }
            }
            ExprKind::Binary(op, l, r) => {
                let (tok, l, r) = self.binary(e, l, r);
                let kind = match op {
                    BinOp::Add => TKind::Binary(LongOp::Arith(ArithOp::Add), l, r),
                    BinOp::Sub => TKind::Binary(LongOp::Arith(ArithOp::Sub), l, r),
                    BinOp::Mul => TKind::Binary(LongOp::Arith(ArithOp::Mul), l, r),
                    BinOp::Div => TKind::Binary(LongOp::Arith(ArithOp::Div), l, r),
                    BinOp::Mod => TKind::Binary(LongOp::Arith(ArithOp::Mod), l, r),
                    BinOp::Shl => TKind::Binary(LongOp::Arith(ArithOp::Shl), l, r),
                    BinOp::Shr => TKind::Binary(LongOp::Arith(ArithOp::Shr), l, r),
                    BinOp::UShr => TKind::Binary(LongOp::Arith(ArithOp::UShr), l, r),
                    BinOp::BitAnd => TKind::Binary(LongOp::Arith(ArithOp::BitAnd), l, r),
                    BinOp::BitOr => TKind::Binary(LongOp::Arith(ArithOp::BitOr), l, r),
                    BinOp::BitXor => TKind::Binary(LongOp::Arith(ArithOp::BitXor), l, r),
                    BinOp::And => TKind::Binary(LongOp::And, l, r),
                    BinOp::Or => TKind::Binary(LongOp::Or, l, r),
                    BinOp::Lt => TKind::Compare(CmpOp::Lt, l, r),
                    BinOp::Le => TKind::Compare(CmpOp::Le, l, r),
                    BinOp::Gt => TKind::Compare(CmpOp::Gt, l, r),
                    BinOp::Ge => TKind::Compare(CmpOp::Ge, l, r),
                    BinOp::Eq => TKind::Compare(CmpOp::Eq, l, r),
                    BinOp::Ne => TKind::Compare(CmpOp::Ne, l, r),
                    BinOp::Concat => TKind::Concat(l, r),
                };
                Self::texpr(kind, tok)
            }
            ExprKind::Unary(op, operand) => {
                let op = match op {
                    UnaryOp::Neg => UnOp::Neg,
                    UnaryOp::Plus => UnOp::Plus,
                    UnaryOp::Not => UnOp::Not,
                    UnaryOp::BitNot => UnOp::BitNot,
                    UnaryOp::AddrOf => {
                        return self.unsupported(
                            e,
                            "taking an address needs kernel debuginfo, which stap-rs does not use",
                        );
                    }
                };
                let tok = self.tokens.at_start(e.span);
                let operand = self.expr(operand, Use::Read);
                Self::texpr(TKind::Unary(op, Box::new(operand)), tok)
            }
            ExprKind::PreCrement { inc, operand } | ExprKind::PostCrement { inc, operand } => {
                let post = matches!(e.kind, ExprKind::PostCrement { .. });
                let tok = if post {
                    self.tokens.after(e.span, operand.span.hi)
                } else {
                    self.tokens.at_start(e.span)
                };
                let operand = self.lvalue(operand, Use::ReadWrite);
                Self::texpr(
                    TKind::Crement {
                        inc: *inc,
                        post,
                        operand: Box::new(operand),
                    },
                    tok,
                )
            }
            ExprKind::Assign(op, l, r) => {
                let tok = self.tokens.after(e.span, l.span.hi);
                let how = if *op == AssignOp::Assign || *op == AssignOp::Aggregate {
                    Use::Write
                } else {
                    Use::ReadWrite
                };
                let l = self.lvalue(l, how);
                let r = self.expr(r, Use::Read);
                Self::texpr(TKind::Assign(*op, Box::new(l), Box::new(r)), tok)
            }
            ExprKind::Ternary(c, a, b) => {
                let tok = self.tokens.after(e.span, c.span.hi);
                let c = self.expr(c, Use::Read);
                let a = self.expr(a, Use::Read);
                let b = self.expr(b, Use::Read);
                Self::texpr(TKind::Ternary(Box::new(c), Box::new(a), Box::new(b)), tok)
            }
            ExprKind::Regex {
                subject,
                negated,
                pattern,
            } => {
                let tok = self.tokens.after(e.span, subject.span.hi);
                let subject = self.expr(subject, Use::Read);
                let pattern = String::from_utf8_lossy(&decode(pattern)).into_owned();
                Self::texpr(
                    TKind::Regex {
                        subject: Box::new(subject),
                        pattern,
                        negated: *negated,
                    },
                    tok,
                )
            }
            ExprKind::In { keys, array } => {
                let from = keys
                    .iter()
                    .flatten()
                    .map(|k| k.span.hi)
                    .max()
                    .unwrap_or(e.span.lo);
                let tok = self.tokens.find(e.span, from, "in");
                let keys = self.keys(keys, true);
                if let ExprKind::Hist { .. } = array.kind {
                    self.error("'in' on a histogram is not supported by stap-rs", tok);
                    return Self::placeholder(tok);
                }
                match self.array(array, keys.len(), Use::Read) {
                    Some((array, array_tok)) => Self::texpr(
                        TKind::In {
                            keys,
                            array,
                            array_tok,
                            element: None,
                        },
                        tok,
                    ),
                    None => Self::placeholder(tok),
                }
            }
            ExprKind::Call { name, args } => self.call(e, name, args),
            ExprKind::Print {
                kind,
                format,
                hist,
                args,
            } => {
                let tok = self.tokens.at_start(e.span);
                let hist = match hist {
                    Some(h) => self.hist(h).map(Box::new),
                    None => None,
                };
                let (format, delim) = match format {
                    Some(f) if kind.format => {
                        let bytes = decode(f);
                        match stap_abi::format::parse(&bytes) {
                            Ok(p) => (Some(p), None),
                            Err(err) => {
                                self.error(err.message(), tok);
                                (Some(Vec::new()), None)
                            }
                        }
                    }
                    Some(d) => (None, Some(decode(d))),
                    None => (None, None),
                };
                let args = args.iter().map(|a| self.expr(a, Use::Read)).collect();
                Self::texpr(
                    TKind::Print {
                        kind: *kind,
                        format,
                        delim,
                        hist,
                        args,
                    },
                    tok,
                )
            }
            ExprKind::Stat { op, operand, shift } => {
                let tok = self.tokens.at_start(e.span);
                match self.stat_operand(operand) {
                    Some(operand) => Self::texpr(
                        TKind::Stat {
                            op: *op,
                            operand: Box::new(operand),
                            shift: *shift,
                        },
                        tok,
                    ),
                    None => Self::placeholder(tok),
                }
            }
            ExprKind::Hist { .. } => {
                self.unsupported(e, "a histogram can only be printed or indexed")
            }
            ExprKind::Defined(inner) => {
                let tok = self.tokens.at_start(e.span);
                TExpr {
                    kind: TKind::Long(i64::from(!needs_debuginfo(inner))),
                    ty: Some(Type::Long),
                    tok,
                }
            }
            ExprKind::Target { .. } => self.unsupported(
                e,
                "target variables need kernel debuginfo, which stap-rs does not use",
            ),
            ExprKind::Cast { .. } => {
                self.unsupported(e, "@cast needs debuginfo, which stap-rs does not use")
            }
            ExprKind::AtVar { .. } => {
                self.unsupported(e, "@var needs debuginfo, which stap-rs does not use")
            }
            ExprKind::AutoCast { .. } => self.unsupported(
                e,
                "'->' on a value needs debuginfo, which stap-rs does not use",
            ),
            ExprKind::Entry(_) => self.unsupported(e, "@entry is not supported by stap-rs"),
            ExprKind::Perf(_) => self.unsupported(e, "@perf is not supported yet by stap-rs"),
            ExprKind::Const(_) => {
                self.unsupported(e, "@const needs kernel headers, which stap-rs does not use")
            }
            ExprKind::ProbeWrite(_) => {
                self.unsupported(e, "@probewrite is not supported by stap-rs")
            }
            ExprKind::Register { .. } => {
                self.unsupported(e, "registers are not supported by stap-rs")
            }
            ExprKind::Deref { .. } => {
                self.unsupported(e, "@kderef and @uderef are not supported by stap-rs")
            }
            ExprKind::Embedded(_) => {
                self.unsupported(e, "embedded C code is not supported by stap-rs")
            }
        }
    }

    fn lvalue(&mut self, e: &'a ast::Expr, how: Use) -> TExpr {
        match &e.kind {
            ExprKind::Symbol(_) | ExprKind::Index { .. } => self.expr(e, how),
            _ => {
                let tok = self.tokens.at_start(e.span);
                self.error("Expecting lvalue for assignment", tok);
                Self::placeholder(tok)
            }
        }
    }

    fn call(&mut self, e: &'a ast::Expr, name: &ast::Ident, args: &'a [ast::Expr]) -> TExpr {
        let tok = self.tokens.at_start(e.span);
        let targs: Vec<TExpr> = args.iter().map(|a| self.expr(a, Use::Read)).collect();
        if let Some(id) = self.function_id(&name.name) {
            let params = self.functions[id].params;
            if params != targs.len() {
                let ftok = self.functions[id].tok;
                self.error(
                    format!(
                        "arity mismatch found (function '{}' takes {params} args)",
                        name.name
                    ),
                    tok,
                );
                let chain = self.tokens.error("", ftok);
                self.diagnostics.push(Reported::chained(chain));
                return Self::placeholder(tok);
            }
            return Self::texpr(TKind::Call(id, targs), tok);
        }
        match (name.name.as_str(), targs.len()) {
            ("exit", 0) => return Self::texpr(TKind::Exit, tok),
            ("error", 1) => {
                let mut targs = targs;
                let msg = targs.remove(0);
                return Self::texpr(TKind::Error(Box::new(msg)), tok);
            }
            _ => {}
        }
        if let Some(b) = builtin_named(&name.name) {
            if b.params.len() != targs.len() {
                self.error(
                    format!(
                        "arity mismatch found (function '{}' takes {} args)",
                        name.name,
                        b.params.len()
                    ),
                    tok,
                );
                return Self::placeholder(tok);
            }
            return Self::texpr(TKind::Builtin(b, targs), tok);
        }
        let known = ["exit", "error"];
        let message = if known.contains(&name.name.as_str()) {
            format!(
                "arity mismatch found (function '{}' takes {} args)",
                name.name,
                usize::from(name.name == "error")
            )
        } else {
            format!("unresolved function {}", name.name)
        };
        self.error(message, tok);
        Self::placeholder(tok)
    }
}
