//! Rewriting the URLs of rendered HTML: relative URLs for sites opened from any folder
//! (`base_url = "."`), and absolute URLs for feeds, whose readers have no page to resolve
//! against. Only `href` and `src` attributes inside tags are touched.

/// Calls `f` on the value of every `href="..."` and `src="..."` of `html` (as written,
/// HTML-escaped) and puts in what it returns, or leaves the value when it returns `None`.
pub fn rewrite_urls(html: &str, f: impl Fn(&str) -> Option<String>) -> String {
    let bytes = html.as_bytes();
    let mut out = String::with_capacity(html.len() + html.len() / 16);
    let mut copied = 0;
    let mut in_tag = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'<' => in_tag = true,
            b'>' => in_tag = false,
            b'=' if in_tag && (ends_with_attr(&html[..i], "href") || ends_with_attr(&html[..i], "src")) => {
                if let Some(&q) = bytes.get(i + 1).filter(|&&q| q == b'"' || q == b'\'') {
                    let start = i + 2;
                    if let Some(len) = html[start..].find(q as char) {
                        if let Some(new) = f(&html[start..start + len]) {
                            out.push_str(&html[copied..start]);
                            out.push_str(&new);
                            copied = start + len;
                        }
                        i = start + len + 1;
                        continue;
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    out.push_str(&html[copied..]);
    out
}

/// Whether `before` ends with ` name` (the attribute name after whitespace).
fn ends_with_attr(before: &str, name: &str) -> bool {
    before.len() > name.len()
        && before.as_bytes()[before.len() - name.len()..].eq_ignore_ascii_case(name.as_bytes())
        && before.as_bytes()[before.len() - name.len() - 1].is_ascii_whitespace()
}

/// The URL, relative to the page at site path `page` (`posts/x/`, `404.html`, ``), of the
/// root-relative `url` (`/tags/docker/#x`). Folder URLs get `index.html`, so the links
/// also work when the site is opened as files. `None` for any other URL.
pub fn relative_url(page: &str, url: &str) -> Option<String> {
    let path = url.strip_prefix('/').filter(|p| !p.starts_with('/'))?;
    let split = path.find(['#', '?']).unwrap_or(path.len());
    let (path, rest) = path.split_at(split);
    let depth = page.matches('/').count();
    let mut out = "../".repeat(depth);
    out.push_str(path);
    if path.is_empty() || path.ends_with('/') {
        out.push_str("index.html");
    }
    out.push_str(rest);
    Some(out)
}

/// The absolute form of `url` on the page at `page_permalink`
/// (`https://example.com/blog/posts/x/`): `None` when it already has a scheme.
pub fn absolute_url(url: &str, page_permalink: &str, origin: &str) -> Option<String> {
    if url.starts_with("//") || has_scheme(url) {
        None
    } else if url.starts_with('/') {
        Some(format!("{origin}{url}"))
    } else {
        Some(format!("{page_permalink}{url}"))
    }
}

fn has_scheme(url: &str) -> bool {
    url.find(':').is_some_and(|i| i > 0 && url[..i].chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_urls_climb_to_the_root_and_name_index_html() {
        assert_eq!(relative_url("posts/x/", "/posts/y/#a").as_deref(), Some("../../posts/y/index.html#a"));
        assert_eq!(relative_url("", "/").as_deref(), Some("index.html"));
        assert_eq!(relative_url("404.html", "/style.css").as_deref(), Some("style.css"));
        assert_eq!(
            relative_url("tags/docker/page/2/", "/tags/docker/").as_deref(),
            Some("../../../../tags/docker/index.html")
        );
        assert_eq!(relative_url("", "//cdn.example.com/x.js"), None);
        assert_eq!(relative_url("", "https://example.com/"), None);
    }

    #[test]
    fn rewrites_only_attributes_inside_tags() {
        let html = "<a class=\"x\" href=\"/a/\">href=\"/b/\"</a><img src='/i.png' alt=\"\"><p>x href='/c/'</p><link data-href=\"/d/\">";
        let out = rewrite_urls(html, |u| relative_url("posts/x/", u));
        assert_eq!(
            out,
            "<a class=\"x\" href=\"../../a/index.html\">href=\"/b/\"</a><img src='../../i.png' alt=\"\"><p>x href='/c/'</p><link data-href=\"/d/\">"
        );
    }

    #[test]
    fn absolute_urls_for_feeds() {
        let page = "https://example.com/blog/posts/x/";
        assert_eq!(
            absolute_url("/blog/posts/y/", page, "https://example.com").as_deref(),
            Some("https://example.com/blog/posts/y/")
        );
        assert_eq!(
            absolute_url("#usage", page, "https://example.com").as_deref(),
            Some("https://example.com/blog/posts/x/#usage")
        );
        assert_eq!(
            absolute_url("img.png", page, "https://example.com").as_deref(),
            Some("https://example.com/blog/posts/x/img.png")
        );
        assert_eq!(absolute_url("mailto:me@example.com", page, ""), None);
    }
}
