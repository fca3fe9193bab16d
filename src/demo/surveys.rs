//! The demo's trust survey: a short questionnaire in three languages, a spring wave (closed,
//! results published) and an autumn wave (open), with answers, and two focus groups.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::audit::Audited;
use crate::catalog::Names;
use crate::error::AppResult;
use crate::state::AppState;
use crate::surveys::model::{
    Answer, Answers, Choice, Condition, Demographic, Question, QuestionKind, Questionnaire,
    answers_to_json, trust_score,
};
use crate::surveys::store::{
    self, Access, FocusGroupFields, NewResponse, SurveyFields, WaveStatus,
};

const CODE: &str = "trust-2026";

fn names(uk: &str, ru: &str, en: &str) -> Names {
    Names {
        uk: uk.into(),
        ru: ru.into(),
        en: en.into(),
    }
}

fn question(code: &str, kind: QuestionKind, text: Names) -> Question {
    Question {
        code: code.into(),
        kind,
        text,
        required: true,
        options: Vec::new(),
        demographic: None,
        trust: false,
        min: None,
        max: None,
        show_if: None,
    }
}

fn options(list: &[(&str, &str, &str)]) -> Vec<Choice> {
    list.iter()
        .enumerate()
        .map(|(i, (uk, ru, en))| Choice {
            code: (i + 1).to_string(),
            label: names(uk, ru, en),
        })
        .collect()
}

/// The demo trust survey's questions (also the fuzzing target's questionnaire).
pub fn questionnaire() -> Questionnaire {
    let mut community = question(
        "q1",
        QuestionKind::Single,
        names("Ваша громада", "Ваша громада", "Your community"),
    );
    community.demographic = Some(Demographic::Community);
    let mut age = question(
        "q2",
        QuestionKind::Single,
        names("Ваш вік", "Ваш возраст", "Your age"),
    );
    age.demographic = Some(Demographic::AgeGroup);
    age.options = options(&[
        ("18–29", "18–29", "18–29"),
        ("30–44", "30–44", "30–44"),
        ("45–59", "45–59", "45–59"),
        ("60 і більше", "60 и больше", "60 or more"),
    ]);
    let mut gender = question("q3", QuestionKind::Single, names("Стать", "Пол", "Gender"));
    gender.demographic = Some(Demographic::Gender);
    gender.options = options(&[
        ("Жінка", "Женщина", "Woman"),
        ("Чоловік", "Мужчина", "Man"),
        (
            "Не хочу вказувати",
            "Не хочу указывать",
            "Prefer not to say",
        ),
    ]);
    gender.required = false;
    let mut trust = question(
        "q4",
        QuestionKind::Likert,
        names(
            "Наскільки ви довіряєте поліції своєї громади?",
            "Насколько вы доверяете полиции своей громады?",
            "How much do you trust the police of your community?",
        ),
    );
    trust.trust = true;
    let mut fair = question(
        "q5",
        QuestionKind::Likert,
        names(
            "Поліція ставиться до людей справедливо",
            "Полиция относится к людям справедливо",
            "The police treat people fairly",
        ),
    );
    fair.trust = true;
    let mut problems = question(
        "q6",
        QuestionKind::Multiple,
        names(
            "Що найбільше турбує у вашій громаді?",
            "Что больше всего беспокоит в вашей громаде?",
            "What worries you most in your community?",
        ),
    );
    problems.options = options(&[
        ("Вуличне освітлення", "Уличное освещение", "Street lighting"),
        (
            "Безпека на дорогах",
            "Безопасность на дорогах",
            "Road safety",
        ),
        (
            "Вибухонебезпечні предмети",
            "Взрывоопасные предметы",
            "Unexploded ordnance",
        ),
        (
            "Домашнє насильство",
            "Домашнее насилие",
            "Domestic violence",
        ),
        ("Наркотики", "Наркотики", "Drugs"),
    ]);
    let mut contacted = question(
        "q7",
        QuestionKind::Single,
        names(
            "Чи зверталися ви до поліції цього року?",
            "Обращались ли вы в полицию в этом году?",
            "Did you contact the police this year?",
        ),
    );
    contacted.options = options(&[("Так", "Да", "Yes"), ("Ні", "Нет", "No")]);
    let mut satisfied = question(
        "q8",
        QuestionKind::Likert,
        names(
            "Наскільки ви задоволені тим, як поліція відреагувала?",
            "Насколько вы довольны тем, как полиция отреагировала?",
            "How satisfied are you with how the police responded?",
        ),
    );
    satisfied.show_if = Some(Condition {
        question: "q7".into(),
        option: "1".into(),
    });
    let mut suggestion = question(
        "q9",
        QuestionKind::LongText,
        names(
            "Що поліція має змінити насамперед?",
            "Что полиция должна изменить в первую очередь?",
            "What should the police change first?",
        ),
    );
    suggestion.required = false;
    Questionnaire {
        questions: vec![
            community, age, gender, trust, fair, problems, contacted, satisfied, suggestion,
        ],
    }
}

