//! Colours a reader sees pass WCAG AA (contrast of at least 4.5:1), in the light and the
//! dark scheme: every highlight class of the generated `syntax.css`, with the cascade a
//! browser applies (a light rule more specific than a dark one still wins in the dark),
//! and the text, muted, link and badge colours of the default theme's `style.css`.

use std::collections::BTreeMap;

use crate::harness::{repo_root, TestSite};

const MIN_CONTRAST: f64 = 4.5;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scheme {
    Light,
    Dark,
}

/// One rule: its scheme (`None` for rules outside a colour-scheme media query), its
/// selectors and its declarations.
#[derive(Debug)]
struct Rule {
    dark: bool,
    selectors: Vec<String>,
    decls: BTreeMap<String, String>,
}

fn strip_comments(css: &str) -> String {
    let mut out = String::new();
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("*/").map_or(rest.len(), |e| start + e + 2);
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The rules of a stylesheet, nested `@media` blocks flattened (a block whose query
/// names `prefers-color-scheme: dark` marks its rules dark).
fn parse_rules(css: &str, dark: bool, rules: &mut Vec<Rule>) {
    let mut rest = css;
    while let Some(open) = rest.find('{') {
        let prelude = rest[..open].trim();
        if prelude.starts_with('@') {
            let mut depth = 0;
            let mut close = open;
            for (i, c) in rest[open..].char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    _ => {}
                }
                if depth == 0 {
                    close = open + i;
                    break;
                }
            }
            parse_rules(&rest[open + 1..close], dark || prelude.contains("prefers-color-scheme: dark"), rules);
            rest = &rest[close + 1..];
            continue;
        }
        let close = open + rest[open..].find('}').expect("a rule is closed");
        let decls = rest[open + 1..close]
            .split(';')
            .filter_map(|d| d.split_once(':'))
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            .collect();
        let selectors = prelude.split(',').map(|s| s.split_whitespace().collect::<Vec<_>>().join(" ")).collect();
        rules.push(Rule { dark, selectors, decls });
        rest = &rest[close + 1..];
    }
}

fn rules_of(css: &str) -> Vec<Rule> {
    let mut rules = Vec::new();
    parse_rules(&strip_comments(css), false, &mut rules);
    rules
}

type Rgb = [u8; 3];

fn hex(text: &str) -> Option<Rgb> {
    let h = text.trim().strip_prefix('#')?;
    let byte = |s: &str| u8::from_str_radix(s, 16).ok();
    match h.len() {
        3 | 4 => {
            let d: Vec<u8> = h.chars().take(3).map(|c| byte(&format!("{c}{c}"))).collect::<Option<_>>()?;
            Some([d[0], d[1], d[2]])
        }
        6 | 8 => Some([byte(&h[0..2])?, byte(&h[2..4])?, byte(&h[4..6])?]),
        _ => None,
    }
}

