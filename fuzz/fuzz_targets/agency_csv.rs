//! Tables of agencies' reports, uploaded as CSV from any spreadsheet: any bytes are read or
//! refused with a reason, never a panic; a table that is read has its rows as wide as its header
//! or wider, within the limits.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mistok::accountability::model::parse_csv;

fuzz_target!(|data: &[u8]| {
    if let Ok(table) = parse_csv(data, "Caption") {
        assert!(!table.header.is_empty());
        for row in &table.rows {
            assert!(row.len() >= table.header.len());
        }
    }
});
