//! The snippet index: extraction on the bundled blog, `gen snippets` (table, JSON,
//! filters), the JSON schema, the site's /snippets/ pages, snippet blocks in posts and
//! located errors.

use serde_json::Value;

use crate::harness::{assert_contains, repo_root, TestSite};

fn index_json(site: &TestSite, args: &[&str]) -> Value {
    let mut all = vec!["snippets", "--json"];
    all.extend_from_slice(args);
    let out = site.run(&all).success().stdout();
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}):\n{out}"))
}

fn snippets(doc: &Value) -> &Vec<Value> {
    doc["snippets"].as_array().expect("snippets array")
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect()
}

fn by_id<'a>(doc: &'a Value, id: &str) -> &'a Value {
    snippets(doc).iter().find(|s| s["id"] == id).unwrap_or_else(|| panic!("no snippet {id}"))
}

#[track_caller]
pub(crate) fn assert_valid_against_schema(doc: &Value) {
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(repo_root().join("docs/snippets.schema.json")).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema is valid");
    let errors: Vec<String> = validator.iter_errors(doc).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "schema violations:\n{}", errors.join("\n"));
}

#[test]
fn docker_exec_snippets_are_tagged_from_the_prose() {
    let site = TestSite::bundled_blog();
    let doc = index_json(&site, &["--post", "docker-cheat-sheet"]);
    let exec: Vec<&Value> = snippets(&doc)
        .iter()
        .filter(|s| s["commands"][0]["text"].as_str().unwrap().starts_with("docker exec"))
        .collect();
    assert_eq!(exec.len(), 2);
    for s in exec {
        let r = &s["requires"][0];
        assert_eq!((r["text"].as_str(), r["source"]["kind"].as_str()), (Some("docker 1.3+"), Some("prose")), "{s:#}");
        assert_eq!(r["source"]["text"], "Requires docker v1.3 or later");
    }
    // On the site too, above the block.
    site.build();
    let html = site.read("public/posts/docker-cheat-sheet/index.html");
    let exec_block = &html[html.find("id=\"snippet-execute-a-command-in-a-running-container\"").expect("anchor")..];
    assert!(
        exec_block[..600].contains("<span class=\"snippet-requires\">requires docker 1.3+</span>"),
        "{}",
        &exec_block[..600]
    );
}

#[test]
fn boot2docker_snippets_call_boot2docker() {
    let site = TestSite::bundled_blog();
    let doc = index_json(&site, &["--post", "content/posts/boot2docker-cheat-sheet.md"]);
    for id in ["start-boot2docker", "ssh-into-the-boot2docker-vm", "sync-boot2docker"] {
        let s = by_id(&doc, &format!("boot2docker-cheat-sheet/{id}"));
        assert_eq!(strings(&s["tools"]), ["boot2docker"], "{id}");
    }
    // `/usr/local/bin/boot2docker ssh sudo ntpclient ...`: by file name; the rest runs in the VM.
    let doc = index_json(&site, &["--tool", "boot2docker"]);
    assert_eq!(snippets(&doc).len(), 4);
}