const SUGGESTIONS: [&str; 4] = [
    "Більше патрулів увечері біля шкіл.",
    "Швидше приїжджати на виклики у віддалені села.",
    "Відкрито звітувати про розгляд скарг.",
    "Освітити зупинки громадського транспорту.",
];

/// One resident's answers; `shift` moves trust up (the autumn wave, after joint work).
fn answers(rng: &mut StdRng, communities: &[&str], shift: f64) -> Answers {
    let mut a = Answers::new();
    let community = communities[rng.random_range(0..communities.len())];
    a.insert("q1".into(), Answer::Choice(community.into()));
    a.insert(
        "q2".into(),
        Answer::Choice(rng.random_range(1..=4).to_string()),
    );
    if rng.random_bool(0.9) {
        a.insert(
            "q3".into(),
            Answer::Choice(rng.random_range(1..=3).to_string()),
        );
    }
    // Trust differs by community, so that the table per community says something.
    let base = match community {
        "kramatorsk" => 3.1,
        "sloviansk" => 2.8,
        _ => 2.5,
    } + shift;
    let scale = |rng: &mut StdRng| {
        let v: f64 = base + rng.random_range(-1.6..1.6);
        v.round().clamp(1.0, 5.0) as u8
    };
    a.insert("q4".into(), Answer::Scale(scale(rng)));
    a.insert("q5".into(), Answer::Scale(scale(rng)));
    let mut problems: Vec<String> = (1..=5)
        .filter(|_| rng.random_bool(0.35))
        .map(|o| o.to_string())
        .collect();
    if problems.is_empty() {
        problems.push("1".into());
    }
    a.insert("q6".into(), Answer::Choices(problems));
    let contacted = rng.random_bool(0.3);
    a.insert(
        "q7".into(),
        Answer::Choice(if contacted { "1" } else { "2" }.into()),
    );
    if contacted {
        a.insert("q8".into(), Answer::Scale(scale(rng)));
    }
    if rng.random_bool(0.15) {
        a.insert(
            "q9".into(),
            Answer::Text(SUGGESTIONS[rng.random_range(0..SUGGESTIONS.len())].into()),
        );
    }
    a
}

