//! The stap-rs runtime: the session that runs compiled handlers, its globals, statistics
//! and output, and (with the perf-events issue) perf events and breakpoints.
//!
//! The runtime knows nothing of the script language: it receives compiled handlers and a
//! [`stap_abi::ProgramInfo`] through the contract crate `stap-abi`, and gives the JIT the
//! addresses of its helpers ([`symbols`]).

pub mod autoprint;
mod autoprint_run;
mod builtins;
mod context;
mod executor;
mod helpers;
pub mod histogram;
mod lifecycle;
mod ops;
pub mod printf;
pub mod session;
mod signals;
pub mod stats;
pub mod store;
pub mod strings;
mod timers;

pub use executor::Executor;
pub use helpers::symbols;
pub use lifecycle::{RunOptions, RunReport, run};
pub use session::{Limits, Session, SessionError, State};

/// The crate's version, reported by `stap-rs -V`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
