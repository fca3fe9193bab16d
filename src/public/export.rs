//! Open data: the public register as CSV or JSON, streamed chunk by chunk so that an export of
//! any size holds one chunk in memory and answers its first bytes at once.

use bytes::Bytes;
use futures_util::Stream;

use super::store::{self, ExportRow, RegisterSelection};
use crate::catalog::CatalogData;
use crate::error::{AppError, AppResult};
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

/// A chunk of rows as CSV, written cell by cell (no row of `String`s: this loop is the export's
/// cost per row).
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
    let mut buffer = String::with_capacity(64);
    for row in rows {
        let r = &row.row;
        let category = catalog.category(&r.category).map(|c| c.names.get(lang));
        let community = catalog.community(&r.community).map(|c| c.names.get(lang));
        for cell in [
            r.reference.as_str(),
            &r.title,
            &r.summary,
            &r.language,
            r.kind.code(),
            &r.category,
            category.unwrap_or_default(),
            &r.community,
            community.unwrap_or_default(),
            r.status.code(),
            row.outcome.as_deref().unwrap_or_default(),
        ] {
            out.write_field(csv_cell(cell).as_bytes())
                .map_err(AppError::internal)?;
        }
        out.write_field(iso_date(state, r.received_at))
            .map_err(AppError::internal)?;
        out.write_field(iso_date(state, r.published_at))
            .map_err(AppError::internal)?;
        buffer.clear();
        for (i, agency) in row.agencies.iter().enumerate() {
            if i > 0 {
                buffer.push(';');
            }
            buffer.push_str(agency);
        }
        out.write_field(csv_cell(&buffer).as_bytes())
            .map_err(AppError::internal)?;
        buffer.clear();
        buffer.push_str("/register/");
        buffer.push_str(&r.reference);
        out.write_field(&buffer).map_err(AppError::internal)?;
        out.write_record(None::<&[u8]>)
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

/// How many fetched chunks may wait for the client: the next ranges are read from the store
/// while the previous ones are encoded and sent, and a slow client holds at most this many.
const AHEAD: usize = 4;
/// Ranges of the register read at the same time, each on its own connection.
const PARALLEL: i64 = 2;

/// What the reading task hands to the sending side.
enum Piece {
    Rows(Vec<ExportRow>),
    /// The walk is complete (a closed channel without it means the reader failed).
    End,
}

/// The whole (filtered) register in `format`, as a stream of byte chunks. A task reads the
/// register ahead of the client, `PARALLEL` key ranges at a time; the stream encodes them as
/// they are sent. When the client goes away the stream is dropped and the reading task stops.
pub fn stream(
    state: AppState,
    catalog: std::sync::Arc<CatalogData>,
    selection: RegisterSelection,
    lang: Lang,
    format: Format,
    chunk: i64,
) -> impl Stream<Item = Result<Bytes, std::io::Error>> {
    let chunk = chunk.max(1);
    let (sender, receiver) = tokio::sync::mpsc::channel::<AppResult<Piece>>(AHEAD);
    let db = state.db.clone();
    tokio::spawn(async move {
        let mut after = uuid::Uuid::nil();
        loop {
            let bounds = match store::export_bounds(&db, after, chunk, PARALLEL).await {
                Ok(bounds) => bounds,
                Err(err) => {
                    let _ = sender.send(Err(err)).await;
                    return;
                }
            };
            // (after, b1], (b1, b2], … and, past the last cut, the rest.
            let mut ranges = Vec::with_capacity(bounds.len() + 1);
            let mut from = after;
            for bound in &bounds {
                ranges.push((from, Some(*bound)));
                from = *bound;
            }
            let last = (bounds.len() as i64) < PARALLEL;
            if last {
                ranges.push((from, None));
            }
            let read = futures_util::future::join_all(
                ranges
                    .iter()
                    .map(|(a, b)| store::export_chunk(&db, &selection, *a, *b, chunk)),
            )
            .await;
            for rows in read {
                let failed = rows.is_err();
                if sender.send(rows.map(Piece::Rows)).await.is_err() || failed {
                    return; // the client went away, or the walk failed
                }
            }
            if last {
                let _ = sender.send(Ok(Piece::End)).await;
                return;
            }
            after = from;
        }
    });
    let encoder = Encoder {
        state,
        catalog,
        lang,
        format,
        started: false,
        finished: false,
        receiver,
    };
    futures_util::stream::unfold(encoder, |mut encoder| async move {
        if encoder.finished {
            return None;
        }
        let bytes = match encoder.receiver.recv().await {
            Some(Ok(Piece::Rows(rows))) => encoder.encode(&rows),
            Some(Ok(Piece::End)) => {
                encoder.finished = true;
                Ok(encoder.end())
            }
            Some(Err(err)) => {
                // Headers are long gone: the only honest signal left is a broken download.
                tracing::error!(error = %err, "register export stopped");
                encoder.finished = true;
                return Some((Err(std::io::Error::other("export failed")), encoder));
            }
            None => {
                tracing::error!("register export stopped: its reader ended early");
                encoder.finished = true;
                return Some((Err(std::io::Error::other("export failed")), encoder));
            }
        };
        Some((
            bytes.map_err(|e| std::io::Error::other(e.to_string())),
            encoder,
        ))
    })
}

/// The sending side of an export: turns each range read into bytes of the chosen format.
struct Encoder {
    state: AppState,
    catalog: std::sync::Arc<CatalogData>,
    lang: Lang,
    format: Format,
    started: bool,
    finished: bool,
    receiver: tokio::sync::mpsc::Receiver<AppResult<Piece>>,
}

impl Encoder {
    fn encode(&mut self, rows: &[ExportRow]) -> Result<Bytes, AppError> {
        // The CSV header comes with the first piece; a JSON array opens with its first row.
        let first = !self.started;
        if rows.is_empty() && !(first && self.format == Format::Csv) {
            return Ok(Bytes::new());
        }
        self.started = true;
        let (state, catalog, lang) = (&self.state, &*self.catalog, self.lang);
        match self.format {
            Format::Csv => csv_bytes(state, catalog, lang, rows, first),
            Format::Json => json_bytes(state, catalog, lang, rows, first),
        }
    }

    /// What closes the download: the CSV header of an empty export, the JSON array's end.
    fn end(&mut self) -> Bytes {
        match self.format {
            Format::Csv if !self.started => {
                self.started = true;
                csv_bytes(&self.state, &self.catalog, self.lang, &[], true).unwrap_or_default()
            }
            Format::Csv => Bytes::new(),
            Format::Json if !self.started => Bytes::from_static(b"[]\n"),
            Format::Json => Bytes::from_static(b"\n]\n"),
        }
    }
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
