//! The resolved tree: the script with every name bound to its declaration and a type
//! slot on every expression and declaration, which type inference fills in.
//!
//! It mirrors SystemTap's own tree after symbol resolution (`symbol::referent`,
//! `exp_type`), so that inference can follow SystemTap's algorithm step by step.

use stap_abi::format::Piece;
use stap_abi::{Builtin, ProbeKind};

use crate::ast::{AssignOp, HistKind, PrintKind, SortDir, SortKey, StatOp};
use crate::ir::{ArithOp, CmpOp, Type};

use super::tokens::Tok;

/// A type slot: `None` is SystemTap's `pe_unknown`.
pub type Slot = Option<Type>;

/// A variable a symbol refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Var {
    /// A local (or parameter) of the function or probe being resolved.
    Local(usize),
    /// A global.
    Global(usize),
}

/// A declaration with a type: what SystemTap's `resolved_types` records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeclRef {
    /// A global (its value type, or with an index, a key type).
    Global(usize),
    /// A local of a function.
    FunctionLocal(usize, usize),
    /// A local of a probe.
    ProbeLocal(usize, usize),
    /// A function's result.
    Function(usize),
}

/// A declared variable.
#[derive(Clone, Debug)]
pub struct VarDecl {
    /// Its name.
    pub name: String,
    /// Its type.
    pub ty: Slot,
    /// Key types (empty for a scalar).
    pub index_types: Vec<Slot>,
    /// The token that declares it (or first uses it).
    pub tok: Tok,
}

impl VarDecl {
    /// A scalar of unknown type.
    pub fn new(name: &str, tok: Tok) -> VarDecl {
        VarDecl {
            name: name.to_string(),
            ty: None,
            index_types: Vec::new(),
            tok,
        }
    }
}

/// An expression with its type slot and principal token.
#[derive(Clone, Debug)]
pub struct TExpr {
    /// What it computes.
    pub kind: TKind,
    /// Its type.
    pub ty: Slot,
    /// Its principal token.
    pub tok: Tok,
}

/// The binary operators on longs, `&&` and `||` included.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LongOp {
    /// An arithmetic or bitwise operator.
    Arith(ArithOp),
    /// `&&`.
    And,
    /// `||`.
    Or,
}

/// Unary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnOp {
    /// `-`.
    Neg,
    /// `+`.
    Plus,
    /// `!`.
    Not,
    /// `~`.
    BitNot,
}

/// A histogram operator.
#[derive(Clone, Debug)]
pub struct THist {
    /// Linear or logarithmic.
    pub kind: HistKind,
    /// The statistics (a global symbol or an element of a global array).
    pub operand: Box<TExpr>,
    /// The `@hist_*` token.
    pub tok: Tok,
}

