//! Accountability reports: the period they cover, their text, and statistics tables read from
//! CSV files as spreadsheets save them (comma, semicolon or tab separated; UTF-8).

use serde::{Deserialize, Serialize};

use crate::error::FieldError;
use crate::i18n::Lang;
use crate::intake::model::clean_text;

pub const TITLE_MAX_CHARS: usize = 200;
pub const BODY_MAX_CHARS: usize = 20_000;
pub const MAX_TABLES: usize = 5;
pub const MAX_CSV_BYTES: usize = 256 * 1024;
pub const MAX_ROWS: usize = 500;
pub const MAX_COLUMNS: usize = 30;
pub const MAX_CELL_CHARS: usize = 500;

/// A table as published: a caption, a header row and the data rows (all text, as typed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table {
    pub caption: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// Why a CSV file could not be read, as a message key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvProblem {
    TooLarge,
    NotUtf8,
    Empty,
    TooManyRows,
    TooManyColumns,
    CellTooLong,
    Malformed,
}

impl CsvProblem {
    pub fn message_key(self) -> &'static str {
        match self {
            CsvProblem::TooLarge => "error-csv-too-large",
            CsvProblem::NotUtf8 => "error-csv-not-utf8",
            CsvProblem::Empty => "error-csv-empty",
            CsvProblem::TooManyRows => "error-csv-too-many-rows",
            CsvProblem::TooManyColumns => "error-csv-too-many-columns",
            CsvProblem::CellTooLong => "error-csv-cell-too-long",
            CsvProblem::Malformed => "error-csv-malformed",
        }
    }
}

/// The separator a spreadsheet used: the most frequent of `;`, `,` and tab in the first line
/// (Excel in a Ukrainian or Russian locale saves with semicolons).
fn separator(first_line: &str) -> u8 {
    let count = |c: char| first_line.matches(c).count();
    [(b';', count(';')), (b'\t', count('\t')), (b',', count(','))]
        .into_iter()
        .max_by_key(|(_, n)| *n)
        .filter(|(_, n)| *n > 0)
        .map(|(b, _)| b)
        .unwrap_or(b',')
}

/// Reads one CSV file into a table captioned `caption`; the first row is the header.
pub fn parse_csv(bytes: &[u8], caption: &str) -> Result<Table, CsvProblem> {
    if bytes.len() > MAX_CSV_BYTES {
        return Err(CsvProblem::TooLarge);
    }
    let text = std::str::from_utf8(bytes).map_err(|_| CsvProblem::NotUtf8)?;
    let text = text.trim_start_matches('\u{feff}');
    let first_line = text.lines().next().unwrap_or("");
    if first_line.trim().is_empty() {
        return Err(CsvProblem::Empty);
    }
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(separator(first_line))
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|_| CsvProblem::Malformed)?;
        if record.len() > MAX_COLUMNS {
            return Err(CsvProblem::TooManyColumns);
        }
        let cells: Vec<String> = record.iter().map(clean_text).collect();
        if cells.iter().any(|c| c.chars().count() > MAX_CELL_CHARS) {
            return Err(CsvProblem::CellTooLong);
        }
        if cells.iter().all(String::is_empty) {
            continue;
        }
        records.push(cells);
        if records.len() > MAX_ROWS + 1 {
            return Err(CsvProblem::TooManyRows);
        }
    }
    let mut records = records.into_iter();
    let header = records.next().ok_or(CsvProblem::Empty)?;
    let width = header.len();
    // Every row as wide as the header, so the table lines up.
    let rows = records
        .map(|mut r| {
            r.resize(width.max(r.len()), String::new());
            r
        })
        .collect();
    Ok(Table {
        caption: clean_text(caption),
        header,
        rows,
    })
}

/// A period as `2026`, `2026-Q3` or `2026-10`.
pub fn valid_period(text: &str) -> Option<String> {
    let text = text.trim().to_uppercase();
    let year_ok =
        |y: &str| y.len() == 4 && y.parse::<u16>().is_ok_and(|y| (2000..=2100).contains(&y));
    let ok = match text.split_once('-') {
        None => year_ok(&text),
        Some((year, rest)) => {
            year_ok(year)
                && (matches!(rest, "Q1" | "Q2" | "Q3" | "Q4")
                    || (rest.len() == 2 && rest.parse::<u8>().is_ok_and(|m| (1..=12).contains(&m))))
        }
    };
    ok.then_some(text)
}

