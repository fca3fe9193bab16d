//! What the public statistics are made of: the filters as typed and as understood, the cells of
//! a published table with small-count suppression, and percentiles of response times.
//!
//! # Small counts
//! A count of 1 to 4 is published as "<5" ([`Cell::Small`]): in a small community a rare kind of
//! report could point at the person who made it. A table's cells add up to a total that is
//! published too (the by-category table of a kind adds up to that kind's count, the months to
//! the period's count…), so one hidden cell could be worked out as the total minus the others.
//! [`protect`] therefore also hides the smallest other cells ([`Cell::Hidden`], published as
//! "≥5", complementary suppression) until every hidden cell could still have at least two values
//! given what a reader knows: the total, the shown cells, that a "<5" is 1–4 and that a "≥5" is
//! at least 5 and at most the smallest shown count. A zero is published as it is.
//!
//! This protects every table against its own total. It does not stop a reader who compares two
//! overlapping periods (1–10 March against 1–11 March) or many filtered tables: that needs noise,
//! which would make the figures wrong for everybody. The fields page says so.

use std::collections::BTreeMap;

use serde::Serialize;
use time::{Date, Month};

use crate::error::FieldError;
use crate::intake::model::{Catalog, ReportKind};

/// Counts below this are not published exactly, and no percentile or share is computed from
/// fewer items.
pub const SUPPRESS_BELOW: u64 = 5;

/// Longest period one page covers.
pub const MAX_MONTHS: usize = 120;

/// One published count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    /// Zero, or five and more.
    Exact(u64),
    /// 1 to 4.
    Small,
    /// Five or more, hidden so that a small cell beside it cannot be worked out.
    Hidden,
}

impl Cell {
    /// A count on its own, with no total beside it.
    pub fn single(value: u64) -> Cell {
        if value > 0 && value < SUPPRESS_BELOW {
            Cell::Small
        } else {
            Cell::Exact(value)
        }
    }

    pub fn value(self) -> Option<u64> {
        match self {
            Cell::Exact(v) => Some(v),
            _ => None,
        }
    }

    /// As published in downloads: the number, `<5` or `>=5`.
    pub fn shown(self) -> String {
        match self {
            Cell::Exact(v) => v.to_string(),
            Cell::Small => "<5".into(),
            Cell::Hidden => ">=5".into(),
        }
    }

    /// As shown on the page: the number with thin-space thousands, `<5` or `≥5`.
    pub fn display(self) -> String {
        match self {
            Cell::Exact(v) => group_thousands(v),
            Cell::Small => "<5".into(),
            Cell::Hidden => "≥5".into(),
        }
    }

    pub fn is_suppressed(self) -> bool {
        !matches!(self, Cell::Exact(_))
    }
}

impl Serialize for Cell {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = s.serialize_struct("Cell", 2)?;
        out.serialize_field("value", &self.value())?;
        out.serialize_field("shown", &self.shown())?;
        out.end()
    }
}

/// `12345` → `12 345` (a narrow no-break space, as Ukrainian typography has it).
pub fn group_thousands(v: u64) -> String {
    let digits = v.to_string();
    let mut out = String::with_capacity(digits.len() + 6);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    out
}

/// The cells of a table whose `values` add up to a published total, suppressed so that no small
/// value can be worked out from the total (see the module's comment).
pub fn protect(values: &[u64]) -> Vec<Cell> {
    let mut cells: Vec<Cell> = values.iter().map(|&v| Cell::single(v)).collect();
    if !cells.contains(&Cell::Small) {
        return cells;
    }
    while !all_ambiguous(values, &cells) {
        // The smallest count still shown gives away the least when hidden.
        let next = (0..values.len())
            .filter(|&i| matches!(cells[i], Cell::Exact(v) if v > 0))
            .min_by_key(|&i| values[i]);
        match next {
            Some(i) => cells[i] = Cell::Hidden,
            None => break,
        }
    }
    cells
}

