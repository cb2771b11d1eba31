//! One translator per compiled function: statements, control flow, the error paths.

use std::collections::HashMap;

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{Block, FuncRef, Function, InstBuilder, MemFlags, Value};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext, Variable};
use cranelift_jit::JITModule;
use cranelift_module::{FuncId, Module};
use stap_abi::{ERROR_CATCHABLE, ERROR_NEXT, Fault, offsets};

use super::tables::Tables;
use super::{CodegenOptions, Declarations, VALUE};
use crate::ir::{self, DeleteTarget, Stmt, StmtKind, Type};

/// An enclosing loop: where `break` and `continue` go.
struct LoopFrame {
    /// `continue` target.
    next: Block,
    /// `break` target.
    exit: Block,
    /// A `foreach`'s iterator, ended when the loop is left.
    iterator: Option<Variable>,
}

/// What kind of function is being translated, and how it returns.
enum Exit {
    /// A probe handler: returns nothing.
    Probe {
        /// The normal end of the handler.
        done: Block,
    },
    /// A script function: returns the value in `value`.
    Function {
        /// The block that returns `value`.
        done: Block,
        /// The result variable.
        value: Variable,
    },
}

/// The state of translating one function: its builder, variables and open constructs.
pub(crate) struct FunctionCx<'a> {
    module: &'a mut JITModule,
    declarations: &'a Declarations,
    pub(super) tables: &'a mut Tables,
    pub(super) options: &'a CodegenOptions,
    pub(super) builder: FunctionBuilder<'a>,
    /// The context pointer, the function's first parameter.
    pub(super) ctx: Value,
    /// One variable per local.
    locals: Vec<Variable>,
    /// Number of variables declared so far.
    variables: usize,
    /// Helpers and functions already imported into this function.
    refs: HashMap<FuncId, FuncRef>,
    loops: Vec<LoopFrame>,
    /// `catch` blocks of the enclosing `try`s, innermost last.
    catches: Vec<Block>,
    /// Leaves the function with the error left in the context.
    abort: Block,
    exit: Exit,
}

