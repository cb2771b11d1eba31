//! The abstract syntax tree of a script, one node type per SystemTap construct.
//!
//! Every node carries the [`Span`] of the text it was read from. The tree is what
//! `stap-rs -p1` prints (see [`crate::print`]); it is canonical in the same ways as
//! SystemTap's: `while` is a `for` without initialiser and step, `foreach (k in a)` has a
//! one-element key list, and literals hold their value, not their spelling.

use crate::source::Span;

/// A parsed file: its declarations in source order.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Script {
    /// The name shown as `# file NAME` in `-p1` output.
    pub name: String,
    /// Top-level declarations, in the order written.
    pub items: Vec<Item>,
}

/// A top-level declaration.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    /// `global x`, one per variable.
    Global(Global),
    /// `function f(...) { }`.
    Function(Function),
    /// `probe P { }`.
    Probe(Probe),
    /// `probe A = P { }` or `probe A += P { }`.
    Alias(ProbeAlias),
    /// A top-level `%{ C code %}` block.
    Embedded(Embedded),
}

/// An identifier with its place.
#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    /// The name.
    pub name: String,
    /// Where it was written.
    pub span: Span,
}

/// A global variable declaration.
#[derive(Clone, Debug, PartialEq)]
pub struct Global {
    /// Its name.
    pub name: Ident,
    /// Declared `private`.
    pub private: bool,
    /// `global a[N]`: the array's maximum number of entries.
    pub size: Option<i64>,
    /// `global a%`: the array wraps around when full.
    pub wrap: bool,
    /// `global a = 5`: the initial value.
    pub init: Option<Literal>,
    /// The whole declaration of this variable.
    pub span: Span,
}

/// A declared type of a parameter or function result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TypeName {
    /// `long`: 64-bit signed integer.
    Long,
    /// `string`.
    String,
}

/// A function parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    /// Its name.
    pub name: Ident,
    /// Its declared type, if any.
    pub ty: Option<TypeName>,
}

/// A function definition.
#[derive(Clone, Debug, PartialEq)]
pub struct Function {
    /// Its name.
    pub name: Ident,
    /// Declared `private`.
    pub private: bool,
    /// The declared result type, if any.
    pub ret: Option<TypeName>,
    /// The parameters.
    pub params: Vec<Param>,
    /// `function f():N`: the overload priority, if given.
    pub priority: Option<i64>,
    /// The body.
    pub body: FunctionBody,
    /// The whole definition.
    pub span: Span,
}

/// A function's body: script statements or embedded C.
#[derive(Clone, Debug, PartialEq)]
pub enum FunctionBody {
    /// `{ statements }`.
    Block(Block),
    /// `%{ C code %}`.
    Embedded(Embedded),
}

/// `%{ code %}`: embedded C, parsed so it can be rejected with a clear message.
#[derive(Clone, Debug, PartialEq)]
pub struct Embedded {
    /// The code between `%{` and `%}`.
    pub code: String,
    /// Where it was written.
    pub span: Span,
}

/// A probe definition.
#[derive(Clone, Debug, PartialEq)]
pub struct Probe {
    /// The points it attaches to.
    pub points: Vec<ProbePoint>,
    /// The handler.
    pub body: Block,
    /// The whole definition.
    pub span: Span,
}

/// A probe alias definition.
#[derive(Clone, Debug, PartialEq)]
pub struct ProbeAlias {
    /// The new names the alias defines.
    pub names: Vec<ProbePoint>,
    /// `+=`: the body runs after the user's handler (epilogue); `=`: before (prologue).
    pub epilogue: bool,
    /// The points the alias stands for.
    pub points: Vec<ProbePoint>,
    /// The prologue (or, with `+=`, the epilogue) body.
    pub body: Block,
    /// `probe A = P { prologue }, { epilogue }`: the second body.
    pub epilogue_body: Option<Block>,
    /// The whole definition.
    pub span: Span,
}

/// A probe point: `kernel.function("f").return?`.
#[derive(Clone, Debug, PartialEq)]
pub struct ProbePoint {
    /// The dotted components.
    pub components: Vec<Component>,
    /// `?`: a point that fails to resolve is skipped.
    pub optional: bool,
    /// `!`: once this point resolves, later alternatives are not tried.
    pub sufficient: bool,
    /// `if (cond)`: the arming condition.
    pub condition: Option<Expr>,
    /// Where it was written.
    pub span: Span,
}

/// One component of a probe point: a name (may hold `*`) and an optional argument.
#[derive(Clone, Debug, PartialEq)]
pub struct Component {
    /// The name, wildcards included.
    pub name: String,
    /// The argument, if any (`Some(None)` for empty parentheses is not allowed).
    pub arg: Option<Literal>,
    /// Where it was written.
    pub span: Span,
}

