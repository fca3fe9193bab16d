//! Maps drawn on the server as SVG: they need no script and no tile server, and read the same
//! on a phone and a desktop (the drawing scales to the column). Names, counts and links are in
//! the drawing; the page also lists the same figures as a table (the text alternative).

use std::collections::BTreeMap;
use std::fmt::Write;

use super::grid::Bounds;

/// Width of the drawing in its own units; the page scales it to the column.
const WIDTH: f64 = 800.0;

/// Text for SVG's text nodes and attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Degrees to the drawing's units: an equirectangular projection around the frame's middle
/// latitude (at a region's size, straight enough).
#[derive(Debug, Clone, Copy)]
pub struct Projection {
    frame: Bounds,
    scale: f64,
    squeeze: f64,
    pub height: f64,
}

impl Projection {
    pub fn new(frame: Bounds) -> Projection {
        let middle = ((frame.south + frame.north) / 2.0).to_radians();
        let squeeze = middle.cos().max(0.1);
        let span = ((frame.east - frame.west) * squeeze).max(1e-6);
        let scale = WIDTH / span;
        let height = ((frame.north - frame.south) * scale).clamp(200.0, 1200.0);
        Projection {
            frame,
            scale,
            squeeze,
            height,
        }
    }

    pub fn x(&self, lon: f64) -> f64 {
        (lon - self.frame.west) * self.squeeze * self.scale
    }

    pub fn y(&self, lat: f64) -> f64 {
        (self.frame.north - lat) * self.scale
    }

    /// Kilometres per drawing unit.
    fn km_per_unit(&self) -> f64 {
        111.32 / self.scale
    }
}

/// One thing drawn.
pub enum Mark {
    /// A square of counts (public squares, staff hot spots): opacity by `weight` (0..1).
    Square {
        bounds: Bounds,
        weight: f64,
        hot: bool,
        label: String,
    },
    /// A community: a circle sized by `weight` (0..1), its name and count, and a link; with a
    /// negative weight only its name, for orientation.
    Community {
        lat: f64,
        lon: f64,
        weight: f64,
        name: String,
        count: String,
        label: String,
        href: Option<String>,
    },
    /// A case's exact point (staff), with a link to it.
    Point {
        lat: f64,
        lon: f64,
        label: String,
        href: String,
    },
    /// A numbered hot spot's rank over its square.
    Rank { bounds: Bounds, rank: usize },
}

