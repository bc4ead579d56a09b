//! Unit tests of the shell parser: commands, words, offsets and syntax errors.

use super::*;

fn names(src: &str) -> Vec<String> {
    let s = parse(src);
    assert!(s.errors.is_empty(), "{src}: {:?}", s.errors);
    s.commands.iter().map(|c| c.name().unwrap_or("?").to_string()).collect()
}

fn error(src: &str) -> SyntaxError {
    let s = parse(src);
    assert_eq!(s.errors.len(), 1, "{src}: {s:?}");
    s.errors[0].clone()
}

#[test]
fn pipes_lists_and_substitutions_in_source_order() {
    assert_eq!(
        names("docker rmi $(docker images | grep \"^<none>\" | awk '{print $3}')"),
        ["docker", "docker", "grep", "awk"]
    );
    assert_eq!(names("a && b || c; d & e\nf"), ["a", "b", "c", "d", "e", "f"]);
    assert_eq!(names("echo `date` <(sort x) $(echo $(uname))"), ["echo", "date", "sort", "echo", "uname"]);
    assert_eq!(names("(cd /tmp && make) | tee log"), ["cd", "make", "tee"]);
}

#[test]
fn depth_counts_substitution_levels() {
    let s = parse("a $(b $(c))");
    assert_eq!(s.commands.iter().map(|c| c.depth).collect::<Vec<_>>(), [0, 1, 2]);
}

#[test]
fn words_carry_offsets_and_unquoted_values() {
    let src = "docker inspect -f '{{.Id}}' \"$NAME\"x";
    let s = parse(src);
    let c = &s.commands[0];
    assert_eq!(c.words[3].span.text(src), "'{{.Id}}'");
    assert_eq!(c.words[3].literal(), Some("{{.Id}}"));
    assert_eq!(c.words[4].span, Span::new(28, 36));
    assert_eq!(c.words[4].literal(), None);
    assert_eq!(c.words[4].expand_with(|_| "ID".into()), "IDx");
    assert!(matches!(&c.words[4].parts[0], WordPart::Variable { name, quoted: true, .. } if name == "NAME"));
    assert_eq!(c.span, Span::new(0, src.len()));
}

#[test]
fn assignments_prefix_commands() {
    let s = parse("CONTAINERID=$(docker run -d x) FOO=1 env");
    let c = &s.commands[0];
    assert_eq!(c.assignments.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(), ["CONTAINERID", "FOO"]);
    assert_eq!(c.assignments[1].value.literal(), Some("1"));
    assert_eq!(c.name(), Some("env"));
    assert_eq!(s.commands[1].name(), Some("docker"));
    // Spaces around `=` make a command named CONTAINERID, as the shell sees it.
    let s = parse("CONTAINERID = $(docker run x)");
    assert!(s.commands[0].assignments.is_empty());
    assert_eq!(s.commands[0].name(), Some("CONTAINERID"));
}

#[test]
fn placeholders_are_words_not_redirections() {
    let s = parse("docker exec $CONTAINERID tail -f <path to log file>");
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    let w = s.commands[0].words.last().unwrap();
    assert!(w.is_placeholder());
    assert!(matches!(&w.parts[0], WordPart::Placeholder { text, .. } if text == "path to log file"));
    assert!(s.commands[0].redirections.is_empty());
    let s = parse("ntpclient -s -h <time server> --name=<name>");
    assert_eq!(s.commands[0].words.len(), 5);
    // Real redirections still are.
    let s = parse("sort < in.txt > out.txt 2>&1");
    let ops: Vec<_> =
        s.commands[0].redirections.iter().map(|r| (r.fd, r.op, r.target.literal().unwrap().to_string())).collect();
    assert_eq!(
        ops,
        [
            (None, RedirectOp::Input, "in.txt".into()),
            (None, RedirectOp::Output, "out.txt".into()),
            (Some(2), RedirectOp::DupOutput, "1".into())
        ]
    );
}

#[test]
fn placeholders_in_quotes_need_a_space() {
    let s = parse("echo 'ARGS=\"--insecure-registry <registry host 1>\"' \"^<none>\"");
    let parts = &s.commands[0].words[1].parts;
    assert!(
        parts.iter().any(|p| matches!(p, WordPart::Placeholder { text, .. } if text == "registry host 1")),
        "{parts:?}"
    );
    assert_eq!(s.commands[0].words[2].literal(), Some("^<none>"));
}

