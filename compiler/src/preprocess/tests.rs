use super::*;
use crate::source::SourceFile;

fn expand(text: &str, args: &[&str]) -> (String, Vec<String>) {
    let mut map = SourceMap::new();
    let file = map.add(SourceFile::new("t.stp", text));
    let env = Environment {
        kernel_release: "6.18.0-1-amd64".into(),
        arch: "x86_64".into(),
        args: args.iter().map(|s| s.to_string()).collect(),
        ..Environment::default()
    };
    let (e, d) = preprocess(&map, file, &env, &MacroLibrary::new());
    (e.text, d.into_iter().map(|d| d.message).collect())
}

#[test]
fn conditionals_keep_one_branch() {
    assert_eq!(expand("%( arch == \"x86_64\" %? a %: b %)", &[]).0, "a");
    assert_eq!(expand("%( kernel_v >= \"2.6.30\" %? a %: b %)", &[]).0, "a");
    assert_eq!(expand("%( kernel_v < \"2.6.30\" %? a %: b %)", &[]).0, "b");
    assert_eq!(expand("%( $# > 1 %? many %: few %)", &["x", "y"]).0, "many");
    assert_eq!(
        expand("%( 1 == 2 || 2 == 2 && 3 == 3 %? yes %: no %)", &[]).0,
        "yes"
    );
    assert_eq!(
        expand("x %( 1 == 1 %? %( 2 == 1 %? a %: b %) %) y", &[]).0,
        "x b y"
    );
}

#[test]
fn neighbouring_tokens_keep_their_text() {
    assert_eq!(
        expand("probe syscall.* { x = 1 } # c", &[]).0,
        "probe syscall.* { x = 1 }"
    );
}

#[test]
fn macros_expand_with_parameters() {
    let (text, errors) = expand(
        "@define add(a,b) %( ((@a)+(@b)) %)\nx = @add(1, @add(2,3))",
        &[],
    );
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(
        text.split_whitespace().collect::<String>(),
        "x=((1)+(((2)+(3))))"
    );
}

#[test]
fn script_arguments_are_pasted() {
    assert_eq!(
        expand("x = $1 + @2", &["5", "a\"b"]).0,
        "x = 5 + \"a\\\"b\""
    );
    assert_eq!(
        expand("x = $3", &["1"]).1,
        ["command line argument out of range [1-1]"]
    );
}

#[test]
fn broken_conditionals_are_errors() {
    assert_eq!(
        expand("%( arch == \"x\" %? a", &[]).1,
        ["incomplete conditional at end of file"]
    );
    assert_eq!(
        expand("a %)", &[]).1,
        ["incomplete conditional - missing '%('"]
    );
    assert_eq!(
        expand("%( foo == 1 %? a %)", &[]).1[0],
        "expected 'arch', 'kernel_v', 'kernel_vr', 'systemtap_v',\n             'runtime', 'systemtap_privilege', 'CONFIG_...', or\n             comparison between strings or integers"
    );
}
