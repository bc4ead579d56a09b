//! The fence attribute parser (`{requires="docker 1.3+" test="run"}`): any text gives
//! attributes or an error at an offset inside the text.
#![no_main]

use gen::markdown::snippet::parse_attrs;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    match parse_attrs(text) {
        Ok(attrs) => {
            if let Some(id) = &attrs.id {
                assert!(!id.value.is_empty() && !id.value.contains('/'), "{id:?}");
                assert!(id.offset <= text.len());
            }
            if let Some(t) = attrs.timeout {
                assert!(!t.is_zero());
            }
        }
        Err(e) => {
            assert!(e.offset <= text.len(), "offset {} past the end of {text:?}", e.offset);
            assert!(!e.message.is_empty() && !e.help.is_empty());
        }
    }
});