#[test]
fn heredocs_are_read_with_their_bodies() {
    let src = "cat <<EOF > out\nhello $USER\nEOF\necho done";
    let s = parse(src);
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    let doc = s.commands[0].redirections[0].heredoc.as_ref().unwrap();
    assert_eq!(doc.body, "hello $USER\n");
    assert!(!doc.quoted);
    assert_eq!(s.commands[1].name(), Some("echo"));
    let s = parse("cat <<-'END'\n\tx\n\tEND\n");
    assert!(s.errors.is_empty() && s.commands[0].redirections[0].heredoc.as_ref().unwrap().quoted);
}

#[test]
fn heredoc_of_a_compound_command_is_read_but_not_attached() {
    let s = parse("while read l; do echo $l; done <<EOF\na\nEOF\ncat x");
    assert!(s.is_valid(), "{:?}", s.errors);
    assert_eq!(s.commands.iter().map(|c| c.name().unwrap()).collect::<Vec<_>>(), ["read", "echo", "cat"]);
    assert!(s.commands.iter().all(|c| c.redirections.is_empty()));
}

#[test]
fn compound_commands_hold_simple_commands() {
    assert_eq!(names("if test -f x; then rm x; else touch x; fi"), ["test", "rm", "touch"]);
    assert_eq!(names("for i in $(seq 3); do echo $i; done"), ["seq", "echo"]);
    assert_eq!(names("while read l; do echo \"$l\"; done < f"), ["read", "echo"]);
    assert_eq!(names("case $x in a|b) echo ab;; *) echo other;; esac"), ["echo", "echo"]);
    assert_eq!(names("f() { echo hi; }\nf"), ["echo", "f"]);
    let s = parse("for name in a b; do :; done");
    assert_eq!(s.loop_variables[0].0, "name");
}

#[test]
fn line_continuations_join_words() {
    let s = parse("docker run \\\n  -d nginx");
    assert_eq!(s.commands[0].words.len(), 4);
    assert!(s.is_valid());
}

#[test]
fn syntax_errors_point_at_the_opening() {
    let e = error("echo \"abc");
    assert_eq!((e.offset, e.message.as_str()), (5, "this double quote is never closed"));
    assert_eq!(error("echo 'abc").offset, 5);
    let e = error("docker rm $(docker stop x");
    assert_eq!(e.offset, 10);
    assert!(e.message.contains("`(` is never closed"), "{e}");
    let e = error("cat <<EOF\nline\n");
    assert_eq!((e.offset, e.message.as_str()), (4, "the heredoc has no terminator line `EOF`"));
    assert_eq!(error("cat <<EOF").offset, 4);
    assert_eq!(error("echo `date").offset, 5);
    assert_eq!(error("echo ${HOME").offset, 5);
    assert!(error("if true; then echo").message.contains("`fi`"));
    assert!(error("echo )").message.contains("unexpected `)`"));
    assert!(error("ls |").message.contains("not followed by a command"));
    assert!(error("| ls").message.contains("no command before it"));
    assert!(error("echo >").message.contains("has no target"));
    assert!(error("done").message.contains("no open block"));
}

#[test]
fn empty_and_comment_only_scripts() {
    assert!(parse("").commands.is_empty());
    let s = parse("# just a comment\n\n");
    assert!(s.commands.is_empty() && s.is_valid());
    assert_eq!(names("echo a # trailing comment"), ["echo"]);
}

#[test]
fn the_placeholder_rule() {
    let at = |src: &str| placeholder_at(src, src.find('<').unwrap()).map(|s| s.text(src).to_string());
    for src in ["<command>", "x <container-id> y", "<path to log file>", "<host:port>", "<a.b/c_d>", "<café>", "<имя>"]
    {
        assert_eq!(at(src).as_deref(), Some(src.trim_start_matches("x ").trim_end_matches(" y")), "{src}");
    }
    // Not names: a space at either end, a digit or sign first, nothing, a newline or tab inside.
    for src in ["<path >", "< path>", "<1st>", "<-x>", "<>", "<a\nb>", "<a\tb>", "<a", "<a!b>", "a<b"] {
        assert_eq!(at(src), None, "{src:?}");
    }
    // The second `<` of `<<` (a heredoc) never starts one.
    assert_eq!(placeholder_at("<<EOF>", 1), None);
    assert_eq!(placeholder_at("x <a>", 0), None, "only where the `<` is");
    assert_eq!(placeholders("cat <<EOF>out <a> \"<b c>\" <d >e"), [Span::new(14, 17), Span::new(19, 24)]);
}