/// The expression forms.
#[derive(Clone, Debug)]
pub enum TKind {
    /// A number.
    Long(i64),
    /// A string, decoded.
    Str(Vec<u8>),
    /// A variable.
    Sym(Var),
    /// `a[k1, k2]` (`None` keys are `*`, only in `delete`).
    Index {
        /// The global array.
        array: usize,
        /// The token of the array's name.
        array_tok: Tok,
        /// The keys.
        keys: Vec<Option<TExpr>>,
    },
    /// `@hist_log(s)[i]`.
    HistIndex(Box<THist>, Box<TExpr>),
    /// A binary operator on longs.
    Binary(LongOp, Box<TExpr>, Box<TExpr>),
    /// A comparison.
    Compare(CmpOp, Box<TExpr>, Box<TExpr>),
    /// `a . b`.
    Concat(Box<TExpr>, Box<TExpr>),
    /// A unary operator.
    Unary(UnOp, Box<TExpr>),
    /// `++`/`--`.
    Crement {
        /// Increment.
        inc: bool,
        /// Postfix.
        post: bool,
        /// The variable.
        operand: Box<TExpr>,
    },
    /// An assignment (`<<<` included).
    Assign(AssignOp, Box<TExpr>, Box<TExpr>),
    /// `c ? a : b`.
    Ternary(Box<TExpr>, Box<TExpr>, Box<TExpr>),
    /// `s =~ "re"`.
    Regex {
        /// The string matched.
        subject: Box<TExpr>,
        /// The pattern, decoded.
        pattern: String,
        /// `!~`.
        negated: bool,
    },
    /// `[k] in a`.
    In {
        /// The keys (`None` is `*`).
        keys: Vec<Option<TExpr>>,
        /// The global array.
        array: usize,
        /// The token of the array's name.
        array_tok: Tok,
        /// The type of the element looked up (SystemTap's `arrayindex` operand).
        element: Slot,
    },
    /// A call of a script function.
    Call(usize, Vec<TExpr>),
    /// A call of a runtime builtin.
    Builtin(&'static Builtin, Vec<TExpr>),
    /// The print family.
    Print {
        /// Which member.
        kind: PrintKind,
        /// `printf`: the format, decoded and cut.
        format: Option<Vec<Piece>>,
        /// `printd`: the delimiter, decoded.
        delim: Option<Vec<u8>>,
        /// `print(@hist_log(s))`.
        hist: Option<Box<THist>>,
        /// The values.
        args: Vec<TExpr>,
    },
    /// `@count(s)` and the other statistics.
    Stat {
        /// Which one.
        op: StatOp,
        /// The statistics value.
        operand: Box<TExpr>,
        /// `@variance(s, shift)`.
        shift: Option<i64>,
    },
    /// `exit()`.
    Exit,
    /// `error(msg)`.
    Error(Box<TExpr>),
}

/// What a `foreach` iterates.
#[derive(Clone, Debug)]
pub enum IterBase {
    /// A global array.
    Array(usize, Tok),
    /// A histogram's buckets.
    Hist(Box<THist>),
}

/// `foreach`.
#[derive(Clone, Debug)]
pub struct TForeach {
    /// `v = [k] in a`: the value local.
    pub value: Option<TExpr>,
    /// The key locals.
    pub keys: Vec<TExpr>,
    /// What is iterated.
    pub base: IterBase,
    /// `a[1, *]`.
    pub slice: Option<Vec<Option<TExpr>>>,
    /// The sort.
    pub sort: Option<(SortKey, SortDir)>,
    /// The statistic a value sort uses.
    pub sort_agg: Option<StatOp>,
    /// `limit N`.
    pub limit: Option<TExpr>,
    /// The body.
    pub body: TStmt,
}

/// A statement.
#[derive(Clone, Debug)]
pub struct TStmt {
    /// What it does.
    pub kind: TStmtKind,
    /// Its principal token.
    pub tok: Tok,
}

/// The statement forms.
#[derive(Clone, Debug)]
pub enum TStmtKind {
    /// `{ }`.
    Block(Vec<TStmt>),
    /// `;`.
    Null,
    /// An expression.
    Expr(TExpr),
    /// `if`.
    If(TExpr, Box<TStmt>, Option<Box<TStmt>>),
    /// `for` and `while`.
    For(Option<TExpr>, TExpr, Option<TExpr>, Box<TStmt>),
    /// `foreach`.
    Foreach(Box<TForeach>),
    /// `return`.
    Return(Option<TExpr>),
    /// `delete` of a variable or element.
    Delete(TExpr),
    /// `break`.
    Break,
    /// `continue`.
    Continue,
    /// `next`.
    Next,
    /// `try { } catch (var) { }`.
    Try(Vec<TStmt>, Option<TExpr>, Vec<TStmt>),
}

/// A global variable.
#[derive(Clone, Debug)]
pub struct GlobalDecl {
    /// Name and types.
    pub var: VarDecl,
    /// Arity once known (`None` until a use decides it).
    pub arity: Option<usize>,
    /// The token that decided the arity.
    pub arity_tok: Option<Tok>,
    /// Declared `private` in this file (for `-p2` name mangling).
    pub private_prefix: Option<String>,
    /// `global a[N]`.
    pub size: Option<i64>,
    /// `global a%`.
    pub wrap: bool,
    /// `global x = 5`, decoded.
    pub init: Option<stap_abi::InitValue>,
    /// Where it is declared.
    pub location: String,
    /// Read somewhere reachable.
    pub read: bool,
    /// Written somewhere reachable.
    pub written: bool,
}

/// A script function.
#[derive(Clone, Debug)]
pub struct FuncDecl {
    /// Its name.
    pub name: String,
    /// The result type.
    pub ty: Slot,
    /// Number of parameters (the first locals).
    pub params: usize,
    /// Parameters and locals.
    pub locals: Vec<VarDecl>,
    /// The body (taken out while inference visits it).
    pub body: TStmt,
    /// The name token.
    pub tok: Tok,
    /// Where it is defined.
    pub location: String,
    /// Globals it writes, itself or through the functions it calls.
    pub writes: Vec<usize>,
}

/// A probe handler after alias expansion.
#[derive(Clone, Debug)]
pub struct ProbeDecl {
    /// The points it runs at, each with its `pp()` text.
    pub points: Vec<(ProbeKind, String)>,
    /// What it was derived from, as `-p2` prints it after each point.
    pub derivation: String,
    /// Locals.
    pub locals: Vec<VarDecl>,
    /// The body (the arming condition folded in).
    pub body: TStmt,
    /// Where it is defined.
    pub location: String,
}
