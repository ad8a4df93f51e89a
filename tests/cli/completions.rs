//! `dossier completions SHELL`: scripts generated from the same definitions as `--help`.

use std::process::Command as Process;

use crate::support::*;

/// What bash's completion function offers for `words`, the last being the word typed.
fn bash_offers(script: &str, words: &[&str]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("dossier.bash");
    std::fs::write(&file, script).unwrap();
    // Bash calls a completion function with the command, the word being completed and
    // the word before it, with COMP_WORDS and COMP_CWORD set.
    let n = words.len() - 1;
    let program = format!(
        "source {}; COMP_WORDS=({}); COMP_CWORD={n}; _dossier dossier {} {}; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        file.display(),
        words.join(" "),
        words[n],
        words[n - 1]
    );
    let out = Process::new("bash").arg("-c").arg(program).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).lines().filter(|l| !l.is_empty()).map(str::to_owned).collect()
}

#[test]
fn bash_completes_commands_and_options_as_defined() {
    let out = dossier().args(["completions", "bash", "--quiet"]).assert().success();
    let script = stdout_of(&out);
    assert_eq!(bash_offers(&script, &["dossier", "d"]), ["diff"]);
    assert_eq!(bash_offers(&script, &["dossier", "build", "--prev"]), ["--previous", "--previous-key"]);
    assert_eq!(bash_offers(&script, &["dossier", "diff", "a", "b", "--old"]), ["--old-key"]);
    let mut commands = bash_offers(&script, &["dossier", "''"]);
    commands.retain(|c| !c.starts_with('-'));
    for command in ["init", "build", "check", "verify", "diff", "keygen", "catalog", "explain", "completions"] {
        assert!(commands.iter().any(|c| c == command), "{command} is not offered: {commands:?}");
    }
}

#[test]
fn every_shell_gets_a_script_and_an_unknown_shell_is_a_usage_error() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = dossier().args(["completions", shell]).assert().success();
        let script = stdout_of(&out);
        assert!(script.contains("previous-key") && script.contains("fail-on-regression"), "{shell}");
    }
    let out = dossier().args(["completions", "tcsh"]).assert().code(2);
    assert_stderr_has(&out, "possible values");
}
