//! Git template sources, `URL@REF[//SUBDIR]`, with real repositories served
//! from local paths (`file://`): tags, branches and commits, the bare cache
//! under `$XDG_CACHE_HOME/newsvc/git`, `--offline`, and clear errors.

use std::path::{Path, PathBuf};

use crate::{World, git, newsvc_bin, run};

fn manifest(version: &str) -> String {
    format!(
        "name: gitdemo\nversion: {version}\nquestions:\n  - name: service_name\n    type: string\n    validate: service_name\ncases:\n  - name: one\n    answers: {{service_name: from-git}}\n"
    )
}

/// The origin repository and its commits.
struct Origin {
    dir: PathBuf,
    /// v1.0.0 (tagged), then main's head, then the `next` branch's head.
    tagged: String,
    main: String,
    next: String,
}

impl Origin {
    fn url(&self) -> String {
        format!("file://{}", self.dir.display())
    }
    fn source(&self, reference: &str) -> String {
        format!("{}@{reference}", self.url())
    }
}

fn commit_template(dir: &Path, version: &str, readme: &str) -> String {
    std::fs::write(dir.join("template.yaml"), manifest(version)).unwrap();
    std::fs::write(dir.join("files/README.md"), readme).unwrap();
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", &format!("template {version}")]);
    git(dir, &["rev-parse", "HEAD"])
}

/// A template repository at `origin/`: the template at the root, a
/// `docs/` folder without a template, and a second template in `sets/other`.
fn origin(w: &World) -> Origin {
    let dir = w.path("origin");
    std::fs::create_dir_all(dir.join("files")).unwrap();
    git(&dir, &["init", "-q", "-b", "main"]);
    w.write("origin/docs/README.md", "not a template\n");
    w.write(
        "origin/sets/other/template.yaml",
        &manifest("9.0.0").replace("gitdemo", "other"),
    );
    w.write(
        "origin/sets/other/files/OTHER.md",
        "other {{ service_name }}\n",
    );
    let tagged = commit_template(&dir, "1.0.0", "v1.0.0 of {{ service_name }}\n");
    git(&dir, &["tag", "v1.0.0"]);
    let main = commit_template(&dir, "1.1.0", "v1.1.0 of {{ service_name }}\n");
    git(&dir, &["checkout", "-q", "-b", "next"]);
    let next = commit_template(&dir, "2.0.0", "v2.0.0 of {{ service_name }}\n");
    git(&dir, &["checkout", "-q", "main"]);
    Origin {
        dir,
        tagged,
        main,
        next,
    }
}

/// `newsvc new` from `source` into `work/<out>`; returns the run.
fn new_from(w: &World, source: &str, out: &str, extra: &[&str]) -> crate::Ran {
    let mut args = vec![
        "new",
        "from-git",
        "--template",
        source,
        "--defaults",
        "--no-git",
        "-o",
        out,
    ];
    args.extend_from_slice(extra);
    run(w.newsvc(&args))
}

