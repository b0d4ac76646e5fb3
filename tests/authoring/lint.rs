//! `newsvc templates validate`: one fixture template per problem under
//! `tests/fixtures/lint/<problem>/`, each built to have exactly that problem,
//! a clean control, and the default template.

use std::path::PathBuf;

use crate::{World, run};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/lint")
        .join(name)
}

/// Lints a fixture; returns the exit code and the finding lines.
fn validate(name: &str) -> (i32, Vec<String>, String) {
    let w = World::new();
    let ran = run(w.newsvc(&["templates", "validate", fixture(name).to_str().unwrap()]));
    let findings = ran
        .stdout
        .lines()
        .take_while(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    (ran.code, findings, format!("{}{}", ran.stdout, ran.stderr))
}

/// Asserts that fixture `name` has exactly one finding: `expected`.
fn finds(name: &str, expected: &str) {
    let (code, findings, output) = validate(name);
    assert_eq!(code, 1, "{output}");
    assert_eq!(findings, vec![expected.to_string()], "{output}");
    assert!(
        output.contains(&format!("template `{name}` 1.0.0 (")) && output.contains("): 1 problem;"),
        "{output}"
    );
}

#[test]
fn a_clean_template_passes() {
    let (code, findings, output) = validate("clean");
    assert_eq!(code, 0, "{output}");
    assert_eq!(findings.len(), 1, "{output}");
    assert!(
        findings[0].ends_with("no problems; 2 of 2 cases rendered (7 files)"),
        "{output}"
    );
}

#[test]
fn tera_syntax_errors_with_file_and_line() {
    finds(
        "syntax-error",
        "files/README.md:3: syntax: Found `}}` but expected identifier.",
    );
}

#[test]
fn variables_no_question_or_computed_value_defines() {
    finds(
        "undefined-variable",
        "files/README.md:3: undefined-variable: this file uses `servce_name`, which no question or computed value defines (did you mean `service_name`?)",
    );
}

#[test]
fn questions_never_used() {
    finds(
        "unused-question",
        "template.yaml:12: unused-question: question `colour` is asked but never used: no file, path, condition, default or computed value mentions it; use it or remove it",
    );
}

#[test]
fn when_naming_an_unknown_question_is_a_finding_not_a_load_error() {
    finds(
        "unknown-in-when",
        "template.yaml:13: unknown-in-when: file rule path `Cargo.toml`: field `when`: `lang == \"rust\"` refers to unknown question `lang`; it can use: service_name, language",
    );
    // the same template cannot be used by `new`: there it is a load error
    let w = World::new();
    let ran = run(w.newsvc(&[
        "new",
        "x-svc",
        "--template",
        fixture("unknown-in-when").to_str().unwrap(),
        "--defaults",
        "--no-git",
    ]))
    .expect(2);
    assert!(
        ran.stderr
            .contains("template.yaml:13: file rule path `Cargo.toml`"),
        "{}",
        ran.stderr
    );
}

#[test]
fn file_rules_matching_nothing() {
    finds(
        "unmatched-rule",
        "template.yaml:13: unmatched-rule: file rule #1 (path `**/*.sh`) matches no file under files/; fix its pattern or remove it",
    );
}

#[test]
fn cases_whose_answers_fail_validation() {
    let (code, findings, output) = validate("invalid-case");
    assert_eq!(code, 1, "{output}");
    assert_eq!(findings.len(), 1, "{output}");
    assert!(
        findings[0].starts_with("template.yaml:18: invalid-case: case `bad-name`: invalid answer for `service_name`: `Lint_Bad` has uppercase letters"),
        "{output}"
    );
    assert!(output.contains("2 of 3 cases rendered"), "{output}");
}

#[test]
fn rendered_paths_that_collide() {
    finds(
        "path-collision",
        "files/README.md: collision: `files/README.md` and `files/lang/rust/README.md` both render to `README.md` (case rust)",
    );
}

#[test]
fn the_default_template_passes_from_its_folder_and_built_in() {
    let w = World::new();
    let folder = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("templates/service");
    for source in [folder.to_str().unwrap(), "service"] {
        let ran = run(w.newsvc(&["templates", "validate", source]));
        assert_eq!(ran.code, 0, "{source}:\n{}{}", ran.stdout, ran.stderr);
        assert!(
            ran.stdout.contains("template `service`") && ran.stdout.contains("no problems"),
            "{}",
            ran.stdout
        );
    }
    // no SOURCE: the configured default, which is the built-in template
    run(w.newsvc(&["templates", "validate"])).expect(0);
}

#[test]
fn a_manifest_that_does_not_parse_is_one_finding() {
    let w = World::new();
    let dir = w.template(
        "broken",
        "name: broken\nversion: 1.0.0\nquestions:\n  - name: a\n    type: colour\n",
        &[],
    );
    let ran = run(w.newsvc(&["templates", "validate", dir.to_str().unwrap()])).expect(1);
    assert!(
        ran.stdout
            .starts_with("template.yaml:5: manifest: questions[0].type: unknown variant `colour`"),
        "{}",
        ran.stdout
    );
    assert!(
        ran.stdout
            .contains("cases not rendered: the manifest does not parse"),
        "{}",
        ran.stdout
    );
}
