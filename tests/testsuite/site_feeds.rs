//! Feeds and crawlers: atom.xml (parsed as XML and checked against Atom's required
//! elements), per-category feeds, sitemap.xml listing every page, robots.txt, 404.html.

use crate::harness::{assert_contains, assert_not_contains, TestSite};

const ATOM: &str = "http://www.w3.org/2005/Atom";

fn child<'a>(node: roxmltree::Node<'a, 'a>, name: &str) -> roxmltree::Node<'a, 'a> {
    node.children()
        .find(|c| c.has_tag_name((ATOM, name)))
        .unwrap_or_else(|| panic!("no <{name}> in <{}>", node.tag_name().name()))
}

fn text<'a>(node: roxmltree::Node<'a, 'a>, name: &str) -> &'a str {
    child(node, name).text().unwrap_or_default()
}

fn is_rfc3339(s: &str) -> bool {
    s.len() == 20 && s.as_bytes()[4] == b'-' && s.as_bytes()[10] == b'T' && s.ends_with('Z')
}

/// Checks what RFC 4287 requires of a feed and its entries; returns the entry links.
fn check_atom(xml: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(xml).expect("the feed is well-formed XML");
    let feed = doc.root_element();
    assert!(feed.has_tag_name((ATOM, "feed")), "root is <feed> in the Atom namespace");
    assert!(text(feed, "id").starts_with("https://example.com/"));
    assert!(is_rfc3339(text(feed, "updated")), "{}", text(feed, "updated"));
    assert!(!text(feed, "title").is_empty());
    assert!(!text(child(feed, "author"), "name").is_empty());
    let self_link = feed
        .children()
        .find(|c| c.has_tag_name((ATOM, "link")) && c.attribute("rel") == Some("self"))
        .expect("rel=self");
    assert_eq!(self_link.attribute("href"), Some(text(feed, "id")));
    let mut links = Vec::new();
    for entry in feed.children().filter(|c| c.has_tag_name((ATOM, "entry"))) {
        let id = text(entry, "id");
        assert!(id.starts_with("https://example.com/posts/"), "{id}");
        assert!(is_rfc3339(text(entry, "updated")));
        assert!(!text(entry, "title").is_empty());
        let href = child(entry, "link").attribute("href").unwrap().to_string();
        assert_eq!(href, id);
        let content = child(entry, "content");
        assert_eq!(content.attribute("type"), Some("html"));
        // The content is HTML as text; each of its links is absolute.
        let html = content.text().unwrap_or_default();
        for url in crate::site_links::attr_urls(html) {
            assert!(url.starts_with("https://"), "{id}: relative URL {url} in feed content");
        }
        links.push(href);
    }
    links
}

#[test]
fn atom_feed_parses_and_carries_absolute_links() {
    let site = TestSite::fixture("site-structure");
    site.build();
    let xml = site.read("public/atom.xml");
    let links = check_atom(&xml);
    assert_eq!(
        links,
        [
            "https://example.com/posts/docker-notes/",
            "https://example.com/posts/shell-scripts/",
            "https://example.com/posts/shell-pipes/",
            "https://example.com/posts/intro-to-shells/",
            "https://example.com/posts/retro-three/",
            "https://example.com/posts/retro-two/",
        ]
    );
    // Full content, with internal links made absolute.
    assert_contains(
        &xml,
        &[
            "<updated>2021-04-01T00:00:00Z</updated>",
            "href=&quot;https://example.com/posts/shell-pipes/#pipes-in-practice&quot;",
            "href=&quot;https://example.com/posts/intro-to-shells/#prompts&quot;",
            "&lt;h3 id=&quot;colours&quot;",
        ],
    );
    let home = site.read("public/index.html");
    assert_contains(&home, &["<link rel=\"alternate\" type=\"application/atom+xml\" title=\"Structure\" href=\"https://example.com/atom.xml\">"]);
}