/// Adds the demo survey once (a second run finds it and leaves it).
pub async fn add(state: &AppState) -> AppResult<()> {
    if store::survey_by_code(&state.db, CODE).await?.is_some() {
        return Ok(());
    }
    let audited = |action: &'static str, subject: Uuid| {
        Audited::new(
            state,
            None,
            "demo".into(),
            action,
            "survey",
            subject,
            None,
            None,
        )
    };
    let id = Uuid::now_v7();
    let fields = SurveyFields {
        code: CODE.into(),
        title: names(
            "Довіра до поліції у громадах, 2026",
            "Доверие к полиции в громадах, 2026",
            "Trust in the police in our communities, 2026",
        ),
        intro: names(
            "Опитування проводять громадські організації платформи разом з поліцією. Відповіді анонімні: ми не питаємо імені чи контактів. Займе 3 хвилини.",
            "Опрос проводят общественные организации платформы вместе с полицией. Ответы анонимны: мы не спрашиваем имени или контактов. Займёт 3 минуты.",
            "The platform's civil-society organisations run this survey together with the police. Answers are anonymous: we do not ask your name or contacts. It takes 3 minutes.",
        ),
        access: Access::Cookie,
    };
    let by = store_demo_user(state).await?;
    store::create_survey(&state.db, id, fields, by, audited("survey.created", id)).await?;
    let Some(survey) = store::survey(&state.db, id).await? else {
        return Ok(());
    };
    let questionnaire = questionnaire();
    store::save_questions(
        &state.db,
        id,
        &questionnaire,
        survey.updated_at,
        audited("survey.question_added", id),
    )
    .await?;
    let communities = [
        "kramatorsk",
        "sloviansk",
        "druzhkivka",
        "kostiantynivka",
        "lyman",
    ];
    let now = OffsetDateTime::now_utc();
    for (name, count, shift, days_ago, published) in [
        ("Весна 2026", 420, 0.0, 200, true),
        ("Осінь 2026", 380, 0.35, 20, false),
    ] {
        let wave = Uuid::now_v7();
        store::create_wave(
            &state.db,
            wave,
            id,
            name.into(),
            audited("survey.wave_created", id),
        )
        .await?;
        store::set_wave_status(
            &state.db,
            wave,
            WaveStatus::Planned,
            WaveStatus::Open,
            audited("survey.wave_opened", id),
        )
        .await?;
        let mut rng = StdRng::seed_from_u64(2026 + days_ago);
        let responses = (0..count)
            .map(|n| {
                let a = answers(&mut rng, &communities, shift);
                NewResponse {
                    id: Uuid::now_v7(),
                    wave_id: wave,
                    channel: if n % 5 == 0 { "paper" } else { "web" },
                    answers_json: answers_to_json(&a),
                    community: match a.get("q1") {
                        Some(Answer::Choice(c)) => Some(c.clone()),
                        _ => None,
                    },
                    trust_score: trust_score(&questionnaire, &a),
                    submission_key: None,
                    invitation: None,
                    entered_by: None,
                    texts: match a.get("q9") {
                        Some(Answer::Text(t)) => vec![("q9".into(), t.clone())],
                        _ => Vec::new(),
                    },
                    created_at: now - Duration::days(days_ago as i64) + Duration::minutes(n),
                }
            })
            .collect();
        store::insert_responses(&state.db, responses, audited("survey.answers_imported", id))
            .await?;
        if published {
            store::set_wave_status(
                &state.db,
                wave,
                WaveStatus::Open,
                WaveStatus::Closed,
                audited("survey.wave_closed", id),
            )
            .await?;
            store::set_wave_published(
                &state.db,
                wave,
                true,
                audited("survey.results_published", id),
            )
            .await?;
        }
    }
    for (days_ago, community, topic, themes) in [
        (
            45,
            "kramatorsk",
            "Безпека у дворах і на зупинках",
            vec!["вуличне освітлення", "час реагування", "патрулі"],
        ),
        (
            12,
            "sloviansk",
            "Школа і поліція",
            vec!["булінг", "час реагування", "ювенальна превенція"],
        ),
    ] {
        let group = Uuid::now_v7();
        store::save_focus_group(
            &state.db,
            group,
            FocusGroupFields {
                held_on: (now - Duration::days(days_ago)).date(),
                community: Some(community.into()),
                topic: topic.into(),
                moderator: "ГО «Місток»".into(),
                participants: 9,
                profile: "9 мешканців: 5 жінок і 4 чоловіки, 20–65 років, двоє ветеранів".into(),
                notes: "Учасники назвали головною проблемою темряву на вулицях увечері та довге очікування поліції на виклики.".into(),
                themes: themes.into_iter().map(str::to_string).collect(),
            },
            by,
            Audited::new(state, None, "demo".into(), "focus_group.created", "focus_group", group, None, None),
        )
        .await?;
    }
    Ok(())
}

/// The demo's work is attributed to its disabled coordinator.
async fn store_demo_user(state: &AppState) -> AppResult<Uuid> {
    super::store::demo_coordinator(&state.db, super::data::DEMO_COORDINATOR).await
}
