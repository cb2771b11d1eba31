//! A session from start to end: `begin` probes, timers until something ends the session,
//! then `end` (or, after too many errors, `error`) probes, autoprint and the report.

use std::time::{Duration, Instant};

use stap_abi::ProbeKind;

use crate::executor::Executor;
use crate::session::{Session, State};

/// How a session runs.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// `-T SECONDS`: end the session after this long.
    pub timeout: Option<Duration>,
}

/// How a session went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunReport {
    /// Runtime errors.
    pub errors: u64,
    /// Skipped probes.
    pub skipped: u64,
    /// The final state: [`State::Error`] when errors ended it.
    pub state: State,
}

/// Stack of a thread that runs handlers: room for the deepest recursion `-D MAXNESTING`
/// allows (the memory is reserved, not used, until a script recurses that deep).
const HANDLER_STACK_BYTES: usize = 256 << 20;

/// How often the main thread looks at signals, the time limit and the session state.
const POLL: Duration = Duration::from_millis(10);

/// The probes of `kind`-like lifecycle points (`begin`, `end`, `error`), in the order
/// they run: by sequence number, then as written.
fn ordered(session: &Session, select: impl Fn(&ProbeKind) -> Option<i64>) -> Vec<usize> {
    let mut probes: Vec<(i64, usize)> = session
        .program
        .probes
        .iter()
        .enumerate()
        .filter_map(|(i, p)| select(&p.kind).map(|seq| (seq, i)))
        .collect();
    probes.sort_by_key(|&(seq, i)| (seq, i));
    probes.into_iter().map(|(_, i)| i).collect()
}

/// Runs `session`: begin probes, timers until `exit()`, a signal, the time limit or too
/// many errors, then end or error probes and autoprint. Output is flushed at the end.
pub fn run(session: &Session, options: &RunOptions) -> RunReport {
    let signals = crate::signals::Signals::install();
    let started = Instant::now();
    let mut main = Executor::new(session, 0);
    for probe in ordered(session, |k| match k {
        ProbeKind::Begin(seq) => Some(*seq),
        _ => None,
    }) {
        if session.state() != State::Starting {
            break;
        }
        main.run(probe);
        main.flush();
    }
    if session.state() == State::Starting {
        session.set_state(State::Running);
    }
    std::thread::scope(|scope| {
        if session.state() == State::Running && crate::timers::has_timers(session) {
            // Deep script recursion (MAXNESTING) needs a deep native stack.
            let spawned = std::thread::Builder::new()
                .name("stap-rs timers".into())
                .stack_size(HANDLER_STACK_BYTES)
                .spawn_scoped(scope, || crate::timers::run_timers(session, 1));
            if let Err(e) = spawned {
                session.warn(&format!("cannot start the timer thread: {e}"));
                session.set_state(State::Error);
            }
        }
        while !session.stopping() {
            // Output shows up while the session runs, at most one poll late.
            session.flush_output();
            if signals.wait(POLL) {
                session.request_exit();
            }
            if options
                .timeout
                .is_some_and(|limit| started.elapsed() >= limit)
            {
                session.request_exit();
            }
        }
    });
    let errors_ended_it = session.state() == State::Error;
    let finishing = ordered(session, |k| match k {
        ProbeKind::End(seq) if !errors_ended_it => Some(*seq),
        ProbeKind::Error(seq) if errors_ended_it => Some(*seq),
        _ => None,
    });
    for probe in finishing {
        if session.state() == State::Error && !errors_ended_it {
            break;
        }
        main.run(probe);
        main.flush();
    }
    // Autoprint is SystemTap's synthetic end probes: skipped when errors end the session.
    if session.state() != State::Error {
        crate::autoprint_run::print_globals(session);
    }
    main.flush();
    let report = RunReport {
        errors: session.error_count(),
        skipped: session.skipped_count(),
        state: session.state(),
    };
    if report.errors > 0 || report.skipped > 0 {
        session.flush_output();
        session.warn(&format!(
            "Number of errors: {}, skipped probes: {}",
            report.errors, report.skipped
        ));
    }
    session.flush_output();
    drop(signals);
    report
}
