//! Uploaded files: sniffing any bytes gives a kind or a refusal, never a panic; a file that is
//! accepted is served stripped, and the stripped copy is still a file of the same kind.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mistok::attachments::model::{sniff, strip_metadata};

fuzz_target!(|data: &[u8]| {
    let Ok(kind) = sniff(data) else { return };
    if let Ok(served) = strip_metadata(kind, data) {
        assert_eq!(sniff(&served).ok(), Some(kind), "the served copy keeps its kind");
    }
});
