//! The elaborated program: names resolved, aliases expanded, every expression typed.
//!
//! Pass 2 ([`crate::elaborate`]) builds it from the AST; `-p2` prints it; codegen
//! ([`crate::codegen`]) translates it to Cranelift IR. Codegen trusts it: every local,
//! global and function index is valid, every type is known and every operation is legal
//! for its operand types, so translation cannot fail on user input.

use stap_abi::{Builtin, GlobalInfo, IterSpec, ProbeKind, StatField};

/// Index of a global in [`Program::globals`].
pub type GlobalId = usize;
/// Index of a local in its function's or probe's [`Body::locals`].
pub type LocalId = usize;
/// Index of a function in [`Program::functions`].
pub type FunctionId = usize;
/// Index of an error site in [`Program::sites`].
pub type SiteId = u32;

/// The type of an expression or variable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Type {
    /// 64-bit signed integer.
    Long,
    /// A string.
    String,
    /// Statistics (only globals and global arrays hold them).
    Stats,
}

impl Type {
    /// The name `-p2` prints.
    pub fn name(self) -> &'static str {
        match self {
            Type::Long => "long",
            Type::String => "string",
            Type::Stats => "stats",
        }
    }
}

/// The program after pass 2.
#[derive(Clone, Debug, Default)]
pub struct Program {
    /// Globals, in declaration order; what the runtime stores and prints.
    pub globals: Vec<GlobalInfo>,
    /// Where each global was declared (`file:line:col`), parallel to `globals`.
    pub global_locations: Vec<String>,
    /// Functions the probes reach, user script and library alike.
    pub functions: Vec<Function>,
    /// Probes, in script order, aliases expanded.
    pub probes: Vec<Probe>,
    /// Regular expressions of `=~` and `!~`, by index.
    pub regexes: Vec<String>,
    /// `foreach` iterations, by index.
    pub iterations: Vec<IterSpec>,
    /// Error sites: SystemTap's text after "near" (`operator '/' at f.stp:3:9`).
    pub sites: Vec<String>,
}

/// A local variable or parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct Local {
    /// Its name.
    pub name: String,
    /// Its type (never [`Type::Stats`]).
    pub ty: Type,
}

/// The locals and statements of a function or probe handler.
#[derive(Clone, Debug, Default)]
pub struct Body {
    /// Locals; a function's parameters come first, in order.
    pub locals: Vec<Local>,
    /// The statements.
    pub stmts: Vec<Stmt>,
}

/// A script function.
#[derive(Clone, Debug)]
pub struct Function {
    /// Its name.
    pub name: String,
    /// Number of parameters (the first locals).
    pub params: usize,
    /// The result type (a function that returns nothing has type long, result 0).
    pub ret: Type,
    /// Locals and statements.
    pub body: Body,
    /// Where it is defined (`file:line:col`).
    pub location: String,
    /// Its name token: where `MAXNESTING exceeded` points, as in SystemTap.
    pub site: SiteId,
}

/// A probe handler with the points it is attached to.
#[derive(Clone, Debug)]
pub struct Probe {
    /// The points (one handler may serve several: `probe begin, end { }`), each with its
    /// name as `pp()` returns it.
    pub points: Vec<(ProbeKind, String)>,
    /// Locals and statements (alias prologues and epilogues included).
    pub body: Body,
    /// Where it is defined (`file:line:col`).
    pub location: String,
    /// The non-statistics globals it reads or writes, sorted.
    pub globals: Vec<GlobalId>,
    /// What the probe was derived from, as `-p2` prints it after each point
    /// (`<- myal = timer.s(1) <- myal`): the aliases expanded, innermost first, then
    /// the points of the probe as written.
    pub derivation: String,
}

/// A statement.
#[derive(Clone, Debug)]
pub struct Stmt {
    /// What it does.
    pub kind: StmtKind,
    /// Its error site (for `MAXACTION exceeded` and the like).
    pub site: SiteId,
}