/// The drawing: `title` and `desc` name it for screen readers.
pub fn draw(frame: Bounds, title: &str, desc: &str, marks: &[Mark], km_unit: &str) -> String {
    let p = Projection::new(frame);
    let mut out = String::with_capacity(8_192);
    let _ = write!(
        out,
        "<svg class=\"map-svg\" role=\"img\" aria-labelledby=\"map-title map-desc\" viewBox=\"0 0 {w} {h:.0}\" \
         preserveAspectRatio=\"xMidYMid meet\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title id=\"map-title\">{title}</title><desc id=\"map-desc\">{desc}</desc>\
         <rect class=\"m-bg\" x=\"0\" y=\"0\" width=\"{w}\" height=\"{h:.0}\"/>",
        w = WIDTH,
        h = p.height,
        title = escape(title),
        desc = escape(desc),
    );
    graticule(&mut out, &p, frame);
    let mut points: Vec<Placed<'_>> = Vec::new();
    for mark in marks {
        match mark {
            Mark::Square {
                bounds,
                weight,
                hot,
                label,
            } => {
                let (x, y) = (p.x(bounds.west), p.y(bounds.north));
                let (w, h) = (p.x(bounds.east) - x, p.y(bounds.south) - y);
                let _ = write!(
                    out,
                    "<rect class=\"{class}\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" \
                     fill-opacity=\"{o:.2}\"><title>{label}</title></rect>",
                    class = if *hot { "m-hot" } else { "m-square" },
                    o = 0.18 + 0.62 * weight.clamp(0.0, 1.0),
                    label = escape(label),
                );
            }
            Mark::Point {
                lat,
                lon,
                label,
                href,
            } => points.push((p.x(*lon), p.y(*lat), label, href)),
            _ => {}
        }
    }
    clustered_points(&mut out, &points);
    for mark in marks {
        match mark {
            Mark::Community {
                lat,
                lon,
                weight,
                name,
                count,
                label,
                href,
            } => {
                if !frame.contains(*lat, *lon) {
                    continue;
                }
                let (x, y) = (p.x(*lon), p.y(*lat));
                // Names centred on a place near the edge would run off it: kept inside (the
                // half-width is a generous guess of the text's, at the phone's larger type).
                let half = (name.chars().count() as f64 * 8.0).min(WIDTH / 2.0);
                let label_x = x.clamp(half, WIDTH - half);
                if *weight < 0.0 {
                    let _ = write!(
                        out,
                        "<text class=\"m-place\" x=\"{label_x:.1}\" y=\"{y:.1}\" text-anchor=\"middle\">{name}</text>",
                        y = y - 22.0,
                        name = escape(name),
                    );
                    continue;
                }
                let r = 5.0 + 31.0 * weight.clamp(0.0, 1.0).sqrt();
                if let Some(href) = href {
                    let _ = write!(
                        out,
                        "<a href=\"{href}\" aria-label=\"{label}\">",
                        href = escape(href),
                        label = escape(label)
                    );
                }
                let _ = write!(
                    out,
                    "<circle class=\"m-community\" cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{r:.1}\"/>\
                     <circle class=\"m-centre\" cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"2.5\"/>\
                     <text class=\"m-name\" x=\"{label_x:.1}\" y=\"{ty:.1}\" text-anchor=\"middle\">{name}</text>\
                     <text class=\"m-count\" x=\"{x:.1}\" y=\"{cy:.1}\" text-anchor=\"middle\">{count}</text>",
                    ty = y - r - 6.0,
                    cy = y + r + 16.0,
                    name = escape(name),
                    count = escape(count),
                );
                if href.is_some() {
                    out.push_str("</a>");
                }
            }
            Mark::Rank { bounds, rank } => {
                let (lat, lon) = bounds.centre();
                let _ = write!(
                    out,
                    "<circle class=\"m-rank\" cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"10\"/>\
                     <text class=\"m-rank-text\" x=\"{x:.1}\" y=\"{ty:.1}\" text-anchor=\"middle\">{rank}</text>",
                    x = p.x(lon),
                    y = p.y(lat),
                    ty = p.y(lat) + 4.5,
                );
            }
            _ => {}
        }
    }
    scale_bar(&mut out, &p, km_unit);
    out.push_str("</svg>");
    out
}

/// Light lines every 0.1° or 0.5°, so that the drawing has a sense of place without tiles.
fn graticule(out: &mut String, p: &Projection, frame: Bounds) {
    let step = if frame.north - frame.south > 1.5 {
        0.5
    } else {
        0.1
    };
    let mut lat = (frame.south / step).ceil() * step;
    while lat < frame.north {
        let y = p.y(lat);
        let _ = write!(
            out,
            "<line class=\"m-grid\" x1=\"0\" x2=\"{WIDTH}\" y1=\"{y:.1}\" y2=\"{y:.1}\"/>"
        );
        lat += step;
    }
    let mut lon = (frame.west / step).ceil() * step;
    while lon < frame.east {
        let x = p.x(lon);
        let _ = write!(
            out,
            "<line class=\"m-grid\" x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"0\" y2=\"{h:.1}\"/>",
            h = p.height
        );
        lon += step;
    }
}

/// A point placed on the drawing: x, y, its label and its link.
type Placed<'a> = (f64, f64, &'a str, &'a str);

