//! Passes 3 and 4: the typed program to Cranelift IR, then to machine code.
//!
//! Every probe handler and script function becomes one native function. Handlers have
//! the signature [`stap_abi::Handler`]; a script function takes the context and one
//! `i64` per parameter and returns an `i64`. Values are `i64`s (strings are
//! [`stap_abi::StrRef`]s); arrays, statistics, strings and output live in the runtime,
//! reached through the helpers [`stap_abi::HELPERS`] and [`stap_abi::BUILTINS`], which
//! the JIT binds by symbol name from the table the caller passes in.
//!
//! Faults never trap: division by zero, `MAXACTION` and `MAXNESTING` are explicit checks
//! that raise the fault through a helper and leave the function through its error path.

mod expr;
mod function;
mod tables;

use cranelift_codegen::control::ControlPlane;
use cranelift_codegen::ir::{AbiParam, Signature, types};
use cranelift_codegen::isa::{CallConv, OwnedTargetIsa, TargetIsa};
use cranelift_codegen::settings::{self, Configurable};
use cranelift_codegen::{Context, ir};
use cranelift_frontend::FunctionBuilderContext;
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{FuncId, Linkage, Module, ModuleReloc, default_libcall_names};
use stap_abi::{HELPERS, Handler, ProbeInfo, ProgramInfo};

use crate::ir::Program;
use function::FunctionCx;
use tables::Tables;

/// Settings of code generation, from `-D` and the command line.
#[derive(Clone, Debug)]
pub struct CodegenOptions {
    /// `MAXNESTING`: the deepest script-function call chain.
    pub max_nesting: i64,
}

impl Default for CodegenOptions {
    fn default() -> Self {
        CodegenOptions { max_nesting: 10 }
    }
}

/// Why code generation failed: only the machine's side (no usable ISA, a helper without
/// an address); user errors were rejected by pass 2.
#[derive(Debug)]
pub struct CodegenError(pub String);

impl std::fmt::Display for CodegenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CodegenError {}

/// The machine code of a program and what the runtime needs to run it.
pub struct CompiledProgram {
    /// Owns the executable memory the handlers live in; dropping it frees them.
    _module: JITModule,
    /// Entry address of each probe handler, by index of [`crate::ir::Program::probes`].
    handlers: Vec<*const u8>,
    /// Globals, literals, formats, sites and probes.
    pub info: ProgramInfo,
    /// Bytes of machine code, all functions together.
    pub code_size: usize,
    /// The Cranelift IR of every function.
    pub ir_text: String,
}

impl CompiledProgram {
    /// The probe handlers, by index of [`crate::ir::Program::probes`].
    pub fn handlers(&self) -> Vec<Handler> {
        self.handlers
            .iter()
            // SAFETY: each address is a finalized function of this module compiled with
            // the handler signature; a `JITModule` never unmaps its code on drop.
            .map(|&address| unsafe { handler_from_address(address) })
            .collect()
    }
}

/// The handler whose machine code starts at `address`.
///
/// # Safety
/// `address` must be the entry of a finalized function compiled with the signature
/// `fn(*mut Context)` (see [`signature`] with no arguments and no result), whose code
/// stays mapped for as long as the handler is called.
unsafe fn handler_from_address(address: *const u8) -> Handler {
    // SAFETY: the caller guarantees `address` is such a function.
    unsafe { std::mem::transmute::<*const u8, Handler>(address) }
}

impl std::fmt::Debug for CompiledProgram {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompiledProgram")
            .field("handlers", &self.handlers.len())
            .field("code_size", &self.code_size)
            .finish()
    }
}

/// The Cranelift ISA of this machine, set up for quick compilation.
fn host_isa() -> Result<OwnedTargetIsa, CodegenError> {
    let mut flags = settings::builder();
    // Position-independent code is not needed: the JIT links in place.
    let set = |f: &mut settings::Builder, k: &str, v: &str| {
        f.set(k, v)
            .map_err(|e| CodegenError(format!("cannot set Cranelift flag {k}: {e}")))
    };
    set(&mut flags, "use_colocated_libcalls", "false")?;
    set(&mut flags, "is_pic", "false")?;
    // The generated code is mostly helper calls and branches, which Cranelift's
    // optimizer barely changes (31,146 against 31,423 bytes for bench/compile-300.stp)
    // while it doubles compile time; scripts start faster without it.
    set(&mut flags, "opt_level", "none")?;
    let isa = cranelift_native::builder()
        .map_err(|e| CodegenError(format!("this CPU is not supported by Cranelift: {e}")))?;
    isa.finish(settings::Flags::new(flags))
        .map_err(|e| CodegenError(format!("cannot configure Cranelift for this CPU: {e}")))
}