#[test]
fn sudo_tee_counts_tee() {
    let site = TestSite::bundled_blog();
    let doc = index_json(&site, &["--tool", "tee"]);
    let s = &snippets(&doc)[0];
    assert_eq!(s["id"], "boot2docker-cheat-sheet/handling-the-insecure-registry-error");
    let tools = strings(&s["tools"]);
    assert!(tools.contains(&"sudo".to_string()) && tools.contains(&"tee".to_string()), "{tools:?}");
    let params: Vec<_> = s["parameters"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(params, ["<registry host 1>", "<registry host 2>"]);
}

#[test]
fn placeholders_and_unassigned_variables_are_parameters() {
    // The export's original post: `CONTAINERID = $(...)` assigns nothing, so CONTAINERID
    // stays a parameter (the bundled blog now assigns it).
    let site = TestSite::fixture("check-originals");
    let doc = index_json(&site, &[]);
    let s = by_id(&doc, "docker-cheat-sheet/execute-a-command-in-a-running-container");
    let params: Vec<(&str, &str)> = s["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["name"].as_str().unwrap(), p["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(params, [("CONTAINERID", "variable"), ("<command>", "placeholder")]);
    assert_eq!((s["parameters"][1]["line"].as_u64(), s["parameters"][1]["column"].as_u64()), (Some(118), Some(28)));
    assert_eq!(by_id(&doc, "docker-cheat-sheet/open-bash-prompt-in-a-container")["parameters"][0]["name"], "image_id");
    // Assigned in "Copy files from a container", so no longer a parameter after it.
    let later = by_id(&doc, "docker-cheat-sheet/copy-files-from-a-container-2");
    let names: Vec<_> = later["parameters"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["source_path", "destination_path"]);
}

#[test]
fn ids_are_unique_and_stable_across_builds() {
    let site = TestSite::bundled_blog();
    site.build();
    let first = site.read("public/snippets.json");
    site.build();
    assert_eq!(site.read("public/snippets.json"), first, "two builds differ");
    let doc: Value = serde_json::from_str(&first).unwrap();
    let ids: Vec<&str> = snippets(&doc).iter().map(|s| s["id"].as_str().unwrap()).collect();
    let unique: std::collections::HashSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "{ids:?}");
    assert_eq!(ids.len(), 34);
    // The command line gives the same index as the site.
    assert_eq!(index_json(&site, &[]), doc);
    // Each id's anchor exists in its post.
    for s in snippets(&doc) {
        let post = site.read(&format!("public/posts/{}/index.html", s["post"]["slug"].as_str().unwrap()));
        assert!(post.contains(&format!("id=\"{}\"", s["anchor"].as_str().unwrap())), "{}", s["id"]);
    }
}

#[test]
fn json_output_matches_its_schema() {
    let doc = index_json(&TestSite::bundled_blog(), &[]);
    assert_eq!(doc["schema_version"], 3);
    assert_valid_against_schema(&doc);
    assert_valid_against_schema(&index_json(&TestSite::fixture("snippets"), &[]));
}

#[test]
fn json_records_attributes_sources_and_output() {
    let doc = index_json(&TestSite::fixture("snippets"), &[]);
    let list = by_id(&doc, "list-containers");
    assert_eq!(list["url"], "https://example.com/posts/containers/#snippet-list-containers");
    assert_eq!(list["commands"][0]["output"], serde_json::json!(["CONTAINER ID   IMAGE", "..."]));
    assert_eq!(list["requires"][0]["source"], serde_json::json!({"kind": "front_matter", "line": 5}));
    let build = by_id(&doc, "containers/build");
    assert_eq!(build["test"], serde_json::json!({"mode": "run", "skip_reason": null, "timeout_ms": 30000, "exit": 0}));
    assert_eq!(
        strings(&serde_json::json!(build["requires"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["text"].clone())
            .collect::<Vec<_>>())),
        ["make", "docker 1.3+"]
    );
    assert_eq!(build["parameters"][0]["name"], "PROJECT_DIR");
    let mac = by_id(&doc, "mac/start-the-vm");
    assert_eq!(mac["test"]["skip_reason"], "needs a Mac");
    assert_eq!(
        mac["requires"][1],
        serde_json::json!({"text": "os macos", "kind": "os", "name": "macos", "source": {"kind": "attribute", "line": 7, "column": 23}})
    );
}

#[test]
fn table_lists_id_kind_tools_requires_status_and_location() {
    TestSite::fixture("snippets").run(&["snippets"]).success().stdout_matches(snapbox::str![[r#"
ID                KIND     TOOLS                 REQUIRES               STATUS    LOCATION
list-containers   console  docker                docker 1.3+            untested  content/posts/containers.md:9
containers/build  script   make                  make, docker 1.3+      untested  content/posts/containers.md:19
mac/start-the-vm  console  boot2docker,sudo,tee  boot2docker, os macos  untested  content/posts/mac.md:7
3 snippets

"#]]);
}

#[test]
fn filters_by_tool_and_post() {
    let site = TestSite::fixture("snippets");
    site.run(&["snippets", "--tool", "docker"]).success().stdout_matches(snapbox::str![[r#"
ID               KIND     TOOLS   REQUIRES     STATUS    LOCATION
list-containers  console  docker  docker 1.3+  untested  content/posts/containers.md:9
1 snippet

"#]]);
    let doc = index_json(&site, &["--post", "mac"]);
    assert_eq!(snippets(&doc).len(), 1);
    assert_eq!(snippets(&index_json(&site, &["--tool", "kubectl"])).len(), 0);
    site.run(&["snippets", "--post", "nope"]).failure().stderr_matches(snapbox::str![[r#"
error: nope: no post with snippets has this slug or file
  help: give a post's slug (`docker-cheat-sheet`) or its file (`content/posts/docker-cheat-sheet.md`); `gen snippets` lists them all

"#]]);
}

#[test]
fn snippets_page_groups_by_tool_and_version() {
    let site = TestSite::bundled_blog();
    site.build();
    let page = "public/snippets/index.html";
    site.fragment_matches(page, "<article class=\"snippet-index\">", "</table>", snapbox::str![[r##"
<article class="snippet-index">
  <h1>Snippets</h1>
  <p>34 shell snippets from the posts of this site, each with the tool versions it needs. Also as <a href="/snippets.json">JSON</a>.</p>
  <section class="snippet-legend" id="legend">
    <h2>What the labels mean</h2>

<dl class="snippet-legend-words">
  <dt><span class="snippet-status legend-passed">passed</span></dt><dd>gen test checked it on the author's test machine and found nothing wrong; the sentence under the block says how far the check went (syntax, shellcheck, each tool's arguments, or a run).</dd>
  <dt><span class="snippet-status legend-warned">passed with warnings</span></dt><dd>passed, with findings that do not fail it (a style warning, a shellcheck severity the site only warns about); they are listed under the block.</dd>
  <dt><span class="snippet-status legend-unverified">unverified</span></dt><dd>passed the checks that could run, but a tool it uses is not installed on the test machine, so those commands were not checked.</dd>
  <dt><span class="snippet-status legend-failed">failed</span></dt><dd>its test found a problem; what it found is listed under the block.</dd>
  <dt><span class="snippet-status legend-skipped">skipped</span></dt><dd>not tested, because the test machine cannot run it (another operating system, a missing tool or version); the reason is under the block.</dd>
  <dt><span class="snippet-status legend-untested">untested</span></dt><dd>never tested, or changed since its last test.</dd>
</dl>

  </section>

  <h2 id="by-version">By required version</h2>
  <table class="snippet-summary">
    <thead><tr><th scope="col">Requires</th><th scope="col">Snippets</th></tr></thead>
    <tbody>

      <tr><td><a href="#requires-docker-1-3">docker 1.3+</a></td><td>2</td></tr>

      <tr><td><a href="#requires-docker-1-10">docker &lt;1.10</a></td><td>2</td></tr>

      <tr><td><a href="#requires-no-requirement">no requirement</a></td><td>21</td></tr>

      <tr><td><a href="#requires-os-macos">os macos</a></td><td>9</td></tr>

    </tbody>
  </table>
"##]]);
    site.fragment_matches(
        page,
        "<section class=\"snippet-group\" id=\"requires-docker-1-3\">",
        "</section>",
        snapbox::str![[r#"
<section class="snippet-group" id="requires-docker-1-3">
    <h3>docker 1.3+ <small>(2)</small></h3>

<ul class="snippet-list">

  <li>
    <a class="snippet-list-command" href="/posts/docker-cheat-sheet/#snippet-execute-a-command-in-a-running-container"><code>docker exec $CONTAINERID &lt;command&gt;</code></a>
    <span class="snippet-list-meta">
      <span class="snippet-requires">requires docker 1.3+</span>
      <span class="snippet-status snippet-status-untested">untested</span>
      in <a href="/posts/docker-cheat-sheet/">Docker Cheat Sheet</a>
      <span class="snippet-id">docker-cheat-sheet/execute-a-command-in-a-running-container</span>
    </span>
  </li>

  <li>
    <a class="snippet-list-command" href="/posts/docker-cheat-sheet/#snippet-tail-the-log-on-a-running-container-requires-docker-v1-3"><code>docker exec $CONTAINERID tail -f &lt;path to log file&gt;</code></a>
    <span class="snippet-list-meta">
      <span class="snippet-requires">requires docker 1.3+</span>
      <span class="snippet-status snippet-status-untested">untested</span>
      in <a href="/posts/docker-cheat-sheet/">Docker Cheat Sheet</a>
      <span class="snippet-id">docker-cheat-sheet/tail-the-log-on-a-running-container-requires-docker-v1-3</span>
    </span>
  </li>

</ul>

  </section>
"#]],
    );
    let html = site.read(page);
    assert_contains(
        &html,
        &[
            "<section class=\"snippet-group\" id=\"tool-boot2docker\">",
            "<section class=\"snippet-group\" id=\"tool-tee\">",
        ],
    );
    let docker = &html[html.find("id=\"tool-docker\"").unwrap()..];
    let docker = &docker[..docker.find("</section>").unwrap()];
    // Not the insecure-registry block: its `/etc/init.d/docker` is an init script.
    assert_eq!(docker.matches("<li>").count(), 17);
}

#[test]
fn snippet_blocks_have_a_copy_button_with_commands_only() {
    let site = TestSite::fixture("snippets");
    site.build();
    // The copy button holds the commands without prompts; the highlighted lines are left
    // out ([..]). The text block after the snippet is not one: its button copies its text.
    site.fragment_matches("public/posts/mac/index.html", "<div class=\"post-body\">", "\n  </div>", snapbox::str![[r##"
<div class="post-body">
<h2 id="start-the-vm">Start the VM<a class="anchor" href="#start-the-vm" aria-label="Link to this section">#</a></h2>
<figure class="snippet" id="snippet-start-the-vm" data-snippet-id="mac/start-the-vm" data-status="untested">
<figcaption class="snippet-bar"><a class="snippet-anchor" href="#snippet-start-the-vm" aria-label="Link to this snippet">#</a> <a class="snippet-status snippet-status-untested" href="#snippet-legend">untested</a> <span class="snippet-requires">requires boot2docker, os macos</span> <span class="code-lang">console</span> <button type="button" class="snippet-copy" hidden data-copy="boot2docker up&#10;echo 'ARGS=1' | sudo tee -a &lt;profile file&gt;" aria-label="Copy the commands">Copy</button></figcaption>
<pre class="code" data-lang="console"><code class="language-console"><span class="gp">$ </span><span class="cmd">[..]>boot2docker</span>[..]> up</span></span></span>
<span class="gp">$ </span><span class="cmd">[..]>echo</span>[..]ARGS=1[..]>sudo</span>[..]> tee[..]>profile file<[..]</span>
</code></pre>
<p class="snippet-says">Not tested yet.</p>
</figure>
<div class="code-block">
<div class="code-bar"><span class="code-lang">text</span> <button type="button" class="code-copy" hidden aria-label="Copy the text">Copy</button></div>
<pre class="code" data-lang="text"><code class="language-text">Not a snippet.
</code></pre>
</div>

  </div>
"##]]);
    // The script that shows and runs the buttons: a snippet's copies its data-copy.
    assert_contains(&site.read("public/posts/mac/index.html"), &["<script src=\"/copy.js\" defer></script>"]);
    assert_contains(
        &site.read("public/copy.js"),
        &["var text = b.dataset.copy;", "navigator.clipboard.writeText(text)"],
    );
    // Output lines are not copied.
    site.fragment_matches(
        "public/posts/containers/index.html",
        "<button",
        "</button>",
        snapbox::str![[r#"<button type="button" class="snippet-copy" hidden data-copy="docker ps -a" aria-label="Copy the commands">Copy</button>"#]],
    );
}

#[test]
fn unknown_attribute_is_located() {
    let site = TestSite::fixture("invalid/snippet-attribute");
    site.run(&["build"]).failure().stderr_matches(snapbox::str![[r#"
error: content/posts/broken.md:7:36: unknown snippet attribute `tset`
  help: the attributes are: requires, test, id, timeout, exit, output, skip, shellcheck, allow

"#]]);
    assert!(!site.path("public").exists());
    site.run(&["snippets"]).failure().stderr_contains("content/posts/broken.md:7:36: unknown snippet attribute `tset`");
}

#[test]
fn bad_requirement_is_located() {
    TestSite::fixture("invalid/snippet-requirement").run(&["build"]).failure().stderr_matches(snapbox::str![[r#"
error: content/posts/broken.md:7:30: in `requires`: `>>` is not a version constraint
  help: write requirements as `TOOL [CONSTRAINT]`, comma-separated: `docker 1.3+` (at least 1.3), `docker >=1.3 <1.12`, `docker 1.3` (1.3.x), `boot2docker` (any version), `os macos`

"#]]);
}

#[test]
fn duplicate_ids_name_both_places() {
    TestSite::fixture("invalid/snippet-duplicate-id").run(&["build"]).failure().stderr_matches(snapbox::str![[r#"
error: content/posts/two.md:7: the snippet id "list" is also used at content/posts/one.md:5
  help: snippet ids must be unique within the site: change one `id="..."` attribute

"#]]);
}

/// The fenced block of `lang` that follows `marker` in `doc`.
fn block_after(doc: &str, marker: &str, fence: &str) -> String {
    let start = doc.find(marker).unwrap_or_else(|| panic!("no {marker:?} in the doc"));
    let open = start + doc[start..].find(fence).expect("a fence after the marker");
    let body = open + doc[open..].find('\n').unwrap() + 1;
    let close_fence = format!("\n{}\n", &fence[..fence.chars().take_while(|&c| c == '`').count()]);
    let end = body + doc[body..].find(&close_fence).expect("a closing fence");
    doc[body..end + 1].to_string()
}

#[test]
fn docs_examples_are_what_gen_prints() {
    let doc = std::fs::read_to_string(repo_root().join("docs/snippets.md")).unwrap();
    let post = block_after(&doc, "For this post, `content/posts/containers.md`:", "````markdown");
    let site = TestSite::empty().write("content/posts/containers.md", &post);
    let table = block_after(&doc, "`gen snippets` prints:", "```text");
    assert_eq!(site.run(&["snippets"]).success().stdout(), table);
    let json: Value = serde_json::from_str(&block_after(&doc, "the second snippet is:", "```json")).unwrap();
    let out = index_json(&site, &[]);
    assert_eq!(snippets(&out)[1], json);
    assert_valid_against_schema(&out);

    // The doc itself as a post: its one snippet is the continuation example.
    let site = TestSite::empty().post("the-doc", "2020-01-01", &doc);
    let out = index_json(&site, &[]);
    assert_eq!(snippets(&out).len(), 1);
    let commands = &snippets(&out)[0]["commands"];
    assert_eq!(commands[0]["text"], "docker run -d \\\n    --name web nginx");
    assert_eq!(commands[0]["output"], serde_json::json!(["3f4e8a2c1b9d"]));
    assert_eq!(commands[1]["text"], "for c in web db; do\n  docker logs $c\ndone");
    assert_eq!(commands[1]["output"], serde_json::json!(["..."]));
    assert_eq!(strings(&snippets(&out)[0]["tools"]), ["docker"]);
    // The documented error is the one gen prints.
    let error = block_after(&doc, "a build error naming the file, line and column:", "```text");
    assert_eq!(TestSite::fixture("invalid/snippet-attribute").run(&["build"]).failure().stderr(), error);
}

/// The fixture's post: an unlabelled session, an `sh` block written as a session, an
/// unlabelled block with no prompt, a `user@host` session and a YAML block.
fn detected_site() -> TestSite {
    TestSite::fixture("snippets-detected")
}

#[test]
fn sessions_without_a_console_fence_are_detected() {
    let site = detected_site();
    site.run(&["snippets"]).success().stdout_matches(snapbox::str![[r#"
ID                KIND                  TOOLS    REQUIRES  STATUS    LOCATION
sessions/images   console (unlabelled)  docker   -         untested  content/posts/sessions.md:11
sessions/build    console (sh fence)    docker   -         untested  content/posts/sessions.md:19
sessions/as-root  console (unlabelled)  sudo,id  -         untested  content/posts/sessions.md:36
3 snippets

"#]]);
    let doc = index_json(&site, &[]);
    assert_valid_against_schema(&doc);
    let images = by_id(&doc, "sessions/images");
    assert_eq!((images["lang"].as_str(), images["detected_from"].as_str()), (Some(""), Some("unlabelled")));
    assert_eq!(images["commands"][0]["output"], serde_json::json!(["REPOSITORY   TAG", "alpine       3.19"]));
    assert_eq!(by_id(&doc, "sessions/build")["detected_from"], "prompts_in_script");
    let as_root: Vec<&str> = by_id(&doc, "sessions/as-root")["commands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["text"].as_str().unwrap())
        .collect();
    assert_eq!(as_root, ["sudo -i", "id -u"]);
    // A snippet whose fence says what it is has no `detected_from`.
    let labelled = index_json(&TestSite::fixture("snippets"), &[]);
    assert!(snippets(&labelled).iter().all(|s| s.get("detected_from").is_none()));

    // On the site the session is a snippet block, copied without its prompt; the block
    // without prompts stays a plain code block.
    site.build();
    let html = site.read("public/posts/sessions/index.html");
    assert_contains(&html, &["id=\"snippet-images\"", "data-copy=\"docker images\"", "web/\n  Dockerfile"]);
    assert!(!html.contains("snippet-layout"), "{html}");
}

#[test]
fn gen_test_counts_snippets_not_plain_blocks_and_warns_of_prompts_in_sh() {
    // A prompt in an `sh` block is a style warning: the snippet passes with warnings.
    let out = detected_site().run(&["test"]).success();
    let stdout = out.stdout();
    assert_contains(
        &stdout,
        &[
            "warning content/posts/sessions.md:21:1: lint GEN103 (warning): `$ ` prompt in a script block: a reader who copies the block runs `$` as a command",
            "help: mark the block ```console if it shows a session",
        ],
    );
    // The three snippets; the block without prompts and the YAML block are no tests.
    assert_eq!(stdout.lines().last(), Some("3 passed (1 with warnings), 0 failed, 0 skipped"), "{stdout}");
}

#[test]
fn detecting_unlabelled_blocks_is_a_site_setting() {
    let site =
        detected_site().write("site.toml", "title = \"Detected sessions\"\n\n[snippets]\ndetect_unlabelled = false\n");
    site.run(&["snippets"]).success().stdout_matches(snapbox::str![[r#"
ID              KIND                TOOLS   REQUIRES  STATUS    LOCATION
sessions/build  console (sh fence)  docker  -         untested  content/posts/sessions.md:19
1 snippet

"#]]);
    let tested = site.run(&["test"]).success().stdout();
    assert_eq!(tested.lines().last(), Some("1 passed (1 with warnings), 0 failed, 0 skipped"), "{tested}");
    // `gen snippets` and the badge say it in words.
    let listed = site.run(&["snippets"]).success().stdout();
    assert!(listed.contains("passed with warnings ("), "{listed}");
    let misspelt = detected_site().write("site.toml", "title = \"T\"\n\n[snippets]\ndetect_unlabeled = false\n");
    misspelt.run(&["snippets"]).failure().stderr_contains("detect_unlabeled");
}

/// A reader that stops early (`gen snippets | head`) closes the pipe: gen ends quietly,
/// without the panic that `print!` gives on a closed stdout.
#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    let site = TestSite::fixture("check-originals");
    for args in [&["snippets"][..], &["snippets", "--json"]] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_gen"))
            .arg("--root")
            .arg(site.path(""))
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(output.status.code(), Some(0), "{args:?}: {stderr}");
    }
}
