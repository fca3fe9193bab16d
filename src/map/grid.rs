//! Where on the earth: distances, the platform's region, and the grid every map counts in.
//!
//! # The grid
//! Points are counted in **fine cells** of 1/200° of latitude by 1/128° of longitude (about
//! 560 × 580 m at 48° N, 560 × 630 m at 42° N). Both steps are powers of two or whole numbers
//! in the multiplier, so `floor(lat × 200)` gives the same cell in Rust, in SQLite and in
//! PostgreSQL (the store keeps counts per fine cell, see migration 0021). Staff hot spots are
//! fine cells; the public map merges `k × k` fine cells into one **public cell** whose side is
//! the configured `map_cell_km`, so a published square says only that a report lies somewhere
//! inside it.

use crate::catalog::Community;

/// Fine cells per degree of latitude.
pub const ROWS_PER_DEGREE: f64 = 200.0;
/// Fine cells per degree of longitude.
pub const COLUMNS_PER_DEGREE: f64 = 128.0;
/// The cell number the store gives a report without a point (outside any real cell: real ones
/// are within ±36,000).
pub const NO_CELL: i32 = -999_999;
/// A point farther than this from every community of the platform is not the platform's.
pub const MAX_COMMUNITY_DISTANCE_KM: f64 = 60.0;
/// Kilometres per degree of latitude.
const KM_PER_DEGREE: f64 = 111.32;

/// A fine cell: column (`x`, eastwards) and row (`y`, northwards).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FineCell {
    pub x: i32,
    pub y: i32,
}

impl FineCell {
    /// The fine cell of a point (latitude, longitude in degrees).
    pub fn of(lat: f64, lon: f64) -> FineCell {
        FineCell {
            x: (lon * COLUMNS_PER_DEGREE).floor() as i32,
            y: (lat * ROWS_PER_DEGREE).floor() as i32,
        }
    }

    /// The cell's corners: (south, west, north, east).
    pub fn bounds(self) -> Bounds {
        Bounds {
            south: f64::from(self.y) / ROWS_PER_DEGREE,
            west: f64::from(self.x) / COLUMNS_PER_DEGREE,
            north: f64::from(self.y + 1) / ROWS_PER_DEGREE,
            east: f64::from(self.x + 1) / COLUMNS_PER_DEGREE,
        }
    }
}

/// A rectangle of latitudes and longitudes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounds {
    pub south: f64,
    pub west: f64,
    pub north: f64,
    pub east: f64,
}

impl Bounds {
    pub fn centre(&self) -> (f64, f64) {
        (
            (self.south + self.north) / 2.0,
            (self.west + self.east) / 2.0,
        )
    }

    pub fn contains(&self, lat: f64, lon: f64) -> bool {
        (self.south..self.north).contains(&lat) && (self.west..self.east).contains(&lon)
    }

    /// The smallest rectangle holding both.
    pub fn union(self, other: Bounds) -> Bounds {
        Bounds {
            south: self.south.min(other.south),
            west: self.west.min(other.west),
            north: self.north.max(other.north),
            east: self.east.max(other.east),
        }
    }

    /// A rectangle around one point.
    pub fn around(lat: f64, lon: f64) -> Bounds {
        Bounds {
            south: lat,
            west: lon,
            north: lat,
            east: lon,
        }
    }
}

/// The public grid: squares of `factor × factor` fine cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicGrid {
    factor: i32,
}

/// A cell of the public grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PublicCell {
    pub x: i32,
    pub y: i32,
    factor: i32,
}

impl PublicGrid {
    /// The grid whose cells' side is closest to `cell_km` (at least one fine cell, at most 50 km).
    pub fn new(cell_km: f64) -> PublicGrid {
        let fine_km = KM_PER_DEGREE / ROWS_PER_DEGREE;
        let factor = if cell_km.is_finite() {
            (cell_km.clamp(fine_km, 50.0) / fine_km).round() as i32
        } else {
            1
        };
        PublicGrid {
            factor: factor.clamp(1, (50.0 / fine_km).floor() as i32),
        }
    }

    /// The side of a cell north–south, in kilometres.
    pub fn cell_km(&self) -> f64 {
        f64::from(self.factor) * KM_PER_DEGREE / ROWS_PER_DEGREE
    }

    pub fn cell(&self, fine: FineCell) -> PublicCell {
        PublicCell {
            x: fine.x.div_euclid(self.factor),
            y: fine.y.div_euclid(self.factor),
            factor: self.factor,
        }
    }
}

impl PublicCell {
    pub fn bounds(self) -> Bounds {
        let (x, y, k) = (self.x, self.y, self.factor);
        Bounds {
            south: f64::from(y * k) / ROWS_PER_DEGREE,
            west: f64::from(x * k) / COLUMNS_PER_DEGREE,
            north: f64::from((y + 1) * k) / ROWS_PER_DEGREE,
            east: f64::from((x + 1) * k) / COLUMNS_PER_DEGREE,
        }
    }
}

