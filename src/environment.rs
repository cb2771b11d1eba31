//! What preprocessor conditions ask about the machine: kernel release and
//! configuration, architecture. Read here, in the binary, so the compiler makes no
//! system calls.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use stap_compiler::Environment;

/// The environment of this machine, or of the kernel `-r` names, with the script's
/// arguments.
pub fn detect(args: Vec<String>, guru: bool, kernel: Option<&str>) -> Environment {
    let (kernel_release, kernel_config) = match kernel {
        Some(dir) if Path::new(dir).is_dir() => {
            let dir = Path::new(dir);
            let release = std::fs::read_to_string(dir.join("include/config/kernel.release"))
                .map(|s| s.trim().to_string())
                .unwrap_or_default();
            let config = std::fs::read_to_string(dir.join(".config")).unwrap_or_default();
            (release, parse_kernel_config(&config))
        }
        Some(release) => (release.to_string(), read_kernel_config(release)),
        None => {
            let release = std::fs::read_to_string("/proc/sys/kernel/osrelease")
                .map(|s| s.trim().to_string())
                .unwrap_or_default();
            let config = read_kernel_config(&release);
            (release, config)
        }
    };
    Environment {
        kernel_release,
        arch: kernel_arch(std::env::consts::ARCH).to_string(),
        guru_mode: guru,
        kernel_config,
        args,
        ..Environment::default()
    }
}

/// The kernel's name for a Rust target architecture.
fn kernel_arch(rust_arch: &str) -> &str {
    match rust_arch {
        "aarch64" => "arm64",
        "x86" => "i386",
        "powerpc64" => "powerpc",
        "riscv64" => "riscv",
        "loongarch64" => "loongarch",
        other => other,
    }
}

/// `CONFIG_*` values from /boot/config-RELEASE or /proc/config.gz (empty if neither).
fn read_kernel_config(release: &str) -> HashMap<String, String> {
    let text = std::fs::read_to_string(format!("/boot/config-{release}")).or_else(|_| {
        let file = std::fs::File::open("/proc/config.gz")?;
        let mut s = String::new();
        flate2::read::GzDecoder::new(file).read_to_string(&mut s)?;
        Ok::<_, std::io::Error>(s)
    });
    parse_kernel_config(&text.unwrap_or_default())
}

/// Parses `CONFIG_X=value` lines; quotes around string values are removed.
fn parse_kernel_config(text: &str) -> HashMap<String, String> {
    text.lines()
        .filter_map(|l| l.split_once('='))
        .filter(|(k, _)| k.starts_with("CONFIG_"))
        .map(|(k, v)| (k.to_string(), v.trim_matches('"').to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_lines_are_parsed() {
        let c =
            parse_kernel_config("# comment\nCONFIG_A=y\nCONFIG_B=\"s\"\n# CONFIG_C is not set\n");
        assert_eq!(c.get("CONFIG_A").map(String::as_str), Some("y"));
        assert_eq!(c.get("CONFIG_B").map(String::as_str), Some("s"));
        assert!(!c.contains_key("CONFIG_C"));
    }
}