/// The statement forms.
#[derive(Clone, Debug)]
pub enum StmtKind {
    /// `{ ... }`.
    Block(Vec<Stmt>),
    /// An expression evaluated for its effect.
    Expr(Expr),
    /// `if`.
    If {
        /// The condition (a long).
        cond: Expr,
        /// Run when it is nonzero.
        then: Box<Stmt>,
        /// Run otherwise.
        otherwise: Option<Box<Stmt>>,
    },
    /// `for` and `while`.
    For {
        /// Run once first.
        init: Option<Expr>,
        /// Checked before every iteration (a long).
        cond: Expr,
        /// Run after every iteration.
        step: Option<Expr>,
        /// The body.
        body: Box<Stmt>,
    },
    /// `foreach`.
    Foreach(Box<Foreach>),
    /// `return` (with the value for a function with a result).
    Return(Option<Expr>),
    /// `delete`.
    Delete(DeleteTarget),
    /// `break`.
    Break,
    /// `continue`.
    Continue,
    /// `next`: leave the probe handler (or function) at once.
    Next,
    /// `try { } catch (msg) { }`.
    Try {
        /// The guarded statements.
        body: Vec<Stmt>,
        /// The local that receives the message (a string).
        var: Option<LocalId>,
        /// Run when `body` fails.
        handler: Vec<Stmt>,
    },
}

/// `foreach ([v =] [k1, k2] in a[slice] sort limit N) body`.
#[derive(Clone, Debug)]
pub struct Foreach {
    /// Index into [`Program::iterations`].
    pub iteration: usize,
    /// Locals receiving the keys, one per array key.
    pub keys: Vec<LocalId>,
    /// Local receiving the value (`v = [k] in a`).
    pub value: Option<LocalId>,
    /// Values of the fixed keys of a slice, in key order (the `fixed` positions of the
    /// iteration's spec).
    pub slice: Vec<Expr>,
    /// `limit N`.
    pub limit: Option<Expr>,
    /// The body.
    pub body: Stmt,
}

/// What `delete` removes.
#[derive(Clone, Debug)]
pub enum DeleteTarget {
    /// A local: reset to 0 or "".
    Local(LocalId),
    /// A whole global: a scalar reset, an array emptied, statistics cleared.
    Global(GlobalId),
    /// One element, or with `None` keys (`*`) every matching element.
    Element {
        /// The array.
        global: GlobalId,
        /// The keys; `None` is `*`.
        keys: Vec<Option<Expr>>,
    },
}

/// Something that can be assigned.
#[derive(Clone, Debug)]
pub enum LValue {
    /// A local.
    Local(LocalId),
    /// A scalar global.
    Global(GlobalId),
    /// An array element.
    Element {
        /// The array.
        global: GlobalId,
        /// The keys.
        keys: Vec<Expr>,
        /// The array's name token: where a full array is reported.
        site: SiteId,
    },
}

/// A statistics value: a scalar statistics global or an element of a statistics array.
#[derive(Clone, Debug)]
pub enum StatTarget {
    /// `s`.
    Global(GlobalId),
    /// `s[k1, k2]`.
    Element {
        /// The array.
        global: GlobalId,
        /// The keys.
        keys: Vec<Expr>,
        /// The array's name token: where a full array is reported.
        site: SiteId,
    },
}

/// Arithmetic and bitwise operators on longs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Shl,
    /// Arithmetic shift right (`>>`).
    Shr,
    /// Logical shift right (`>>>`).
    UShr,
    BitAnd,
    BitOr,
    BitXor,
}

/// Comparison operators, on two longs or two strings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum CmpOp {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

/// An expression with its type.
#[derive(Clone, Debug)]
pub struct Expr {
    /// What it computes.
    pub kind: ExprKind,
    /// Its type ([`Type::Stats`] only for the operand of `<<<` targets, never a value).
    pub ty: Type,
    /// Its error site.
    pub site: SiteId,
}

