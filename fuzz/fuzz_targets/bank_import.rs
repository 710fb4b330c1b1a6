//! The question bank importer (CSV and XLSX) on arbitrary bytes: it must never
//! panic, and whatever it accepts must be a valid question.
#![no_main]
use libfuzzer_sys::fuzz_target;
use thi24::server::bank_io::{read_any, validate};

fuzz_target!(|data: &[u8]| {
    // the XLSX reader's own panics are caught and reported as a malformed file: they must
    // not abort here (libfuzzer-sys aborts in its panic hook); an uncaught panic still does
    static QUIET: std::sync::Once = std::sync::Once::new();
    QUIET.call_once(|| std::panic::set_hook(Box::new(|_| {})));
    for name in ["cau-hoi.csv", "cau-hoi.xlsx"] {
        if let Ok(rows) = read_any(name, data) {
            if let Ok(valid) = validate(rows, &["boi-canh", "noi-dung"]) {
                for row in valid {
                    assert!(row.draft.problems(&["boi-canh", "noi-dung"]).is_empty(), "{:?}", row.draft);
                }
            }
        }
    }
});