/// Great-circle distance (haversine) in kilometres.
pub fn distance_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    const EARTH_RADIUS_KM: f64 = 6371.0;
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = (lat2 - lat1).to_radians();
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * a.sqrt().min(1.0).asin()
}

/// The community whose centre is nearest to the point, within `region` when given and within
/// [`MAX_COMMUNITY_DISTANCE_KM`]; communities without a centre are never chosen.
pub fn nearest_community<'a>(
    communities: &'a [Community],
    region: Option<&str>,
    lat: f64,
    lon: f64,
) -> Option<&'a Community> {
    communities
        .iter()
        .filter(|c| region.is_none_or(|r| r == c.region_code))
        .filter_map(|c| Some((c, distance_km(lat, lon, c.lat?, c.lon?))))
        .filter(|(_, d)| *d <= MAX_COMMUNITY_DISTANCE_KM)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(c, _)| c)
}

/// Whether a point belongs to the platform: within [`MAX_COMMUNITY_DISTANCE_KM`] of one of its
/// communities. A platform none of whose communities has a centre cannot tell, and accepts it.
pub fn in_region(communities: &[Community], lat: f64, lon: f64) -> bool {
    !communities
        .iter()
        .any(|c| c.lat.is_some() && c.lon.is_some())
        || nearest_community(communities, None, lat, lon).is_some()
}

/// The rectangle holding every community's centre, if any has one.
pub fn communities_bounds(communities: &[Community]) -> Option<Bounds> {
    communities
        .iter()
        .filter_map(|c| Some(Bounds::around(c.lat?, c.lon?)))
        .reduce(Bounds::union)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn fine_cells_are_about_half_a_kilometre() {
        let b = FineCell::of(48.7392, 37.5839).bounds();
        assert!(b.contains(48.7392, 37.5839));
        let tall = distance_km(b.south, b.west, b.north, b.west);
        let wide = distance_km(b.south, b.west, b.south, b.east);
        assert!((0.5..0.6).contains(&tall), "{tall}");
        assert!((0.5..0.65).contains(&wide), "{wide}");
    }

    #[test]
    fn public_cells_have_the_configured_side() {
        let grid = PublicGrid::new(2.0);
        assert!((grid.cell_km() - 2.0).abs() < 0.3, "{}", grid.cell_km());
        assert_eq!(
            PublicGrid::new(0.0).cell_km(),
            PublicGrid::new(0.1).cell_km()
        );
        assert!(PublicGrid::new(f64::NAN).cell_km() > 0.0);
        assert!(PublicGrid::new(1e9).cell_km() <= 50.0);
    }

    #[test]
    fn negative_coordinates_round_down() {
        assert_eq!(FineCell::of(-0.001, -0.001), FineCell { x: -1, y: -1 });
        let grid = PublicGrid::new(2.0);
        let cell = grid.cell(FineCell::of(-0.001, -0.001));
        assert!(cell.bounds().contains(-0.001, -0.001));
    }

    fn community(code: &str, lat: Option<f64>, lon: Option<f64>) -> Community {
        Community {
            code: code.into(),
            region_code: "DN".into(),
            names: Default::default(),
            lat,
            lon,
        }
    }

    #[test]
    fn the_region_is_near_its_communities() {
        let communities = [community("kramatorsk", Some(48.7392), Some(37.5839))];
        assert!(in_region(&communities, 48.9, 37.8));
        assert!(
            !in_region(&communities, 50.45, 30.52),
            "Kyiv is not in Donetsk region"
        );
        assert!(in_region(&[community("x", None, None)], 50.45, 30.52));
        assert_eq!(
            communities_bounds(&communities),
            Some(Bounds::around(48.7392, 37.5839))
        );
    }

    proptest! {
        /// Every point lies in its fine cell and in its public cell, whatever the cell size.
        #[test]
        fn points_lie_in_their_cells(
            lat in -89.9f64..89.9, lon in -179.9f64..179.9, km in 0.1f64..60.0,
        ) {
            // Within a rounding error: `floor(lat × 200) / 200` may round across the edge.
            let near = |b: Bounds| {
                b.south - 1e-9 <= lat && lat < b.north + 1e-9
                    && b.west - 1e-9 <= lon && lon < b.east + 1e-9
            };
            let fine = FineCell::of(lat, lon);
            prop_assert!(near(fine.bounds()));
            let grid = PublicGrid::new(km);
            let public = grid.cell(fine);
            prop_assert!(near(public.bounds()));
            // A public cell is no smaller than the configured side allows.
            let b = public.bounds();
            prop_assert!(distance_km(b.south, b.west, b.north, b.west) >= grid.cell_km() * 0.99);
        }
    }
}
