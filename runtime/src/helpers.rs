//! The helper functions generated code calls ([`stap_abi::HELPERS`]), as `extern "C"`
//! entry points over the safe operations in [`crate::ops`].

use stap_abi::{Fault, StatField};

use crate::ops::{globals, iterate, stats};

/// Defines `extern "C"` helpers: each converts the context pointer once, then runs safe
/// code.
macro_rules! helpers {
    ($symbols:ident; $( $(#[$doc:meta])* fn $name:ident($cx:ident $(, $arg:ident)*) $(-> $ret:ty)? $body:block )*) => {
        $(
            $(#[$doc])*
            pub(crate) unsafe extern "C" fn $name(ctx: *mut stap_abi::Context $(, $arg: i64)*) $(-> $ret)? {
                // SAFETY: only generated code calls helpers, with the context pointer its
                // handler received from an executor (see `ExecContext::from_raw`).
                let $cx = unsafe { $crate::executor::ExecContext::from_raw(ctx) };
                $body
            }
        )*
        /// The name and address of every helper defined here.
        pub(crate) fn $symbols() -> Vec<(&'static str, *const u8)> {
            vec![$((stringify!($name), $name as *const u8)),*]
        }
    };
}

/// A global index from the generated code.
fn index(g: i64) -> usize {
    g as usize
}

pub(crate) use helpers;

helpers! {
    core_symbols;
    /// Raises a fault the generated code detected.
    fn stp_fault(cx, code) {
        match Fault::from_code(code) {
            Some(Fault::DivisionByZero) | Some(Fault::ModuloByZero) => cx.fail("division by 0"),
            Some(Fault::MaxAction) => cx.fail_fatal("MAXACTION exceeded"),
            Some(Fault::MaxNesting) => cx.fail_fatal("MAXNESTING exceeded"),
            None => cx.fail_fatal(format!("internal error: unknown fault {code}")),
        }
    }
    /// A scalar global's value.
    fn stp_global_get(cx, g) -> i64 { globals::global_get(cx, index(g)) }
    /// Sets a scalar global.
    fn stp_global_set(cx, g, v) { globals::global_set(cx, index(g), v) }
    /// `delete g`.
    fn stp_global_delete(cx, g) { globals::global_delete(cx, index(g)) }
    /// An array element's value.
    fn stp_map_get(cx, g) -> i64 { globals::map_get(cx, index(g)) }
    /// Sets an array element.
    fn stp_map_set(cx, g, v) { globals::map_set(cx, index(g), v) }
    /// `delete a[k]`.
    fn stp_map_delete(cx, g) { globals::map_delete(cx, index(g)) }
    /// `delete a`.
    fn stp_map_delete_all(cx, g) { globals::global_delete(cx, index(g)) }
    /// `[k] in a`.
    fn stp_map_exists(cx, g) -> i64 { globals::map_exists_match(cx, index(g), 0) }
    /// `[k, *] in a`.
    fn stp_map_exists_match(cx, g, mask) -> i64 { globals::map_exists_match(cx, index(g), mask) }
    /// `delete a[k, *]`.
    fn stp_map_delete_match(cx, g, mask) { globals::map_delete_match(cx, index(g), mask) }
    /// `s <<< v`.
    fn stp_stat_add(cx, g, v) { stats::add(cx, index(g), v) }
    /// `s[k] <<< v`.
    fn stp_map_stat_add(cx, g, v) { stats::map_add(cx, index(g), v) }
    /// `@count(s)` and the like.
    fn stp_stat_get(cx, g, field) -> i64 {
        match StatField::from_code(field) {
            Some(f) => stats::get(cx, index(g), f),
            None => 0,
        }
    }
    /// `@count(s[k])` and the like.
    fn stp_map_stat_get(cx, g, field) -> i64 {
        match StatField::from_code(field) {
            Some(f) => stats::map_get(cx, index(g), f),
            None => 0,
        }
    }
    /// `@hist_*(s)[i]`.
    fn stp_hist_bucket(cx, g, keyed, bucket) -> i64 {
        stats::hist_bucket(cx, index(g), keyed != 0, bucket)
    }
    /// `print(@hist_*(s))`.
    fn stp_hist_print(cx, g, keyed) { stats::hist_print(cx, index(g), keyed != 0, false); }
    /// `sprint(@hist_*(s))`.
    fn stp_hist_sprint(cx, g, keyed) -> i64 { stats::hist_print(cx, index(g), keyed != 0, true) }
    /// Starts a `foreach`.
    fn stp_iter_start(cx, iteration, limit) -> i64 { iterate::start(cx, iteration as usize, limit) }
    /// Steps a `foreach`.
    fn stp_iter_next(cx, iterator) -> i64 { iterate::next(cx, iterator) }
    /// Ends a `foreach`.
    fn stp_iter_end(cx, iterator) { iterate::end(cx, iterator) }
    /// `a . b`.
    fn stp_str_concat(cx, a, b) -> i64 { cx.concat(a, b) }
    /// Compares two strings as `strcmp` does.
    fn stp_str_compare(cx, a, b) -> i64 {
        match cx.str(a).cmp(cx.str(b)) {
            std::cmp::Ordering::Less => -1,
            std::cmp::Ordering::Equal => 0,
            std::cmp::Ordering::Greater => 1,
        }
    }
    /// A long in decimal.
    fn stp_str_from_long(cx, v) -> i64 { cx.alloc(v.to_string().as_bytes()) }
    /// `printf`.
    fn stp_printf(cx, format) { crate::ops::output::printf(cx, format as usize) }
    /// `sprintf`.
    fn stp_sprintf(cx, format) -> i64 { crate::ops::output::sprintf(cx, format as usize) }
    /// `s =~ "re"`.
    fn stp_regex_match(cx, subject, regex) -> i64 {
        crate::ops::output::regex_match(cx, subject, regex as usize)
    }
    /// The message of the error a `catch` caught, which is cleared.
    fn stp_take_error(cx) -> i64 {
        cx.abi.error = 0;
        cx.abi.site = stap_abi::NO_SITE;
        let message = std::mem::take(&mut cx.message);
        cx.alloc(message.as_bytes())
    }
    /// `exit()`.
    fn stp_exit(cx) { cx.session.request_exit() }
    /// `error(msg)`.
    fn stp_error(cx, message) {
        let m = String::from_utf8_lossy(cx.str(message)).into_owned();
        cx.fail(m);
    }
}

/// The name and address of every helper and builtin, for the JIT to bind.
pub fn symbols() -> Vec<(&'static str, *const u8)> {
    let mut all = core_symbols();
    all.extend(crate::builtins::symbols());
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_declared_helper_has_an_address() {
        let symbols = symbols();
        let has = |name: &str| symbols.iter().any(|(s, a)| *s == name && !a.is_null());
        for h in stap_abi::HELPERS {
            assert!(has(h.symbol), "helper {} has no address", h.symbol);
        }
        for b in stap_abi::BUILTINS {
            assert!(has(b.symbol), "builtin {} has no address", b.symbol);
        }
    }
}