fn luminance(c: Rgb) -> f64 {
    let ch = |v: u8| {
        let v = f64::from(v) / 255.0;
        if v <= 0.04045 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * ch(c[0]) + 0.7152 * ch(c[1]) + 0.0722 * ch(c[2])
}

fn contrast(a: Rgb, b: Rgb) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// The custom properties of the theme's `:root`, for a scheme.
fn theme_colours(rules: &[Rule], scheme: Scheme) -> BTreeMap<String, Rgb> {
    let mut vars = BTreeMap::new();
    for rule in rules.iter().filter(|r| r.selectors == [":root"]) {
        if rule.dark && scheme == Scheme::Light {
            continue;
        }
        for (k, v) in &rule.decls {
            if let (Some(name), Some(c)) = (k.strip_prefix("--"), hex(v)) {
                vars.insert(name.to_string(), c);
            }
        }
    }
    vars
}

/// A selector as compounds of class names: `.a.b .c` is `[{a, b}, {c}]`.
fn compounds(selector: &str) -> Vec<Vec<String>> {
    selector
        .split(' ')
        .map(|compound| compound.split('.').filter(|c| !c.is_empty()).map(str::to_string).collect())
        .collect()
}

/// Does `rule` (compounds) match an element whose ancestors and self are `element`?
fn matches(rule: &[Vec<String>], element: &[Vec<String>]) -> bool {
    let (Some((last, ancestors)), Some((own, element_ancestors))) = (rule.split_last(), element.split_last()) else {
        return false;
    };
    if !last.iter().all(|c| own.contains(c)) {
        return false;
    }
    let mut candidates = element_ancestors.iter();
    ancestors.iter().all(|want| candidates.any(|have| want.iter().all(|c| have.contains(c))))
}

/// The value of `property` for the element, by the cascade (specificity, then order)
/// over the rules that apply in `scheme`, inherited from ancestors when no rule sets it
/// (for a background: when none sets one that is not transparent).
fn effective(rules: &[Rule], scheme: Scheme, element: &[Vec<String>], property: &str) -> Option<Rgb> {
    if element.is_empty() {
        return None;
    }
    let mut best: Option<(usize, usize, &str)> = None;
    for (order, rule) in rules.iter().enumerate() {
        if rule.dark && scheme == Scheme::Light {
            continue;
        }
        let Some(value) = rule.decls.get(property) else { continue };
        for selector in &rule.selectors {
            let rule_compounds = compounds(selector);
            if matches(&rule_compounds, element) {
                let specificity = rule_compounds.iter().map(Vec::len).sum();
                if best.is_none_or(|(s, o, _)| (specificity, order) >= (s, o)) {
                    best = Some((specificity, order, value));
                }
            }
        }
    }
    match best.and_then(|(_, _, v)| hex(v)) {
        Some(c) => Some(c),
        None => effective(rules, scheme, &element[..element.len() - 1], property),
    }
}

fn bundled_blog_css() -> (String, String) {
    let site = TestSite::bundled_blog();
    site.build().success();
    (
        site.read("public/syntax.css"),
        std::fs::read_to_string(repo_root().join("themes/default/static/style.css")).unwrap(),
    )
}

#[test]
fn every_highlight_class_is_readable_in_both_schemes() {
    let (syntax, style) = bundled_blog_css();
    let syntax_rules = rules_of(&syntax);
    let theme_rules = rules_of(&style);
    let mut selectors: Vec<&str> = syntax_rules.iter().flat_map(|r| r.selectors.iter().map(String::as_str)).collect();
    selectors.sort_unstable();
    selectors.dedup();
    // `.hl-code` is the theme's whole-block rule; gen's blocks are `pre.code`, styled by style.css.
    selectors.retain(|s| *s != ".hl-code");
    assert!(selectors.len() > 100, "syntax.css has its classes: {}", selectors.len());
    let mut failures = Vec::new();
    for scheme in [Scheme::Light, Scheme::Dark] {
        let vars = theme_colours(&theme_rules, scheme);
        for selector in &selectors {
            let element = compounds(selector);
            let fg = effective(&syntax_rules, scheme, &element, "color").unwrap_or(vars["fg"]);
            let bg = effective(&syntax_rules, scheme, &element, "background-color").unwrap_or(vars["code-bg"]);
            let ratio = contrast(fg, bg);
            if ratio < MIN_CONTRAST {
                failures.push(format!("{scheme:?} {selector}: {fg:02x?} on {bg:02x?} is {ratio:.2}:1"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} highlight classes below {MIN_CONTRAST}:1:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_dark_scheme_restyles_the_light_schemes_specific_rules() {
    // The case: parameters (`--rm`, `-f`) had the light colour in the dark.
    let (syntax, style) = bundled_blog_css();
    let rules = rules_of(&syntax);
    let dark = theme_colours(&rules_of(&style), Scheme::Dark);
    let element = compounds(".hl-source.hl-shell .hl-variable.hl-parameter.hl-option.hl-shell");
    let fg = effective(&rules, Scheme::Dark, &element, "color").unwrap();
    assert!(contrast(fg, dark["code-bg"]) >= MIN_CONTRAST, "{fg:02x?}");
    let light = effective(&rules, Scheme::Light, &element, "color").unwrap();
    assert_ne!(fg, light, "the dark scheme has its own colour for parameters");
}

#[test]
fn theme_text_and_badges_are_readable_in_both_schemes() {
    let style = std::fs::read_to_string(repo_root().join("themes/default/static/style.css")).unwrap();
    let rules = rules_of(&style);
    // Text colour, background, where the pair is shown.
    let pairs = [
        ("fg", "bg", "body text"),
        ("muted", "bg", "dates, descriptions, the footer, the snippet bar"),
        ("accent", "bg", "links, the copy button"),
        ("fg", "code-bg", "code"),
        ("muted", "code-bg", "prompts and output in console blocks"),
        ("accent", "accent-soft", "tags"),
        ("fg", "accent-soft", "the series box"),
        ("muted", "accent-soft", "unpublished parts in the series box"),
        ("accent", "accent-soft", "links in the series box"),
        ("ok", "bg", "passed badges"),
        ("fail", "bg", "failed badges"),
        ("skip", "bg", "skipped, unverified and draft badges"),
    ];
    let mut failures = Vec::new();
    for scheme in [Scheme::Light, Scheme::Dark] {
        let vars = theme_colours(&rules, scheme);
        for (fg, bg, what) in pairs {
            let ratio = contrast(vars[fg], vars[bg]);
            if ratio < MIN_CONTRAST {
                failures.push(format!("{scheme:?} --{fg} on --{bg} ({what}): {ratio:.2}:1"));
            }
        }
    }
    assert!(failures.is_empty(), "below {MIN_CONTRAST}:1:\n{}", failures.join("\n"));
}

#[test]
fn contrast_is_computed_as_wcag_defines_it() {
    assert!((contrast([0, 0, 0], [255, 255, 255]) - 21.0).abs() < 1e-9);
    // The measurement: #323232 on #1d2127 is 1.26:1.
    assert!((contrast(hex("#323232").unwrap(), hex("#1d2127").unwrap()) - 1.26).abs() < 0.01);
}
