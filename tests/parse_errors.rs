//! Every syntax error names file:line:col, shows the line with a caret, says what
//! was expected and what was found, and exits 1; independent errors are all reported.
//! The texts follow SystemTap's layout (`parse error:`, `saw:`, `source:`), and the
//! places are where SystemTap reports them.

mod common;

use common::{assert_code, p1_text, stderr};

fn check(name: &str, script: &str, expected: &str) {
    let out = p1_text(&format!("{name}.stp"), script.as_bytes());
    assert_code(&out, 1);
    assert!(out.stdout.is_empty(), "{name}: nothing on stdout");
    assert_eq!(stderr(&out), expected, "{name}");
}

#[test]
fn missing_operand() {
    check(
        "missing_operand",
        r#"probe begin { x = 1 + }"#,
        r#"parse error: expected an expression
        saw: operator '}' at missing_operand.stp:1:23
     source: probe begin { x = 1 + }
                                   ^

1 parse error.
Pass 1: parse failed.  [man error::pass1]
"#,
    );
}

#[test]
fn if_without_statement() {
    check(
        "if_without_statement",
        r#"probe begin { if (x) }"#,
        r#"parse error: expected a statement
        saw: operator '}' at if_without_statement.stp:1:22
     source: probe begin { if (x) }
                                  ^

1 parse error.
Pass 1: parse failed.  [man error::pass1]
"#,
    );
}

#[test]
fn global_initialiser_not_literal() {
    check(
        "global_initialiser_not_literal",
        r#"global x = y"#,
        r#"parse error: expected a literal string or number
        saw: identifier 'y' at global_initialiser_not_literal.stp:1:12
     source: global x = y
                        ^

1 parse error.
Pass 1: parse failed.  [man error::pass1]
"#,
    );
}

#[test]
fn printf_format_not_literal() {
    check(
        "printf_format_not_literal",
        r#"probe begin { printf(fmt, 1) }"#,
        r#"parse error: expected literal string
        saw: identifier 'fmt' at printf_format_not_literal.stp:1:22
     source: probe begin { printf(fmt, 1) }
                                  ^

1 parse error.
Pass 1: parse failed.  [man error::pass1]
"#,
    );
}

#[test]
fn return_outside_function() {
    check(
        "return_outside_function",
        r#"probe begin { return 1 }"#,
        r#"parse error: found 'return' not in function context
        saw: keyword at return_outside_function.stp:1:15
     source: probe begin { return 1 }
                           ^

1 parse error.
Pass 1: parse failed.  [man error::pass1]
"#,
    );
}

#[test]
fn unknown_at_operator() {
    check(
        "unknown_at_operator",
        r#"probe begin { x = @foo(1) }"#,
        r#"parse error: unknown operator @foo
        saw: operator '@foo' at unknown_at_operator.stp:1:19
     source: probe begin { x = @foo(1) }
                               ^

1 parse error.
Pass 1: parse failed.  [man error::pass1]
"#,
    );
}

#[test]
fn unclosed_index() {
    check(
        "unclosed_index",
        r#"probe begin { a[1 = 2 }"#,
        r#"parse error: expected ',' or ']'
        saw: operator '}' at unclosed_index.stp:1:23
     source: probe begin { a[1 = 2 }
                                   ^

1 parse error.
Pass 1: parse failed.  [man error::pass1]
"#,
    );
}

#[test]
fn stray_closing_brace() {
    check(
        "stray_closing_brace",
        r#"probe begin { x = 1 }}"#,
        r#"parse error: expected 'probe', 'global', 'private', 'function', or '%{'
        saw: operator '}' at stray_closing_brace.stp:1:22
     source: probe begin { x = 1 }}
                                  ^

1 parse error.
Pass 1: parse failed.  [man error::pass1]
"#,
    );
}

