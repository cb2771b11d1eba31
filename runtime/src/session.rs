//! The session: the compiled program with its globals, statistics shards, output and
//! state, shared by every thread that runs handlers.

use std::io::Write;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

use stap_abi::{Handler, ProbeKind, ProgramInfo, ValueType};

use crate::store::{Globals, Shard};

/// Limits set with `-D`, as in SystemTap.
#[derive(Clone, Debug)]
pub struct Limits {
    /// `MAXACTION`: statements per handler run (begin, end and error probes get ten
    /// times as many, as SystemTap's `MAXACTION_INTERRUPTIBLE`).
    pub max_action: i64,
    /// `MAXSTRINGLEN`: strings keep at most this many bytes minus one.
    pub max_string_len: usize,
    /// `MAXMAPENTRIES`: the default capacity of an array.
    pub max_map_entries: usize,
    /// `MAXERRORS`: the session ends when more errors than this happened.
    pub max_errors: u64,
    /// `MAXSKIPPED`: the session ends when more probes than this were skipped.
    pub max_skipped: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_action: 1000,
            max_string_len: 512,
            max_map_entries: 2048,
            max_errors: 0,
            max_skipped: 100,
        }
    }
}

/// Where the session is in its life, as SystemTap's `session_state()`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum State {
    /// Running `begin` probes.
    Starting = 0,
    /// Running timers and events.
    Running = 1,
    /// `exit()`, a signal or the time limit: finishing, `end` probes run.
    Stopping = 2,
    /// Too many errors: finishing, `error` probes run instead of `end` probes.
    Error = 3,
}

/// The shared state of one run of a program.
pub struct Session {
    /// The program's description.
    pub program: ProgramInfo,
    /// The limits.
    pub limits: Limits,
    /// What running each probe takes, by probe index.
    pub(crate) plans: Vec<ProbePlan>,
    /// Argument types of each format.
    pub(crate) format_types: Vec<Vec<ValueType>>,
    /// The compiled regular expressions.
    pub(crate) regexes: Vec<regex::bytes::Regex>,
    /// The non-statistics globals.
    globals: Mutex<Globals>,
    /// One statistics shard per executor.
    shards: Vec<Mutex<Shard>>,
    /// Where output goes.
    output: Mutex<Box<dyn Write + Send>>,
    /// Where errors and warnings go.
    errors_out: Mutex<Box<dyn Write + Send>>,
    state: AtomicU8,
    errors: AtomicU64,
    skipped: AtomicU64,
}

/// What running one probe takes, worked out once.
#[derive(Clone, Copy)]
pub(crate) struct ProbePlan {
    /// Its compiled handler.
    pub(crate) handler: Handler,
    /// Its `MAXACTION` budget: ten times more for begin, end and error probes, as
    /// SystemTap's `MAXACTION_INTERRUPTIBLE`.
    pub(crate) max_action: i64,
    /// Whether it uses non-statistics globals (and so takes their lock).
    pub(crate) locks_globals: bool,
}

/// A program that cannot run: a regular expression that does not compile.
#[derive(Debug)]
pub struct SessionError(pub String);

impl std::fmt::Display for SessionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SessionError {}

impl Session {
    /// A session for `program` with its compiled `handlers`, `shards` executors, output
    /// to `output` and diagnostics to `errors_out`.
    pub fn new(
        program: ProgramInfo,
        handlers: Vec<Handler>,
        limits: Limits,
        shards: usize,
        output: Box<dyn Write + Send>,
        errors_out: Box<dyn Write + Send>,
    ) -> Result<Session, SessionError> {
        let format_types = program
            .formats
            .iter()
            .map(|f| crate::printf::arg_types(f))
            .collect();
        let regexes = program
            .regexes
            .iter()
            .map(|r| {
                regex::bytes::Regex::new(r).map_err(|e| {
                    SessionError(format!("cannot compile regular expression \"{r}\": {e}"))
                })
            })
            .collect::<Result<_, _>>()?;
        // A literal is a string like any other: it keeps at most MAXSTRINGLEN - 1 bytes.
        let mut program = program;
        let max = limits.max_string_len.saturating_sub(1);
        for s in &mut program.strings {
            s.truncate(max);
        }
        let globals = Globals::new(&program.globals, &program.args);
        let plans = program
            .probes
            .iter()
            .map(|p| {
                let interruptible = matches!(
                    p.kind,
                    ProbeKind::Begin(_) | ProbeKind::End(_) | ProbeKind::Error(_)
                );
                ProbePlan {
                    handler: handlers[p.handler],
                    max_action: if interruptible {
                        limits.max_action.saturating_mul(10)
                    } else {
                        limits.max_action
                    },
                    locks_globals: !p.globals.is_empty(),
                }
            })
            .collect();
        let shards = (0..shards.max(1))
            .map(|_| Mutex::new(Shard::new(&program.globals)))
            .collect();
        Ok(Session {
            program,
            limits,
            plans,
            format_types,
            regexes,
            globals: Mutex::new(globals),
            shards,
            output: Mutex::new(output),
            errors_out: Mutex::new(errors_out),
            state: AtomicU8::new(State::Starting as u8),
            errors: AtomicU64::new(0),
            skipped: AtomicU64::new(0),
        })
    }

