//! The stap-rs runtime: perf events and ring buffers, hardware breakpoints, symbols,
//! maps and statistics, output formatting, and the session that runs compiled handlers.
//!
//! The runtime knows nothing of the script language: it receives compiled handlers
//! through the contract module the compiler and runtime share. This crate grows with the
//! perf-events and core-language issues; today it only names the parts.

/// The crate's version, reported by `stap-rs -V`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
