//! Forms of the dialogue that residents and staff send (a reception booking, a series of slots):
//! any body is judged without a panic, and what passes is within the rules.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mistok::receptions::model::{BookingInput, SERIES_MAX_SLOTS, SeriesInput};

fuzz_target!(|data: &[u8]| {
    if let Ok(booking) = serde_urlencoded::from_bytes::<BookingInput>(data)
        && let Ok(valid) = booking.validate()
    {
        assert!(!valid.name.is_empty() && valid.email.contains('@'));
    }
    if let Ok(series) = serde_urlencoded::from_bytes::<SeriesInput>(data)
        && let Ok(valid) = series.validate()
    {
        assert!((1..=SERIES_MAX_SLOTS).contains(&valid.count));
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = mistok::dialogue::parse_local_datetime(text);
    }
});