/// Whether every hidden cell could still have two or more values, for a reader who knows the
/// total, the shown cells, and the bounds of "<5" and "≥5".
fn all_ambiguous(values: &[u64], cells: &[Cell]) -> bool {
    let hidden: Vec<usize> = (0..cells.len())
        .filter(|&i| cells[i].is_suppressed())
        .collect();
    let sum: u64 = hidden.iter().map(|&i| values[i]).sum();
    // A "≥5" is at most the smallest count still shown (the reader may know the rule).
    let ceiling = (0..cells.len())
        .filter_map(|i| match cells[i] {
            Cell::Exact(v) if v > 0 => Some(v),
            _ => None,
        })
        .min()
        .unwrap_or(sum)
        .max(SUPPRESS_BELOW);
    let bounds = |i: usize| match cells[i] {
        Cell::Small => (1, SUPPRESS_BELOW - 1),
        _ => (SUPPRESS_BELOW, ceiling),
    };
    let lo_all: u64 = hidden.iter().map(|&i| bounds(i).0).sum();
    let hi_all: u64 = hidden.iter().map(|&i| bounds(i).1).sum();
    hidden.iter().all(|&i| {
        let (lo, hi) = bounds(i);
        let (others_lo, others_hi) = (lo_all - lo, hi_all - hi);
        let least = lo.max(sum.saturating_sub(others_hi));
        let most = hi.min(sum.saturating_sub(others_lo));
        least < most
    })
}

/// How long something took, counted in whole hours (rounded down), with how many took it.
pub type Histogram = BTreeMap<i64, u64>;

/// The nearest-rank percentile: the smallest value such that at least `p` per cent of the
/// items are at or below it. `None` when there are fewer than [`SUPPRESS_BELOW`] items.
pub fn percentile(hist: &Histogram, p: u32) -> Option<i64> {
    let n: u64 = hist.values().sum();
    if n < SUPPRESS_BELOW || p == 0 || p > 100 {
        return None;
    }
    // rank = ceil(p/100 × n), 1-based
    let rank = (u64::from(p) * n).div_ceil(100);
    let mut seen = 0;
    for (&value, &count) in hist {
        seen += count;
        if seen >= rank {
            return Some(value);
        }
    }
    None
}

/// Median and 90th percentile of a set of durations, when there are enough of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Spread {
    pub median: i64,
    pub p90: i64,
    /// How many durations they were computed from.
    pub n: u64,
}

pub fn spread(hist: &Histogram) -> Option<Spread> {
    Some(Spread {
        median: percentile(hist, 50)?,
        p90: percentile(hist, 90)?,
        n: hist.values().sum(),
    })
}

/// `part / whole`, when `whole` has enough items to say something.
pub fn share(part: u64, whole: u64) -> Option<f64> {
    (whole >= SUPPRESS_BELOW).then(|| part as f64 / whole as f64)
}

/// The filters as typed (in the query string); kept as typed to show them back.
#[derive(Debug, Clone, Default)]
pub struct StatsInput {
    pub from: String,
    pub to: String,
    pub kind: String,
    pub category: String,
    pub community: String,
}

impl StatsInput {
    /// Reads a query string leniently: unknown or repeated names never fail (the last wins),
    /// and over-long values are cut, so that any address gives a page.
    pub fn from_query(query: Option<&str>) -> StatsInput {
        let mut input = StatsInput::default();
        for (name, value) in url::form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
            let value: String = value.chars().take(80).collect();
            match &*name {
                "from" => input.from = value,
                "to" => input.to = value,
                "kind" => input.kind = value,
                "category" => input.category = value,
                "community" => input.community = value,
                _ => {}
            }
        }
        input
    }
}

/// The filters understood: a period of whole days in the platform's time zone (`to` included)
/// and at most one kind, category and community. Also the key of the cache.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Filters {
    pub from: Date,
    pub to: Date,
    pub kind: Option<ReportKind>,
    pub category: Option<String>,
    pub community: Option<String>,
}

impl Filters {
    /// The query string that gives these filters back (for links and downloads).
    pub fn query(&self) -> String {
        let mut out = url::form_urlencoded::Serializer::new(String::new());
        out.append_pair("from", &iso_date(self.from));
        out.append_pair("to", &iso_date(self.to));
        if let Some(kind) = self.kind {
            out.append_pair("kind", kind.code());
        }
        if let Some(c) = &self.category {
            out.append_pair("category", c);
        }
        if let Some(c) = &self.community {
            out.append_pair("community", c);
        }
        out.finish()
    }

    /// The calendar months the period touches, first to last.
    pub fn months(&self) -> Vec<(i32, Month)> {
        let mut out = Vec::new();
        let (mut year, mut month) = (self.from.year(), self.from.month());
        while (year, month as u8) <= (self.to.year(), self.to.month() as u8) {
            out.push((year, month));
            if month == Month::December {
                year += 1;
            }
            month = month.next();
        }
        out
    }
}