#[test]
fn each_category_has_its_own_feed() {
    let site = TestSite::fixture("site-structure");
    site.build();
    let links = check_atom(&site.read("public/categories/projects/atom.xml"));
    assert_eq!(links, ["https://example.com/posts/retro-three/", "https://example.com/posts/retro-two/"]);
    assert_contains(&site.read("public/categories/projects/atom.xml"), &["<title>Projects · Structure</title>"]);
    assert_contains(
        &site.read("public/categories/projects/index.html"),
        &["href=\"https://example.com/categories/projects/atom.xml\""],
    );
}

#[test]
fn sitemap_lists_every_page() {
    let site = TestSite::fixture("site-structure");
    site.build();
    let xml = site.read("public/sitemap.xml");
    let doc = roxmltree::Document::parse(&xml).expect("well-formed sitemap");
    let ns = "http://www.sitemaps.org/schemas/sitemap/0.9";
    assert!(doc.root_element().has_tag_name((ns, "urlset")));
    let locs: Vec<String> =
        doc.descendants().filter(|n| n.has_tag_name((ns, "loc"))).map(|n| n.text().unwrap().to_string()).collect();
    let mut expected: Vec<String> = site
        .files_under("public")
        .into_iter()
        .filter(|f| f.ends_with(".html") && f != "404.html")
        .map(|f| format!("https://example.com/{}", f.trim_end_matches("index.html")))
        .collect();
    let mut got = locs.clone();
    got.sort();
    expected.sort();
    assert_eq!(got, expected);
    assert_contains(&xml, &["<url><loc>https://example.com/posts/retro-two/</loc><lastmod>2020-05-01</lastmod></url>"]);
}

#[test]
fn robots_points_at_the_sitemap_and_a_static_one_wins() {
    let site = TestSite::fixture("site-structure");
    site.build();
    assert_eq!(site.read("public/robots.txt"), "User-agent: *\nAllow: /\n\nSitemap: https://example.com/sitemap.xml\n");
    let site = TestSite::fixture("site-structure").write("static/robots.txt", "User-agent: *\nDisallow: /\n");
    site.build();
    assert_eq!(site.read("public/robots.txt"), "User-agent: *\nDisallow: /\n");
}

#[test]
fn without_a_host_in_base_url_there_is_no_feed_or_sitemap() {
    let site = TestSite::fixture("site-structure");
    site.run(&["build", "--base-url", "/"]).success();
    assert!(!site.path("public/atom.xml").exists());
    assert!(!site.path("public/sitemap.xml").exists());
    assert_not_contains(&site.read("public/index.html"), &["application/atom+xml"]);
}

#[test]
fn not_found_page_is_styled_like_the_rest() {
    let site = TestSite::fixture("site-structure");
    site.build();
    site.file_matches(
        "public/404.html",
        snapbox::str![[r#"
<!DOCTYPE html>
<html lang="en">
<head>
...
<title>Page not found · Structure</title>
...
<link rel="stylesheet" href="/style.css">
...
</head>
<body>
...
    <nav class="site-nav" aria-label="Site">
...
<main id="main" class="wrap">

<h1>Page not found</h1>
<p>There is nothing at this address. It may have moved, or the link may be mistyped.</p>
<p><a href="/">Go to the home page</a></p>

<h2>Recent posts</h2>
<ul>
<li><a href="/posts/docker-notes/">Docker notes</a> <time datetime="2021-04-01">April 1, 2021</time></li><li>[..]</li>
</ul>


</main>
<footer class="site-footer">
...
</html>

"#]],
    );
}

#[test]
fn feed_carries_the_twenty_newest_posts() {
    let mut site = TestSite::empty();
    for day in 1..=25 {
        site = site.post(&format!("post-{day:02}"), &format!("2021-01-{day:02}"), "Text.\n");
    }
    site.build();
    let links = check_atom(&site.read("public/atom.xml"));
    assert_eq!(links.len(), 20);
    assert_eq!(links[0], "https://example.com/posts/post-25/");
    assert_eq!(links[19], "https://example.com/posts/post-06/");
}
