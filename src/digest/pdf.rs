//! A small typesetter for printable documents: titles, headings, wrapped paragraphs and tables
//! on A4 pages, drawn with `krilla` in DejaVu Sans (embedded, subset), which covers Ukrainian and
//! Russian. Text widths come from the font's own metrics (`skrifa`), so lines wrap where they
//! really end.

use std::sync::Arc;

use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule};
use krilla::text::{Font, TextDirection};
use skrifa::MetadataProvider;
use skrifa::instance::{LocationRef, Size};

static REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

const PAGE_WIDTH: f32 = 595.0;
const PAGE_HEIGHT: f32 = 842.0;
const MARGIN: f32 = 50.0;
const TEXT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;
const BOTTOM: f32 = PAGE_HEIGHT - MARGIN - 20.0;

/// What a document is made of, top to bottom.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Title(String),
    Subtitle(String),
    Heading(String),
    Paragraph(String),
    /// A table: its header, its rows; columns after the first are right-aligned figures.
    Table {
        header: Vec<String>,
        rows: Vec<Vec<String>>,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("the embedded font could not be read")]
    Font,
    #[error("the PDF could not be written: {0}")]
    Write(String),
}

/// A face with its metrics, for measuring before drawing.
struct Face {
    pdf: Font,
    bytes: &'static [u8],
}

impl Face {
    fn load(bytes: &'static [u8]) -> Result<Face, PdfError> {
        let data: Arc<dyn AsRef<[u8]> + Send + Sync> = Arc::new(bytes);
        let pdf = Font::new(data.into(), 0).ok_or(PdfError::Font)?;
        skrifa::FontRef::new(bytes).map_err(|_| PdfError::Font)?;
        Ok(Face { pdf, bytes })
    }

    /// Width of `text` at `size` points.
    fn width(&self, text: &str, size: f32) -> f32 {
        let Ok(font) = skrifa::FontRef::new(self.bytes) else {
            return 0.0;
        };
        let charmap = font.charmap();
        let metrics = font.glyph_metrics(Size::new(size), LocationRef::default());
        text.chars()
            .map(|c| {
                let glyph = charmap.map(c).unwrap_or_default();
                metrics.advance_width(glyph).unwrap_or(size * 0.5)
            })
            .sum()
    }

