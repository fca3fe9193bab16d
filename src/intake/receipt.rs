//! Receipt codes: 20 random digits (≈66 bits) shown in five groups of four, so they can be
//! dictated over the phone. The server keeps only their keyed hash.

use std::fmt;

use crate::crypto::{Keys, MacPurpose};

pub const DIGITS: usize = 20;
const MODULUS: u128 = 100_000_000_000_000_000_000; // 10^20

#[derive(Clone, PartialEq, Eq)]
pub struct Receipt([u8; DIGITS]);

// A receipt is a secret: never print it by accident in logs.
impl fmt::Debug for Receipt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Receipt(…)")
    }
}

impl Receipt {
    /// A fresh random receipt from the operating system's CSPRNG.
    pub fn random() -> Receipt {
        let mut bytes = [0u8; 16];
        rand::fill(&mut bytes);
        Receipt::from_seed(bytes)
    }

    /// A receipt derived from 128 uniformly random bits (the bias of reducing 2^128 to 10^20 is
    /// below 10^-18). Used with a keyed hash of an idempotency key, so a retried submission gets
    /// back the same receipt without the receipt ever being stored.
    pub fn from_seed(seed: [u8; 16]) -> Receipt {
        let mut n = u128::from_le_bytes(seed) % MODULUS;
        let mut digits = [0u8; DIGITS];
        for d in digits.iter_mut().rev() {
            *d = b'0' + (n % 10) as u8;
            n /= 10;
        }
        Receipt(digits)
    }

    /// Accepts what a person types or dictates: digits with any spaces, dashes or dots between.
    pub fn parse(input: &str) -> Option<Receipt> {
        let mut digits = [0u8; DIGITS];
        let mut count = 0;
        for c in input.chars() {
            match c {
                '0'..='9' => {
                    if count == DIGITS {
                        return None;
                    }
                    digits[count] = c as u8;
                    count += 1;
                }
                ' ' | '-' | '.' | '\u{2010}'..='\u{2015}' | '\u{a0}' | '\t' => {}
                _ => return None,
            }
        }
        (count == DIGITS).then_some(Receipt(digits))
    }

    /// The form shown to the reporter: `1234-5678-9012-3456-7890`.
    pub fn display(&self) -> String {
        let mut out = String::with_capacity(DIGITS + DIGITS / 4);
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 && i % 4 == 0 {
                out.push('-');
            }
            out.push(*d as char);
        }
        out
    }

    /// The keyed hash stored in the database and used to find the report.
    pub fn hash(&self, keys: &Keys) -> [u8; 32] {
        keys.mac(MacPurpose::Receipt, &self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn display_and_parse_round_trip() {
        let r = Receipt::random();
        let shown = r.display();
        assert_eq!(shown.len(), 24);
        assert_eq!(shown.matches('-').count(), 4);
        assert_eq!(Receipt::parse(&shown), Some(r.clone()));
        assert_eq!(Receipt::parse(&shown.replace('-', " ")), Some(r));
    }

    #[test]
    fn rejects_wrong_lengths_and_letters() {
        assert!(Receipt::parse("1234-5678").is_none());
        assert!(Receipt::parse("1234-5678-9012-3456-78901").is_none());
        assert!(Receipt::parse("1234-5678-9012-3456-789O").is_none());
        assert!(Receipt::parse("").is_none());
    }

    #[test]
    fn seeds_map_to_distinct_receipts() {
        assert_ne!(Receipt::from_seed([1; 16]), Receipt::from_seed([2; 16]));
        assert_eq!(
            Receipt::from_seed([0; 16]).display(),
            "0000-0000-0000-0000-0000"
        );
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in ".{0,64}") {
            let _ = Receipt::parse(&s);
        }

        #[test]
        fn any_seed_round_trips(seed in any::<[u8; 16]>()) {
            let r = Receipt::from_seed(seed);
            prop_assert_eq!(Receipt::parse(&r.display()), Some(r));
        }
    }
}
