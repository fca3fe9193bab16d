//! Interface languages (Ukrainian by default, Russian, English) with Fluent messages from
//! `locales/{uk,ru,en}/*.ftl`, embedded in the binary.

use std::borrow::Cow;
use std::collections::HashMap;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{Loader, static_loader};
use unic_langid::{LanguageIdentifier, langid};

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "uk",
        // Unicode isolation marks would end up inside HTML attributes and e-mails.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static UK: LanguageIdentifier = langid!("uk");
static RU: LanguageIdentifier = langid!("ru");
static EN: LanguageIdentifier = langid!("en");

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Uk,
    Ru,
    En,
}

/// A name given in every interface language (communities, categories, organizations).
#[derive(Debug, Clone, Copy)]
pub struct Name {
    pub uk: &'static str,
    pub ru: &'static str,
    pub en: &'static str,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::Uk, Lang::Ru, Lang::En];

    pub fn code(self) -> &'static str {
        match self {
            Lang::Uk => "uk",
            Lang::Ru => "ru",
            Lang::En => "en",
        }
    }

    /// The language's own name, as shown in the language switch.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::Uk => "Українська",
            Lang::Ru => "Русский",
            Lang::En => "English",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().as_str() {
            "uk" | "ua" => Some(Lang::Uk),
            "ru" => Some(Lang::Ru),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The best supported language of an `Accept-Language` header, by its q-values.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut best: Option<(Lang, f32)> = None;
        for item in header.split(',') {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or("").trim();
            let primary = tag.split('-').next().unwrap_or("");
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if let Some(lang) = Lang::from_code(primary)
                && q > 0.0
                && best.is_none_or(|(_, bq)| q > bq)
            {
                best = Some((lang, q));
            }
        }
        best.map(|(lang, _)| lang)
    }

    fn id(self) -> &'static LanguageIdentifier {
        match self {
            Lang::Uk => &UK,
            Lang::Ru => &RU,
            Lang::En => &EN,
        }
    }

    /// The message for `key`; a missing key shows the key itself (and a test keeps them all present).
    pub fn t(self, key: &str) -> String {
        LOCALES
            .try_lookup(self.id(), key)
            .unwrap_or_else(|| key.to_string())
    }

    pub fn t_args(self, key: &str, args: &[(&'static str, FluentValue<'_>)]) -> String {
        let map: HashMap<Cow<'static, str>, FluentValue<'_>> = args
            .iter()
            .map(|(k, v)| (Cow::Borrowed(*k), v.clone()))
            .collect();
        LOCALES
            .try_lookup_with_args(self.id(), key, &map)
            .unwrap_or_else(|| key.to_string())
    }

    pub fn pick<'a>(self, uk: &'a str, ru: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Uk => uk,
            Lang::Ru => ru,
            Lang::En => en,
        }
    }
}

impl Name {
    pub fn get(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Uk => self.uk,
            Lang::Ru => self.ru,
            Lang::En => self.en,
        }
    }
}

/// Every `key =` defined in one language's `.ftl` files.
#[cfg(test)]
fn keys_of(lang: &str) -> std::collections::BTreeSet<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("locales")
        .join(lang);
    let mut keys = std::collections::BTreeSet::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for line in text.lines() {
            if let Some((key, _)) = line.split_once(" =")
                && !key.starts_with([' ', '#', '.', '[', '*'])
                && !key.is_empty()
            {
                keys.insert(key.trim().to_string());
            }
        }
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_exists_in_every_language() {
        let uk = keys_of("uk");
        assert!(uk.len() > 20, "Ukrainian messages are missing");
        for lang in ["ru", "en"] {
            let other = keys_of(lang);
            let missing: Vec<_> = uk.difference(&other).collect();
            let extra: Vec<_> = other.difference(&uk).collect();
            assert!(missing.is_empty(), "{lang} lacks {missing:?}");
            assert!(
                extra.is_empty(),
                "{lang} has keys Ukrainian lacks: {extra:?}"
            );
        }
    }

    /// The variables (`{$name}`) of every message of one language, by key.
    fn variables_of(lang: &str) -> HashMap<String, Vec<&'static str>> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("locales")
            .join(lang);
        let mut out = HashMap::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            // A message goes on over indented lines (a multiline value or plural variants).
            let mut current: Option<String> = None;
            for line in text.lines() {
                let value = match line.split_once(" =") {
                    Some((key, value)) if !line.starts_with([' ', '\t']) => {
                        current = Some(key.trim().to_string());
                        out.entry(key.trim().to_string()).or_insert_with(Vec::new);
                        value
                    }
                    _ if line.starts_with([' ', '\t']) => line,
                    _ => {
                        current = None;
                        continue;
                    }
                };
                let Some(key) = &current else { continue };
                let names = out.entry(key.clone()).or_insert_with(Vec::new);
                for (name, _) in value
                    .split("{$")
                    .skip(1)
                    .filter_map(|rest| rest.split_once('}'))
                {
                    let name: &'static str = Box::leak(name.trim().to_string().into_boxed_str());
                    if !names.contains(&name) {
                        names.push(name);
                    }
                }
            }
        }
        out
    }

    #[test]
    fn every_message_resolves() {
        let variables = variables_of("uk");
        for key in keys_of("uk") {
            // A message with variables resolves only when given them.
            let args: Vec<(&'static str, FluentValue<'_>)> = variables
                .get(&key)
                .into_iter()
                .flatten()
                .map(|name| (*name, FluentValue::from("x")))
                .collect();
            for lang in Lang::ALL {
                assert_ne!(
                    lang.t_args(&key, &args),
                    key,
                    "{key} does not resolve in {lang:?}"
                );
            }
        }
    }

    #[test]
    fn variables_are_the_same_in_every_language() {
        let uk = variables_of("uk");
        for lang in ["ru", "en"] {
            for (key, names) in variables_of(lang) {
                let mut names = names;
                let mut expected = uk.get(&key).cloned().unwrap_or_default();
                names.sort_unstable();
                expected.sort_unstable();
                assert_eq!(names, expected, "{key} in {lang}");
            }
        }
    }

    #[test]
    fn accept_language_picks_best_supported() {
        assert_eq!(
            Lang::from_accept_language("ru-RU,ru;q=0.9,en;q=0.8"),
            Some(Lang::Ru)
        );
        assert_eq!(
            Lang::from_accept_language("de-DE, en;q=0.5, uk;q=0.7"),
            Some(Lang::Uk)
        );
        assert_eq!(Lang::from_accept_language("de, fr"), None);
        assert_eq!(
            Lang::from_accept_language("en;q=0, ru;q=0.1"),
            Some(Lang::Ru)
        );
        assert_eq!(Lang::from_accept_language(""), None);
    }

    proptest::proptest! {
        #[test]
        fn accept_language_never_panics(s in ".*") {
            let _ = Lang::from_accept_language(&s);
        }
    }
}
