//! SIGINT, SIGTERM and SIGHUP end a session the way `exit()` does: a handler notes the
//! signal, the session loop sees it and runs the `end` probes.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Set by the signal handler, taken by [`Signals::wait`].
static RECEIVED: AtomicBool = AtomicBool::new(false);

/// The signals that end a session.
const ENDING: [libc::c_int; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

extern "C" fn note_signal(_: libc::c_int) {
    // ATOMICS: a relaxed store is async-signal-safe; the session loop polls the flag.
    RECEIVED.store(true, Ordering::Relaxed);
}

/// The installed handlers; dropping restores the default actions.
pub(crate) struct Signals(());

impl Signals {
    /// Installs the handlers.
    pub(crate) fn install() -> Signals {
        RECEIVED.store(false, Ordering::Relaxed);
        for sig in ENDING {
            set_handler(sig, note_signal as *const () as usize);
        }
        Signals(())
    }

    /// Sleeps up to `timeout`; whether an ending signal arrived.
    pub(crate) fn wait(&self, timeout: Duration) -> bool {
        if RECEIVED.swap(false, Ordering::Relaxed) {
            return true;
        }
        std::thread::sleep(timeout);
        RECEIVED.swap(false, Ordering::Relaxed)
    }
}

impl Drop for Signals {
    fn drop(&mut self) {
        for sig in ENDING {
            set_handler(sig, libc::SIG_DFL);
        }
    }
}

/// Sets the action of `sig` to `handler` (a function address or `SIG_DFL`).
fn set_handler(sig: libc::c_int, handler: libc::sighandler_t) {
    // SAFETY: a zeroed `sigaction` is a valid empty action; `handler` is `SIG_DFL` or
    // `note_signal`, which only stores to an atomic and so is async-signal-safe.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = handler;
        action.sa_flags = libc::SA_RESTART;
        libc::sigemptyset(&mut action.sa_mask);
        libc::sigaction(sig, &action, std::ptr::null_mut());
    }
}
