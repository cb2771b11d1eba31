//! Turns pest's "expected one of these rules" into a sentence a user can act on.

use pest::error::{Error, ErrorVariant, InputLocation};

use super::grammar::Rule;
use crate::diagnostic::{Diagnostic, Place};
use crate::lexer::{TokenKind, token_at};
use crate::source::{FileId, Span};

/// The offset (relative to the parsed slice) and message of a pest error.
///
/// `detailed` is the same error from a parse with pest's error detail on, which also
/// knows the literal tokens (`)`, `]`, `;`) that would have been accepted.
pub(super) fn describe(e: &Error<Rule>, detailed: Option<&Error<Rule>>) -> (usize, String) {
    let mut pos = match e.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((p, _)) => p,
    };
    let mut rules: Vec<Rule> = match &e.variant {
        ErrorVariant::ParsingError { positives, .. } => positives.clone(),
        ErrorVariant::CustomError { message } => return (pos, message.clone()),
    };
    let mut tokens: Vec<String> = Vec::new();
    if let Some(attempts) = detailed.and_then(|d| d.parse_attempts())
        && attempts.max_position >= pos
    {
        let expected_tokens: Vec<String> = attempts
            .expected_tokens()
            .into_iter()
            .map(|t| t.to_string())
            .collect();
        let quoted = |set: &[&str]| -> Vec<String> {
            expected_tokens
                .iter()
                .filter(|t| set.contains(&t.as_str()))
                .map(|t| format!("'{t}'"))
                .collect()
        };
        // Literal tokens (a bracket, a comma) may have been tried further on than any
        // rule: then they alone are what is missing, at their place.
        let further = quoted(PUNCTUATION);
        if attempts.max_position > pos && !further.is_empty() {
            pos = attempts.max_position;
            rules.clear();
            tokens = further;
        } else if attempts.max_position == pos {
            tokens = quoted(CLOSING);
        }
    }
    (pos, expected(&rules, &tokens))
}

/// The literal tokens worth naming when they are all that was expected.
const PUNCTUATION: &[&str] = &["(", ")", "[", "]", "{", "}", ",", ":", ";", "="];

/// The literal tokens worth naming beside rules: where something closes or continues.
const CLOSING: &[&str] = &[")", "]", "}", ",", ":"];

/// The `@` operators of the language (macros are gone by now).
const AT_OPERATORS: &[&str] = &[
    "@count",
    "@sum",
    "@min",
    "@max",
    "@avg",
    "@variance",
    "@hist_linear",
    "@hist_log",
    "@defined",
    "@probewrite",
    "@perf",
    "@const",
    "@entry",
    "@cast",
    "@var",
    "@kregister",
    "@uregister",
    "@kderef",
    "@uderef",
];

/// The diagnostic for a syntax error at `pos` of `text` (which starts at offset
/// `origin` of the whole expanded text), saying what was found there.
pub(super) fn diagnostic(
    file: FileId,
    text: &str,
    origin: usize,
    pos: usize,
    message: String,
) -> Diagnostic {
    let found = token_at(text, pos);
    // An `@word` that is neither an operator nor a macro is the error, whatever else
    // the parser expected there: say so, as SystemTap does.
    let message = match &found {
        Some(t)
            if t.kind == TokenKind::Operator
                && t.text.starts_with('@')
                && t.text.len() > 1
                && !AT_OPERATORS.contains(&t.text.as_ref()) =>
        {
            format!("unknown operator {}", t.text)
        }
        _ => message,
    };
    let (saw, end) = match found {
        Some(t) => (t.describe(), t.end),
        None => ("end of file".to_string(), pos),
    };
    let start = token_at(text, pos).map_or(pos, |t| t.start);
    let span = Span::new(file, origin + start, origin + end.max(start));
    Diagnostic::parse_error(message, Place::Span(span)).with_saw(saw)
}

/// What a user would call the thing a rule reads.
fn name(rule: Rule) -> Option<&'static str> {
    use Rule::*;
    Some(match rule {
        declaration | kw_private | global_decl | function_decl | probe_decl => {
            "'probe', 'global', 'private', 'function', or '%{'"
        }
        expr | key_expr | print_word | paren | bracket_in | stat_op | stat_name | hist_op
        | hist_name | defined_op | probewrite_op | perf_op | const_op | entry_op | cast_op
        | atvar_op | register_op | register_name | target_symbol | target_name | embedded_expr
        | number | string_lit | string_piece | pre_inc | pre_dec | neg | plus | not | bitnot
        | addr_of | signed_number | minus | deref_op | deref_name => "an expression",
        block => "'{'",
        null_stmt | try_stmt | if_stmt | for_stmt | while_stmt | foreach_stmt | return_stmt
        | delete_stmt | break_stmt | continue_stmt | next_stmt | expr_stmt => "a statement",
        assign_op | ternary_op | op_or | op_and | op_bitor | op_bitxor | op_bitand | op_match
        | op_nomatch | op_le | op_ge | op_eq | op_ne | op_shl | op_shr | op_ushr | op_lt
        | op_gt | op_concat | op_add | op_sub | op_mul | op_div | op_mod | post_inc | post_dec
        | in_op => "an operator",
        probe_point_list | probe_point | component | component_name | component_group => {
            "a probe point"
        }
        component_arg | global_init => "a literal string or number",
        point_flag => "'!', '?'",
        point_condition => "'if'",
        alias_op => "'=', '+='",
        global_var | ident => "an identifier",
        global_size | priority => "a number",
        wrap_flag => "'%'",
        params | param => "a parameter name",
        type_name => "'string' or 'long'",
        else_clause => "'else'",
        for_init | for_cond | for_step => "an expression",
        foreach_value | foreach_keys | foreach_key => "an identifier or '['",
        foreach_base => "an array name",
        foreach_sort | sort_flag => "'+' or '-'",
        index_list => "'['",
        call_args => "'('",
        wildcard => "'*'",
        member | member_name | target_index | pretty => "'->', '[' or '$'",
        _ => return None,
    })
}

/// "expected a, b or c" from the rules and literal tokens pest tried at the failing place.
fn expected(rules: &[Rule], tokens: &[String]) -> String {
    let mut names: Vec<&str> = Vec::new();
    for r in rules {
        if let Some(n) = name(*r)
            && !names.contains(&n)
        {
            names.push(n);
        }
    }
    for t in tokens {
        if !names.contains(&t.as_str()) {
            names.push(t);
        }
    }
    // After an operand, more operators and target suffixes are always possible; naming
    // them only hides the closing bracket or separator the user forgot.
    if names.len() > 1 {
        names.retain(|n| *n != "an operator" && *n != "'->', '[' or '$'");
    }
    if names.contains(&"an expression") {
        names.retain(|n| *n != "an identifier");
    }
    if names.contains(&"a statement") {
        names.retain(|n| *n != "an expression" && *n != "'{'");
    }
    match names.as_slice() {
        [] => "syntax error".to_string(),
        [one] => format!("expected {one}"),
        [init @ .., last] => format!("expected {} or {last}", init.join(", ")),
    }
}
