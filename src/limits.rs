//! `-D NAME=VALUE`: SystemTap's limit macros, turned into the runtime's limits and the
//! code generator's options. Other names are accepted and ignored, as SystemTap passes
//! them to a C compiler stap-rs does not have.

use anyhow::{Result, bail};
use stap_compiler::codegen::CodegenOptions;
use stap_runtime::Limits;

/// The deepest `MAXNESTING` allowed: handler threads have stacks for this many frames.
const MAX_NESTING: i64 = 100_000;

/// The limits and code generation options `defines` ask for.
pub fn from_defines(defines: &[(String, String)]) -> Result<(Limits, CodegenOptions)> {
    let mut limits = Limits::default();
    let mut codegen = CodegenOptions::default();
    for (name, value) in defines {
        let known = [
            "MAXACTION",
            "MAXSTRINGLEN",
            "MAXMAPENTRIES",
            "MAXERRORS",
            "MAXSKIPPED",
            "MAXNESTING",
        ];
        if !known.contains(&name.as_str()) {
            continue;
        }
        let Ok(n) = value.parse::<i64>() else {
            bail!("invalid -D option '{name}={value}': {name} must be a number");
        };
        if n < 0 || (n == 0 && name != "MAXERRORS" && name != "MAXSKIPPED") {
            bail!("invalid -D option '{name}={value}': {name} must be positive");
        }
        if name == "MAXNESTING" && n > MAX_NESTING {
            bail!(
                "invalid -D option '{name}={value}': stap-rs allows at most {MAX_NESTING} \
                 nested calls, which its handler threads' stacks hold"
            );
        }
        match name.as_str() {
            "MAXACTION" => limits.max_action = n,
            "MAXSTRINGLEN" => limits.max_string_len = n as usize,
            "MAXMAPENTRIES" => limits.max_map_entries = n as usize,
            "MAXERRORS" => limits.max_errors = n as u64,
            "MAXSKIPPED" => limits.max_skipped = n as u64,
            _ => codegen.max_nesting = n,
        }
    }
    Ok((limits, codegen))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(name: &str, value: &str) -> (String, String) {
        (name.to_string(), value.to_string())
    }

    #[test]
    fn limits_come_from_defines() {
        let (l, c) =
            from_defines(&[d("MAXACTION", "5"), d("MAXNESTING", "3"), d("FOO", "x")]).unwrap();
        assert_eq!(l.max_action, 5);
        assert_eq!(c.max_nesting, 3);
        let e = from_defines(&[d("MAXNESTING", "200000")]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid -D option 'MAXNESTING=200000': stap-rs allows at most 100000 nested \
             calls, which its handler threads' stacks hold"
        );
        let e = from_defines(&[d("MAXSTRINGLEN", "big")]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid -D option 'MAXSTRINGLEN=big': MAXSTRINGLEN must be a number"
        );
    }
}
