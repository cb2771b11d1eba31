//! Running compiled handlers: the context of a handler run and the executor that owns it.
//!
//! Each thread that runs handlers (the main thread for `begin`/`end`, the timer thread,
//! later one reader per CPU) has one [`Executor`] with its own statistics shard. A
//! handler run locks the non-statistics globals when its probe uses any; `<<<` goes to
//! the executor's shard, which it may keep locked across many runs (a batch), because
//! whoever reads statistics locks the globals first and the shards after, and an
//! executor never waits for anything while it holds only its shard.

use std::sync::MutexGuard;

use stap_abi::{Context, ERROR_CATCHABLE, ERROR_FATAL, ERROR_NEXT, NO_SITE, StrLocation, StrRef};

use crate::session::Session;
use crate::store::{Globals, Shard};

/// The state of a handler run. The generated code gets a pointer to it, typed as its
/// first field, [`Context`].
#[repr(C)]
pub struct ExecContext<'s> {
    /// What the generated code reads and writes directly.
    pub abi: Context,
    /// The session.
    pub session: &'s Session,
    /// The probe running (index into the program's probes).
    pub probe: usize,
    /// The globals, locked for this run when the probe uses any.
    pub(crate) globals: Option<MutexGuard<'s, Globals>>,
    /// This executor's statistics shard, when held.
    pub(crate) shard: Option<MutexGuard<'s, Shard>>,
    /// Which shard is this executor's.
    pub(crate) shard_index: usize,
    /// Strings made during the run.
    pub(crate) arena: Vec<u8>,
    /// Output of the run, written to the session at its end.
    pub(crate) out: Vec<u8>,
    /// The pending error's message.
    pub(crate) message: String,
    /// Open `foreach` iterations.
    pub(crate) iterations: Vec<crate::ops::iterate::Iteration>,
    /// The state of `tokenize`.
    pub(crate) tokenizer: crate::strings::Tokenizer,
    /// The groups of the last successful `=~`.
    pub(crate) matched: Vec<Option<Vec<u8>>>,
    /// A reusable buffer (`sprintf` formats into it).
    pub(crate) scratch: Vec<u8>,
}

impl<'s> ExecContext<'s> {
    /// The context behind a pointer the generated code passed to a helper.
    ///
    /// # Safety
    /// `ctx` must be the pointer an [`Executor`] passed to a handler that is still
    /// running, on this thread.
    pub(crate) unsafe fn from_raw<'a>(ctx: *mut Context) -> &'a mut ExecContext<'a> {
        // SAFETY: `Context` is the first field of the `repr(C)` `ExecContext` the executor
        // passed; the handler and its helpers are the only users while it runs.
        unsafe { &mut *ctx.cast::<ExecContext<'a>>() }
    }

    /// The bytes of string `r`.
    pub(crate) fn str(&self, r: i64) -> &[u8] {
        resolve(&self.session.program.strings, &self.arena, r)
    }

    /// Stores `bytes` (cut to `MAXSTRINGLEN - 1`) in the arena; returns its reference.
    pub(crate) fn alloc(&mut self, bytes: &[u8]) -> i64 {
        let bytes = &bytes[..bytes.len().min(self.max_len())];
        alloc_in(&mut self.arena, bytes)
    }

    /// Stores the concatenation of strings `a` and `b`, cut to `MAXSTRINGLEN - 1`.
    pub(crate) fn concat(&mut self, a: i64, b: i64) -> i64 {
        let max = self.max_len();
        let start = self.arena.len();
        let strings = &self.session.program.strings;
        let (a, b) = (StrRef(a).decode(), StrRef(b).decode());
        for part in [a, b] {
            match part {
                StrLocation::Literal(i) => self.arena.extend_from_slice(&strings[i as usize]),
                StrLocation::Arena { offset, len } => {
                    let (o, l) = (offset as usize, len as usize);
                    self.arena.extend_from_within(o..o + l);
                }
            }
        }
        let len = (self.arena.len() - start).min(max);
        self.arena.truncate(start + len);
        StrRef::arena(start as u32, len as u32).0
    }

    /// The longest string, in bytes.
    pub(crate) fn max_len(&self) -> usize {
        self.session.limits.max_string_len.saturating_sub(1)
    }

    /// Raises a catchable error with `message`.
    pub(crate) fn fail(&mut self, message: impl Into<String>) {
        self.message = message.into();
        self.abi.error = ERROR_CATCHABLE;
    }

