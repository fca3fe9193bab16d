//! Default report categories every new platform starts with.
//!
//! Each category belongs to one report kind:
//! - `violation`: a human-rights violation by a security service (police, SBU,
//!   military, border guard, territorial recruitment centres);
//! - `safety`: a local safety problem;
//! - `police_feedback`: feedback on police work (complaint or thanks);
//! - `other`: anything else.
//!
//! Codes are stable identifiers (lowercase ASCII snake_case); names are shown
//! to residents and coordinators, so they are kept short and neutral.

use crate::i18n::Name;

pub struct DefaultCategory {
    pub code: &'static str,
    pub kind: &'static str,
    pub name: Name,
}

pub static DEFAULT_CATEGORIES: &[DefaultCategory] = &[
    // --- Human-rights violations by security services ---
    DefaultCategory {
        code: "unlawful_detention",
        kind: "violation",
        name: Name {
            uk: "Незаконне затримання",
            ru: "Незаконное задержание",
            en: "Unlawful detention",
        },
    },
    DefaultCategory {
        code: "ill_treatment",
        kind: "violation",
        name: Name {
            uk: "Катування чи жорстоке поводження",
            ru: "Пытки или жестокое обращение",
            en: "Torture or ill-treatment",
        },
    },
    DefaultCategory {
        code: "excessive_force",
        kind: "violation",
        name: Name {
            uk: "Надмірне застосування сили",
            ru: "Чрезмерное применение силы",
            en: "Excessive use of force",
        },
    },
    DefaultCategory {
        code: "unlawful_search",
        kind: "violation",
        name: Name {
            uk: "Незаконний обшук чи огляд",
            ru: "Незаконный обыск или досмотр",
            en: "Unlawful search",
        },
    },
    DefaultCategory {
        code: "property_seizure",
        kind: "violation",
        name: Name {
            uk: "Незаконне вилучення майна",
            ru: "Незаконное изъятие имущества",
            en: "Unlawful seizure of property",
        },
    },
    DefaultCategory {
        code: "threats_pressure",
        kind: "violation",
        name: Name {
            uk: "Погрози, тиск, залякування",
            ru: "Угрозы, давление, запугивание",
            en: "Threats, pressure or intimidation",
        },
    },
    DefaultCategory {
        code: "discrimination",
        kind: "violation",
        name: Name {
            uk: "Дискримінація",
            ru: "Дискриминация",
            en: "Discrimination",
        },
    },
    DefaultCategory {
        code: "checkpoint_abuse",
        kind: "violation",
        name: Name {
            uk: "Порушення на блокпосту",
            ru: "Нарушения на блокпосту",
            en: "Abuse at a checkpoint",
        },
    },
    DefaultCategory {
        code: "privacy_data",
        kind: "violation",
        name: Name {
            uk: "Втручання в приватне життя, персональні дані",
            ru: "Нарушение частной жизни, персональные данные",
            en: "Privacy or personal data violation",
        },
    },
    DefaultCategory {
        code: "denial_of_legal_aid",
        kind: "violation",
        name: Name {
            uk: "Відмова в доступі до адвоката",
            ru: "Отказ в доступе к адвокату",
            en: "Denial of access to a lawyer",
        },
    },
    DefaultCategory {
        code: "mobilisation_abuse",
        kind: "violation",
        name: Name {
            uk: "Порушення прав під час мобілізації",
            ru: "Нарушение прав при мобилизации",
            en: "Rights violations during mobilisation",
        },
    },
    // --- Local safety problems ---
    DefaultCategory {
        code: "street_lighting",
        kind: "safety",
        name: Name {
            uk: "Вуличне освітлення",
            ru: "Уличное освещение",
            en: "Street lighting",
        },
    },
    DefaultCategory {
        code: "road_safety",
        kind: "safety",
        name: Name {
            uk: "Безпека дорожнього руху",
            ru: "Безопасность дорожного движения",
            en: "Road safety",
        },
    },
    DefaultCategory {
        code: "unexploded_ordnance",
        kind: "safety",
        name: Name {
            uk: "Вибухонебезпечні предмети",
            ru: "Взрывоопасные предметы",
            en: "Unexploded ordnance and mines",
        },
    },
    DefaultCategory {
        code: "domestic_violence",
        kind: "safety",
        name: Name {
            uk: "Домашнє насильство",
            ru: "Домашнее насилие",
            en: "Domestic violence",
        },
    },
    DefaultCategory {
        code: "drugs",
        kind: "safety",
        name: Name {
            uk: "Збут чи вживання наркотиків",
            ru: "Сбыт или употребление наркотиков",
            en: "Drug dealing or drug use",
        },
    },
    DefaultCategory {
        code: "public_disorder",
        kind: "safety",
        name: Name {
            uk: "Порушення громадського порядку",
            ru: "Нарушение общественного порядка",
            en: "Public disorder",
        },
    },
    DefaultCategory {
        code: "theft_burglary",
        kind: "safety",
        name: Name {
            uk: "Крадіжки та проникнення в житло",
            ru: "Кражи и проникновение в жильё",
            en: "Theft or burglary",
        },
    },
    DefaultCategory {
        code: "abandoned_buildings",
        kind: "safety",
        name: Name {
            uk: "Небезпечні покинуті чи зруйновані будівлі",
            ru: "Опасные заброшенные или разрушенные здания",
            en: "Dangerous abandoned or damaged buildings",
        },
    },
    DefaultCategory {
        code: "fraud",
        kind: "safety",
        name: Name {
            uk: "Шахрайство",
            ru: "Мошенничество",
            en: "Fraud and scams",
        },
    },
    DefaultCategory {
        code: "shelter_access",
        kind: "safety",
        name: Name {
            uk: "Доступ до укриттів",
            ru: "Доступ к укрытиям",
            en: "Access to bomb shelters",
        },
    },
    // --- Feedback on police work ---
    DefaultCategory {
        code: "rude_conduct",
        kind: "police_feedback",
        name: Name {
            uk: "Некоректна поведінка поліцейських",
            ru: "Некорректное поведение полицейских",
            en: "Rude or improper conduct",
        },
    },
    DefaultCategory {
        code: "inaction",
        kind: "police_feedback",
        name: Name {
            uk: "Бездіяльність поліції",
            ru: "Бездействие полиции",
            en: "Police inaction",
        },
    },
    DefaultCategory {
        code: "slow_response",
        kind: "police_feedback",
        name: Name {
            uk: "Повільне реагування на виклик",
            ru: "Медленное реагирование на вызов",
            en: "Slow response to a call",
        },
    },
    DefaultCategory {
        code: "thanks",
        kind: "police_feedback",
        name: Name {
            uk: "Подяка поліцейським",
            ru: "Благодарность полицейским",
            en: "Thanks to police officers",
        },
    },
    DefaultCategory {
        code: "suggestion",
        kind: "police_feedback",
        name: Name {
            uk: "Пропозиція щодо роботи поліції",
            ru: "Предложение по работе полиции",
            en: "Suggestion on police work",
        },
    },
    // --- Anything else ---
    DefaultCategory {
        code: "other",
        kind: "other",
        name: Name {
            uk: "Інше",
            ru: "Другое",
            en: "Other",
        },
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// The report kinds a default category may belong to.
    const KINDS: &[&str] = &["violation", "safety", "police_feedback", "other"];

    fn is_snake_case(code: &str) -> bool {
        !code.is_empty()
            && code.starts_with(|c: char| c.is_ascii_lowercase())
            && !code.ends_with('_')
            && !code.contains("__")
            && code
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    }

    #[test]
    fn codes_are_unique_and_snake_case() {
        let mut seen = HashSet::new();
        for category in DEFAULT_CATEGORIES {
            assert!(
                is_snake_case(category.code),
                "category code {:?} is not lowercase snake_case",
                category.code
            );
            assert!(
                seen.insert(category.code),
                "duplicate category code {:?}",
                category.code
            );
        }
    }

    #[test]
    fn kinds_are_known() {
        for category in DEFAULT_CATEGORIES {
            assert!(
                KINDS.contains(&category.kind),
                "category {:?} has unknown kind {:?}",
                category.code,
                category.kind
            );
        }
    }

    #[test]
    fn every_kind_has_categories() {
        for kind in KINDS {
            assert!(
                DEFAULT_CATEGORIES.iter().any(|c| c.kind == *kind),
                "no default category for kind {kind:?}"
            );
        }
    }

    #[test]
    fn names_are_present_and_short() {
        for category in DEFAULT_CATEGORIES {
            let name = category.name;
            for (lang, text) in [("uk", name.uk), ("ru", name.ru), ("en", name.en)] {
                assert!(
                    !text.trim().is_empty(),
                    "category {:?} has an empty {lang} name",
                    category.code
                );
                assert_eq!(
                    text,
                    text.trim(),
                    "category {:?} {lang} name has stray whitespace",
                    category.code
                );
                assert!(
                    text.chars().count() <= 45,
                    "category {:?} {lang} name is longer than 45 characters",
                    category.code
                );
            }
        }
    }
}
