//! Articles — news, announcements and static pages — and what makes one valid.

use crate::error::FieldError;
use crate::i18n::Lang;
use crate::intake::model::clean_text;

pub const TITLE_MAX_CHARS: usize = 200;
pub const BODY_MAX_CHARS: usize = 20_000;
pub const SLUG_MAX_CHARS: usize = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArticleKind {
    News,
    Announcement,
    Page,
}

impl ArticleKind {
    pub const ALL: [ArticleKind; 3] = [
        ArticleKind::News,
        ArticleKind::Announcement,
        ArticleKind::Page,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ArticleKind::News => "news",
            ArticleKind::Announcement => "announcement",
            ArticleKind::Page => "page",
        }
    }

    pub fn from_code(code: &str) -> Option<ArticleKind> {
        ArticleKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// An article's form as typed.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub struct ArticleInput {
    pub kind: String,
    pub slug: String,
    pub title_uk: String,
    pub title_ru: String,
    pub title_en: String,
    pub body_uk: String,
    pub body_ru: String,
    pub body_en: String,
    /// "yes" publishes (or keeps published); anything else keeps a draft.
    pub publish: String,
}

/// A checked article: Ukrainian is required, the translations are optional.
#[derive(Debug, Clone, PartialEq)]
pub struct Article {
    pub kind: ArticleKind,
    pub slug: Option<String>,
    /// uk, ru, en
    pub titles: [Option<String>; 3],
    pub bodies: [Option<String>; 3],
    pub publish: bool,
}

impl Article {
    pub fn title(&self, lang: Lang) -> &str {
        pick(&self.titles, lang)
    }
}

/// The text in `lang`, or the Ukrainian one when that translation is missing.
pub fn pick(texts: &[Option<String>; 3], lang: Lang) -> &str {
    let i = match lang {
        Lang::Uk => 0,
        Lang::Ru => 1,
        Lang::En => 2,
    };
    texts[i]
        .as_deref()
        .or(texts[0].as_deref())
        .unwrap_or_default()
}

/// Whether `lang` has its own text or falls back to Ukrainian.
pub fn translated(texts: &[Option<String>; 3], lang: Lang) -> bool {
    match lang {
        Lang::Uk => true,
        Lang::Ru => texts[1].is_some(),
        Lang::En => texts[2].is_some(),
    }
}

fn valid_slug(slug: &str) -> bool {
    (2..=SLUG_MAX_CHARS).contains(&slug.len())
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-')
}

pub fn validate_article(input: &ArticleInput) -> Result<Article, Vec<FieldError>> {
    let mut errors = Vec::new();
    let kind = ArticleKind::from_code(input.kind.trim());
    if kind.is_none() {
        errors.push(FieldError::new("kind", "error-filter-invalid"));
    }
    let slug = input.slug.trim().to_lowercase();
    let slug = match kind {
        Some(ArticleKind::Page) if !valid_slug(&slug) => {
            errors.push(FieldError::new("slug", "error-article-slug"));
            None
        }
        Some(ArticleKind::Page) => Some(slug),
        _ => None,
    };
    let mut titles: [Option<String>; 3] = Default::default();
    let mut bodies: [Option<String>; 3] = Default::default();
    let fields = [
        ("title_uk", &input.title_uk, "body_uk", &input.body_uk),
        ("title_ru", &input.title_ru, "body_ru", &input.body_ru),
        ("title_en", &input.title_en, "body_en", &input.body_en),
    ];
    for (i, (title_field, title, body_field, body)) in fields.into_iter().enumerate() {
        let title = clean_text(title).replace('\n', " ");
        let body = clean_text(body);
        if title.chars().count() > TITLE_MAX_CHARS {
            errors.push(FieldError::new(title_field, "error-too-long"));
        }
        if body.chars().count() > BODY_MAX_CHARS {
            errors.push(FieldError::new(body_field, "error-too-long"));
        }
        // Ukrainian is the platform's language: it is always there. A translation is whole or
        // absent, never a title without its text.
        match (title.is_empty(), body.is_empty(), i) {
            (true, _, 0) => errors.push(FieldError::new(title_field, "error-article-title")),
            (false, true, _) => errors.push(FieldError::new(body_field, "error-article-body")),
            (true, false, _) => errors.push(FieldError::new(title_field, "error-article-title")),
            _ => {}
        }
        if i == 0 && body.is_empty() && title.is_empty() {
            errors.push(FieldError::new(body_field, "error-article-body"));
        }
        titles[i] = Some(title).filter(|t| !t.is_empty());
        bodies[i] = Some(body).filter(|b| !b.is_empty());
    }
    match kind {
        Some(kind) if errors.is_empty() => Ok(Article {
            kind,
            slug,
            titles,
            bodies,
            publish: input.publish == "yes",
        }),
        _ => Err(errors),
    }
}

/// Paragraphs of a plain-text body: separated by blank lines; single line breaks stay.
pub fn paragraphs(body: &str) -> Vec<String> {
    body.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn input() -> ArticleInput {
        ArticleInput {
            kind: "news".into(),
            title_uk: "Кава з поліцейським у Лимані".into(),
            body_uk: "Запрошуємо.\n\nУ суботу о 10:00.".into(),
            ..Default::default()
        }
    }

    #[test]
    fn ukrainian_is_required_and_translations_fall_back_to_it() {
        let article = validate_article(&input()).unwrap();
        assert_eq!(article.title(Lang::En), "Кава з поліцейським у Лимані");
        assert!(!translated(&article.titles, Lang::En));
        assert!(!article.publish);
        let errors = validate_article(&ArticleInput {
            title_uk: String::new(),
            title_en: "Coffee".into(),
            ..input()
        })
        .unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["title_uk", "body_en"]);
    }

    #[test]
    fn pages_need_an_address() {
        let page = ArticleInput {
            kind: "page".into(),
            slug: " About-Us ".into(),
            ..input()
        };
        assert_eq!(
            validate_article(&page).unwrap().slug.as_deref(),
            Some("about-us")
        );
        for bad in ["", "a", "-x", "про-нас", "a/b", "x-"] {
            let page = ArticleInput {
                kind: "page".into(),
                slug: bad.into(),
                ..input()
            };
            assert!(validate_article(&page).is_err(), "{bad}");
        }
        // News have no address of their own.
        let news = ArticleInput {
            slug: "ignored".into(),
            ..input()
        };
        assert_eq!(validate_article(&news).unwrap().slug, None);
    }

    #[test]
    fn bodies_split_into_paragraphs() {
        assert_eq!(paragraphs("One\nline\n\n\n\nTwo  "), ["One\nline", "Two"]);
    }

    proptest! {
        #[test]
        fn any_form_validates_or_names_fields(
            kind in ".{0,14}", slug in ".{0,70}", title in ".{0,40}", body in ".{0,80}"
        ) {
            let input = ArticleInput { kind, slug, title_uk: title, body_uk: body, ..Default::default() };
            match validate_article(&input) {
                Ok(a) => prop_assert!(a.titles[0].is_some() && a.bodies[0].is_some()),
                Err(errors) => prop_assert!(!errors.is_empty()),
            }
        }
    }
}
