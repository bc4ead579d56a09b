//! The console-block parser: any block gives commands whose pieces point inside it.
#![no_main]

use gen::markdown::snippet::parse_console;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|code: &str| {
    let lines: Vec<&str> = code.lines().collect();
    for c in parse_console(code) {
        assert!(!c.pieces.is_empty(), "a command without a source line");
        for &(offset, line, column) in &c.pieces {
            assert!(offset <= c.text.len() && c.text.is_char_boundary(offset), "piece offset {offset} in {:?}", c.text);
            assert!(line < lines.len(), "piece line {line} past the block");
            assert!(column <= lines[line].len(), "piece column {column} past line {line}");
        }
        for (line, _) in &c.output {
            assert!(*line < lines.len(), "output line {line} past the block");
        }
    }
});