/// The report's text fields as typed.
#[derive(Debug, Default, Clone)]
pub struct ReportInput {
    pub title: String,
    pub period: String,
    pub language: String,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CheckedReport {
    pub title: String,
    pub period: String,
    pub language: Lang,
    pub body: String,
}

pub fn validate_report(input: &ReportInput) -> Result<CheckedReport, Vec<FieldError>> {
    let mut errors = Vec::new();
    let title = clean_text(&input.title).replace('\n', " ");
    if title.is_empty() {
        errors.push(FieldError::new("title", "error-article-title"));
    } else if title.chars().count() > TITLE_MAX_CHARS {
        errors.push(FieldError::new("title", "error-too-long"));
    }
    let period = valid_period(&input.period);
    if period.is_none() {
        errors.push(FieldError::new("period", "error-period-invalid"));
    }
    let language = Lang::from_code(input.language.trim());
    if language.is_none() {
        errors.push(FieldError::new("language", "error-filter-invalid"));
    }
    let body = clean_text(&input.body);
    if body.is_empty() {
        errors.push(FieldError::new("body", "error-article-body"));
    } else if body.chars().count() > BODY_MAX_CHARS {
        errors.push(FieldError::new("body", "error-too-long"));
    }
    match (period, language) {
        (Some(period), Some(language)) if errors.is_empty() => Ok(CheckedReport {
            title,
            period,
            language,
            body,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reads_what_spreadsheets_save() {
        let semicolons = "\u{feff}Місяць;Звернень;Вчасно\nЖовтень;42;39\n;;\nЛистопад;17\n";
        let t = parse_csv(semicolons.as_bytes(), "Звернення ").unwrap();
        assert_eq!(t.caption, "Звернення");
        assert_eq!(t.header, ["Місяць", "Звернень", "Вчасно"]);
        assert_eq!(
            t.rows,
            [vec!["Жовтень", "42", "39"], vec!["Листопад", "17", ""]]
        );
        let commas = "Month,Reports\n\"October, 2026\",42\n";
        let t = parse_csv(commas.as_bytes(), "x").unwrap();
        assert_eq!(t.rows, [vec!["October, 2026", "42"]]);
        let tabs = "a\tb\n1\t2\n";
        assert_eq!(parse_csv(tabs.as_bytes(), "x").unwrap().header, ["a", "b"]);
    }

    #[test]
    fn refuses_what_it_cannot_show() {
        assert_eq!(parse_csv(b"", "x"), Err(CsvProblem::Empty));
        assert_eq!(
            parse_csv(&[0xcf, 0xf0, 0xe8], "x"),
            Err(CsvProblem::NotUtf8)
        );
        let wide = (0..40).map(|i| i.to_string()).collect::<Vec<_>>().join(",");
        assert_eq!(
            parse_csv(wide.as_bytes(), "x"),
            Err(CsvProblem::TooManyColumns)
        );
        let long = "a\n".repeat(MAX_ROWS + 5);
        assert_eq!(
            parse_csv(long.as_bytes(), "x"),
            Err(CsvProblem::TooManyRows)
        );
        assert_eq!(
            parse_csv(&vec![b'a'; MAX_CSV_BYTES + 1], "x"),
            Err(CsvProblem::TooLarge)
        );
    }

    #[test]
    fn periods() {
        assert_eq!(valid_period("2026").as_deref(), Some("2026"));
        assert_eq!(valid_period(" 2026-q3 ").as_deref(), Some("2026-Q3"));
        assert_eq!(valid_period("2026-10").as_deref(), Some("2026-10"));
        for bad in ["", "26", "2026-13", "2026-Q5", "2026-1", "autumn"] {
            assert_eq!(valid_period(bad), None, "{bad}");
        }
    }

    proptest! {
        #[test]
        fn any_bytes_parse_or_are_refused(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
            if let Ok(t) = parse_csv(&bytes, "x") {
                prop_assert!(t.rows.iter().all(|r| r.len() >= t.header.len()));
            }
        }

        #[test]
        fn any_text_parses_or_is_refused(text in "(?s).{0,400}") {
            let _ = parse_csv(text.as_bytes(), "x");
        }
    }
}
