//! `gen test --junit FILE`: the run as JUnit XML for CI systems, one `<testcase>` per
//! snippet (its id as the name, its post file as the class name, with file and line),
//! a `<failure>` with the findings, or `<skipped>` with the reason.

use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;

use super::suite::SuiteReport;
use super::Outcome;

/// The document for `report`.
pub fn junit_xml(report: &SuiteReport) -> String {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    let s = &report.summary;
    let (tests, failures, skipped) =
        ((s.passed + s.failed + s.skipped).to_string(), s.failed.to_string(), s.skipped.to_string());
    let counts =
        [("tests", tests.as_str()), ("failures", failures.as_str()), ("errors", "0"), ("skipped", skipped.as_str())];
    let write = |w: &mut Writer<Vec<u8>>, event: Event<'_>| w.write_event(event).expect("writing to memory");
    write(&mut w, Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
    write(
        &mut w,
        Event::Start(BytesStart::new("testsuites").with_attributes([("name", "gen test")].into_iter().chain(counts))),
    );
    write(
        &mut w,
        Event::Start(BytesStart::new("testsuite").with_attributes([("name", "snippets")].into_iter().chain(counts))),
    );
    for r in &report.snippets {
        let file = r.origin.file.to_string_lossy().replace('\\', "/");
        let line = r.origin.line.saturating_sub(1).to_string();
        let case = BytesStart::new("testcase").with_attributes([
            ("name", r.id.as_str()),
            ("classname", file.as_str()),
            ("file", file.as_str()),
            ("line", line.as_str()),
        ]);
        let (child, message, body) = match &r.outcome {
            Outcome::Failed { findings } => {
                let first = r.findings.first().map(|f| f.lines().next().unwrap_or("").to_string());
                let message = first
                    .or_else(|| findings.first().map(|f| f.message.clone()))
                    .unwrap_or_else(|| "failed at its last test (--force shows why)".into());
                ("failure", message, r.findings.join("\n"))
            }
            Outcome::Skipped { reason } => ("skipped", reason.clone(), String::new()),
            Outcome::Passed { .. } | Outcome::Inconclusive { .. } => {
                write(&mut w, Event::Empty(case));
                continue;
            }
        };
        write(&mut w, Event::Start(case));
        let element = BytesStart::new(child).with_attributes([("message", message.as_str())]);
        if body.is_empty() {
            write(&mut w, Event::Empty(element));
        } else {
            write(&mut w, Event::Start(element));
            write(&mut w, Event::Text(BytesText::new(&body)));
            write(&mut w, Event::End(BytesEnd::new(child)));
        }
        write(&mut w, Event::End(BytesEnd::new("testcase")));
    }
    write(&mut w, Event::End(BytesEnd::new("testsuite")));
    write(&mut w, Event::End(BytesEnd::new("testsuites")));
    let mut xml = String::from_utf8(w.into_inner()).expect("UTF-8 in, UTF-8 out");
    xml.push('\n');
    xml
}