/// A literal value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Literal {
    /// A 64-bit integer (values above 2^63 wrap, as in SystemTap).
    Number(i64),
    /// A string, escapes kept as written except `\"`, which is stored as `"`; the
    /// compiler decodes the rest when it emits the value, as SystemTap's translator does.
    String(String),
}

/// A block of statements.
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    /// The statements, in order.
    pub stmts: Vec<Stmt>,
    /// From `{` to `}`.
    pub span: Span,
}

/// A statement with its place.
#[derive(Clone, Debug, PartialEq)]
pub struct Stmt {
    /// What kind of statement.
    pub kind: StmtKind,
    /// Where it was written.
    pub span: Span,
}

/// The statement forms.
#[derive(Clone, Debug, PartialEq)]
pub enum StmtKind {
    /// `{ ... }`.
    Block(Block),
    /// `;`.
    Null,
    /// An expression evaluated for its effect.
    Expr(Expr),
    /// `if (cond) then else otherwise`.
    If {
        /// The condition.
        cond: Expr,
        /// The statement run when it holds.
        then: Box<Stmt>,
        /// The `else` branch.
        otherwise: Option<Box<Stmt>>,
    },
    /// `for (init; cond; step) body`; `while (cond) body` is a `for` too.
    For(Box<ForLoop>),
    /// `foreach (...) body`.
    Foreach(Box<Foreach>),
    /// `return [value]`.
    Return(Option<Expr>),
    /// `delete expr`.
    Delete(Expr),
    /// `break`.
    Break,
    /// `continue`.
    Continue,
    /// `next`.
    Next,
    /// `try { } catch (var) { }`.
    Try {
        /// The guarded block.
        body: Block,
        /// The variable that receives the error message.
        var: Option<Ident>,
        /// The handler block.
        handler: Block,
    },
}

/// `for (init; cond; step) body`; `while (cond) body` has neither init nor step, and an
/// empty condition is the literal 1, as in SystemTap.
#[derive(Clone, Debug, PartialEq)]
pub struct ForLoop {
    /// Run once before the loop.
    pub init: Option<Expr>,
    /// Checked before each iteration.
    pub cond: Expr,
    /// Run after each iteration.
    pub step: Option<Expr>,
    /// The loop body.
    pub body: Stmt,
}

/// Sort direction of a `foreach`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortDir {
    /// `+`: ascending.
    Ascending,
    /// `-`: descending.
    Descending,
}

/// What a `foreach` sorts by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortKey {
    /// The array's value (for statistics, the statistic named by `agg`).
    Value,
    /// The key in this position (0-based).
    Key(usize),
}

/// `foreach ([v =] [k1, k2] in base[slice] sort limit N) body`.
#[derive(Clone, Debug, PartialEq)]
pub struct Foreach {
    /// The value variable of `v = [k] in a`.
    pub value: Option<Ident>,
    /// The key variables.
    pub keys: Vec<Ident>,
    /// What is iterated: an array name or a histogram.
    pub base: Expr,
    /// `a[1, *]`: only keys matching these (`None` is `*`).
    pub slice: Option<Vec<Option<Expr>>>,
    /// The sort order, if any.
    pub sort: Option<(SortKey, SortDir)>,
    /// The statistic a value sort uses (`@sum` in `a @sum-`); `None` means `@count`.
    pub sort_agg: Option<StatOp>,
    /// `limit N`.
    pub limit: Option<Expr>,
    /// The loop body.
    pub body: Stmt,
}

/// An expression with its place.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// What kind of expression.
    pub kind: ExprKind,
    /// Where it was written.
    pub span: Span,
}

/// Binary operators that SystemTap prints as `(l) op (r)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Shl,
    Shr,
    UShr,
    BitAnd,
    BitOr,
    BitXor,
    And,
    Or,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    Concat,
}

impl BinOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        use BinOp::*;
        match self {
            Add => "+",
            Sub => "-",
            Mul => "*",
            Div => "/",
            Mod => "%",
            Shl => "<<",
            Shr => ">>",
            UShr => ">>>",
            BitAnd => "&",
            BitOr => "|",
            BitXor => "^",
            And => "&&",
            Or => "||",
            Lt => "<",
            Le => "<=",
            Gt => ">",
            Ge => ">=",
            Eq => "==",
            Ne => "!=",
            Concat => ".",
        }
    }
}

/// Assignment operators; `<<<` (add to statistics) is one of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum AssignOp {
    Assign,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Shl,
    Shr,
    BitAnd,
    BitOr,
    BitXor,
    Concat,
    Aggregate,
}

