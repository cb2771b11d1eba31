//! The command line: stap's options, what is not implemented yet says so, output files.

mod common;

use common::{assert_code, run, stderr, stdout};

#[test]
fn version_names_the_language() {
    let out = run(&["-V"]);
    assert_code(&out, 0);
    assert!(stdout(&out).starts_with("stap-rs "), "{}", stdout(&out));
    assert!(stdout(&out).contains("SystemTap language 5.0"));
}

#[test]
fn help_lists_stap_options() {
    let out = run(&["-h"]);
    assert_code(&out, 0);
    let help = stdout(&out);
    for opt in [
        "-e <TEXT>",
        "-c <CMD>",
        "-x <PID>",
        "-l <PATTERN>",
        "-L <PATTERN>",
        "-p <N>",
        "-v",
        "-o <FILE>",
        "-I <DIR>",
        "-D <NAME=VALUE>",
        "-T <SECONDS>",
        "-t",
        "-i",
        "--dump-functions",
        "--dump-probe-aliases",
        "-V",
    ] {
        assert!(help.contains(opt), "help lacks {opt}:\n{help}");
    }
}

#[test]
fn e_script_parses_with_input_as_file_name() {
    let out = run(&["-p1", "-e", "probe begin { exit() }"]);
    assert_code(&out, 0);
    assert_eq!(
        stdout(&out),
        "# parse tree dump\n# file <input>\nprobe begin{\nexit();\n}\n\n"
    );
}