/// Points closer than a few units apart are drawn as one circle with their number (a link to
/// the case when alone).
fn clustered_points(out: &mut String, points: &[Placed<'_>]) {
    const CLUSTER: f64 = 18.0;
    let mut groups: BTreeMap<(i64, i64), Vec<&Placed<'_>>> = BTreeMap::new();
    for point in points {
        let key = (
            (point.0 / CLUSTER).floor() as i64,
            (point.1 / CLUSTER).floor() as i64,
        );
        groups.entry(key).or_default().push(point);
    }
    for group in groups.values() {
        if let [(x, y, label, href)] = group.as_slice() {
            let _ = write!(
                out,
                "<a href=\"{href}\"><circle class=\"m-point\" cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"4.5\">\
                 <title>{label}</title></circle></a>",
                href = escape(href),
                label = escape(label),
            );
        } else {
            let n = group.len();
            let x = group.iter().map(|p| p.0).sum::<f64>() / n as f64;
            let y = group.iter().map(|p| p.1).sum::<f64>() / n as f64;
            let r = 5.0 + (n as f64).sqrt().min(9.0);
            let _ = write!(
                out,
                "<circle class=\"m-cluster\" cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{r:.1}\"/>\
                 <text class=\"m-cluster-text\" x=\"{x:.1}\" y=\"{ty:.1}\" text-anchor=\"middle\">{n}</text>",
                ty = y + 4.0,
            );
        }
    }
}

/// A bar of a round length at the bottom left, labelled with the number and `unit` (km).
fn scale_bar(out: &mut String, p: &Projection, unit: &str) {
    let km_per_unit = p.km_per_unit();
    let km = [1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0]
        .into_iter()
        .find(|km| km / km_per_unit >= 80.0)
        .unwrap_or(100.0);
    let length = km / km_per_unit;
    let y = p.height - 16.0;
    let _ = write!(
        out,
        "<line class=\"m-scale\" x1=\"16\" x2=\"{x2:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\"/>\
         <text class=\"m-scale-text\" x=\"16\" y=\"{ty:.1}\">{text}</text>",
        x2 = 16.0 + length,
        ty = y - 6.0,
        text = escape(&format!("{km} {unit}")),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame() -> Bounds {
        Bounds {
            south: 48.0,
            west: 37.0,
            north: 49.0,
            east: 38.5,
        }
    }

    #[test]
    fn the_projection_keeps_north_up_and_fits_the_width() {
        let p = Projection::new(frame());
        assert!(p.y(49.0).abs() < 1e-9);
        assert!(p.y(48.0) > p.y(48.5));
        assert!((p.x(38.5) - WIDTH).abs() < 1e-6);
        assert!(p.x(37.0).abs() < 1e-9);
    }

    #[test]
    fn text_is_escaped_and_alone_points_link_to_their_case() {
        let svg = draw(
            frame(),
            "Map <of> \"reports\"",
            "desc & more",
            &[
                Mark::Community {
                    lat: 48.7,
                    lon: 37.5,
                    weight: 1.0,
                    name: "Краматорськ".into(),
                    count: "<5".into(),
                    label: "Краматорськ: <5".into(),
                    href: Some("/register?community=kramatorsk&kind=x".into()),
                },
                Mark::Point {
                    lat: 48.2,
                    lon: 37.2,
                    label: "DN-2026-000001".into(),
                    href: "/staff/cases/DN-2026-000001".into(),
                },
                Mark::Point {
                    lat: 48.9,
                    lon: 38.4,
                    label: "a".into(),
                    href: "/a".into(),
                },
                Mark::Point {
                    lat: 48.9,
                    lon: 38.4001,
                    label: "b".into(),
                    href: "/b".into(),
                },
            ],
            "km",
        );
        assert!(svg.contains("<title id=\"map-title\">Map &lt;of&gt; &quot;reports&quot;</title>"));
        assert!(svg.contains("&lt;5"));
        assert!(svg.contains("href=\"/register?community=kramatorsk&amp;kind=x\""));
        assert!(svg.contains("href=\"/staff/cases/DN-2026-000001\""));
        // The two close points are one cluster of 2, without links.
        assert!(!svg.contains("href=\"/a\""));
        assert!(svg.contains(">2</text>"));
        assert!(svg.ends_with("</svg>"));
    }
}
