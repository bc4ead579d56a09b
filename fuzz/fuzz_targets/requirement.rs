//! The requirement parser (`docker 1.3+, os macos`): any text gives requirements that
//! read back the same when printed, or an error at an offset inside the text.
#![no_main]

use gen::requirement::parse_requirements;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    match parse_requirements(text) {
        Ok(reqs) => {
            let printed = reqs.iter().map(|r| r.to_string()).collect::<Vec<_>>().join(", ");
            let again = parse_requirements(&printed).unwrap_or_else(|e| panic!("{text:?} printed as {printed:?}, which does not parse: {}", e.message));
            assert_eq!(again, reqs, "{text:?} printed as {printed:?}");
        }
        Err(e) => assert!(e.offset <= text.len(), "offset {} past the end of {text:?}", e.offset),
    }
});
