//! The roster and units importers' table readers (CSV and XLSX) on arbitrary bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;
use thi24::server::bank_io::read_table;
use thi24::server::units::{ROSTER, UNITS};

fuzz_target!(|data: &[u8]| {
    for name in ["danh-sach.csv", "danh-sach.xlsx"] {
        let _ = read_table(name, data, ROSTER);
        let _ = read_table(name, data, UNITS);
    }
});