    /// The current state.
    pub fn state(&self) -> State {
        match self.state.load(Ordering::Acquire) {
            0 => State::Starting,
            1 => State::Running,
            2 => State::Stopping,
            _ => State::Error,
        }
    }

    /// Moves to `state`; the error state, once entered, stays.
    pub fn set_state(&self, state: State) {
        let _ = self
            .state
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |s| {
                (s != State::Error as u8).then_some(state as u8)
            });
    }

    /// `exit()`: the session stops after the current handlers.
    pub fn request_exit(&self) {
        if matches!(self.state(), State::Starting | State::Running) {
            self.set_state(State::Stopping);
        }
    }

    /// Whether the session is finishing.
    pub fn stopping(&self) -> bool {
        matches!(self.state(), State::Stopping | State::Error)
    }

    /// Number of runtime errors so far.
    pub fn error_count(&self) -> u64 {
        self.errors.load(Ordering::Relaxed)
    }

    /// Number of skipped probes so far.
    pub fn skipped_count(&self) -> u64 {
        self.skipped.load(Ordering::Relaxed)
    }

    /// Counts a skipped probe; too many end the session.
    pub fn count_skipped(&self) {
        let n = self.skipped.fetch_add(1, Ordering::Relaxed) + 1;
        if n > self.limits.max_skipped {
            self.report_error("Skipped too many probes, check MAXSKIPPED or try again with stap -t for more details.");
            self.set_state(State::Error);
        }
    }

    /// Reports a runtime error (`ERROR: ...`) and ends the session once more than
    /// `MAXERRORS` happened.
    pub(crate) fn count_error(&self, message: &str) {
        self.report_error(message);
        let n = self.errors.fetch_add(1, Ordering::Relaxed) + 1;
        if n > self.limits.max_errors {
            self.set_state(State::Error);
        }
    }

    /// Writes `ERROR: message` to the error output.
    fn report_error(&self, message: &str) {
        let mut out = lock(&self.errors_out);
        let _ = writeln!(out, "ERROR: {message}");
        let _ = out.flush();
    }

    /// Writes `WARNING: message` to the error output.
    pub fn warn(&self, message: &str) {
        let mut out = lock(&self.errors_out);
        let _ = writeln!(out, "WARNING: {message}");
        let _ = out.flush();
    }

    /// Appends `bytes` to the output.
    pub(crate) fn write_output(&self, bytes: &[u8]) {
        let mut out = lock(&self.output);
        if out.write_all(bytes).is_err() {
            // The reader is gone (a closed pipe): nothing more can be shown, so stop.
            drop(out);
            self.request_exit();
        }
    }

    /// Flushes the output.
    pub fn flush_output(&self) {
        let _ = lock(&self.output).flush();
        let _ = lock(&self.errors_out).flush();
    }

    /// Locks the non-statistics globals.
    pub(crate) fn lock_globals(&self) -> MutexGuard<'_, Globals> {
        lock(&self.globals)
    }

    /// Locks statistics shard `i`.
    pub(crate) fn lock_shard(&self, i: usize) -> MutexGuard<'_, Shard> {
        lock(&self.shards[i % self.shards.len()])
    }

    /// Number of shards.
    pub(crate) fn shard_count(&self) -> usize {
        self.shards.len()
    }
}

/// Locks `m`; a handler thread that panicked leaves data that is still usable.
pub(crate) fn lock<T: ?Sized>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