/// The signature `fn(ctx, i64 × args) [-> i64]` of helpers and script functions.
fn signature(module: &JITModule, args: usize, returns: bool) -> Signature {
    let mut sig = module.make_signature();
    sig.call_conv = CallConv::SystemV;
    sig.params
        .push(AbiParam::new(module.target_config().pointer_type()));
    for _ in 0..args {
        sig.params.push(AbiParam::new(types::I64));
    }
    if returns {
        sig.returns.push(AbiParam::new(types::I64));
    }
    sig
}

/// Imported helpers and compiled functions, declared once in the module.
pub(crate) struct Declarations {
    /// Helper symbol → its id and whether it returns a value.
    helpers: std::collections::HashMap<&'static str, FuncId>,
    /// Script functions, by index.
    functions: Vec<FuncId>,
    /// The error site of each script function (its name).
    function_sites: Vec<u32>,
}

impl Declarations {
    /// The id of helper `symbol`.
    pub(crate) fn helper(&self, symbol: &str) -> FuncId {
        self.helpers[symbol]
    }

    /// The id of script function `f`.
    pub(crate) fn function(&self, f: usize) -> FuncId {
        self.functions[f]
    }

    /// The error site of script function `f`.
    pub(crate) fn function_site(&self, f: usize) -> u32 {
        self.function_sites[f]
    }
}

/// Pass 3: translates `program` to Cranelift IR; `symbols` gives the address of every
/// helper symbol of [`stap_abi::HELPERS`] and [`stap_abi::BUILTINS`].
pub fn translate(
    program: &Program,
    symbols: &[(&'static str, *const u8)],
    options: &CodegenOptions,
) -> Result<Translated, CodegenError> {
    let isa = host_isa()?;
    let mut builder = JITBuilder::with_isa(isa, default_libcall_names());
    for (name, address) in symbols {
        builder.symbol(*name, *address);
    }
    let mut module = JITModule::new(builder);
    let mut helpers = std::collections::HashMap::new();
    let builtins = stap_abi::BUILTINS
        .iter()
        .map(|b| (b.symbol, b.params.len(), b.ret.is_some()));
    let helper_list = HELPERS.iter().map(|h| (h.symbol, h.args, h.returns));
    for (symbol, args, returns) in helper_list.chain(builtins) {
        if helpers.contains_key(symbol) {
            continue;
        }
        if !symbols.iter().any(|(s, _)| *s == symbol) {
            return Err(CodegenError(format!(
                "the runtime has no helper '{symbol}'"
            )));
        }
        let sig = signature(&module, args, returns);
        let id = module
            .declare_function(symbol, Linkage::Import, &sig)
            .map_err(|e| CodegenError(format!("cannot declare helper {symbol}: {e}")))?;
        helpers.insert(symbol, id);
    }
    let mut functions = Vec::new();
    for (i, f) in program.functions.iter().enumerate() {
        let sig = signature(&module, f.params, true);
        let id = module
            .declare_function(&format!("function_{i}_{}", f.name), Linkage::Local, &sig)
            .map_err(|e| CodegenError(format!("cannot declare function {}: {e}", f.name)))?;
        functions.push(id);
    }
    let mut handler_ids = Vec::new();
    for i in 0..program.probes.len() {
        let sig = signature(&module, 0, false);
        let id = module
            .declare_function(&format!("probe_{i}"), Linkage::Local, &sig)
            .map_err(|e| CodegenError(format!("cannot declare probe {i}: {e}")))?;
        handler_ids.push(id);
    }
    let declarations = Declarations {
        helpers,
        functions,
        function_sites: program.functions.iter().map(|f| f.site).collect(),
    };
    let mut tables = Tables::new(program);
    let mut builder_ctx = FunctionBuilderContext::new();
    let mut pending = Vec::new();
    for (i, f) in program.functions.iter().enumerate() {
        let mut ctx = module.make_context();
        ctx.func.signature = signature(&module, f.params, true);
        FunctionCx::translate(
            &mut module,
            &declarations,
            &mut tables,
            options,
            &mut ctx.func,
            &mut builder_ctx,
            &f.body,
            f.params,
            Some(f.ret),
        );
        pending.push((
            declarations.function(i),
            ctx,
            format!("function {}", f.name),
        ));
    }
    for (i, p) in program.probes.iter().enumerate() {
        let mut ctx = module.make_context();
        ctx.func.signature = signature(&module, 0, false);
        FunctionCx::translate(
            &mut module,
            &declarations,
            &mut tables,
            options,
            &mut ctx.func,
            &mut builder_ctx,
            &p.body,
            0,
            None,
        );
        let name = p.points.first().map_or("never", |(_, pp)| pp.as_str());
        pending.push((handler_ids[i], ctx, format!("probe {i} ({name})")));
    }
    let ir_text = pending
        .iter()
        .map(|(_, ctx, name)| format!("; {name}\n{}\n", ctx.func.display()))
        .collect();
    let mut info = ProgramInfo {
        globals: program.globals.clone(),
        regexes: program.regexes.clone(),
        iterations: program.iterations.clone(),
        sites: program.sites.clone(),
        ..ProgramInfo::default()
    };
    for (handler, probe) in program.probes.iter().enumerate() {
        for (kind, point) in &probe.points {
            info.probes.push(ProbeInfo {
                kind: kind.clone(),
                point: point.clone(),
                handler,
                globals: probe.globals.clone(),
                location: probe.location.clone(),
            });
        }
    }
    (info.strings, info.formats) = tables.finish();
    Ok(Translated {
        module,
        pending,
        handler_ids,
        info,
        ir_text,
    })
}

/// Pass 3's result: every function in Cranelift IR, not yet compiled.
pub struct Translated {
    module: JITModule,
    pending: Vec<Pending>,
    handler_ids: Vec<FuncId>,
    /// Globals, literals, formats, sites and probes.
    pub info: ProgramInfo,
    /// The Cranelift IR of every function (`-p3`).
    pub ir_text: String,
}

impl std::fmt::Debug for Translated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Translated")
            .field("functions", &self.pending.len())
            .finish()
    }
}