impl AssignOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        use AssignOp::*;
        match self {
            Assign => "=",
            Add => "+=",
            Sub => "-=",
            Mul => "*=",
            Div => "/=",
            Mod => "%=",
            Shl => "<<=",
            Shr => ">>=",
            BitAnd => "&=",
            BitOr => "|=",
            BitXor => "^=",
            Concat => ".=",
            Aggregate => "<<<",
        }
    }

    /// The binary operator a compound assignment applies, if it is one.
    pub fn binop(self) -> Option<BinOp> {
        use AssignOp::*;
        Some(match self {
            Assign | Aggregate => return None,
            Add => BinOp::Add,
            Sub => BinOp::Sub,
            Mul => BinOp::Mul,
            Div => BinOp::Div,
            Mod => BinOp::Mod,
            Shl => BinOp::Shl,
            Shr => BinOp::Shr,
            BitAnd => BinOp::BitAnd,
            BitOr => BinOp::BitOr,
            BitXor => BinOp::BitXor,
            Concat => BinOp::Concat,
        })
    }
}

/// Unary prefix operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    /// `-x`.
    Neg,
    /// `+x`.
    Plus,
    /// `!x`.
    Not,
    /// `~x`.
    BitNot,
    /// `&$target`.
    AddrOf,
}

impl UnaryOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            UnaryOp::Neg => "-",
            UnaryOp::Plus => "+",
            UnaryOp::Not => "!",
            UnaryOp::BitNot => "~",
            UnaryOp::AddrOf => "&",
        }
    }
}

/// The statistic extractors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatOp {
    /// `@count`.
    Count,
    /// `@sum`.
    Sum,
    /// `@min`.
    Min,
    /// `@max`.
    Max,
    /// `@avg`.
    Avg,
    /// `@variance`.
    Variance,
}

impl StatOp {
    /// The operator as written, with its `@`.
    pub fn as_str(self) -> &'static str {
        match self {
            StatOp::Count => "@count",
            StatOp::Sum => "@sum",
            StatOp::Min => "@min",
            StatOp::Max => "@max",
            StatOp::Avg => "@avg",
            StatOp::Variance => "@variance",
        }
    }

    /// The operator named `name` (with its `@`).
    pub fn from_name(name: &str) -> Option<StatOp> {
        Some(match name {
            "@count" => StatOp::Count,
            "@sum" => StatOp::Sum,
            "@min" => StatOp::Min,
            "@max" => StatOp::Max,
            "@avg" => StatOp::Avg,
            "@variance" => StatOp::Variance,
            _ => return None,
        })
    }
}

/// The histogram kinds.
#[derive(Clone, Debug, PartialEq)]
pub enum HistKind {
    /// `@hist_linear(s, lo, hi, step)`.
    Linear {
        /// Lowest bucket start.
        lo: i64,
        /// Highest bucket end.
        hi: i64,
        /// Bucket width.
        step: i64,
    },
    /// `@hist_log(s)`.
    Log,
}

/// The print family, which SystemTap parses specially.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PrintKind {
    /// `s` in `sprint*`: returns the text instead of printing it.
    pub to_string: bool,
    /// `f` in `printf`: the first argument is a format.
    pub format: bool,
    /// `d` in `printd`: the first argument is a delimiter.
    pub delim: bool,
    /// `ln` in `println`: a newline ends the output.
    pub newline: bool,
}

impl PrintKind {
    /// The kind for a function named `name`, if it is in the print family.
    pub fn from_name(name: &str) -> Option<PrintKind> {
        let (to_string, rest) = match name.strip_prefix('s') {
            Some(r) => (true, r),
            None => (false, name),
        };
        let (format, delim, newline) = match rest {
            "print" => (false, false, false),
            "println" => (false, false, true),
            "printf" => (true, false, false),
            "printd" => (false, true, false),
            "printdln" => (false, true, true),
            _ => return None,
        };
        Some(PrintKind {
            to_string,
            format,
            delim,
            newline,
        })
    }

    /// The function's name.
    pub fn name(self) -> String {
        let mut s = String::new();
        if self.to_string {
            s.push('s');
        }
        s.push_str("print");
        if self.format {
            s.push('f');
        }
        if self.delim {
            s.push('d');
        }
        if self.newline {
            s.push_str("ln");
        }
        s
    }
}

/// A component of a target expression: `->field`, `[index]`, or a `$`/`$$` suffix.
#[derive(Clone, Debug, PartialEq)]
pub enum TargetComponent {
    /// `->name`.
    Member(String),
    /// `[index]`.
    Index(Box<Expr>),
    /// `$` or `$$` (pretty-printing).
    Pretty(String),
}

