//! Open311 query strings and form bodies: any bytes are read and checked without a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mistok::open311::model::{Params, parse_requests_query, parse_resource, parse_w3c_datetime};

fuzz_target!(|data: &[u8]| {
    let params = Params::parse(data);
    let _ = params.attributes();
    let _ = parse_requests_query(&params, time::OffsetDateTime::now_utc());
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = parse_resource(text);
        let _ = parse_w3c_datetime(text, false);
        let _ = parse_w3c_datetime(text, true);
    }
});