/// How many calendar months `from..=to` touches.
fn month_count(from: Date, to: Date) -> usize {
    let index = |d: Date| d.year() * 12 + i32::from(u8::from(d.month()));
    usize::try_from(index(to) - index(from) + 1).unwrap_or(0)
}

pub fn iso_date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Which end of the period a typed month stands for.
#[derive(Clone, Copy)]
enum End {
    Start,
    Finish,
}

/// `YYYY-MM` (the month's first or last day) or `YYYY-MM-DD`, years 2000 to 2100.
fn parse_bound(text: &str, end: End) -> Result<Option<Date>, ()> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let parts: Vec<&str> = text.split('-').collect();
    let number = |s: &str, len: usize| -> Result<u16, ()> {
        if s.len() == len && s.bytes().all(|b| b.is_ascii_digit()) {
            s.parse().map_err(|_| ())
        } else {
            Err(())
        }
    };
    let (year, month) = match parts.as_slice() {
        [y, m] | [y, m, _] => (number(y, 4)?, number(m, 2)?),
        _ => return Err(()),
    };
    if !(2000..=2100).contains(&year) {
        return Err(());
    }
    let month = Month::try_from(u8::try_from(month).map_err(|_| ())?).map_err(|_| ())?;
    let year = i32::from(year);
    let day = match (parts.as_slice(), end) {
        ([_, _, d], _) => u8::try_from(number(d, 2)?).map_err(|_| ())?,
        (_, End::Start) => 1,
        (_, End::Finish) => time::util::days_in_month(month, year),
    };
    Date::from_calendar_date(year, month, day)
        .map(Some)
        .map_err(|_| ())
}

fn first_of_month(d: Date) -> Date {
    d.replace_day(1).unwrap_or(d)
}

/// `d` moved `months` calendar months back, on the first of that month.
fn months_back(d: Date, months: u32) -> Date {
    let index = d.year() * 12 + i32::from(u8::from(d.month())) - 1 - months as i32;
    let month = Month::try_from((index.rem_euclid(12) + 1) as u8).unwrap_or(Month::January);
    Date::from_calendar_date(index.div_euclid(12), month, 1).unwrap_or(d)
}