impl<'a> FunctionCx<'a> {
    /// A translator for `func`, with the entry block started and the locals declared.
    #[allow(clippy::too_many_arguments)]
    fn new(
        module: &'a mut JITModule,
        declarations: &'a Declarations,
        tables: &'a mut Tables,
        options: &'a CodegenOptions,
        func: &'a mut Function,
        builder_ctx: &'a mut FunctionBuilderContext,
        body: &ir::Body,
        params: usize,
        ret: Option<Type>,
    ) -> FunctionCx<'a> {
        let mut builder = FunctionBuilder::new(func, builder_ctx);
        let entry = builder.create_block();
        builder.append_block_params_for_function_params(entry);
        builder.switch_to_block(entry);
        let block_params = builder.block_params(entry).to_vec();
        let ctx = block_params[0];
        let mut locals = Vec::new();
        for i in 0..body.locals.len() {
            let var = Variable::from_u32(i as u32);
            builder.declare_var(var, VALUE);
            // Parameters start with the caller's values; other locals with 0 or "" (the
            // empty string is the arena reference 0).
            let init = if i < params {
                block_params[1 + i]
            } else {
                builder.ins().iconst(VALUE, 0)
            };
            builder.def_var(var, init);
            locals.push(var);
        }
        let abort = builder.create_block();
        builder.set_cold_block(abort);
        let done = builder.create_block();
        let mut variables = locals.len();
        let exit = match ret {
            None => Exit::Probe { done },
            Some(_) => {
                let value = Variable::from_u32(variables as u32);
                variables += 1;
                builder.declare_var(value, VALUE);
                let zero = builder.ins().iconst(VALUE, 0);
                builder.def_var(value, zero);
                Exit::Function { done, value }
            }
        };
        FunctionCx {
            module,
            declarations,
            tables,
            options,
            builder,
            ctx,
            locals,
            variables,
            refs: HashMap::new(),
            loops: Vec::new(),
            catches: Vec::new(),
            abort,
            exit,
        }
    }

    /// Translates `body` into `func`: a script function with `params` parameters and
    /// result type `ret`, or (`ret` = `None`) a probe handler.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn translate(
        module: &'a mut JITModule,
        declarations: &'a Declarations,
        tables: &'a mut Tables,
        options: &'a CodegenOptions,
        func: &'a mut Function,
        builder_ctx: &'a mut FunctionBuilderContext,
        body: &ir::Body,
        params: usize,
        ret: Option<Type>,
    ) {
        let mut cx = FunctionCx::new(
            module,
            declarations,
            tables,
            options,
            func,
            builder_ctx,
            body,
            params,
            ret,
        );
        cx.body(&body.stmts);
        cx.finish();
    }

    /// Translates the top-level statements, then falls into the normal exit.
    fn body(&mut self, stmts: &[Stmt]) {
        for s in stmts {
            self.stmt(s);
        }
        let done = self.done_block();
        self.builder.ins().jump(done, &[]);
    }

    fn done_block(&self) -> Block {
        match self.exit {
            Exit::Probe { done } | Exit::Function { done, .. } => done,
        }
    }

    /// Emits the exit blocks and seals the function.
    fn finish(mut self) {
        let done = self.done_block();
        self.builder.switch_to_block(done);
        match self.exit {
            Exit::Probe { .. } => {
                self.builder.ins().return_(&[]);
            }
            Exit::Function { value, .. } => {
                let v = self.builder.use_var(value);
                self.builder.ins().return_(&[v]);
            }
        }
        // The error path: the error stays in the context for the caller to see.
        self.builder.switch_to_block(self.abort);
        match self.exit {
            Exit::Probe { .. } => {
                self.builder.ins().return_(&[]);
            }
            Exit::Function { .. } => {
                let zero = self.builder.ins().iconst(VALUE, 0);
                self.builder.ins().return_(&[zero]);
            }
        }
        self.builder.seal_all_blocks();
        self.builder.finalize();
    }

    /// A fresh variable holding an `i64`.
    pub(super) fn temporary(&mut self) -> Variable {
        let var = Variable::from_u32(self.variables as u32);
        self.variables += 1;
        self.builder.declare_var(var, VALUE);
        var
    }

    /// The variable of local `id`.
    pub(super) fn local(&self, id: ir::LocalId) -> Variable {
        self.locals[id]
    }

    /// The function reference of `id` in this function, imported on first use.
    fn func_ref(&mut self, id: FuncId) -> FuncRef {
        if let Some(r) = self.refs.get(&id) {
            return *r;
        }
        let r = self.module.declare_func_in_func(id, self.builder.func);
        self.refs.insert(id, r);
        r
    }

    /// Calls helper `symbol` with the context and `args`; its result, if it has one.
    pub(super) fn call_helper(&mut self, symbol: &str, args: &[Value]) -> Option<Value> {
        let id = self.declarations.helper(symbol);
        let r = self.func_ref(id);
        let mut all = Vec::with_capacity(args.len() + 1);
        all.push(self.ctx);
        all.extend_from_slice(args);
        let call = self.builder.ins().call(r, &all);
        self.builder.inst_results(call).first().copied()
    }

    /// Calls script function `f`, checking `MAXNESTING` first and the error flag after.
    pub(super) fn call_function(&mut self, f: ir::FunctionId, args: &[Value]) -> Value {
        // The caller keeps the call depth, so the callee stays free of bookkeeping; a
        // failed check points at the function's name, as SystemTap's does.
        let site = self.declarations.function_site(f);
        let depth = self.load_ctx(offsets::DEPTH);
        let too_deep = self.builder.ins().icmp_imm(
            IntCC::SignedGreaterThanOrEqual,
            depth,
            self.options.max_nesting,
        );
        self.fault_if(too_deep, Fault::MaxNesting, site);
        let deeper = self.builder.ins().iadd_imm(depth, 1);
        self.store_ctx(offsets::DEPTH, deeper);
        let id = self.declarations.function(f);
        let r = self.func_ref(id);
        let mut all = Vec::with_capacity(args.len() + 1);
        all.push(self.ctx);
        all.extend_from_slice(args);
        let call = self.builder.ins().call(r, &all);
        let result = self.builder.inst_results(call)[0];
        self.store_ctx(offsets::DEPTH, depth);
        self.check_error(None);
        result
    }

    /// Loads the context field at `offset`.
    pub(super) fn load_ctx(&mut self, offset: i32) -> Value {
        self.builder
            .ins()
            .load(VALUE, MemFlags::trusted(), self.ctx, offset)
    }

    /// Stores `v` into the context field at `offset`.
    pub(super) fn store_ctx(&mut self, offset: i32, v: Value) {
        self.builder
            .ins()
            .store(MemFlags::trusted(), v, self.ctx, offset);
    }

    /// Stores `v` into slot `i`.
    pub(super) fn store_slot(&mut self, i: usize, v: Value) {
        self.store_ctx(offsets::SLOTS + 8 * i as i32, v);
    }

    /// Loads slot `i`.
    pub(super) fn load_slot(&mut self, i: usize) -> Value {
        self.load_ctx(offsets::SLOTS + 8 * i as i32)
    }

    /// After a fallible call: when an error is pending, records `site` (unless the error
    /// came from a script function, which recorded its own) and leaves through the
    /// innermost `catch` or the function's error path.
    pub(super) fn check_error(&mut self, site: Option<u32>) {
        let error = self.load_ctx(offsets::ERROR);
        let failed = self.builder.create_block();
        let ok = self.builder.create_block();
        self.builder.set_cold_block(failed);
        self.builder.ins().brif(error, failed, &[], ok, &[]);
        self.builder.switch_to_block(failed);
        if let Some(site) = site {
            let s = self.builder.ins().iconst(VALUE, i64::from(site));
            self.store_ctx(offsets::SITE, s);
        }
        self.leave_on_error(error);
        self.builder.switch_to_block(ok);
    }

    /// Jumps to the innermost `catch` when `error` is catchable, else to the error path.
    fn leave_on_error(&mut self, error: Value) {
        match self.catches.last().copied() {
            Some(catch) => {
                let catchable = self
                    .builder
                    .ins()
                    .icmp_imm(IntCC::Equal, error, ERROR_CATCHABLE);
                self.builder
                    .ins()
                    .brif(catchable, catch, &[], self.abort, &[]);
            }
            None => {
                self.builder.ins().jump(self.abort, &[]);
            }
        }
    }

    /// When `condition` is nonzero, raises `fault` at `site`.
    pub(super) fn fault_if(&mut self, condition: Value, fault: Fault, site: u32) {
        let failed = self.builder.create_block();
        let ok = self.builder.create_block();
        self.builder.set_cold_block(failed);
        self.builder.ins().brif(condition, failed, &[], ok, &[]);
        self.builder.switch_to_block(failed);
        let code = self.builder.ins().iconst(VALUE, fault as i64);
        self.call_helper(stap_abi::HELPER_FAULT.symbol, &[code]);
        let s = self.builder.ins().iconst(VALUE, i64::from(site));
        self.store_ctx(offsets::SITE, s);
        let error = self.load_ctx(offsets::ERROR);
        self.leave_on_error(error);
        self.builder.switch_to_block(ok);
    }

    /// Counts one action against `MAXACTION`.
    fn count_action(&mut self, site: u32) {
        let left = self.load_ctx(offsets::ACTIONS_LEFT);
        let left = self.builder.ins().iadd_imm(left, -1);
        self.store_ctx(offsets::ACTIONS_LEFT, left);
        let exceeded = self.builder.ins().icmp_imm(IntCC::SignedLessThan, left, 0);
        self.fault_if(exceeded, Fault::MaxAction, site);
    }

    /// Starts a new block after a jump, for code that follows `break` and the like
    /// (unreachable, but Cranelift needs every instruction in a block).
    fn continue_in_fresh_block(&mut self) {
        let b = self.builder.create_block();
        self.builder.switch_to_block(b);
    }

    /// Translates a statement.
    fn stmt(&mut self, s: &Stmt) {
        if !matches!(s.kind, StmtKind::Block(_)) {
            self.count_action(s.site);
        }
        match &s.kind {
            StmtKind::Block(stmts) => {
                for s in stmts {
                    self.stmt(s);
                }
            }
            StmtKind::Expr(e) => {
                self.expr(e);
            }
            StmtKind::If {
                cond,
                then,
                otherwise,
            } => {
                let c = self.expr(cond);
                let then_block = self.builder.create_block();
                let else_block = self.builder.create_block();
                let join = self.builder.create_block();
                self.builder.ins().brif(c, then_block, &[], else_block, &[]);
                self.builder.switch_to_block(then_block);
                self.stmt(then);
                self.builder.ins().jump(join, &[]);
                self.builder.switch_to_block(else_block);
                if let Some(o) = otherwise {
                    self.stmt(o);
                }
                self.builder.ins().jump(join, &[]);
                self.builder.switch_to_block(join);
            }
            StmtKind::For {
                init,
                cond,
                step,
                body,
            } => {
                if let Some(i) = init {
                    self.expr(i);
                }
                let header = self.builder.create_block();
                let body_block = self.builder.create_block();
                let step_block = self.builder.create_block();
                let exit = self.builder.create_block();
                self.builder.ins().jump(header, &[]);
                self.builder.switch_to_block(header);
                let c = self.expr(cond);
                self.builder.ins().brif(c, body_block, &[], exit, &[]);
                self.builder.switch_to_block(body_block);
                self.loops.push(LoopFrame {
                    next: step_block,
                    exit,
                    iterator: None,
                });
                self.stmt(body);
                self.loops.pop();
                self.builder.ins().jump(step_block, &[]);
                self.builder.switch_to_block(step_block);
                if let Some(st) = step {
                    self.expr(st);
                }
                // Every iteration is an action, so `while (1) {}` ends at MAXACTION; the
                // error names the last statement of the body, as SystemTap's does.
                self.count_action(last_site(body));
                self.builder.ins().jump(header, &[]);
                self.builder.switch_to_block(exit);
            }
            StmtKind::Foreach(f) => self.foreach(f, s.site),
            StmtKind::Return(value) => {
                if let (Some(v), Exit::Function { value: var, .. }) = (value, &self.exit) {
                    let var = *var;
                    let v = self.expr(v);
                    self.builder.def_var(var, v);
                }
                self.end_iterators(0);
                let done = self.done_block();
                self.builder.ins().jump(done, &[]);
                self.continue_in_fresh_block();
            }
            StmtKind::Next => {
                match self.exit {
                    Exit::Probe { done } => {
                        self.builder.ins().jump(done, &[]);
                    }
                    Exit::Function { .. } => {
                        // `next` in a function ends the whole handler: unwind as an
                        // error no `try` catches, which the runtime then forgets.
                        let next = self.builder.ins().iconst(VALUE, ERROR_NEXT);
                        self.store_ctx(offsets::ERROR, next);
                        self.builder.ins().jump(self.abort, &[]);
                    }
                }
                self.continue_in_fresh_block();
            }
            StmtKind::Break | StmtKind::Continue => {
                if let Some(frame) = self.loops.last() {
                    let (target, is_break) = match s.kind {
                        StmtKind::Break => (frame.exit, true),
                        _ => (frame.next, false),
                    };
                    if is_break {
                        let depth = self.loops.len() - 1;
                        self.end_iterators(depth);
                    }
                    self.builder.ins().jump(target, &[]);
                    self.continue_in_fresh_block();
                }
            }
            StmtKind::Delete(target) => self.delete(target),
            StmtKind::Try { body, var, handler } => {
                let catch = self.builder.create_block();
                let join = self.builder.create_block();
                self.catches.push(catch);
                for s in body {
                    self.stmt(s);
                }
                self.catches.pop();
                self.builder.ins().jump(join, &[]);
                self.builder.switch_to_block(catch);
                let message = self
                    .call_helper("stp_take_error", &[])
                    .expect("stp_take_error returns the message");
                if let Some(v) = var {
                    let var = self.local(*v);
                    self.builder.def_var(var, message);
                }
                for s in handler {
                    self.stmt(s);
                }
                self.builder.ins().jump(join, &[]);
                self.builder.switch_to_block(join);
            }
        }
    }

    /// Ends the iterators of the `foreach` loops from depth `from` outwards-in (the
    /// outermost such loop's iterator ends the ones inside it too).
    fn end_iterators(&mut self, from: usize) {
        let first = self.loops[from.min(self.loops.len())..]
            .iter()
            .find_map(|l| l.iterator);
        if let Some(it) = first {
            let it = self.builder.use_var(it);
            self.call_helper("stp_iter_end", &[it]);
        }
    }

    /// `foreach`: a snapshot iterator from the runtime, stepped until it is exhausted.
    fn foreach(&mut self, f: &ir::Foreach, site: u32) {
        let fixed = &self.iteration_fixed(f.iteration);
        let mut slice_values = Vec::new();
        for e in &f.slice {
            slice_values.push(self.expr(e));
        }
        let limit = match &f.limit {
            Some(l) => self.expr(l),
            None => self.builder.ins().iconst(VALUE, -1),
        };
        let mut next_value = slice_values.into_iter();
        for (position, is_fixed) in fixed.iter().enumerate() {
            if *is_fixed && let Some(v) = next_value.next() {
                self.store_slot(position, v);
            }
        }
        let iteration = self.builder.ins().iconst(VALUE, f.iteration as i64);
        let iterator = self
            .call_helper("stp_iter_start", &[iteration, limit])
            .expect("stp_iter_start returns an iterator");
        self.check_error(Some(site));
        let it_var = self.temporary();
        self.builder.def_var(it_var, iterator);
        let header = self.builder.create_block();
        let body = self.builder.create_block();
        let exit = self.builder.create_block();
        let finished = self.builder.create_block();
        self.builder.ins().jump(header, &[]);
        self.builder.switch_to_block(header);
        let it = self.builder.use_var(it_var);
        let more = self
            .call_helper("stp_iter_next", &[it])
            .expect("stp_iter_next returns a flag");
        self.builder.ins().brif(more, body, &[], finished, &[]);
        self.builder.switch_to_block(body);
        for (i, k) in f.keys.iter().enumerate() {
            let v = self.load_slot(i);
            let var = self.local(*k);
            self.builder.def_var(var, v);
        }
        if let Some(v) = f.value {
            let value = self.load_slot(f.keys.len());
            let var = self.local(v);
            self.builder.def_var(var, value);
        }
        self.loops.push(LoopFrame {
            next: header,
            exit,
            iterator: Some(it_var),
        });
        self.stmt(&f.body);
        self.loops.pop();
        self.count_action(last_site(&f.body));
        self.builder.ins().jump(header, &[]);
        // Leaving normally: the iterator is done; `break` ended it already.
        self.builder.switch_to_block(finished);
        let it = self.builder.use_var(it_var);
        self.call_helper("stp_iter_end", &[it]);
        self.builder.ins().jump(exit, &[]);
        self.builder.switch_to_block(exit);
    }

    /// Which key positions of iteration `i` are fixed by a slice.
    fn iteration_fixed(&self, i: usize) -> Vec<bool> {
        self.tables.iteration_fixed(i)
    }

    /// `delete`.
    fn delete(&mut self, target: &DeleteTarget) {
        match target {
            DeleteTarget::Local(l) => {
                let zero = self.builder.ins().iconst(VALUE, 0);
                let var = self.local(*l);
                self.builder.def_var(var, zero);
            }
            DeleteTarget::Global(g) => {
                let g = self.builder.ins().iconst(VALUE, *g as i64);
                self.call_helper("stp_global_delete", &[g]);
            }
            DeleteTarget::Element { global, keys } => {
                let mask = self.store_keys_with_wildcards(keys);
                let g = self.builder.ins().iconst(VALUE, *global as i64);
                if mask == 0 {
                    self.call_helper("stp_map_delete", &[g]);
                } else {
                    let m = self.builder.ins().iconst(VALUE, mask);
                    self.call_helper("stp_map_delete_match", &[g, m]);
                }
            }
        }
    }
}

/// The site of the statement that ends `s` (the last statement of a block, recursively):
/// where SystemTap's `MAXACTION exceeded` points when a loop runs out of actions.
fn last_site(s: &Stmt) -> u32 {
    match &s.kind {
        StmtKind::Block(stmts) => stmts.last().map_or(s.site, last_site),
        _ => s.site,
    }
}