/// The expression forms.
#[derive(Clone, Debug)]
pub enum ExprKind {
    /// A number.
    Long(i64),
    /// A string, escapes decoded.
    Str(Vec<u8>),
    /// A local's value.
    Local(LocalId),
    /// A scalar global's value.
    Global(GlobalId),
    /// An array element's value (0 or "" when absent).
    Element {
        /// The array.
        global: GlobalId,
        /// The keys.
        keys: Vec<Expr>,
    },
    /// Arithmetic on two longs (division and modulo by zero are errors).
    Arith(ArithOp, Box<Expr>, Box<Expr>),
    /// Comparison; both operands have the same type.
    Compare(CmpOp, Box<Expr>, Box<Expr>),
    /// `a . b`.
    Concat(Box<Expr>, Box<Expr>),
    /// `a && b`: 0 or 1, `b` evaluated only when `a` is nonzero.
    And(Box<Expr>, Box<Expr>),
    /// `a || b`: 0 or 1.
    Or(Box<Expr>, Box<Expr>),
    /// `!a`: 0 or 1.
    Not(Box<Expr>),
    /// `-a`.
    Neg(Box<Expr>),
    /// `~a`.
    BitNot(Box<Expr>),
    /// `c ? a : b`.
    Ternary(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `target = value` or, with an operator, `target op= value`; the value is the
    /// assigned value. `.=` is `Some(None)`-free: it is [`ExprKind::ConcatAssign`].
    Assign {
        /// What is assigned.
        target: LValue,
        /// The compound operator, if any.
        op: Option<ArithOp>,
        /// The right-hand side.
        value: Box<Expr>,
    },
    /// `target .= value`.
    ConcatAssign {
        /// What is assigned.
        target: LValue,
        /// The right-hand side.
        value: Box<Expr>,
    },
    /// `++x`, `x--`, ...; the value is the new value (prefix) or the old one (postfix).
    Crement {
        /// The long variable.
        target: LValue,
        /// `++` rather than `--`.
        inc: bool,
        /// Postfix: the value is the one before.
        post: bool,
    },
    /// `s <<< v`; its value is `v`.
    StatAdd {
        /// The statistics.
        target: StatTarget,
        /// The long added.
        value: Box<Expr>,
    },
    /// `@count(s)`, `@avg(s[k])`, ....
    StatGet {
        /// The statistics.
        target: StatTarget,
        /// Which statistic.
        field: StatField,
    },
    /// `@hist_log(s)[bucket]`: the count in a histogram bucket.
    HistBucket {
        /// The statistics (its global's [`stap_abi::StatUsage`] says which histogram).
        target: StatTarget,
        /// The bucket index.
        bucket: Box<Expr>,
    },
    /// `print(@hist_log(s))` (`to_string`: `sprint`), a long 0 or a string.
    HistPrint {
        /// The statistics.
        target: StatTarget,
        /// Return the text rather than print it.
        to_string: bool,
    },
    /// `[k1, k2] in a`; a `None` key is `*`.
    In {
        /// The array.
        global: GlobalId,
        /// The keys.
        keys: Vec<Option<Expr>>,
    },
    /// `s =~ "re"` (`negated`: `!~`); index into [`Program::regexes`].
    Regex {
        /// The string matched.
        subject: Box<Expr>,
        /// The regular expression.
        regex: usize,
        /// `!~`.
        negated: bool,
    },
    /// A call of a script function.
    Call {
        /// The function.
        function: FunctionId,
        /// The arguments, one per parameter, with the parameters' types.
        args: Vec<Expr>,
    },
    /// A call of a runtime builtin.
    Builtin {
        /// The builtin.
        builtin: &'static Builtin,
        /// The arguments.
        args: Vec<Expr>,
    },
    /// The print family, lowered to a format: `print(a, b)` is `printf("%d%s", a, b)`.
    Printf {
        /// The format, literal text decoded; every conversion's argument type matches.
        format: stap_abi::FormatPieces,
        /// The arguments (including `*` widths and precisions, in format order).
        args: Vec<Expr>,
        /// `sprint*`: the value is the text (a string) instead of printing it.
        to_string: bool,
    },
    /// `exit()`.
    Exit,
    /// `error(msg)`: fails with the message.
    Error(Box<Expr>),
}
