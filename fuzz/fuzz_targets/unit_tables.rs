//! The roster and units importers' table readers (CSV and XLSX) on arbitrary bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;
use thi24::server::bank_io::read_table;
use thi24::server::units::{ROSTER, UNITS};

fuzz_target!(|data: &[u8]| {
    // the XLSX reader's own panics are caught and reported as a malformed file: they must
    // not abort here (libfuzzer-sys aborts in its panic hook); an uncaught panic still does
    static QUIET: std::sync::Once = std::sync::Once::new();
    QUIET.call_once(|| std::panic::set_hook(Box::new(|_| {})));
    for name in ["danh-sach.csv", "danh-sach.xlsx"] {
        let _ = read_table(name, data, ROSTER);
        let _ = read_table(name, data, UNITS);
    }
});
