//! Expressions: arithmetic inline, everything that touches runtime state through a
//! helper call.

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{InstBuilder, Value};
use stap_abi::{Fault, StrRef};

use super::VALUE;
use super::function::FunctionCx;
use crate::ir::{ArithOp, CmpOp, Expr, ExprKind, LValue, StatTarget, Type};

impl FunctionCx<'_> {
    /// Translates `e` and returns its value (0 for expressions without one).
    pub(super) fn expr(&mut self, e: &Expr) -> Value {
        match &e.kind {
            ExprKind::Long(n) => self.builder.ins().iconst(VALUE, *n),
            ExprKind::Str(s) => self.string_literal(s),
            ExprKind::Local(l) => {
                let var = self.local(*l);
                self.builder.use_var(var)
            }
            ExprKind::Global(g) => {
                let g = self.global_index(*g);
                self.call_value("stp_global_get", &[g])
            }
            ExprKind::Element { global, keys } => {
                self.store_keys(keys);
                let g = self.global_index(*global);
                self.call_value("stp_map_get", &[g])
            }
            ExprKind::Arith(op, l, r) => {
                let l = self.expr(l);
                let r = self.expr(r);
                self.arith(*op, l, r, e.site)
            }
            ExprKind::Compare(op, l, r) => {
                let ty = l.ty;
                let l = self.expr(l);
                let r = self.expr(r);
                let (l, r) = if ty == Type::String {
                    let c = self.call_value("stp_str_compare", &[l, r]);
                    (c, self.builder.ins().iconst(VALUE, 0))
                } else {
                    (l, r)
                };
                let cc = match op {
                    CmpOp::Lt => IntCC::SignedLessThan,
                    CmpOp::Le => IntCC::SignedLessThanOrEqual,
                    CmpOp::Gt => IntCC::SignedGreaterThan,
                    CmpOp::Ge => IntCC::SignedGreaterThanOrEqual,
                    CmpOp::Eq => IntCC::Equal,
                    CmpOp::Ne => IntCC::NotEqual,
                };
                let b = self.builder.ins().icmp(cc, l, r);
                self.builder.ins().uextend(VALUE, b)
            }
            ExprKind::Concat(l, r) => {
                let l = self.expr(l);
                let r = self.expr(r);
                self.call_value("stp_str_concat", &[l, r])
            }
            ExprKind::And(l, r) => self.logical(l, r, true),
            ExprKind::Or(l, r) => self.logical(l, r, false),
            ExprKind::Not(x) => {
                let x = self.expr(x);
                let b = self.builder.ins().icmp_imm(IntCC::Equal, x, 0);
                self.builder.ins().uextend(VALUE, b)
            }
            ExprKind::Neg(x) => {
                let x = self.expr(x);
                self.builder.ins().ineg(x)
            }
            ExprKind::BitNot(x) => {
                let x = self.expr(x);
                self.builder.ins().bnot(x)
            }
            ExprKind::Ternary(c, a, b) => {
                let result = self.temporary();
                let c = self.expr(c);
                let then_block = self.builder.create_block();
                let else_block = self.builder.create_block();
                let join = self.builder.create_block();
                self.builder.ins().brif(c, then_block, &[], else_block, &[]);
                self.builder.switch_to_block(then_block);
                let a = self.expr(a);
                self.builder.def_var(result, a);
                self.builder.ins().jump(join, &[]);
                self.builder.switch_to_block(else_block);
                let b = self.expr(b);
                self.builder.def_var(result, b);
                self.builder.ins().jump(join, &[]);
                self.builder.switch_to_block(join);
                self.builder.use_var(result)
            }
            ExprKind::Assign { target, op, value } => {
                let place = self.place(target);
                let v = self.expr(value);
                let v = match op {
                    Some(op) => {
                        let old = self.read_place(&place);
                        self.arith(*op, old, v, e.site)
                    }
                    None => v,
                };
                self.write_place(&place, v);
                v
            }
            ExprKind::ConcatAssign { target, value } => {
                let place = self.place(target);
                let v = self.expr(value);
                let old = self.read_place(&place);
                let new = self.call_value("stp_str_concat", &[old, v]);
                self.write_place(&place, new);
                new
            }
            ExprKind::Crement { target, inc, post } => {
                let place = self.place(target);
                let old = self.read_place(&place);
                let new = self.builder.ins().iadd_imm(old, if *inc { 1 } else { -1 });
                self.write_place(&place, new);
                if *post { old } else { new }
            }
            ExprKind::StatAdd { target, value } => {
                let v = self.expr(value);
                match target {
                    StatTarget::Global(g) => {
                        let g = self.global_index(*g);
                        self.call_helper("stp_stat_add", &[g, v]);
                    }
                    StatTarget::Element { global, keys, site } => {
                        self.store_keys(keys);
                        let g = self.global_index(*global);
                        self.call_helper("stp_map_stat_add", &[g, v]);
                        self.check_error(Some(*site));
                    }
                }
                v
            }
            ExprKind::StatGet { target, field } => {
                let (symbol, g) = match target {
                    StatTarget::Global(g) => ("stp_stat_get", *g),
                    StatTarget::Element { global, keys, .. } => {
                        self.store_keys(keys);
                        ("stp_map_stat_get", *global)
                    }
                };
                let g = self.global_index(g);
                let f = self.builder.ins().iconst(VALUE, field.code());
                let v = self.call_value(symbol, &[g, f]);
                self.check_error(Some(e.site));
                v
            }
            ExprKind::HistBucket { target, bucket } => {
                let b = self.expr(bucket);
                let (g, keyed) = self.stat_target(target);
                let v = self.call_value("stp_hist_bucket", &[g, keyed, b]);
                self.check_error(Some(e.site));
                v
            }
            ExprKind::HistPrint { target, to_string } => {
                let (g, keyed) = self.stat_target(target);
                let v = if *to_string {
                    self.call_value("stp_hist_sprint", &[g, keyed])
                } else {
                    self.call_helper("stp_hist_print", &[g, keyed]);
                    self.builder.ins().iconst(VALUE, 0)
                };
                self.check_error(Some(e.site));
                v
            }
            ExprKind::In { global, keys } => {
                let mask = self.store_keys_with_wildcards(keys);
                let g = self.global_index(*global);
                if mask == 0 {
                    self.call_value("stp_map_exists", &[g])
                } else {
                    let m = self.builder.ins().iconst(VALUE, mask);
                    self.call_value("stp_map_exists_match", &[g, m])
                }
            }
            ExprKind::Regex {
                subject,
                regex,
                negated,
            } => {
                let s = self.expr(subject);
                let r = self.builder.ins().iconst(VALUE, *regex as i64);
                let m = self.call_value("stp_regex_match", &[s, r]);
                if *negated {
                    let b = self.builder.ins().icmp_imm(IntCC::Equal, m, 0);
                    self.builder.ins().uextend(VALUE, b)
                } else {
                    m
                }
            }
            ExprKind::Call { function, args } => {
                let values: Vec<Value> = args.iter().map(|a| self.expr(a)).collect();
                self.call_function(*function, &values)
            }
            ExprKind::Builtin { builtin, args } => {
                let values: Vec<Value> = args.iter().map(|a| self.expr(a)).collect();
                let v = self.call_helper(builtin.symbol, &values);
                if builtin.fallible {
                    self.check_error(Some(e.site));
                }
                v.unwrap_or_else(|| self.builder.ins().iconst(VALUE, 0))
            }
            ExprKind::Printf {
                format,
                args,
                to_string,
            } => {
                let values: Vec<Value> = args.iter().map(|a| self.expr(a)).collect();
                for (i, v) in values.into_iter().enumerate() {
                    self.store_slot(i, v);
                }
                let f = self.tables.format(format);
                let f = self.builder.ins().iconst(VALUE, i64::from(f));
                let v = if *to_string {
                    self.call_value("stp_sprintf", &[f])
                } else {
                    self.call_helper("stp_printf", &[f]);
                    self.builder.ins().iconst(VALUE, 0)
                };
                self.check_error(Some(e.site));
                v
            }
            ExprKind::Exit => {
                self.call_helper("stp_exit", &[]);
                self.builder.ins().iconst(VALUE, 0)
            }
            ExprKind::Error(message) => {
                let m = self.expr(message);
                self.call_helper("stp_error", &[m]);
                // SystemTap's `error()` reports its message alone, with no place.
                self.check_error(None);
                self.builder.ins().iconst(VALUE, 0)
            }
        }
    }

    /// Calls a helper that returns a value.
    fn call_value(&mut self, symbol: &str, args: &[Value]) -> Value {
        match self.call_helper(symbol, args) {
            Some(v) => v,
            None => self.builder.ins().iconst(VALUE, 0),
        }
    }

    /// The reference of literal `s`: a constant, no runtime work.
    fn string_literal(&mut self, s: &[u8]) -> Value {
        if s.is_empty() {
            return self.builder.ins().iconst(VALUE, StrRef::EMPTY.0);
        }
        let i = self.tables.string(s);
        self.builder.ins().iconst(VALUE, StrRef::literal(i).0)
    }

    /// Global index `g` as a value.
    fn global_index(&mut self, g: usize) -> Value {
        self.builder.ins().iconst(VALUE, g as i64)
    }

    /// Evaluates `keys` (all of them first: a key may itself use the slots) and stores
    /// them in slots 0 and up.
    fn store_keys(&mut self, keys: &[Expr]) {
        let values: Vec<Value> = keys.iter().map(|k| self.expr(k)).collect();
        for (i, v) in values.into_iter().enumerate() {
            self.store_slot(i, v);
        }
    }

    /// Like [`Self::store_keys`] with `*` wildcards; returns the wildcard mask.
    pub(super) fn store_keys_with_wildcards(&mut self, keys: &[Option<Expr>]) -> i64 {
        let mut values = Vec::new();
        let mut mask = 0i64;
        for (i, k) in keys.iter().enumerate() {
            match k {
                Some(k) => values.push(Some(self.expr(k))),
                None => {
                    mask |= 1 << i;
                    values.push(None);
                }
            }
        }
        for (i, v) in values.into_iter().enumerate() {
            if let Some(v) = v {
                self.store_slot(i, v);
            }
        }
        mask
    }

    /// The global and keyed flag of a statistics target, keys stored.
    fn stat_target(&mut self, target: &StatTarget) -> (Value, Value) {
        let (g, keyed) = match target {
            StatTarget::Global(g) => (*g, 0),
            StatTarget::Element { global, keys, .. } => {
                self.store_keys(keys);
                (*global, 1)
            }
        };
        let g = self.global_index(g);
        let keyed = self.builder.ins().iconst(VALUE, keyed);
        (g, keyed)
    }

    /// `&&` (`and`) or `||`, short-circuited, as 0 or 1.
    fn logical(&mut self, l: &Expr, r: &Expr, and: bool) -> Value {
        let result = self.temporary();
        let l = self.expr(l);
        let l = self.builder.ins().icmp_imm(IntCC::NotEqual, l, 0);
        let l = self.builder.ins().uextend(VALUE, l);
        self.builder.def_var(result, l);
        let rhs = self.builder.create_block();
        let join = self.builder.create_block();
        if and {
            self.builder.ins().brif(l, rhs, &[], join, &[]);
        } else {
            self.builder.ins().brif(l, join, &[], rhs, &[]);
        }
        self.builder.switch_to_block(rhs);
        let r = self.expr(r);
        let r = self.builder.ins().icmp_imm(IntCC::NotEqual, r, 0);
        let r = self.builder.ins().uextend(VALUE, r);
        self.builder.def_var(result, r);
        self.builder.ins().jump(join, &[]);
        self.builder.switch_to_block(join);
        self.builder.use_var(result)
    }

    /// `l op r` on longs, wrapping; division by zero is a fault at `site`.
    fn arith(&mut self, op: ArithOp, l: Value, r: Value, site: u32) -> Value {
        let ins = self.builder.ins();
        match op {
            ArithOp::Add => ins.iadd(l, r),
            ArithOp::Sub => ins.isub(l, r),
            ArithOp::Mul => ins.imul(l, r),
            ArithOp::Shl => ins.ishl(l, r),
            ArithOp::Shr => ins.sshr(l, r),
            ArithOp::UShr => ins.ushr(l, r),
            ArithOp::BitAnd => ins.band(l, r),
            ArithOp::BitOr => ins.bor(l, r),
            ArithOp::BitXor => ins.bxor(l, r),
            ArithOp::Div | ArithOp::Mod => self.division(op == ArithOp::Div, l, r, site),
        }
    }

    /// Signed division or remainder that never traps: 0 is a fault, and `x / -1` is
    /// computed as a wrapping negation (Cranelift's `sdiv` traps on `MIN / -1`).
    fn division(&mut self, div: bool, l: Value, r: Value, site: u32) -> Value {
        let zero = self.builder.ins().icmp_imm(IntCC::Equal, r, 0);
        let fault = if div {
            Fault::DivisionByZero
        } else {
            Fault::ModuloByZero
        };
        self.fault_if(zero, fault, site);
        let result = self.temporary();
        let minus_one = self.builder.ins().icmp_imm(IntCC::Equal, r, -1);
        let special = self.builder.create_block();
        let general = self.builder.create_block();
        let join = self.builder.create_block();
        self.builder
            .ins()
            .brif(minus_one, special, &[], general, &[]);
        self.builder.switch_to_block(special);
        let v = if div {
            self.builder.ins().ineg(l)
        } else {
            self.builder.ins().iconst(VALUE, 0)
        };
        self.builder.def_var(result, v);
        self.builder.ins().jump(join, &[]);
        self.builder.switch_to_block(general);
        let v = if div {
            self.builder.ins().sdiv(l, r)
        } else {
            self.builder.ins().srem(l, r)
        };
        self.builder.def_var(result, v);
        self.builder.ins().jump(join, &[]);
        self.builder.switch_to_block(join);
        self.builder.use_var(result)
    }

    /// Evaluates the keys of an assignment target once.
    fn place(&mut self, target: &LValue) -> Place {
        match target {
            LValue::Local(l) => Place::Local(*l),
            LValue::Global(g) => Place::Global(*g),
            LValue::Element { global, keys, site } => Place::Element {
                global: *global,
                keys: keys.iter().map(|k| self.expr(k)).collect(),
                site: *site,
            },
        }
    }

    /// The current value at `place`.
    fn read_place(&mut self, place: &Place) -> Value {
        match place {
            Place::Local(l) => {
                let var = self.local(*l);
                self.builder.use_var(var)
            }
            Place::Global(g) => {
                let g = self.global_index(*g);
                self.call_value("stp_global_get", &[g])
            }
            Place::Element { global, keys, .. } => {
                for (i, k) in keys.iter().enumerate() {
                    self.store_slot(i, *k);
                }
                let g = self.global_index(*global);
                self.call_value("stp_map_get", &[g])
            }
        }
    }

    /// Stores `v` at `place`; a full array is an error at the array's name.
    fn write_place(&mut self, place: &Place, v: Value) {
        match place {
            Place::Local(l) => {
                let var = self.local(*l);
                self.builder.def_var(var, v);
            }
            Place::Global(g) => {
                let g = self.global_index(*g);
                self.call_helper("stp_global_set", &[g, v]);
            }
            Place::Element { global, keys, site } => {
                for (i, k) in keys.iter().enumerate() {
                    self.store_slot(i, *k);
                }
                let g = self.global_index(*global);
                self.call_helper("stp_map_set", &[g, v]);
                self.check_error(Some(*site));
            }
        }
    }
}

/// An assignment target with its keys already evaluated.
enum Place {
    Local(usize),
    Global(usize),
    Element {
        global: usize,
        keys: Vec<Value>,
        site: u32,
    },
}
