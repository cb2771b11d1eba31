//! Checks SystemTap makes on the resolved program: no `foreach` modifies the array it
//! iterates, directly or through a function it calls.

use super::resolve::Resolved;
use super::tokens::{Reported, Tokens};
use super::tree::*;
use super::walk;

/// For each function, the globals it writes itself or through the functions it calls.
pub fn transitive_writes(r: &Resolved) -> Vec<Vec<usize>> {
    let calls: Vec<Vec<usize>> = r.functions.iter().map(|f| walk::calls(&f.body)).collect();
    let mut writes: Vec<Vec<usize>> = r.functions.iter().map(|f| f.writes.clone()).collect();
    loop {
        let mut changed = false;
        for f in 0..writes.len() {
            for &c in &calls[f] {
                for g in writes[c].clone() {
                    if !writes[f].contains(&g) {
                        writes[f].push(g);
                        changed = true;
                    }
                }
            }
        }
        if !changed {
            return writes;
        }
    }
}

/// Errors for `foreach` loops that modify the array they iterate.
pub fn foreach_modifications(r: &Resolved, tokens: &Tokens<'_>) -> Vec<Reported> {
    let writes = transitive_writes(r);
    let mut c = Checker {
        r,
        tokens,
        writes: &writes,
        iterated: Vec::new(),
        errors: Vec::new(),
    };
    for f in &r.functions {
        c.stmt(&f.body);
    }
    for p in &r.probes {
        c.stmt(&p.body);
    }
    c.errors
}

struct Checker<'a, 't, 'm> {
    r: &'a Resolved,
    tokens: &'t Tokens<'m>,
    writes: &'a [Vec<usize>],
    iterated: Vec<usize>,
    errors: Vec<Reported>,
}

impl Checker<'_, '_, '_> {
    fn stmt(&mut self, s: &TStmt) {
        match &s.kind {
            TStmtKind::Foreach(f) => {
                for e in f.keys.iter().chain(&f.value).chain(&f.limit) {
                    self.expr(e);
                }
                let pushed = match f.base {
                    IterBase::Array(g, _) if g != usize::MAX => {
                        self.iterated.push(g);
                        true
                    }
                    _ => false,
                };
                self.stmt(&f.body);
                if pushed {
                    self.iterated.pop();
                }
            }
            TStmtKind::Block(stmts) => stmts.iter().for_each(|s| self.stmt(s)),
            TStmtKind::If(c, t, o) => {
                self.expr(c);
                self.stmt(t);
                if let Some(o) = o {
                    self.stmt(o);
                }
            }
            TStmtKind::For(i, c, st, b) => {
                i.iter().for_each(|e| self.expr(e));
                self.expr(c);
                st.iter().for_each(|e| self.expr(e));
                self.stmt(b);
            }
            TStmtKind::Try(b, _, h) => {
                b.iter().for_each(|s| self.stmt(s));
                h.iter().for_each(|s| self.stmt(s));
            }
            TStmtKind::Delete(e) => {
                if let Some((g, tok)) = walk::target_global(e) {
                    self.modified(g, tok);
                }
                self.expr(e);
            }
            TStmtKind::Expr(e) => self.expr(e),
            TStmtKind::Return(Some(e)) => self.expr(e),
            _ => {}
        }
    }

    fn modified(&mut self, g: usize, tok: super::tokens::Tok) {
        if self.iterated.contains(&g) {
            let name = &self.r.globals[g].var.name;
            let d = self.tokens.error(
                format!("variable '{name}' modified during 'foreach' iteration"),
                tok,
            );
            self.errors.push(Reported::new(d));
        }
    }

    fn expr(&mut self, e: &TExpr) {
        if self.iterated.is_empty() {
            return;
        }
        let mut found = Vec::new();
        walk::expr(e, &mut |x| {
            if let Some((g, tok)) = walk::written_global(x) {
                found.push((g, tok, None));
            }
            if let TKind::Call(f, _) = x.kind {
                for &g in &self.writes[f] {
                    found.push((g, x.tok, Some(f)));
                }
            }
        });
        for (g, tok, call) in found {
            if !self.iterated.contains(&g) {
                continue;
            }
            match call {
                None => self.modified(g, tok),
                Some(_) => {
                    let name = &self.r.globals[g].var.name;
                    let d = self.tokens.error(
                        format!("function call modifies var '{name}' during 'foreach' iteration"),
                        tok,
                    );
                    self.errors.push(Reported::new(d));
                }
            }
        }
    }
}
