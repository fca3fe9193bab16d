//! Survey answers imported from CSV: any file is read against the demo questionnaire without a
//! panic; every row is either a valid response or a rejected row with its line.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

static QUESTIONNAIRE: LazyLock<mistok::surveys::model::Questionnaire> =
    LazyLock::new(mistok::demo::surveys::questionnaire);
static COMMUNITIES: LazyLock<Vec<String>> =
    LazyLock::new(|| vec!["kramatorsk".into(), "lyman".into(), "sloviansk".into()]);

fuzz_target!(|data: &[u8]| {
    if let Ok((valid, report)) =
        mistok::surveys::service::read_import(&QUESTIONNAIRE, &COMMUNITIES, data)
    {
        // Lines as an editor counts them (a row may span several, or share one ended by \r).
        let lines = data.iter().filter(|b| **b == b'\n').count() as u64 + 1;
        for row in &report.rejected {
            assert!(row.line >= 1 && row.line <= lines, "line {}", row.line);
            assert!(!row.problems.is_empty());
        }
        assert!(valid.len() + report.rejected.len() <= mistok::surveys::service::MAX_IMPORT_ROWS);
    }
});
