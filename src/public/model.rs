//! The public register's rules: what a publication must hold, and the register's filters.

use time::{Date, Month};

use crate::error::FieldError;
use crate::i18n::Lang;
use crate::intake::model::{ReportKind, Status, clean_text};

pub const TITLE_MAX_CHARS: usize = 150;
pub const SUMMARY_MIN_CHARS: usize = 20;
pub const SUMMARY_MAX_CHARS: usize = 4_000;
pub const REGISTER_PAGE_SIZE: i64 = 20;
/// Deep pages cost the store more and no person reads them; filters narrow instead.
pub const REGISTER_MAX_PAGE: i64 = 500;

/// A coordinator's redacted summary, as typed.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub struct PublicationInput {
    pub title: String,
    pub summary: String,
    pub language: String,
}

/// A checked publication: title and summary cleaned, language known.
#[derive(Debug, Clone, PartialEq)]
pub struct Publication {
    pub title: String,
    pub summary: String,
    pub language: Lang,
}

pub fn validate_publication(input: &PublicationInput) -> Result<Publication, Vec<FieldError>> {
    let mut errors = Vec::new();
    let title = clean_text(&input.title).replace('\n', " ");
    if title.is_empty() {
        errors.push(FieldError::new("title", "error-publication-title-required"));
    } else if title.chars().count() > TITLE_MAX_CHARS {
        errors.push(FieldError::new("title", "error-too-long"));
    }
    let summary = clean_text(&input.summary);
    let length = summary.chars().count();
    if length < SUMMARY_MIN_CHARS {
        errors.push(FieldError::new(
            "summary",
            "error-publication-summary-required",
        ));
    } else if length > SUMMARY_MAX_CHARS {
        errors.push(FieldError::new("summary", "error-too-long"));
    }
    let language = Lang::from_code(input.language.trim());
    if language.is_none() {
        errors.push(FieldError::new("language", "error-filter-invalid"));
    }
    match language {
        Some(language) if errors.is_empty() => Ok(Publication {
            title,
            summary,
            language,
        }),
        _ => Err(errors),
    }
}

/// The register's filters as they come in the query string.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub struct RegisterQuery {
    pub kind: String,
    pub category: String,
    pub community: String,
    pub agency: String,
    pub status: String,
    /// `YYYY-MM`: the month the report was received.
    pub month: String,
    pub page: String,
}

/// A calendar month, as the register and exports filter by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct YearMonth {
    pub year: i32,
    pub month: Month,
}

impl YearMonth {
    pub fn parse(text: &str) -> Option<YearMonth> {
        let (year, month) = text.trim().split_once('-')?;
        if year.len() != 4 || month.len() != 2 {
            return None;
        }
        let year: i32 = year.parse().ok()?;
        let month = Month::try_from(month.parse::<u8>().ok()?).ok()?;
        (2000..=2100)
            .contains(&year)
            .then_some(YearMonth { year, month })
    }

    pub fn first_day(self) -> Date {
        Date::from_calendar_date(self.year, self.month, 1).unwrap_or(Date::MIN)
    }

    pub fn next(self) -> YearMonth {
        match self.month {
            Month::December => YearMonth {
                year: self.year + 1,
                month: Month::January,
            },
            month => YearMonth {
                year: self.year,
                month: month.next(),
            },
        }
    }

    pub fn code(self) -> String {
        format!("{:04}-{:02}", self.year, u8::from(self.month))
    }
}

/// Register filters that parsed; codes of categories, communities and agencies are checked
/// against the catalog by the service.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct RegisterFilters {
    pub kind: Option<ReportKind>,
    pub category: Option<String>,
    pub community: Option<String>,
    pub agency: Option<String>,
    pub status: Option<Status>,
    pub month: Option<YearMonth>,
    pub page: i64,
}

/// Parses what does not need the catalog; unknown values are field errors, never ignored.
pub fn parse_register_query(q: &RegisterQuery) -> Result<RegisterFilters, Vec<FieldError>> {
    let mut errors = Vec::new();
    let text = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let kind = match text(&q.kind) {
        None => None,
        Some(code) => {
            let kind = ReportKind::from_code(&code);
            if kind.is_none() {
                errors.push(FieldError::new("kind", "error-filter-invalid"));
            }
            kind
        }
    };
    let status = match text(&q.status) {
        None => None,
        Some(code) => {
            let status = Status::from_code(&code).filter(|s| *s != Status::Merged);
            if status.is_none() {
                errors.push(FieldError::new("status", "error-filter-invalid"));
            }
            status
        }
    };
    let month = match text(&q.month) {
        None => None,
        Some(code) => {
            let month = YearMonth::parse(&code);
            if month.is_none() {
                errors.push(FieldError::new("month", "error-month-invalid"));
            }
            month
        }
    };
    let page = match text(&q.page) {
        None => 1,
        Some(page) => match page.parse::<i64>() {
            Ok(n) if (1..=REGISTER_MAX_PAGE).contains(&n) => n,
            _ => {
                errors.push(FieldError::new("page", "error-page-invalid"));
                1
            }
        },
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(RegisterFilters {
        kind,
        category: text(&q.category),
        community: text(&q.community),
        agency: text(&q.agency),
        status,
        month,
        page,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_publication_needs_a_title_a_real_summary_and_a_language() {
        let ok = validate_publication(&PublicationInput {
            title: "  Detention\nwithout a lawyer ".into(),
            summary: "A man was held for nine hours without a lawyer.".into(),
            language: "en".into(),
        })
        .unwrap();
        assert_eq!(ok.title, "Detention without a lawyer");
        assert_eq!(ok.language, Lang::En);
        let errors = validate_publication(&PublicationInput {
            title: " ".into(),
            summary: "Too short".into(),
            language: "de".into(),
        })
        .unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["title", "summary", "language"]);
    }

    #[test]
    fn register_filters_are_checked() {
        let parsed = parse_register_query(&RegisterQuery {
            kind: "violation".into(),
            month: "2026-10".into(),
            status: "closed".into(),
            page: "3".into(),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(parsed.kind, Some(ReportKind::Violation));
        assert_eq!(
            parsed.month.map(YearMonth::code).as_deref(),
            Some("2026-10")
        );
        assert_eq!(parsed.page, 3);
        let errors = parse_register_query(&RegisterQuery {
            kind: "x".into(),
            month: "2026-13".into(),
            status: "merged".into(),
            page: "0".into(),
            ..Default::default()
        })
        .unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["kind", "status", "month", "page"]);
    }

    #[test]
    fn december_is_followed_by_january() {
        let december = YearMonth::parse("2026-12").unwrap();
        assert_eq!(december.next().code(), "2027-01");
        assert_eq!(december.first_day().to_string(), "2026-12-01");
    }

    proptest! {
        #[test]
        fn any_query_parses_or_names_its_fields(
            kind in ".{0,12}", month in ".{0,10}", status in ".{0,12}", page in ".{0,6}"
        ) {
            let q = RegisterQuery { kind, month, status, page, ..Default::default() };
            match parse_register_query(&q) {
                Ok(f) => prop_assert!((1..=REGISTER_MAX_PAGE).contains(&f.page)),
                Err(errors) => prop_assert!(!errors.is_empty()),
            }
        }

        #[test]
        fn months_round_trip(year in 2000i32..=2100, month in 1u8..=12) {
            let code = format!("{year:04}-{month:02}");
            prop_assert_eq!(YearMonth::parse(&code).map(YearMonth::code), Some(code));
        }
    }
}
