//! What search looks in and how a query is read: one normalized text per report, matched by
//! substrings of at least three characters (parts of words match too, in any language).

/// Lower case, `ё`→`е`, one kind of apostrophe, single spaces: the same for the stored text and
/// for the query, so «Ґудзь», «гудзь» and «ГУДЗЬ» meet.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last_space = true;
    for c in text.chars().flat_map(char::to_lowercase) {
        let c = match c {
            'ё' => 'е',
            '\u{2019}' | '\u{02bc}' | '`' | '\u{2018}' => '\'',
            c if c.is_whitespace() || c.is_control() => ' ',
            c => c,
        };
        if c == ' ' {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
        } else {
            out.push(c);
            last_space = false;
        }
    }
    out.trim_end().to_string()
}

/// The searchable text of a report.
pub fn search_text(reference_free_parts: &[Option<&str>]) -> String {
    let joined: Vec<&str> = reference_free_parts.iter().flatten().copied().collect();
    normalize(&joined.join(" "))
}

/// Shortest term the trigram indexes can find.
pub const MIN_TERM_CHARS: usize = 3;

/// The terms of a query: normalized words of at least three characters (shorter ones cannot be
/// looked up in a trigram index and are left out), at most eight.
pub fn terms(query: &str) -> Vec<String> {
    normalize(query)
        .split(' ')
        .map(|t| t.trim_matches(|c: char| !c.is_alphanumeric() && c != '\''))
        .filter(|t| t.chars().count() >= MIN_TERM_CHARS)
        .take(8)
        .map(str::to_string)
        .collect()
}

/// An FTS5 query that requires every term as a substring: each term quoted as a phrase.
pub fn fts5_query(terms: &[String]) -> String {
    terms
        .iter()
        .map(|t| format!("\"{}\"", t.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A LIKE pattern matching `term` anywhere, with LIKE's own wildcards escaped (`\` escapes).
pub fn like_pattern(term: &str) -> String {
    let mut out = String::with_capacity(term.len() + 2);
    out.push('%');
    for c in term.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn normalizes_case_yo_and_apostrophes() {
        assert_eq!(normalize("  Ёлка\tна  М’ЯСНІЙ "), "елка на м'ясній");
        assert_eq!(
            terms("Затримали на блокпосту, ок"),
            vec!["затримали", "блокпосту"]
        );
        assert_eq!(terms("a b"), Vec::<String>::new());
    }

    #[test]
    fn queries_are_escaped() {
        assert_eq!(
            fts5_query(&["ab\"c".into(), "дом".into()]),
            "\"ab\"\"c\" \"дом\""
        );
        assert_eq!(like_pattern("50%_a\\"), "%50\\%\\_a\\\\%");
    }

    proptest! {
        #[test]
        fn normalize_is_idempotent(s in ".{0,80}") {
            let once = normalize(&s);
            prop_assert_eq!(normalize(&once), once.clone());
            prop_assert!(!once.contains("  "));
        }
    }
}
