//! Facts about the thread running a handler: its CPU, thread id, user and name. With
//! perf events (a later issue) these come from the sample instead.

use std::sync::OnceLock;

/// The CPU this thread runs on.
pub(crate) fn current_cpu() -> i64 {
    // SAFETY: `sched_getcpu` has no preconditions.
    i64::from(unsafe { libc::sched_getcpu() }.max(0))
}

thread_local! {
    /// This thread's id, asked of the kernel once per thread (a system call costs more
    /// than a whole handler run).
    static TID: i64 = {
        // SAFETY: `gettid` has no preconditions.
        i64::from(unsafe { libc::gettid() })
    };
}

/// This thread's id.
pub(crate) fn current_tid() -> i64 {
    TID.with(|t| *t)
}

/// The real user id.
pub(crate) fn current_uid() -> i64 {
    // SAFETY: `getuid` has no preconditions and cannot fail.
    i64::from(unsafe { libc::getuid() })
}

/// The real group id.
pub(crate) fn current_gid() -> i64 {
    // SAFETY: `getgid` has no preconditions and cannot fail.
    i64::from(unsafe { libc::getgid() })
}

/// The process name, as the kernel's `comm` holds it.
pub(crate) fn current_execname() -> &'static [u8] {
    static NAME: OnceLock<Vec<u8>> = OnceLock::new();
    NAME.get_or_init(|| {
        std::fs::read("/proc/self/comm")
            .map(|mut n| {
                while n.last() == Some(&b'\n') {
                    n.pop();
                }
                n
            })
            .unwrap_or_else(|_| b"stap-rs".to_vec())
    })
}
