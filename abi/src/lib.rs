//! The contract between the stap-rs compiler and its runtime.
//!
//! The compiler turns every probe handler and script function into native code with
//! Cranelift; that code runs inside the runtime. They agree on four things, all here:
//!
//! 1. the handler signature, [`Handler`], and the layout of [`Context`], the one
//!    argument every handler and helper receives;
//! 2. how values travel: every value is an `i64`; a string is a [`StrRef`] (a literal of
//!    the program, or bytes in the handler run's string arena);
//! 3. the helper functions the generated code calls, [`HELPERS`] and [`BUILTINS`], by
//!    symbol name, with their arity and whether they can fail;
//! 4. the description of the compiled program, [`ProgramInfo`]: globals, formats,
//!    literals, error sites and probes.
//!
//! Errors never unwind through generated code. A helper that fails records the error in
//! the runtime's part of the context, sets [`Context::error`] and returns 0; the
//! generated code checks that flag after every fallible call, notes the error site and
//! returns (or jumps to the `catch` of an enclosing `try`).

pub mod format;

use std::mem::offset_of;

/// Number of [`Context::slots`]: keys of an array access, arguments of a print.
pub const SLOTS: usize = 64;

/// The most keys an array may have.
pub const MAX_KEYS: usize = 16;

/// The state a handler run works on. The runtime embeds it as the first field of its own
/// context type, so that a `*mut Context` is also a pointer to the runtime's context.
#[repr(C)]
#[derive(Debug)]
pub struct Context {
    /// Statements the handler may still execute before `MAXACTION exceeded`; the
    /// generated code decrements it once per statement.
    pub actions_left: i64,
    /// Nonzero once an error is pending; set by helpers (and by [`HELPER_FAULT`]).
    pub error: i64,
    /// The error site ([`ProgramInfo::sites`]) of the pending error, or [`NO_SITE`].
    pub site: i64,
    /// Current depth of script-function calls, for `MAXNESTING`.
    pub depth: i64,
    /// Keys and arguments handed to helpers: array keys start at slot 0, print arguments
    /// too; a `foreach` step writes its keys (then the value) here.
    pub slots: [i64; SLOTS],
}

impl Default for Context {
    fn default() -> Self {
        Context {
            actions_left: 0,
            error: 0,
            site: NO_SITE,
            depth: 0,
            slots: [0; SLOTS],
        }
    }
}

/// [`Context::error`]: an error a `try` can catch.
pub const ERROR_CATCHABLE: i64 = 1;
/// [`Context::error`]: an error that ends the handler whatever `try` surrounds it
/// (`MAXACTION exceeded`, `MAXNESTING exceeded`).
pub const ERROR_FATAL: i64 = 2;
/// [`Context::error`]: `next` in a function, unwinding to the end of the handler; not an
/// error once the handler has returned.
pub const ERROR_NEXT: i64 = 3;

/// [`Context::site`] when no site is recorded.
pub const NO_SITE: i64 = -1;

/// Byte offsets of the [`Context`] fields the generated code reads and writes.
pub mod offsets {
    use super::*;
    /// Of [`Context::actions_left`].
    pub const ACTIONS_LEFT: i32 = offset_of!(Context, actions_left) as i32;
    /// Of [`Context::error`].
    pub const ERROR: i32 = offset_of!(Context, error) as i32;
    /// Of [`Context::site`].
    pub const SITE: i32 = offset_of!(Context, site) as i32;
    /// Of [`Context::depth`].
    pub const DEPTH: i32 = offset_of!(Context, depth) as i32;
    /// Of [`Context::slots`].
    pub const SLOTS: i32 = offset_of!(Context, slots) as i32;
}

/// A compiled probe handler or script function entry: returns nothing; an error is left
/// in the context.
pub type Handler = unsafe extern "C" fn(ctx: *mut Context);

/// A string value as the generated code holds it: an `i64` that is either literal
/// number `n` of the program (`i64::MIN + n`) or `offset << 32 | len` in the handler
/// run's string arena.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StrRef(pub i64);

impl StrRef {
    /// The empty string.
    pub const EMPTY: StrRef = StrRef(0);