#[test]
fn number_out_of_range() {
    check(
        "number_out_of_range",
        r#"probe begin { x = 99999999999999999999 }"#,
        r#"parse error: number invalid or out of range
        saw: number '99999999999999999999' at number_out_of_range.stp:1:19
     source: probe begin { x = 99999999999999999999 }
                               ^

1 parse error.
Pass 1: parse failed.  [man error::pass1]
"#,
    );
}

#[test]
fn unterminated_string() {
    check(
        "unterminated_string",
        r#"probe begin { x = "abc
}"#,
        r#"parse error: could not find matching closing quote
         at: unterminated_string.stp:1:19
     source: probe begin { x = "abc
                               ^

1 parse error.
Pass 1: parse failed.  [man error::pass1]
"#,
    );
}

#[test]
fn unterminated_comment() {
    check(
        "unterminated_comment",
        r#"probe begin { /* x"#,
        r#"parse error: unterminated comment: '/*' without '*/'
         at: unterminated_comment.stp:1:15
     source: probe begin { /* x
                           ^

1 parse error.
Pass 1: parse failed.  [man error::pass1]
"#,
    );
}

#[test]
fn unterminated_embedded_code() {
    check(
        "unterminated_embedded_code",
        r#"probe begin { %{ x"#,
        r#"parse error: could not find matching '%}' to close embedded code block
         at: unterminated_embedded_code.stp:1:15
     source: probe begin { %{ x
                           ^

1 parse error.
Pass 1: parse failed.  [man error::pass1]
"#,
    );
}

#[test]
fn probe_without_point() {
    check(
        "probe_without_point",
        r#"probe { }"#,
        r#"parse error: expected a probe point
        saw: operator '}' at probe_without_point.stp:1:9
     source: probe { }
                     ^

1 parse error.
Pass 1: parse failed.  [man error::pass1]
"#,
    );
}

#[test]
fn duplicate_parameters() {
    check(
        "duplicate_parameters",
        r#"function f(a, a) {}"#,
        r#"parse error: duplicate parameter names
        saw: identifier 'a' at duplicate_parameters.stp:1:15
     source: function f(a, a) {}
                           ^

1 parse error.
Pass 1: parse failed.  [man error::pass1]
"#,
    );
}

#[test]
fn optional_alias_name() {
    check(
        "optional_alias_name",
        r#"probe a? = begin {}"#,
        r#"parse error: probe point alias name cannot be optional nor sufficient
        saw: identifier 'a' at optional_alias_name.stp:1:7
     source: probe a? = begin {}
                   ^

1 parse error.
Pass 1: parse failed.  [man error::pass1]
"#,
    );
}

#[test]
fn incomplete_conditional() {
    check(
        "incomplete_conditional",
        r#"%( arch == "x86_64" %? probe begin {}"#,
        r#"parse error: incomplete conditional at end of file
        saw: operator '%(' at incomplete_conditional.stp:1:1
     source: %( arch == "x86_64" %? probe begin {}
             ^

1 parse error.
Pass 1: parse failed.  [man error::pass1]
"#,
    );
}

#[test]
fn regex_needs_literal() {
    check(
        "regex_needs_literal",
        r#"probe begin { s =~ x }"#,
        r#"parse error: expected literal string
        saw: identifier 'x' at regex_needs_literal.stp:1:20
     source: probe begin { s =~ x }
                                ^

1 parse error.
Pass 1: parse failed.  [man error::pass1]
"#,
    );
}

#[test]
fn print_needs_a_value() {
    check(
        "print_needs_a_value",
        r#"probe begin { print() }"#,
        r#"parse error: expected an expression
        saw: operator ')' at print_needs_a_value.stp:1:21
     source: probe begin { print() }
                                 ^

1 parse error.
Pass 1: parse failed.  [man error::pass1]
"#,
    );
}

#[test]
fn too_many_macro_arguments() {
    check(
        "too_many_macro_arguments",
        r#"@define f(a) %( @a %) probe begin { x = @f(1, 2) }"#,
        r#"parse error: too many parameters for macro '@f' (expected 1)
        saw: operator ',' at too_many_macro_arguments.stp:1:45
     source: @define f(a) %( @a %) probe begin { x = @f(1, 2) }
                                                         ^

1 parse error.
Pass 1: parse failed.  [man error::pass1]
"#,
    );
}

#[test]
fn bare_histogram() {
    check(
        "bare_histogram",
        r#"probe begin { x = @hist_log(s) }"#,
        r#"parse error: base histogram operator where expression expected
        saw: operator '@hist_log' at bare_histogram.stp:1:19
     source: probe begin { x = @hist_log(s) }
                               ^

1 parse error.
Pass 1: parse failed.  [man error::pass1]
"#,
    );
}

#[test]
fn multiple_sort_directives() {
    check(
        "multiple_sort_directives",
        r#"probe begin { foreach ([a+, b-] in x) {} }"#,
        r#"parse error: multiple sort directives
        saw: operator '-' at multiple_sort_directives.stp:1:30
     source: probe begin { foreach ([a+, b-] in x) {} }
                                          ^

1 parse error.
Pass 1: parse failed.  [man error::pass1]
"#,
    );
}

#[test]
fn argument_out_of_range() {
    check(
        "argument_out_of_range",
        r#"probe begin { x = $2 }"#,
        r#"parse error: command line argument out of range [1-0]
        saw: junk '' at argument_out_of_range.stp:1:19
     source: probe begin { x = $2 }
                               ^

1 parse error.
Pass 1: parse failed.  [man error::pass1]
"#,
    );
}

#[test]
fn bad_condition() {
    check(
        "bad_condition",
        r#"%( foo == 1 %? probe begin {} %)"#,
        r#"parse error: expected 'arch', 'kernel_v', 'kernel_vr', 'systemtap_v',
             'runtime', 'systemtap_privilege', 'CONFIG_...', or
             comparison between strings or integers
        saw: identifier 'foo' at bad_condition.stp:1:4
     source: %( foo == 1 %? probe begin {} %)
                ^

1 parse error.
Pass 1: parse failed.  [man error::pass1]
"#,
    );
}

#[test]
fn three_independent_errors() {
    check(
        "three_independent_errors",
        r#"probe begin { x = 1 }
probe end { y = }
probe timer.s(1) { z = ( }
function f( { }
"#,
        r#"parse error: expected an expression
        saw: operator '}' at three_independent_errors.stp:2:17
     source: probe end { y = }
                             ^

parse error: expected an expression
        saw: operator '}' at three_independent_errors.stp:3:26
     source: probe timer.s(1) { z = ( }
                                      ^

parse error: expected an identifier or ')'
        saw: operator '{' at three_independent_errors.stp:4:13
     source: function f( { }
                         ^

3 parse errors.
Pass 1: parse failed.  [man error::pass1]
"#,
    );
}

#[test]
fn top_level_statement() {
    check(
        "top_level_statement",
        r#"x = 1"#,
        r#"parse error: expected 'probe', 'global', 'private', 'function', or '%{'
        saw: identifier 'x' at top_level_statement.stp:1:1
     source: x = 1
             ^

1 parse error.
Pass 1: parse failed.  [man error::pass1]
"#,
    );
}

#[test]
fn junk_byte() {
    check(
        "junk_byte",
        "probe begin { x = 1 \u{1} }",
        "parse error: expected a statement or '}'\n        saw: junk '\\x01' at junk_byte.stp:1:21\n     source: probe begin { x = 1 \u{1} }\n                                 ^\n\n1 parse error.\nPass 1: parse failed.  [man error::pass1]\n",
    );
}

#[test]
fn invalid_conversion_specifier() {
    check(
        "invalid_conversion_specifier",
        r#"probe begin { printf("%6  %s\n", 1, 2) }"#,
        r#"parse error: invalid or missing conversion specifier
        saw: operator ',' at invalid_conversion_specifier.stp:1:32
     source: probe begin { printf("%6  %s\n", 1, 2) }
                                            ^

1 parse error.
Pass 1: parse failed.  [man error::pass1]
"#,
    );
}

#[test]
fn trailing_incomplete_conversion() {
    check(
        "trailing_incomplete_conversion",
        r#"probe begin { printf("%d %-", 1) }"#,
        r#"parse error: trailing incomplete print format conversion
        saw: operator ',' at trailing_incomplete_conversion.stp:1:29
     source: probe begin { printf("%d %-", 1) }
                                         ^

1 parse error.
Pass 1: parse failed.  [man error::pass1]
"#,
    );
}

#[test]
fn unknown_operator_reported_first() {
    check(
        "unknown_operator_reported_first",
        r#"probe begin { print(@hist_l--og(values)) }"#,
        r#"parse error: unknown operator @hist_l
        saw: operator '@hist_l' at unknown_operator_reported_first.stp:1:21
     source: probe begin { print(@hist_l--og(values)) }
                                 ^

1 parse error.
Pass 1: parse failed.  [man error::pass1]
"#,
    );
}

#[test]
fn print_name_must_be_called() {
    check(
        "print_name_must_be_called",
        r#"probe begin { x = println }"#,
        r#"parse error: expected '('
        saw: operator '}' at print_name_must_be_called.stp:1:27
     source: probe begin { x = println }
                                       ^

1 parse error.
Pass 1: parse failed.  [man error::pass1]
"#,
    );
}

#[test]
fn keyword_as_global_name() {
    check(
        "keyword_as_global_name",
        r#"global faults, in addresses"#,
        r#"parse error: expected an identifier
        saw: keyword at keyword_as_global_name.stp:1:16
     source: global faults, in addresses
                            ^

1 parse error.
Pass 1: parse failed.  [man error::pass1]
"#,
    );
}

#[test]
fn regex_operator_in_probe_point() {
    check(
        "regex_operator_in_probe_point",
        r#"probe timer.pr=~ofile {}"#,
        r#"parse error: expected '=', '+=', '!', '?' or '{'
        saw: operator '=~' at regex_operator_in_probe_point.stp:1:15
     source: probe timer.pr=~ofile {}
                           ^

1 parse error.
Pass 1: parse failed.  [man error::pass1]
"#,
    );
}

#[test]
fn function_type_then_junk() {
    check(
        "function_type_then_junk",
        r#"function loops:long>(n:long) {}"#,
        r#"parse error: expected '('
        saw: operator '>' at function_type_then_junk.stp:1:20
     source: function loops:long>(n:long) {}
                                ^

1 parse error.
Pass 1: parse failed.  [man error::pass1]
"#,
    );
}

#[test]
fn duplicate_global_names() {
    check(
        "duplicate_global_names",
        r#"global x
global y, x
private z
global z
probe begin {}
"#,
        r#"parse error: duplicate global name
        saw: identifier 'x' at duplicate_global_names.stp:2:11
     source: global y, x
                       ^

parse error: global versus private variable declaration conflict
        saw: identifier 'z' at duplicate_global_names.stp:4:8
     source: global z
                    ^

2 parse errors.
Pass 1: parse failed.  [man error::pass1]
"#,
    );
}

#[test]
fn deep_nesting_limit() {
    let script = format!(
        "probe begin {{ x = {}1{} }}",
        "(".repeat(20_001),
        ")".repeat(20_001)
    );
    let out = p1_text("deep.stp", script.as_bytes());
    assert_code(&out, 1);
    let err = stderr(&out);
    assert!(
        err.starts_with(
            "parse error: nesting too deep: more than 20000 open brackets; split the expression into smaller pieces\n        saw: operator '(' at deep.stp:1:20018\n"
        ),
        "{err}"
    );
    assert!(
        err.ends_with("1 parse error.\nPass 1: parse failed.  [man error::pass1]\n"),
        "{err}"
    );
}
