//! Visiting every expression of a resolved body, for the checks and summaries that
//! need all of them (globals touched, functions called, statistics used).

use super::tree::*;

/// Calls `f` on every expression of `s`, outer expressions before inner ones.
pub fn stmt_exprs(s: &TStmt, f: &mut dyn FnMut(&TExpr)) {
    match &s.kind {
        TStmtKind::Block(stmts) => stmts.iter().for_each(|s| stmt_exprs(s, f)),
        TStmtKind::Null | TStmtKind::Break | TStmtKind::Continue | TStmtKind::Next => {}
        TStmtKind::Expr(e) | TStmtKind::Delete(e) => expr(e, f),
        TStmtKind::If(c, t, o) => {
            expr(c, f);
            stmt_exprs(t, f);
            if let Some(o) = o {
                stmt_exprs(o, f);
            }
        }
        TStmtKind::For(i, c, st, b) => {
            i.iter().for_each(|e| expr(e, f));
            expr(c, f);
            st.iter().for_each(|e| expr(e, f));
            stmt_exprs(b, f);
        }
        TStmtKind::Foreach(fe) => {
            if let IterBase::Hist(h) = &fe.base {
                expr(&h.operand, f);
            }
            fe.keys.iter().for_each(|e| expr(e, f));
            fe.value.iter().for_each(|e| expr(e, f));
            fe.slice.iter().flatten().flatten().for_each(|e| expr(e, f));
            fe.limit.iter().for_each(|e| expr(e, f));
            stmt_exprs(&fe.body, f);
        }
        TStmtKind::Return(v) => v.iter().for_each(|e| expr(e, f)),
        TStmtKind::Try(b, v, h) => {
            b.iter().for_each(|s| stmt_exprs(s, f));
            v.iter().for_each(|e| expr(e, f));
            h.iter().for_each(|s| stmt_exprs(s, f));
        }
    }
}

/// Calls `f` on `e` and every expression inside it.
pub fn expr(e: &TExpr, f: &mut dyn FnMut(&TExpr)) {
    f(e);
    match &e.kind {
        TKind::Long(_) | TKind::Str(_) | TKind::Sym(_) | TKind::Exit => {}
        TKind::Index { keys, .. } | TKind::In { keys, .. } => {
            keys.iter().flatten().for_each(|k| expr(k, f))
        }
        TKind::HistIndex(h, i) => {
            expr(&h.operand, f);
            expr(i, f);
        }
        TKind::Binary(_, l, r)
        | TKind::Compare(_, l, r)
        | TKind::Concat(l, r)
        | TKind::Assign(_, l, r) => {
            expr(l, f);
            expr(r, f);
        }
        TKind::Unary(_, o) | TKind::Crement { operand: o, .. } | TKind::Error(o) => expr(o, f),
        TKind::Ternary(c, a, b) => {
            expr(c, f);
            expr(a, f);
            expr(b, f);
        }
        TKind::Regex { subject, .. } => expr(subject, f),
        TKind::Call(_, args) | TKind::Builtin(_, args) => args.iter().for_each(|a| expr(a, f)),
        TKind::Print { hist, args, .. } => {
            if let Some(h) = hist {
                expr(&h.operand, f);
            }
            args.iter().for_each(|a| expr(a, f));
        }
        TKind::Stat { operand, .. } => expr(operand, f),
    }
}

/// The global `e` writes, if it is an assignment, `++`/`--`, or `<<<`.
pub fn written_global(e: &TExpr) -> Option<(usize, super::tokens::Tok)> {
    let target = match &e.kind {
        TKind::Assign(_, l, _) => l,
        TKind::Crement { operand, .. } => operand,
        _ => return None,
    };
    target_global(target)
}

/// The global a variable or element expression names, with its token.
pub fn target_global(e: &TExpr) -> Option<(usize, super::tokens::Tok)> {
    match &e.kind {
        TKind::Sym(Var::Global(g)) => Some((*g, e.tok)),
        TKind::Index {
            array, array_tok, ..
        } => Some((*array, *array_tok)),
        _ => None,
    }
}

/// The functions `s` calls directly.
pub fn calls(s: &TStmt) -> Vec<usize> {
    let mut out = Vec::new();
    stmt_exprs(s, &mut |e| {
        if let TKind::Call(f, _) = e.kind
            && !out.contains(&f)
        {
            out.push(f);
        }
    });
    out
}