    /// Literal number `index` of [`ProgramInfo::strings`].
    pub const fn literal(index: u32) -> StrRef {
        StrRef(i64::MIN + index as i64)
    }

    /// `len` bytes at `offset` in the arena.
    pub const fn arena(offset: u32, len: u32) -> StrRef {
        StrRef(((offset as i64) << 32) | len as i64)
    }

    /// Which string this is.
    pub const fn decode(self) -> StrLocation {
        if self.0 < 0 {
            StrLocation::Literal((self.0 - i64::MIN) as u32)
        } else {
            StrLocation::Arena {
                offset: (self.0 >> 32) as u32,
                len: self.0 as u32,
            }
        }
    }
}

/// Where a [`StrRef`] points.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StrLocation {
    /// A literal of the program.
    Literal(u32),
    /// Bytes in the arena.
    Arena {
        /// Start.
        offset: u32,
        /// Length.
        len: u32,
    },
}

/// The type of a scalar value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValueType {
    /// 64-bit signed integer.
    Long,
    /// A string.
    String,
}

/// A statistic read from an aggregate: the value of `@count`, `@sum`, ....
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StatField {
    /// `@count`.
    Count = 0,
    /// `@sum`.
    Sum = 1,
    /// `@min`.
    Min = 2,
    /// `@max`.
    Max = 3,
    /// `@avg`.
    Avg = 4,
    /// `@variance`.
    Variance = 5,
}

impl StatField {
    /// The field encoded as `code` (see [`StatField::code`]).
    pub fn from_code(code: i64) -> Option<StatField> {
        Some(match code & 0xff {
            0 => StatField::Count,
            1 => StatField::Sum,
            2 => StatField::Min,
            3 => StatField::Max,
            4 => StatField::Avg,
            5 => StatField::Variance,
            _ => return None,
        })
    }

    /// The `i64` the generated code passes for this field.
    pub fn code(self) -> i64 {
        self as i64
    }
}

/// The histogram a statistics global keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Histogram {
    /// `@hist_linear(s, start, stop, interval)`.
    Linear {
        /// Lowest bucket start.
        start: i64,
        /// Highest bucket end.
        stop: i64,
        /// Bucket width.
        interval: i64,
    },
    /// `@hist_log(s)`: power-of-two buckets.
    Log,
}

/// What a statistics global must compute, as the translator found from its uses (so the
/// per-sample path computes only that).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StatUsage {
    /// `@variance` is read; the value is its bit shift.
    pub variance: Option<i64>,
    /// A histogram is read.
    pub histogram: Option<Histogram>,
}

/// What a global holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GlobalKind {
    /// A long or string, or an array of them.
    Value(ValueType),
    /// Statistics, or an array of them.
    Stats(StatUsage),
}

/// A literal initial value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InitValue {
    /// A number.
    Long(i64),
    /// A string (decoded bytes).
    String(Vec<u8>),
    /// `argc`: the number of script arguments (a long).
    ScriptArgc,
    /// `argv`: the script arguments, keyed 1 to `argc` (strings keyed by a long).
    ScriptArgv,
}

/// A global variable of the program.
#[derive(Clone, Debug, PartialEq)]
pub struct GlobalInfo {
    /// Its name in the script.
    pub name: String,
    /// Its value kind.
    pub kind: GlobalKind,
    /// Key types; empty for a scalar.
    pub keys: Vec<ValueType>,
    /// `global a[N]`: the array's capacity (default `MAXMAPENTRIES`).
    pub max_entries: Option<i64>,
    /// `global a%`: a full array drops its oldest entry instead of failing.
    pub wrap: bool,
    /// `global x = 5`.
    pub init: Option<InitValue>,
    /// Written by the script but never read: printed at the end (autoprint).
    pub autoprint: bool,
}

/// A piece of a print format, literal text decoded.
pub type FormatPieces = Vec<format::Piece>;

/// When a probe runs.
#[derive(Clone, Debug, PartialEq)]
pub enum ProbeKind {
    /// `begin(seq)`.
    Begin(i64),
    /// `end(seq)`.
    End(i64),
    /// `error(seq)`: after a runtime error.
    Error(i64),
    /// `timer.*`: every `interval_ns`, plus a random part in `[-randomize_ns, randomize_ns]`.
    Timer {
        /// The period.
        interval_ns: u64,
        /// `.randomize(N)`, in nanoseconds.
        randomize_ns: u64,
    },
}