/// The expression forms.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// A literal.
    Literal(Literal),
    /// A variable.
    Symbol(String),
    /// `a[i, j]`; a `None` index is the `*` wildcard.
    Index {
        /// The array (a symbol) or a histogram, for `@hist_log(s)[i]`.
        base: Box<Expr>,
        /// The keys.
        indexes: Vec<Option<Expr>>,
    },
    /// `l op r`.
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `op x`.
    Unary(UnaryOp, Box<Expr>),
    /// `++x` or `--x`.
    PreCrement {
        /// `++` (true) or `--`.
        inc: bool,
        /// The variable.
        operand: Box<Expr>,
    },
    /// `x++` or `x--`.
    PostCrement {
        /// `++` (true) or `--`.
        inc: bool,
        /// The variable.
        operand: Box<Expr>,
    },
    /// `l = r`, `l += r`, `s <<< v`, ...
    Assign(AssignOp, Box<Expr>, Box<Expr>),
    /// `cond ? a : b`.
    Ternary(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `s =~ "re"` (`negated`: `!~`).
    Regex {
        /// The string matched.
        subject: Box<Expr>,
        /// `!~` rather than `=~`.
        negated: bool,
        /// The regular expression (a literal, as SystemTap requires).
        pattern: String,
    },
    /// `[keys] in array` or `key in array`.
    In {
        /// The keys; a `None` is the `*` wildcard.
        keys: Vec<Option<Expr>>,
        /// The array: a symbol, or a histogram for `[i] in @hist_log(s)`.
        array: Box<Expr>,
    },
    /// `f(args)`.
    Call {
        /// The function.
        name: Ident,
        /// The arguments.
        args: Vec<Expr>,
    },
    /// `print`, `printf`, `sprintd`, ...: printing with a literal format or delimiter.
    Print {
        /// Which member of the family.
        kind: PrintKind,
        /// The format (`printf`) or delimiter (`printd`), escapes as written.
        format: Option<String>,
        /// `print(@hist_log(s))`: the histogram to draw.
        hist: Option<Box<Expr>>,
        /// The values.
        args: Vec<Expr>,
    },
    /// `@count(s)`, ..., `@variance(s, shift)`.
    Stat {
        /// Which statistic.
        op: StatOp,
        /// The statistics value.
        operand: Box<Expr>,
        /// The bit shift of `@variance(s, shift)`.
        shift: Option<i64>,
    },
    /// `@hist_linear(...)` / `@hist_log(...)`.
    Hist {
        /// The kind and its parameters.
        kind: HistKind,
        /// The statistics value.
        operand: Box<Expr>,
    },
    /// `@defined(expr)`.
    Defined(Box<Expr>),
    /// `@probewrite(var)`.
    ProbeWrite(Ident),
    /// `@perf("NAME")`.
    Perf(String),
    /// `@const("NAME")`.
    Const(String),
    /// `@entry(expr)`.
    Entry(Box<Expr>),
    /// `$var` with components.
    Target {
        /// The name, `$` included.
        name: String,
        /// `->field`, `[i]`, `$`.
        components: Vec<TargetComponent>,
    },
    /// `@cast(ptr, "type", "module")` with components.
    Cast {
        /// `@cast` or `@user_cast`.
        op: String,
        /// The pointer.
        operand: Box<Expr>,
        /// The type name.
        ty: String,
        /// The module to look the type up in.
        module: Option<String>,
        /// `->field`, `[i]`, `$`.
        components: Vec<TargetComponent>,
    },
    /// `@var("name", "module")` with components.
    AtVar {
        /// The variable's name (`name@file`).
        name: String,
        /// The module.
        module: Option<String>,
        /// `->field`, `[i]`, `$`.
        components: Vec<TargetComponent>,
    },
    /// `@kregister(n)` / `@uregister(n)`.
    Register {
        /// `@kregister` or `@uregister`.
        op: String,
        /// The register number.
        operand: Box<Expr>,
    },
    /// `expr->field`: a value used as a typed pointer (debuginfo; rejected later).
    AutoCast {
        /// The pointer value.
        operand: Box<Expr>,
        /// `->field`, `[i]`, `$`.
        components: Vec<TargetComponent>,
    },
    /// `@kderef(size, addr)` / `@uderef(size, addr)`.
    Deref {
        /// `@kderef` or `@uderef`.
        op: String,
        /// Bytes to read.
        size: i64,
        /// The address.
        addr: Box<Expr>,
    },
    /// `%{ C code %}` as an expression.
    Embedded(Embedded),
}
