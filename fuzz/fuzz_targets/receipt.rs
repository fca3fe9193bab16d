//! Receipt codes as people type them: anything parses or is refused without a panic, and a code
//! that parses reads back as itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mistok::intake::receipt::Receipt;

fuzz_target!(|text: &str| {
    if let Some(receipt) = Receipt::parse(text) {
        let shown = receipt.display();
        let again = Receipt::parse(&shown).expect("a displayed receipt parses");
        assert_eq!(again.display(), shown);
    }
});