/// A probe: where it attaches and which handler runs.
#[derive(Clone, Debug, PartialEq)]
pub struct ProbeInfo {
    /// Where it attaches.
    pub kind: ProbeKind,
    /// The probe point as written (what `pp()` returns).
    pub point: String,
    /// Index into the compiled handlers.
    pub handler: usize,
    /// Indexes of the non-statistics globals the handler reads or writes, sorted (the
    /// locks it takes).
    pub globals: Vec<usize>,
    /// Where the probe is defined (`file:line:col`), for `-t` and `-v`.
    pub location: String,
}

/// A `foreach` iteration order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SortSpec {
    /// 0: by value (for statistics, `field`); `k` ≥ 1: by key `k - 1`.
    pub column: usize,
    /// Descending rather than ascending.
    pub descending: bool,
    /// The statistic a value sort of a statistics array uses.
    pub field: StatField,
}

/// A `foreach` over an array: what the runtime needs to start the iteration.
#[derive(Clone, Debug, PartialEq)]
pub struct IterSpec {
    /// The global iterated.
    pub global: usize,
    /// The order, if any (unsorted is insertion order).
    pub sort: Option<SortSpec>,
    /// For a slice `a[1, *]`: which key positions are fixed (their values are in the slots).
    pub fixed: Vec<bool>,
    /// The value written after the keys: `None` when the loop has no value variable;
    /// otherwise the element's value (a plain array, where the field is not used) or,
    /// for histogram buckets, the bucket's count.
    pub value: Option<StatField>,
    /// `foreach (b in @hist_log(s))`: iterates the bucket numbers of the global's
    /// histogram (every bucket, empty ones too), each with its count as the value. For
    /// an element `@hist_log(s[k])`, its keys are in the slots, all marked `fixed`.
    pub buckets: bool,
}

/// The whole compiled program as the runtime sees it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProgramInfo {
    /// Globals, by index.
    pub globals: Vec<GlobalInfo>,
    /// String literals, decoded, by index ([`StrRef::literal`]).
    pub strings: Vec<Vec<u8>>,
    /// Print formats, by index.
    pub formats: Vec<FormatPieces>,
    /// Regular expressions of `=~` and `!~`, by index.
    pub regexes: Vec<String>,
    /// `foreach` iterations, by index.
    pub iterations: Vec<IterSpec>,
    /// Error sites: SystemTap's "near ..." text (`operator '/' at f.stp:3:9`).
    pub sites: Vec<String>,
    /// The probes.
    pub probes: Vec<ProbeInfo>,
    /// Script arguments (`argv`).
    pub args: Vec<String>,
}

/// A helper function the generated code calls: `symbol(ctx, a1, ..., an) -> i64`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Helper {
    /// The symbol the JIT binds.
    pub symbol: &'static str,
    /// Number of `i64` arguments after the context.
    pub args: usize,
    /// Returns an `i64`.
    pub returns: bool,
    /// May set [`Context::error`].
    pub fallible: bool,
}

const fn helper(symbol: &'static str, args: usize, returns: bool, fallible: bool) -> Helper {
    Helper {
        symbol,
        args,
        returns,
        fallible,
    }
}

/// `stp_fault(ctx, code)`: raise the fault `code` ([`Fault`]).
pub const HELPER_FAULT: Helper = helper("stp_fault", 1, false, true);

/// A fault the generated code detects itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Division by zero: `division by 0`.
    DivisionByZero = 0,
    /// `MAXACTION exceeded`.
    MaxAction = 1,
    /// `MAXNESTING exceeded`.
    MaxNesting = 2,
    /// Modulo by zero: also `division by 0`.
    ModuloByZero = 3,
}

impl Fault {
    /// The fault with code `code`.
    pub fn from_code(code: i64) -> Option<Fault> {
        Some(match code {
            0 => Fault::DivisionByZero,
            1 => Fault::MaxAction,
            2 => Fault::MaxNesting,
            3 => Fault::ModuloByZero,
            _ => return None,
        })
    }
}

