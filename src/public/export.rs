//! Open data: the public register as CSV or JSON, streamed chunk by chunk so that an export of
//! any size holds one chunk in memory and answers its first bytes at once.

use bytes::Bytes;
use futures_util::Stream;

use super::store::{self, ExportRow, RegisterSelection};
use crate::catalog::CatalogData;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::state::AppState;

/// Rows read per query while streaming.
pub const CHUNK: i64 = 5_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
}

/// The columns of the CSV, and the keys of each JSON object, in order.
pub const FIELDS: [&str; 15] = [
    "reference",
    "title",
    "summary",
    "summary_language",
    "kind",
    "category",
    "category_name",
    "community",
    "community_name",
    "status",
    "outcome",
    "received_on",
    "published_on",
    "agencies",
    "url",
];

/// Guards spreadsheet users: a cell that starts like a formula is read as text.
pub fn csv_cell(text: &str) -> std::borrow::Cow<'_, str> {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}").into(),
        _ => text.into(),
    }
}

fn iso_date(state: &AppState, at: time::OffsetDateTime) -> String {
    let local = at.to_offset(state.local_offset(at)).date();
    format!(
        "{:04}-{:02}-{:02}",
        local.year(),
        u8::from(local.month()),
        local.day()
    )
}

/// One row's values in the order of `FIELDS` (agencies joined by `;`).
fn values(
    state: &AppState,
    catalog: &CatalogData,
    lang: Lang,
    row: &ExportRow,
) -> [String; FIELDS.len()] {
    let r = &row.row;
    [
        r.reference.clone(),
        r.title.clone(),
        r.summary.clone(),
        r.language.clone(),
        r.kind.code().to_string(),
        r.category.clone(),
        catalog
            .category(&r.category)
            .map(|c| c.names.get(lang).to_string())
            .unwrap_or_default(),
        r.community.clone(),
        catalog
            .community(&r.community)
            .map(|c| c.names.get(lang).to_string())
            .unwrap_or_default(),
        r.status.code().to_string(),
        row.outcome.clone().unwrap_or_default(),
        iso_date(state, r.received_at),
        iso_date(state, r.published_at),
        row.agencies.join(";"),
        format!("/register/{}", r.reference),
    ]
}

fn csv_bytes(
    state: &AppState,
    catalog: &CatalogData,
    lang: Lang,
    rows: &[ExportRow],
    header: bool,
) -> Result<Bytes, AppError> {
    let mut out = csv::WriterBuilder::new().from_writer(Vec::with_capacity(rows.len() * 400));
    if header {
        out.write_record(FIELDS).map_err(AppError::internal)?;
    }
    for row in rows {
        let values = values(state, catalog, lang, row);
        out.write_record(values.iter().map(|v| csv_cell(v).into_owned()))
            .map_err(AppError::internal)?;
    }
    out.into_inner()
        .map(Bytes::from)
        .map_err(|e| AppError::internal(e.to_string()))
}

fn json_bytes(
    state: &AppState,
    catalog: &CatalogData,
    lang: Lang,
    rows: &[ExportRow],
    first: bool,
) -> Result<Bytes, AppError> {
    let mut out = Vec::with_capacity(rows.len() * 500 + 2);
    for (i, row) in rows.iter().enumerate() {
        out.extend_from_slice(if first && i == 0 { b"[\n" } else { b",\n" });
        let v = values(state, catalog, lang, row);
        let mut object = serde_json::Map::new();
        for (key, value) in FIELDS.iter().zip(v) {
            let value = match *key {
                "agencies" => serde_json::Value::from(row.agencies.clone()),
                "outcome" if value.is_empty() => serde_json::Value::Null,
                _ => serde_json::Value::from(value),
            };
            object.insert((*key).to_string(), value);
        }
        serde_json::to_writer(&mut out, &object).map_err(AppError::internal)?;
    }
    Ok(Bytes::from(out))
}

struct Walk {
    state: AppState,
    catalog: std::sync::Arc<CatalogData>,
    selection: RegisterSelection,
    lang: Lang,
    format: Format,
    chunk: i64,
    after: uuid::Uuid,
    started: bool,
    finished: bool,
}

/// The whole (filtered) register in `format`, as a stream of byte chunks.
pub fn stream(
    state: AppState,
    catalog: std::sync::Arc<CatalogData>,
    selection: RegisterSelection,
    lang: Lang,
    format: Format,
    chunk: i64,
) -> impl Stream<Item = Result<Bytes, std::io::Error>> {
    let walk = Walk {
        state,
        catalog,
        selection,
        lang,
        format,
        chunk: chunk.max(1),
        after: uuid::Uuid::nil(),
        started: false,
        finished: false,
    };
    futures_util::stream::unfold(walk, |mut walk| async move {
        if walk.finished {
            return None;
        }
        let rows = match store::export_chunk(
            &walk.state.db,
            &walk.selection,
            walk.after,
            walk.chunk,
        )
        .await
        {
            Ok(rows) => rows,
            Err(err) => {
                // Headers are long gone: the only honest signal left is a broken download.
                tracing::error!(error = %err, "register export stopped");
                walk.finished = true;
                return Some((Err(std::io::Error::other("export failed")), walk));
            }
        };
        let first = !walk.started;
        walk.started = true;
        walk.finished = (rows.len() as i64) < walk.chunk;
        if let Some(last) = rows.last() {
            walk.after = last.report_id;
        }
        let (state, catalog, lang) = (&walk.state, &*walk.catalog, walk.lang);
        let mut bytes = match walk.format {
            Format::Csv => csv_bytes(state, catalog, lang, &rows, first),
            Format::Json => json_bytes(state, catalog, lang, &rows, first),
        };
        if walk.format == Format::Json && walk.finished {
            bytes = bytes.map(|b| {
                let mut b = b.to_vec();
                b.extend_from_slice(if first && rows.is_empty() {
                    b"[]\n"
                } else {
                    b"\n]\n"
                });
                Bytes::from(b)
            });
        }
        Some((
            bytes.map_err(|e| std::io::Error::other(e.to_string())),
            walk,
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused() {
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(csv_cell("+380"), "'+380");
        assert_eq!(csv_cell("-1"), "'-1");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_cell("Краматорськ"), "Краматорськ");
        assert_eq!(csv_cell(""), "");
    }
}