#[test]
fn script_arguments_follow_the_script() {
    let out = run(&[
        "-p1",
        "-e",
        "probe begin { println($1, @2, $#) }",
        "7",
        "two words",
    ]);
    assert_code(&out, 0);
    assert!(
        stdout(&out).contains("println(7, \"two words\", 2);"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn passes_stop_where_asked() {
    let script = "global n probe begin { n = 1; exit() }";
    let out = run(&["-p2", "-e", script]);
    assert_code(&out, 0);
    assert_eq!(
        stdout(&out),
        "# globals\nn:long\n# probes\nbegin /* <- begin */\n"
    );
    let out = run(&["-p4", "-e", script]);
    assert_code(&out, 0);
    assert!(stdout(&out).ends_with(" bytes of machine code in 1 handlers\n"));
    let out = run(&["-e", script]);
    assert_code(&out, 0);
    assert_eq!(stdout(&out), "n=1\n");
}

#[test]
fn targets_need_the_perf_events_work() {
    let out = run(&["-c", "true", "-e", "probe begin { exit() }"]);
    assert_code(&out, 1);
    assert_eq!(
        stderr(&out),
        "stap-rs: ERROR: -c CMD needs perf events, which are not implemented yet in this \
         version of stap-rs\n"
    );
}

#[test]
fn modes_not_implemented_say_so() {
    for (args, name) in [
        (vec!["-l", "perf.*"], "-l PATTERN"),
        (vec!["-L", "perf.*"], "-L PATTERN"),
        (vec!["-i"], "-i (the REPL)"),
        (vec!["--dump-functions"], "--dump-functions"),
        (vec!["--dump-probe-aliases"], "--dump-probe-aliases"),
    ] {
        let out = run(&args);
        assert_code(&out, 1);
        assert_eq!(
            stderr(&out),
            format!("stap-rs: ERROR: {name} is not implemented yet in this version of stap-rs\n")
        );
    }
}

#[test]
fn missing_script_is_an_error() {
    let out = run(&[]);
    assert_code(&out, 1);
    assert_eq!(
        stderr(&out),
        "stap-rs: ERROR: no script given: name a script file, or give its text with -e 'probe begin { ... }'\n"
    );
    let out = run(&["-p1", "no/such/file.stp"]);
    assert_code(&out, 1);
    assert_eq!(
        stderr(&out),
        "stap-rs: ERROR: cannot read script file 'no/such/file.stp': No such file or directory (os error 2)\n"
    );
}

#[test]
fn bad_option_values_are_errors() {
    let out = run(&["-p1", "-D", "=5", "-e", "probe begin {}"]);
    assert_code(&out, 1);
    assert_eq!(
        stderr(&out),
        "stap-rs: ERROR: invalid -D option '=5': expected NAME=VALUE, such as -D MAXACTION=10000\n"
    );
    let out = run(&["-p9", "-e", "probe begin {}"]);
    assert_code(&out, 2);
    assert!(
        stderr(&out).contains("invalid value '9' for '-p <N>'"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn empty_scripts_are_errors_as_in_systemtap() {
    let out = run(&["-p1", "-e", "  # only a comment\n"]);
    assert_code(&out, 1);
    assert_eq!(
        stderr(&out),
        "Input file '<input>' is empty.\nPass 1: parse failed.  [man error::pass1]\n"
    );
    let out = run(&["-p1", "-e", "%( 1 == 2 %? probe begin {} %)"]);
    assert_code(&out, 1);
    assert_eq!(
        stderr(&out),
        "Input file '<input>' is empty after preprocessing.\nPass 1: parse failed.  [man error::pass1]\n"
    );
}

#[test]
fn output_file_receives_the_parse_tree() {
    let path = std::env::temp_dir().join(format!("stap-rs-o-{}.txt", std::process::id()));
    let out = run(&[
        "-p1",
        "-o",
        path.to_str().expect("utf-8"),
        "-e",
        "probe end {}",
    ]);
    assert_code(&out, 0);
    assert!(out.stdout.is_empty());
    let text = std::fs::read_to_string(&path).expect("output file");
    assert_eq!(text, "# parse tree dump\n# file <input>\nprobe end{\n}\n\n");
    let _ = std::fs::remove_file(path);
}

#[test]
fn verbose_reports_pass_one_like_stap() {
    let out = run(&["-p1", "-v", "-e", "probe end {}"]);
    assert_code(&out, 0);
    let err = stderr(&out);
    assert!(
        err.starts_with("Pass 1: parsed user script and ") && err.contains("real ms.\n"),
        "{err}"
    );
}

#[test]
fn library_macros_come_from_include_directories() {
    let dir = std::env::temp_dir().join(format!("stap-rs-tapset-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(dir.join("mine.stpm"), "@define twice(x) %( (2 * @x) %)\n").expect("stpm");
    let out = run(&[
        "-p1",
        "-I",
        dir.to_str().expect("utf-8"),
        "-e",
        "probe begin { y = @twice(3) }",
    ]);
    assert_code(&out, 0);
    assert!(
        stdout(&out).contains("(y) = ((2) * (3));"),
        "{}",
        stdout(&out)
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn output_goes_to_the_file_given_with_o() {
    let dir = std::env::temp_dir().join(format!("stap-rs-o-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("out.txt");
    let out = run(&[
        "-o",
        file.to_str().unwrap(),
        "-e",
        r#"global x probe begin { x = 3; printf("%d lines\n", 2); exit() }"#,
    ]);
    assert_code(&out, 0);
    assert_eq!(stdout(&out), "");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "2 lines\nx=3\n");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn sigterm_ends_the_session_like_exit() {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_stap-rs"))
        .args([
            "-e",
            r#"global n probe begin { println("started") } probe timer.ms(5) { n++ }
               probe end { printf("ended %d\n", n > 0) }"#,
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 8];
    // The begin probe has run once "started" is out; the timers are running by then.
    std::io::Read::read_exact(&mut stdout, &mut first).unwrap();
    assert_eq!(&first, b"started\n");
    std::thread::sleep(std::time::Duration::from_millis(100));
    // The shell's own `kill`: no procps needed.
    let killed = std::process::Command::new("sh")
        .args(["-c", &format!("kill -TERM {}", child.id())])
        .status()
        .unwrap();
    assert!(killed.success());
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(rest, "ended 1\n");
    assert_eq!(status.code(), Some(0));
}