/// Every runtime helper the generated code may call, besides [`BUILTINS`].
///
/// Keys of array operations are in `slots[0..nkeys]` (the array's own key count); a
/// mask argument has bit `i` set when key `i` is a `*` wildcard.
pub const HELPERS: &[Helper] = &[
    HELPER_FAULT,
    // Scalars: (global) -> value; (global, value).
    helper("stp_global_get", 1, true, false),
    helper("stp_global_set", 2, false, false),
    helper("stp_global_delete", 1, false, false),
    // Arrays: keys in the slots.
    helper("stp_map_get", 1, true, false),
    helper("stp_map_set", 2, false, true),
    helper("stp_map_delete", 1, false, false),
    helper("stp_map_delete_all", 1, false, false),
    helper("stp_map_exists", 1, true, false),
    // (global, mask): `[k, *] in a`, `delete a[k, *]`.
    helper("stp_map_exists_match", 2, true, false),
    helper("stp_map_delete_match", 2, false, false),
    // Statistics: (global, value) for a scalar, keys in the slots for an array.
    helper("stp_stat_add", 2, false, false),
    helper("stp_map_stat_add", 2, false, true),
    // (global, field) -> value; `@avg` of nothing is an error.
    helper("stp_stat_get", 2, true, true),
    helper("stp_map_stat_get", 2, true, true),
    // (global, keyed, bucket) -> count of `@hist_*(s)[bucket]`.
    helper("stp_hist_bucket", 3, true, true),
    // (global, keyed): print(@hist_*(s)); sprint returns the text.
    helper("stp_hist_print", 2, false, true),
    helper("stp_hist_sprint", 2, true, true),
    // foreach: (iteration, limit or -1) -> iterator, the fixed keys of a slice in their
    // slots; (iterator) -> 1 while there is an element (keys then value in the slots);
    // (iterator) ends it and every iteration started after it.
    helper("stp_iter_start", 2, true, true),
    helper("stp_iter_next", 1, true, false),
    helper("stp_iter_end", 1, false, false),
    // Strings: (a, b) -> a . b; (a, b) -> <0, 0, >0.
    helper("stp_str_concat", 2, true, false),
    helper("stp_str_compare", 2, true, false),
    // A long as a decimal string (for print of mixed values).
    helper("stp_str_from_long", 1, true, false),
    // Output: (format, nargs) with the arguments in the slots.
    // A `%m` that cannot read its memory is an error.
    helper("stp_printf", 1, false, true),
    helper("stp_sprintf", 1, true, true),
    // Regular expressions: (subject, regex) -> matched?
    helper("stp_regex_match", 2, true, false),
    // try/catch: the pending error's message, which is cleared.
    helper("stp_take_error", 0, true, false),
    // `exit()`.
    helper("stp_exit", 0, false, false),
    // `error(msg)`.
    helper("stp_error", 1, false, true),
];

/// A function scripts call by name that the runtime implements.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Builtin {
    /// The name scripts use.
    pub name: &'static str,
    /// Parameter types.
    pub params: &'static [ValueType],
    /// The result type; `None` for a function returning nothing.
    pub ret: Option<ValueType>,
    /// May fail.
    pub fallible: bool,
    /// The helper symbol.
    pub symbol: &'static str,
}

const L: ValueType = ValueType::Long;
const S: ValueType = ValueType::String;

const fn builtin(
    name: &'static str,
    params: &'static [ValueType],
    ret: Option<ValueType>,
    symbol: &'static str,
) -> Builtin {
    Builtin {
        name,
        params,
        ret,
        fallible: false,
        symbol,
    }
}

/// A builtin that can fail.
const fn fallible(b: Builtin) -> Builtin {
    Builtin {
        fallible: true,
        ..b
    }
}