    /// Breaks `text` into lines no wider than `max` (words longer than a line are cut).
    fn wrap(&self, text: &str, size: f32, max: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for paragraph_line in text.lines() {
            let mut line = String::new();
            for word in paragraph_line.split_whitespace() {
                let candidate = if line.is_empty() {
                    word.to_string()
                } else {
                    format!("{line} {word}")
                };
                if self.width(&candidate, size) <= max {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                // A word wider than the line is cut where it must be.
                let mut piece = String::new();
                for c in word.chars() {
                    piece.push(c);
                    if self.width(&piece, size) > max {
                        piece.pop();
                        lines.push(std::mem::take(&mut piece));
                        piece.push(c);
                    }
                }
                line = piece;
            }
            lines.push(line);
        }
        lines
    }
}

/// Lays blocks out on pages; `footer` is printed at the bottom of each page with its number.
pub fn render(blocks: &[Block], footer: &str) -> Result<Vec<u8>, PdfError> {
    let regular = Face::load(REGULAR)?;
    let bold = Face::load(BOLD)?;
    // Layout first, as positioned lines per page; then draw.
    let mut pages: Vec<Vec<Item>> = vec![Vec::new()];
    let mut y = MARGIN;
    let mut place = |pages: &mut Vec<Vec<Item>>, y: &mut f32, height: f32, item: Item| {
        if *y + height > BOTTOM && !pages.last().is_none_or(Vec::is_empty) {
            pages.push(Vec::new());
            *y = MARGIN;
        }
        let item = item.at(*y);
        *y += height;
        if let Some(page) = pages.last_mut() {
            page.push(item);
        }
    };
    for block in blocks {
        match block {
            Block::Title(text) => {
                text_block(&mut pages, &mut y, &mut place, &bold, text, 20.0, 8.0)
            }
            Block::Subtitle(text) => {
                text_block(&mut pages, &mut y, &mut place, &regular, text, 12.0, 14.0)
            }
            Block::Heading(text) => {
                y += 10.0;
                text_block(&mut pages, &mut y, &mut place, &bold, text, 14.0, 6.0)
            }
            Block::Paragraph(text) => {
                text_block(&mut pages, &mut y, &mut place, &regular, text, 10.5, 8.0)
            }
            Block::Table { header, rows } => {
                let columns = header.len().max(1);
                // The first column (names) takes what the figures leave.
                let figure_width = if columns > 1 {
                    70.0_f32.min(TEXT_WIDTH / columns as f32)
                } else {
                    0.0
                };
                let first_width = TEXT_WIDTH - figure_width * (columns - 1) as f32;
                let widths: Vec<f32> = (0..columns)
                    .map(|i| if i == 0 { first_width } else { figure_width })
                    .collect();
                for (r, row) in std::iter::once(header).chain(rows.iter()).enumerate() {
                    let face = if r == 0 { &bold } else { &regular };
                    let size = 9.0;
                    let cells: Vec<Vec<String>> = (0..columns)
                        .map(|i| {
                            let text = row.get(i).map(String::as_str).unwrap_or("");
                            face.wrap(text, size, widths[i] - 8.0)
                        })
                        .collect();
                    let lines = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
                    let height = lines as f32 * size * 1.3 + 6.0;
                    place(
                        &mut pages,
                        &mut y,
                        height,
                        Item::Row {
                            y: 0.0,
                            height,
                            cells,
                            widths: widths.clone(),
                            header: r == 0,
                            shaded: r > 0 && r % 2 == 0,
                        },
                    );
                }
                y += 10.0;
            }
        }
    }

    let mut document = Document::new();
    let count = pages.len();
    for (number, items) in pages.iter().enumerate() {
        let settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT)
            .ok_or_else(|| PdfError::Write("page size".into()))?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        for item in items {
            item.draw(&mut surface, &regular, &bold);
        }
        let footer = format!("{footer} · {}/{count}", number + 1);
        set_fill(&mut surface, rgb::Color::new(90, 100, 106));
        surface.draw_text(
            Point::from_xy(MARGIN, PAGE_HEIGHT - MARGIN + 10.0),
            regular.pdf.clone(),
            8.0,
            &footer,
            false,
            TextDirection::Auto,
        );
        surface.finish();
        page.finish();
    }
    document
        .finish()
        .map_err(|e| PdfError::Write(format!("{e:?}")))
}

#[allow(clippy::too_many_arguments)]
fn text_block(
    pages: &mut Vec<Vec<Item>>,
    y: &mut f32,
    place: &mut impl FnMut(&mut Vec<Vec<Item>>, &mut f32, f32, Item),
    face: &Face,
    text: &str,
    size: f32,
    after: f32,
) {
    let bold = std::ptr::eq(face.bytes, BOLD);
    for line in face.wrap(text, size, TEXT_WIDTH) {
        place(
            pages,
            y,
            size * 1.4,
            Item::Line {
                y: 0.0,
                text: line,
                size,
                bold,
            },
        );
    }
    *y += after;
}

/// Something positioned on a page (`y` from the top).
enum Item {
    Line {
        y: f32,
        text: String,
        size: f32,
        bold: bool,
    },
    Row {
        y: f32,
        height: f32,
        cells: Vec<Vec<String>>,
        widths: Vec<f32>,
        header: bool,
        shaded: bool,
    },
}

fn set_fill(surface: &mut krilla::surface::Surface<'_>, color: rgb::Color) {
    surface.set_fill(Some(Fill {
        paint: color.into(),
        opacity: NormalizedF32::ONE,
        rule: FillRule::default(),
    }));
}