fn read(w: &World, rel: &str) -> String {
    std::fs::read_to_string(w.path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The single cached clone.
fn cache_repo(w: &World) -> PathBuf {
    let entries: Vec<PathBuf> = std::fs::read_dir(w.git_cache())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(entries.len(), 1, "one cache entry per URL: {entries:?}");
    entries[0].clone()
}

#[test]
fn clones_at_a_tag_a_branch_and_a_commit_and_records_the_commit() {
    let w = World::new();
    let o = origin(&w);
    for (reference, out, version, commit) in [
        ("v1.0.0", "at-tag", "1.0.0", &o.tagged),
        ("main", "at-branch", "1.1.0", &o.main),
        ("next", "at-other-branch", "2.0.0", &o.next),
        (o.tagged.as_str(), "at-commit", "1.0.0", &o.tagged),
        (&o.next[..10], "at-short-commit", "2.0.0", &o.next),
    ] {
        new_from(&w, &o.source(reference), out, &[]).expect(0);
        assert_eq!(
            read(&w, &format!("work/{out}/README.md")),
            format!("v{version} of from-git\n"),
            "{reference}"
        );
        let record = read(&w, &format!("work/{out}/.newsvc.yml"));
        assert!(
            record.contains(&format!("  source: {}\n", o.source(reference))),
            "{reference}: {record}"
        );
        assert!(
            record.contains(&format!("  version: {version}\n")),
            "{reference}: {record}"
        );
        assert!(
            record.contains(&format!("  commit: {commit}\n")),
            "{reference}: {record}"
        );
    }
}

#[test]
fn a_subfolder_holds_a_template_and_every_template_command_takes_git_sources() {
    let w = World::new();
    let o = origin(&w);
    new_from(&w, &format!("{}//sets/other", o.source("main")), "sub", &[]).expect(0);
    assert_eq!(read(&w, "work/sub/OTHER.md"), "other from-git\n");

    let ran = run(w.newsvc(&["templates", "show", &o.source("v1.0.0")])).expect(0);
    assert!(
        ran.stdout.contains(&format!(
            "gitdemo 1.0.0\nsource: {} ({})",
            o.source("v1.0.0"),
            o.tagged
        )),
        "{}",
        ran.stdout
    );
    run(w.newsvc(&["templates", "validate", &o.source("v1.0.0")])).expect(0);
    run(w.newsvc(&[
        "snapshot",
        "update",
        "--template",
        &o.source("v1.0.0"),
        "--dir",
        "snaps",
    ]))
    .expect(0);
    assert_eq!(read(&w, "work/snaps/one/README.md"), "v1.0.0 of from-git\n");
    let record = read(&w, "work/snaps/one/.newsvc.yml");
    assert!(
        record.contains("source: gitdemo\n") && !record.contains("commit"),
        "snapshots do not change with every commit: {record}"
    );

    // NEWSVC_TEMPLATE is the default source
    let ran = run(w
        .newsvc(&["new", "from-git", "--defaults", "--no-git", "-o", "by-env"])
        .env("NEWSVC_TEMPLATE", o.source("next")));
    ran.expect(0);
    assert_eq!(read(&w, "work/by-env/README.md"), "v2.0.0 of from-git\n");
}

#[test]
fn the_cache_is_reused_and_updated_by_fetch_not_cloned_again() {
    let w = World::new();
    let o = origin(&w);
    new_from(&w, &o.source("main"), "first", &[]).expect(0);
    let cache = cache_repo(&w);
    assert_eq!(
        git(&cache, &["rev-parse", "refs/remotes/origin/main"]),
        o.main
    );
    assert_eq!(git(&cache, &["rev-parse", "--is-bare-repository"]), "true");
    // A marker inside the clone survives only if the clone is reused.
    std::fs::write(cache.join("newsvc-test-marker"), "reused").unwrap();

    let newer = commit_template(&o.dir, "1.2.0", "v1.2.0 of {{ service_name }}\n");
    new_from(&w, &o.source("main"), "second", &[]).expect(0);
    assert_eq!(cache_repo(&w), cache);
    assert!(
        cache.join("newsvc-test-marker").exists(),
        "the cache was cloned again"
    );
    assert_eq!(
        git(&cache, &["rev-parse", "refs/remotes/origin/main"]),
        newer,
        "the cache was not updated by fetch"
    );
    assert_eq!(
        git(&cache, &["cat-file", "-t", &o.main]),
        "commit",
        "objects fetched before are kept"
    );
    assert!(read(&w, "work/second/.newsvc.yml").contains(&format!("commit: {newer}")));
    assert_eq!(read(&w, "work/second/README.md"), "v1.2.0 of from-git\n");

    // A full commit id the cache holds needs no fetch: it works with the origin gone.
    std::fs::rename(&o.dir, w.path("origin-moved")).unwrap();
    new_from(&w, &o.source(&o.tagged), "pinned", &[]).expect(0);
    assert_eq!(read(&w, "work/pinned/README.md"), "v1.0.0 of from-git\n");
    // ...while a branch must be fetched, and says how to use the cache instead.
    let ran = new_from(&w, &o.source("main"), "unreachable", &[]).expect(2);
    assert!(
        ran.stderr.contains("cannot fetch")
            && ran.stderr.contains("pass --offline to use the cached copy"),
        "{}",
        ran.stderr
    );
}

#[test]
fn offline_uses_only_the_cache() {
    let w = World::new();
    let o = origin(&w);
    let ran = new_from(&w, &o.source("main"), "out", &["--offline"]).expect(2);
    assert!(
        ran.stderr.contains(&format!(
            "template source `{}`: --offline, and `{}` is not in the cache",
            o.source("main"),
            o.url()
        )),
        "{}",
        ran.stderr
    );
    assert!(
        ran.stderr.contains("run once without --offline"),
        "{}",
        ran.stderr
    );
    assert!(
        !w.git_cache().exists() || std::fs::read_dir(w.git_cache()).unwrap().next().is_none(),
        "nothing cached"
    );
    assert!(!w.path("work/out").exists());

    new_from(&w, &o.source("main"), "online", &[]).expect(0);
    let newer = commit_template(&o.dir, "1.2.0", "v1.2.0 of {{ service_name }}\n");
    new_from(&w, &o.source("main"), "offline", &["--offline"]).expect(0);
    let record = read(&w, "work/offline/.newsvc.yml");
    assert!(
        record.contains(&format!("commit: {}", o.main)),
        "offline must not fetch {newer}: {record}"
    );

    std::fs::remove_dir_all(&o.dir).unwrap();
    new_from(&w, &o.source("v1.0.0"), "offline-tag", &["--offline"]).expect(0);
    let ran = new_from(&w, &o.source("v9"), "nope", &["--offline"]).expect(2);
    assert!(
        ran.stderr
            .contains("ref `v9` is not a tag, branch or commit")
            && ran.stderr.contains("offline cache"),
        "{}",
        ran.stderr
    );
}

#[test]
fn bad_urls_missing_refs_and_folders_without_a_template_exit_2_clearly() {
    let w = World::new();
    let o = origin(&w);
    let missing = format!("file://{}@main", w.path("no-such-repo.git").display());
    let ran = new_from(&w, &missing, "out", &[]).expect(2);
    assert!(
        ran.stderr
            .contains(&format!("error: template source `{missing}`: cannot fetch")),
        "{}",
        ran.stderr
    );
    assert!(
        !w.git_cache().exists() || std::fs::read_dir(w.git_cache()).unwrap().next().is_none(),
        "a failed clone leaves no cache behind"
    );

    let ran = new_from(&w, &o.source("v7.7.7"), "out", &[]).expect(2);
    assert!(
        ran.stderr.contains(&format!(
            "ref `v7.7.7` is not a tag, branch or commit of `{}`",
            o.url()
        )),
        "{}",
        ran.stderr
    );

    let ran = new_from(&w, &format!("{}//docs", o.source("v1.0.0")), "out", &[]).expect(2);
    assert!(
        ran.stderr
            .contains("no template.yaml in `docs` at `v1.0.0`"),
        "{}",
        ran.stderr
    );

    let ran = new_from(&w, &format!("{}//nowhere", o.source("v1.0.0")), "out", &[]).expect(2);
    assert!(
        ran.stderr.contains("no folder `nowhere` at `v1.0.0`"),
        "{}",
        ran.stderr
    );

    let ran = new_from(&w, &o.url(), "out", &[]).expect(2);
    assert!(ran.stderr.contains("no @REF"), "{}", ran.stderr);
    assert!(!w.path("work/out").exists());
}

#[test]
fn parallel_runs_share_one_cache() {
    let w = World::new();
    let o = origin(&w);
    // Several processes filling the same empty cache at once, then fetching
    // into it at once (after a new commit upstream).
    for round in 0..2 {
        if round == 1 {
            commit_template(&o.dir, "1.2.0", "v1.2.0 of {{ service_name }}\n");
        }
        parallel_round(&w, &o, round);
    }
    cache_repo(&w);
}

fn parallel_round(w: &World, o: &Origin, round: usize) {
    let children: Vec<_> = (0..4)
        .map(|i| {
            let mut cmd = std::process::Command::new(newsvc_bin());
            cmd.args([
                "new",
                "from-git",
                "--template",
                &o.source(if i % 2 == 0 { "main" } else { "v1.0.0" }),
            ])
            .args(["--defaults", "--no-git", "-o", &format!("par{round}-{i}")])
            .current_dir(w.path("work"))
            .env("HOME", w.path("home"))
            .env("XDG_CONFIG_HOME", w.path("config"))
            .env("XDG_CACHE_HOME", w.path("cache"))
            .env_remove("NEWSVC_TEMPLATE")
            .stdin(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped());
            cmd.spawn().unwrap()
        })
        .collect();
    for (i, child) in children.into_iter().enumerate() {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "round {round}, run {i}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