/// The functions the runtime implements natively (the tapset library adds functions
/// written in the script language on top of these).
pub const BUILTINS: &[Builtin] = &[
    builtin("strlen", &[S], Some(L), "stp_strlen"),
    builtin("substr", &[S, L, L], Some(S), "stp_substr"),
    fallible(builtin("stringat", &[S, L], Some(L), "stp_stringat")),
    builtin("isinstr", &[S, S], Some(L), "stp_isinstr"),
    builtin("strpos", &[S, S], Some(L), "stp_strpos"),
    builtin("str_replace", &[S, S, S], Some(S), "stp_str_replace"),
    builtin("tokenize", &[S, S], Some(S), "stp_tokenize"),
    builtin("strtol", &[S, L], Some(L), "stp_strtol"),
    builtin("isdigit", &[S], Some(L), "stp_isdigit"),
    builtin("text_str", &[S], Some(S), "stp_text_str"),
    builtin("text_strn", &[S, L, L], Some(S), "stp_text_strn"),
    builtin("string_quoted", &[S], Some(S), "stp_string_quoted"),
    builtin("str_tolower", &[S], Some(S), "stp_str_tolower"),
    builtin("str_toupper", &[S], Some(S), "stp_str_toupper"),
    builtin("matched", &[L], Some(S), "stp_matched"),
    builtin("ngroups", &[], Some(L), "stp_ngroups"),
    builtin("log", &[S], None, "stp_log"),
    builtin("warn", &[S], None, "stp_warn"),
    builtin("printk", &[S], None, "stp_log"),
    builtin("abs", &[L], Some(L), "stp_abs"),
    builtin("randint", &[L], Some(L), "stp_randint"),
    builtin("gettimeofday_s", &[], Some(L), "stp_gettimeofday_s"),
    builtin("gettimeofday_ms", &[], Some(L), "stp_gettimeofday_ms"),
    builtin("gettimeofday_us", &[], Some(L), "stp_gettimeofday_us"),
    builtin("gettimeofday_ns", &[], Some(L), "stp_gettimeofday_ns"),
    builtin("local_clock_ns", &[], Some(L), "stp_local_clock_ns"),
    builtin("cpu_clock_ns", &[L], Some(L), "stp_cpu_clock_ns"),
    builtin("get_cycles", &[], Some(L), "stp_get_cycles"),
    builtin("jiffies", &[], Some(L), "stp_jiffies"),
    builtin("HZ", &[], Some(L), "stp_hz"),
    fallible(builtin("ctime", &[L], Some(S), "stp_ctime")),
    builtin("cpu", &[], Some(L), "stp_cpu"),
    builtin("pid", &[], Some(L), "stp_pid"),
    builtin("tid", &[], Some(L), "stp_tid"),
    builtin("ppid", &[], Some(L), "stp_ppid"),
    builtin("uid", &[], Some(L), "stp_uid"),
    builtin("gid", &[], Some(L), "stp_gid"),
    builtin("execname", &[], Some(S), "stp_execname"),
    builtin("pp", &[], Some(S), "stp_pp"),
    builtin("target", &[], Some(L), "stp_target"),
    builtin("stp_pid", &[], Some(L), "stp_stp_pid"),
    builtin("num_online_cpus", &[], Some(L), "stp_num_online_cpus"),
    builtin("errno_str", &[L], Some(S), "stp_errno_str"),
];

/// The builtin called `name`.
pub fn builtin_named(name: &str) -> Option<&'static Builtin> {
    BUILTINS.iter().find(|b| b.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_refs_round_trip() {
        assert_eq!(StrRef::literal(7).decode(), StrLocation::Literal(7));
        assert_eq!(
            StrRef::arena(10, 3).decode(),
            StrLocation::Arena { offset: 10, len: 3 }
        );
        assert_eq!(
            StrRef::EMPTY.decode(),
            StrLocation::Arena { offset: 0, len: 0 }
        );
    }

    #[test]
    fn symbols_are_unique() {
        let mut names: Vec<&str> = HELPERS.iter().map(|h| h.symbol).collect();
        names.sort_unstable();
        let n = names.len();
        names.dedup();
        assert_eq!(n, names.len());
        let mut builtins: Vec<&str> = BUILTINS.iter().map(|b| b.name).collect();
        builtins.sort_unstable();
        let n = builtins.len();
        builtins.dedup();
        assert_eq!(n, builtins.len());
    }
}
