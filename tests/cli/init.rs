//! `dossier init` and the help texts.

use std::fs;

use crate::support::*;

#[test]
fn init_writes_a_starter_config_that_builds_and_refuses_to_overwrite() {
    let ws = Workspace::new(&[("model_card.md", "# card\n")]);
    let a = ws.run(&["init", "ev"]).success();
    assert!(stdout_of(&a).contains("wrote ev/dossier.yaml"));
    let text = fs::read_to_string(ws.evidence().join("dossier.yaml")).unwrap();
    assert!(text.contains("name: ev\n"), "{text}");
    assert!(text.contains("risk_category: high"));

    // The starter config builds a package at once; for a high-risk system with one file the
    // gate fails (exit 1) until the evidence is there.
    let a = ws.build(&[]).code(1);
    assert!(stdout_of(&a).contains("package written"), "{}", stdout_of(&a));
    assert_eq!(ws.manifest()["system"]["name"], "ev");

    fs::write(ws.evidence().join("dossier.yaml"), "# mine\n").unwrap();
    let a = ws.run(&["init", "ev"]).code(2);
    assert!(stderr_of(&a).contains("already exists; pass --force"));
    assert_eq!(fs::read_to_string(ws.evidence().join("dossier.yaml")).unwrap(), "# mine\n");
    ws.run(&["init", "ev", "--force"]).success();
    assert!(fs::read_to_string(ws.evidence().join("dossier.yaml")).unwrap().contains("system:"));
}

#[test]
fn every_command_has_help_that_stands_on_its_own() {
    for (args, needle) in [
        (vec!["--help"], "verifiable audit package"),
        (vec!["init", "--help"], "starter dossier.yaml"),
        (vec!["build", "--help"], "--include-evidence"),
        (vec!["verify", "--help"], "moved"),
    ] {
        let a = dossier().args(&args).assert().success();
        let out = stdout_of(&a);
        assert!(out.contains(needle), "{args:?}: {out}");
        assert!(out.contains("3  integrity failure"), "{args:?} lacks exit codes: {out}");
    }
}

#[test]
fn unknown_commands_and_flags_exit_2() {
    dossier().arg("frobnicate").assert().code(2);
    dossier().args(["build", "--no-such-flag"]).assert().code(2);
}