    /// Raises an error no `try` catches.
    pub(crate) fn fail_fatal(&mut self, message: impl Into<String>) {
        self.message = message.into();
        self.abi.error = ERROR_FATAL;
    }

    /// The globals; `None` (an error raised) if this run did not lock them, which the
    /// compiler's per-probe list of globals rules out.
    pub(crate) fn globals(&mut self) -> Option<&mut Globals> {
        if self.globals.is_none() {
            self.fail("internal error: a global was used without its lock");
        }
        self.globals.as_deref_mut()
    }

    /// This executor's shard, locked now if it is not held.
    pub(crate) fn shard(&mut self) -> &mut Shard {
        if self.shard.is_none() {
            self.shard = Some(self.session.lock_shard(self.shard_index));
        }
        self.shard
            .as_deref_mut()
            .expect("the shard was just locked")
    }

    /// Releases this executor's shard (before reading all shards).
    pub(crate) fn release_shard(&mut self) {
        self.shard = None;
    }
}

/// The bytes of string `r` among the literals `strings` and the `arena`.
pub(crate) fn resolve<'a>(strings: &'a [Vec<u8>], arena: &'a [u8], r: i64) -> &'a [u8] {
    match StrRef(r).decode() {
        StrLocation::Literal(i) => strings.get(i as usize).map_or(&[], |s| s.as_slice()),
        StrLocation::Arena { offset, len } => {
            let (o, l) = (offset as usize, len as usize);
            arena.get(o..o + l).unwrap_or(&[])
        }
    }
}

/// Appends `bytes` to `arena`; returns its reference.
pub(crate) fn alloc_in(arena: &mut Vec<u8>, bytes: &[u8]) -> i64 {
    if bytes.is_empty() {
        return StrRef::EMPTY.0;
    }
    let start = arena.len();
    arena.extend_from_slice(bytes);
    StrRef::arena(start as u32, bytes.len() as u32).0
}

/// Runs handlers on one thread.
pub struct Executor<'s> {
    cx: Box<ExecContext<'s>>,
}

impl<'s> Executor<'s> {
    /// An executor of `session` adding statistics to shard `shard`.
    pub fn new(session: &'s Session, shard: usize) -> Executor<'s> {
        Executor {
            cx: Box::new(ExecContext {
                abi: Context::default(),
                session,
                probe: 0,
                globals: None,
                shard: None,
                shard_index: shard,
                arena: Vec::with_capacity(4096),
                out: Vec::with_capacity(4096),
                message: String::new(),
                iterations: Vec::new(),
                tokenizer: Default::default(),
                matched: Vec::new(),
                scratch: Vec::new(),
            }),
        }
    }

    /// Runs the handler of probe `probe` once; its output is kept until [`Self::flush`].
    pub fn run(&mut self, probe: usize) {
        let session = self.cx.session;
        let plan = session.plans[probe];
        let cx = &mut *self.cx;
        cx.probe = probe;
        cx.abi.actions_left = plan.max_action;
        cx.abi.error = 0;
        cx.abi.site = NO_SITE;
        cx.abi.depth = 0;
        cx.arena.clear();
        cx.iterations.clear();
        if plan.locks_globals {
            // Globals before shards: the one lock order.
            cx.shard = None;
            cx.globals = Some(session.lock_globals());
        }
        let handler = plan.handler;
        let ctx: *mut Context = &mut cx.abi;
        // SAFETY: the handler was compiled for this program with the `Handler` signature;
        // `ctx` points at the `Context` that starts this `ExecContext`, which lives until
        // the handler returns and is used by nothing else meanwhile.
        unsafe { handler(ctx) };
        if plan.locks_globals {
            cx.globals = None;
        }
        if cx.abi.error != 0 && cx.abi.error != ERROR_NEXT {
            let message = std::mem::take(&mut cx.message);
            let near = usize::try_from(cx.abi.site)
                .ok()
                .and_then(|s| session.program.sites.get(s));
            match near {
                Some(near) => session.count_error(&format!("{message} near {near}")),
                None => session.count_error(&message),
            }
        }
        cx.abi.error = 0;
        if cx.out.len() >= 8192 {
            self.flush();
        }
    }

    /// Writes the output of the runs so far to the session and releases the shard.
    pub fn flush(&mut self) {
        let cx = &mut *self.cx;
        cx.shard = None;
        if !cx.out.is_empty() {
            cx.session.write_output(&cx.out);
            cx.out.clear();
        }
    }
}

impl Drop for Executor<'_> {
    fn drop(&mut self) {
        self.flush();
    }
}