impl Translated {
    /// Number of functions (handlers and script functions).
    pub fn function_count(&self) -> usize {
        self.pending.len()
    }

    /// Pass 4: compiles every function to machine code and links them.
    pub fn compile(self) -> Result<CompiledProgram, CodegenError> {
        let Translated {
            mut module,
            pending,
            handler_ids,
            info,
            ir_text,
        } = self;
        // Functions compile independently: half of them on a second thread (the
        // machine's other core), then all are placed in the module in order.
        let isa = module.isa();
        let (odd, even): (Vec<_>, Vec<_>) = pending
            .into_iter()
            .enumerate()
            .partition(|(i, _)| i % 2 == 1);
        let strip = |v: Vec<(usize, Pending)>| v.into_iter().map(|(_, p)| p).collect();
        let (odd, even): (Vec<Pending>, Vec<Pending>) = (strip(odd), strip(even));
        let (a, b) = std::thread::scope(|scope| {
            let other = scope.spawn(|| compile_all(isa, odd));
            let mine = compile_all(isa, even);
            (mine, other.join())
        });
        let b = b.map_err(|_| CodegenError("the code generator thread failed".into()))?;
        let mut code_size = 0;
        for machine in a?.into_iter().chain(b?) {
            module
                .define_function_bytes(
                    machine.id,
                    machine.alignment,
                    &machine.bytes,
                    &machine.relocs,
                )
                .map_err(|e| CodegenError(format!("cannot place {}: {e}", machine.name)))?;
            code_size += machine.bytes.len();
        }
        module
            .finalize_definitions()
            .map_err(|e| CodegenError(format!("cannot link the compiled code: {e}")))?;
        let handlers = handler_ids
            .iter()
            .map(|id| module.get_finalized_function(*id))
            .collect();
        Ok(CompiledProgram {
            _module: module,
            handlers,
            info,
            code_size,
            ir_text,
        })
    }
}

/// A function waiting for pass 4: its id, its Cranelift IR and its name.
type Pending = (FuncId, Context, String);

/// A compiled function, ready to be placed in the module.
struct MachineFunction {
    id: FuncId,
    name: String,
    alignment: u64,
    bytes: Vec<u8>,
    relocs: Vec<ModuleReloc>,
}

/// Compiles `functions` to machine code for `isa`.
fn compile_all(
    isa: &dyn TargetIsa,
    functions: Vec<Pending>,
) -> Result<Vec<MachineFunction>, CodegenError> {
    let mut out = Vec::with_capacity(functions.len());
    for (id, mut ctx, name) in functions {
        ctx.compile(isa, &mut ControlPlane::default())
            .map_err(|e| CodegenError(format!("cannot compile {name}: {:?}", e.inner)))?;
        // The result lives in the context, beside the function its relocations name.
        let code = ctx
            .compiled_code()
            .ok_or_else(|| CodegenError(format!("cannot compile {name}: no code")))?;
        let alignment = u64::from(code.buffer.alignment)
            .max(u64::from(isa.function_alignment().minimum))
            .max(isa.symbol_alignment());
        let bytes = code.code_buffer().to_vec();
        let relocs = code
            .buffer
            .relocs()
            .iter()
            .map(|r| ModuleReloc::from_mach_reloc(r, &ctx.func, id))
            .collect();
        out.push(MachineFunction {
            id,
            name,
            alignment,
            bytes,
            relocs,
        });
    }
    Ok(out)
}

/// Cranelift's integer type for a value.
pub(crate) const VALUE: ir::Type = types::I64;