/// Checks the typed filters against the catalog; `today` is the platform's date. With no
/// period, the last 12 calendar months up to today's month's end.
pub fn validate(
    input: &StatsInput,
    catalog: &impl Catalog,
    today: Date,
) -> Result<Filters, Vec<FieldError>> {
    let mut errors = Vec::new();
    let from = parse_bound(&input.from, End::Start).unwrap_or_else(|()| {
        errors.push(FieldError::new("from", "stats-error-date"));
        None
    });
    let to = parse_bound(&input.to, End::Finish).unwrap_or_else(|()| {
        errors.push(FieldError::new("to", "stats-error-date"));
        None
    });
    let end_of_this_month = first_of_month(today)
        .replace_day(time::util::days_in_month(today.month(), today.year()))
        .unwrap_or(today);
    let to_or_default = to.unwrap_or(end_of_this_month);
    let from_or_default = from.unwrap_or_else(|| months_back(to_or_default, 11));
    if errors.is_empty() {
        if from_or_default > to_or_default {
            errors.push(FieldError::new("to", "stats-error-range"));
        } else if month_count(from_or_default, to_or_default) > MAX_MONTHS {
            errors.push(FieldError::new("from", "stats-error-too-long"));
        }
    }
    let kind = match input.kind.trim() {
        "" => None,
        code => match ReportKind::from_code(code) {
            Some(kind) => Some(kind),
            None => {
                errors.push(FieldError::new("kind", "stats-error-kind"));
                None
            }
        },
    };
    let category = match input.category.trim() {
        "" => None,
        code => match catalog.category_kind(code) {
            Some(of) if kind.is_some_and(|k| k != of) => {
                errors.push(FieldError::new("category", "stats-error-category-kind"));
                None
            }
            Some(_) => Some(code.to_string()),
            None => {
                errors.push(FieldError::new("category", "stats-error-category"));
                None
            }
        },
    };
    let community = match input.community.trim() {
        "" => None,
        code if catalog.community_exists(code) => Some(code.to_string()),
        _ => {
            errors.push(FieldError::new("community", "stats-error-community"));
            None
        }
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Filters {
        from: from_or_default,
        to: to_or_default,
        kind,
        category,
        community,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    struct TestCatalog;
    impl Catalog for TestCatalog {
        fn category_kind(&self, code: &str) -> Option<ReportKind> {
            match code {
                "unlawful_detention" => Some(ReportKind::Violation),
                "lighting" => Some(ReportKind::Safety),
                _ => None,
            }
        }
        fn community_exists(&self, code: &str) -> bool {
            code == "kramatorsk"
        }
    }

    fn input(from: &str, to: &str) -> StatsInput {
        StatsInput {
            from: from.into(),
            to: to.into(),
            ..Default::default()
        }
    }

    #[test]
    fn periods() {
        let today = date!(2026 - 11 - 26);
        let f = validate(&input("", ""), &TestCatalog, today).unwrap();
        assert_eq!(
            (f.from, f.to),
            (date!(2025 - 12 - 01), date!(2026 - 11 - 30))
        );
        assert_eq!(f.months().len(), 12);
        let f = validate(&input("2026-02", "2026-02"), &TestCatalog, today).unwrap();
        assert_eq!(
            (f.from, f.to),
            (date!(2026 - 02 - 01), date!(2026 - 02 - 28))
        );
        let f = validate(&input("2024-02-10", "2024-03-05"), &TestCatalog, today).unwrap();
        assert_eq!(
            f.months(),
            vec![(2024, Month::February), (2024, Month::March)]
        );
        let f = validate(&input("", "2026-03"), &TestCatalog, today).unwrap();
        assert_eq!(f.from, date!(2025 - 04 - 01));
        for bad in [
            "2026-13",
            "2026-02-30",
            "26-01",
            "1999-01",
            "2026/01",
            "x",
            "2026-1",
        ] {
            let e = validate(&input(bad, ""), &TestCatalog, today).unwrap_err();
            assert_eq!(
                e,
                vec![FieldError::new("from", "stats-error-date")],
                "{bad}"
            );
        }
        let e = validate(&input("2026-05", "2026-04"), &TestCatalog, today).unwrap_err();
        assert_eq!(e, vec![FieldError::new("to", "stats-error-range")]);
        let e = validate(&input("2000-01", "2026-04"), &TestCatalog, today).unwrap_err();
        assert_eq!(e, vec![FieldError::new("from", "stats-error-too-long")]);
        assert_eq!(f.query(), "from=2025-04-01&to=2026-03-31");
    }

    #[test]
    fn codes() {
        let today = date!(2026 - 11 - 26);
        let typed = StatsInput {
            kind: "safety".into(),
            category: "unlawful_detention".into(),
            community: "atlantis".into(),
            ..Default::default()
        };
        let e = validate(&typed, &TestCatalog, today).unwrap_err();
        assert_eq!(
            e,
            vec![
                FieldError::new("category", "stats-error-category-kind"),
                FieldError::new("community", "stats-error-community"),
            ]
        );
        let typed = StatsInput::from_query(Some(
            "kind=violation&kind=nonsense&category=unlawful_detention&x=1&community=kramatorsk",
        ));
        let e = validate(&typed, &TestCatalog, today).unwrap_err();
        assert_eq!(e, vec![FieldError::new("kind", "stats-error-kind")]);
        let typed = StatsInput::from_query(Some("kind=violation&category=unlawful_detention"));
        let f = validate(&typed, &TestCatalog, today).unwrap();
        assert_eq!(f.kind, Some(ReportKind::Violation));
        assert_eq!(f.category.as_deref(), Some("unlawful_detention"));
    }

    #[test]
    fn small_counts_are_suppressed_with_a_complement() {
        use Cell::*;
        assert_eq!(protect(&[10, 7, 0]), vec![Exact(10), Exact(7), Exact(0)]);
        // One small cell alone would be total minus the rest: the smallest other hides too.
        assert_eq!(protect(&[10, 3, 7]), vec![Exact(10), Small, Hidden]);
        // Two ones: their sum (2) would give both away.
        assert_eq!(
            protect(&[9, 1, 1, 20]),
            vec![Hidden, Small, Small, Exact(20)]
        );
        // 2 + 3 = 5 leaves each of them open.
        assert_eq!(protect(&[9, 2, 3]), vec![Exact(9), Small, Small]);
        // Everything small: nothing to add.
        assert_eq!(protect(&[3]), vec![Small]);
        assert_eq!(protect(&[]), Vec::<Cell>::new());
        assert_eq!(Cell::single(4).shown(), "<5");
        assert_eq!(Hidden.display(), "≥5");
        assert_eq!(group_thousands(1234567), "1\u{202f}234\u{202f}567");
    }

    #[test]
    fn percentiles_by_nearest_rank() {
        let hist: Histogram = [(1, 1), (2, 1), (3, 1), (4, 1)].into();
        assert_eq!(percentile(&hist, 50), None, "too few items");
        let hist: Histogram = (1..=10).map(|h| (h, 1)).collect();
        assert_eq!(percentile(&hist, 50), Some(5));
        assert_eq!(percentile(&hist, 90), Some(9));
        assert_eq!(percentile(&hist, 100), Some(10));
        let hist: Histogram = [(0, 3), (24, 1), (240, 1)].into();
        assert_eq!(
            spread(&hist),
            Some(Spread {
                median: 0,
                p90: 240,
                n: 5
            })
        );
        assert_eq!(share(3, 4), None);
        assert_eq!(share(3, 5), Some(0.6));
    }

    /// Every value a reader could still think a hidden cell has, by brute force.
    fn candidates(values: &[u64], cells: &[Cell], i: usize) -> usize {
        let hidden: Vec<usize> = (0..cells.len())
            .filter(|&j| cells[j].is_suppressed())
            .collect();
        let sum: u64 = hidden.iter().map(|&j| values[j]).sum();
        let ceiling = cells
            .iter()
            .filter_map(|c| c.value())
            .filter(|&v| v > 0)
            .min()
            .unwrap_or(sum)
            .max(5);
        let range = |j: usize| match cells[j] {
            Cell::Small => 1..=4u64,
            _ => 5..=ceiling,
        };
        let mut found = std::collections::BTreeSet::new();
        // Depth-first over the hidden cells; small tables only.
        fn walk(
            k: usize,
            hidden: &[usize],
            range: &dyn Fn(usize) -> std::ops::RangeInclusive<u64>,
            left: u64,
            target: usize,
            chosen: Option<u64>,
            found: &mut std::collections::BTreeSet<u64>,
        ) {
            if k == hidden.len() {
                if left == 0 {
                    found.insert(chosen.unwrap());
                }
                return;
            }
            for v in range(hidden[k]) {
                if v > left {
                    break;
                }
                let chosen = if hidden[k] == target { Some(v) } else { chosen };
                walk(k + 1, hidden, range, left - v, target, chosen, found);
            }
        }
        walk(0, &hidden, &range, sum, i, None, &mut found);
        found.len()
    }

    proptest! {
        #[test]
        fn no_small_count_can_be_worked_out(values in proptest::collection::vec(0u64..14, 0..6)) {
            let cells = protect(&values);
            prop_assert_eq!(cells.len(), values.len());
            for (i, (&v, &c)) in values.iter().zip(&cells).enumerate() {
                if (1..5).contains(&v) {
                    prop_assert_eq!(c, Cell::Small);
                }
                if let Cell::Exact(shown) = c {
                    prop_assert_eq!(shown, v);
                }
                if c == Cell::Hidden {
                    prop_assert!(v >= 5);
                }
                // Unless everything that can be hidden is, no hidden cell is pinned down.
                let any_shown = cells.iter().any(|c| matches!(c, Cell::Exact(x) if *x > 0));
                if c.is_suppressed() && any_shown {
                    prop_assert!(candidates(&values, &cells, i) >= 2, "{:?} → {:?}", values, cells);
                }
            }
        }

        #[test]
        fn percentile_is_a_member_with_enough_below(
            items in proptest::collection::vec(0i64..500, 0..40),
            p in 1u32..=100,
        ) {
            let mut hist = Histogram::new();
            for &h in &items {
                *hist.entry(h).or_default() += 1;
            }
            match percentile(&hist, p) {
                None => prop_assert!(items.len() < 5),
                Some(x) => {
                    prop_assert!(items.contains(&x));
                    let at_or_below = items.iter().filter(|&&h| h <= x).count() as u64;
                    let below = items.iter().filter(|&&h| h < x).count() as u64;
                    let n = items.len() as u64;
                    // at least p% at or below, and fewer than p% strictly below
                    prop_assert!(at_or_below * 100 >= u64::from(p) * n);
                    prop_assert!(below * 100 < u64::from(p) * n);
                }
            }
        }
    }
}