impl Item {
    fn at(self, top: f32) -> Item {
        match self {
            Item::Line {
                text, size, bold, ..
            } => Item::Line {
                y: top,
                text,
                size,
                bold,
            },
            Item::Row {
                height,
                cells,
                widths,
                header,
                shaded,
                ..
            } => Item::Row {
                y: top,
                height,
                cells,
                widths,
                header,
                shaded,
            },
        }
    }

    fn draw(&self, surface: &mut krilla::surface::Surface<'_>, regular: &Face, bold: &Face) {
        let ink = rgb::Color::new(27, 35, 40);
        match self {
            Item::Line {
                y,
                text,
                size,
                bold: is_bold,
            } => {
                let face = if *is_bold { bold } else { regular };
                set_fill(surface, ink);
                surface.draw_text(
                    Point::from_xy(MARGIN, y + size),
                    face.pdf.clone(),
                    *size,
                    text,
                    false,
                    TextDirection::Auto,
                );
            }
            Item::Row {
                y,
                height,
                cells,
                widths,
                header,
                shaded,
            } => {
                let background = if *header {
                    Some(rgb::Color::new(220, 232, 236))
                } else if *shaded {
                    Some(rgb::Color::new(243, 245, 246))
                } else {
                    None
                };
                if let Some(color) = background
                    && let Some(rect) = Rect::from_xywh(MARGIN, *y, TEXT_WIDTH, *height)
                {
                    let mut path = PathBuilder::new();
                    path.push_rect(rect);
                    if let Some(path) = path.finish() {
                        set_fill(surface, color);
                        surface.draw_path(&path);
                    }
                }
                let face = if *header { bold } else { regular };
                let size = 9.0;
                let mut x = MARGIN;
                set_fill(surface, ink);
                for (i, (lines, width)) in cells.iter().zip(widths).enumerate() {
                    for (n, line) in lines.iter().enumerate() {
                        // Figures line up on the right; names on the left.
                        let left = if i == 0 {
                            x + 4.0
                        } else {
                            x + width - 4.0 - face.width(line, size)
                        };
                        surface.draw_text(
                            Point::from_xy(left, y + 3.0 + size + n as f32 * size * 1.3),
                            face.pdf.clone(),
                            size,
                            line,
                            false,
                            TextDirection::Auto,
                        );
                    }
                    x += width;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_within_the_width() {
        let face = Face::load(REGULAR).unwrap();
        let text = "Громада — моя поліція: щомісячний дайджест звернень, відповідей органів і зустрічей з мешканцями.";
        let lines = face.wrap(text, 12.0, 200.0);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| face.width(l, 12.0) <= 200.0));
        assert_eq!(lines.join(" "), text);
        // A word longer than the line is cut, not lost.
        let long = "а".repeat(120);
        let cut = face.wrap(&long, 12.0, 100.0);
        assert_eq!(cut.concat(), long);
    }

    #[test]
    fn renders_a_readable_pdf_over_several_pages() {
        let mut blocks = vec![
            Block::Title("Моя громада — моя поліція".into()),
            Block::Subtitle("Жовтень 2026".into()),
            Block::Heading("Звернення".into()),
        ];
        for i in 0..60 {
            blocks.push(Block::Paragraph(format!(
                "Абзац {i}: текст українською, русский текст, English."
            )));
        }
        blocks.push(Block::Table {
            header: vec!["Громада".into(), "Звернень".into()],
            rows: (0..80)
                .map(|i| vec![format!("Громада {i}"), i.to_string()])
                .collect(),
        });
        let bytes = render(&blocks, "Місток").unwrap();
        if let Ok(path) = std::env::var("MISTOK_PDF_SAMPLE") {
            std::fs::write(path, &bytes).unwrap();
        }
        assert!(bytes.starts_with(b"%PDF-"));
        let parsed = lopdf::Document::load_mem(&bytes).unwrap();
        assert!(parsed.get_pages().len() >= 3);
        // The text layer maps glyphs back to letters, so the PDF can be searched and copied
        // (the end-to-end test reads it back with pdftotext).
        assert!(bytes.windows(10).any(|w| w == b"/ToUnicode"));
    }
}