/// Every placeholder the parser read in `src`, as written.
fn placeholder_texts(src: &str) -> Vec<&str> {
    let s = parse(src);
    assert!(s.is_valid(), "{src}: {:?}", s.errors);
    let mut found = Vec::new();
    for c in &s.commands {
        let words = c.words.iter().chain(c.assignments.iter().map(|a| &a.value));
        for word in words.chain(c.redirections.iter().map(|r| &r.target)) {
            for part in &word.parts {
                if let WordPart::Placeholder { text, span } = part {
                    assert_eq!(span.text(src), format!("<{text}>"));
                    found.push(span.text(src));
                }
            }
        }
    }
    found.sort_by_key(|t| t.as_ptr());
    found
}

#[test]
fn placeholders_follow_the_rule_and_redirections_stay() {
    assert_eq!(placeholder_texts("echo <café> <имя>"), ["<café>", "<имя>"]);
    assert_eq!(placeholder_texts("docker rm <container-id> <your name>"), ["<container-id>", "<your name>"]);
    assert_eq!(placeholder_texts("x=<value> cmd 2<name> --opt=<o>"), ["<value>", "<name>", "<o>"]);
    assert_eq!(placeholder_texts("cmd <path >out"), Vec::<&str>::new());
    let s = parse("cmd <file >out; a<b; cat <<EOF>log\nbody <x>\nEOF\ncat <<<word");
    assert!(s.is_valid(), "{:?}", s.errors);
    let ops: Vec<Vec<RedirectOp>> = s.commands.iter().map(|c| c.redirections.iter().map(|r| r.op).collect()).collect();
    use RedirectOp::*;
    assert_eq!(ops, [vec![Input, Output], vec![Input], vec![HereDoc, Output], vec![HereString]]);
}

#[test]
fn placeholders_in_double_quotes_are_located_after_escapes() {
    let src = r#"echo "\\\"<a b> x""#;
    assert_eq!(placeholder_texts(src), ["<a b>"]);
    let parts = &parse(src).commands[0].words[1].parts;
    assert!(matches!(&parts[0], WordPart::Text { text, quoted: true } if text == "\\\""), "{parts:?}");
}

#[test]
fn the_capitals_rule() {
    let names = |text: &str| capital_names(text).iter().map(|s| s.text(text).to_string()).collect::<Vec<_>>();
    assert_eq!(names("YOUR_USERNAME/myfirstapp"), ["YOUR_USERNAME"]);
    assert_eq!(names("DOCKER_ID:REPO_NAME -e A_1=x"), ["DOCKER_ID", "REPO_NAME", "A_1"]);
    // No `_`, a lower-case letter, a trailing `_`, a variable: not one.
    for text in ["IMAGE", "NAME", "My_APP", "APP_v2", "APP_", "_APP", "$MY_VAR", "${MY_VAR}", "x_Y_Z", "ab_CD_EF"] {
        assert_eq!(names(text), Vec::<String>::new(), "{text}");
    }
}

#[test]
fn the_synopsis_rule() {
    let words = |text: &str| synopsis_words(text).iter().map(|s| s.text(text).to_string()).collect::<Vec<_>>();
    assert_eq!(
        words("docker run [OPTIONS] IMAGE[:TAG|@DIGEST] [COMMAND] [ARG...]"),
        ["[OPTIONS]", "IMAGE[:TAG|@DIGEST]", "[COMMAND]", "[ARG...]"]
    );
    assert_eq!(words("ls\ndocker rm web db ..."), ["..."]);
    assert_eq!(words("docker stop CONTAINER..."), ["CONTAINER..."]);
    // Without a marker on its line, a capital name with brackets is left alone; so are
    // globs, tests and quoted words.
    for text in ["echo IMAGE[1]", "ls [abc] [ -f x ]", "tr '[A-Z]' x", "echo \"wait...\""] {
        assert_eq!(words(text), Vec::<String>::new(), "{text}");
    }
    let text = "docker run [OPTIONS] IMAGE[:TAG|@DIGEST] <x>";
    assert_eq!(masked(text, &synopsis_words(text)), "docker run xxxxxxxxx xxxxxxxxxxxxxxxxxxx <x>");
    assert!(parse(&masked(text, &synopsis_words(text))).commands.len() == 1);
}
