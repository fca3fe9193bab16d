//! Demo dialogue: community priorities of the Donetsk region (waiting for review, open with
//! supporters, adopted, merged, declined with a reason, one not published) and the commitments
//! that came of them or of joint measures (done, in progress, late, stalled, dropped), with
//! dated updates over the past months.

use std::collections::HashMap;

use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::commitments::model::{CheckedCommitment, CheckedUpdate, CommitmentStatus};
use crate::commitments::store as commitments;
use crate::error::AppResult;
use crate::priorities::model::{PriorityStatus, Proposal};
use crate::priorities::store as priorities;
use crate::state::AppState;

struct DemoPriority {
    community: &'static str,
    title: &'static str,
    description: &'static str,
    status: PriorityStatus,
    reason: Option<&'static str>,
    /// Index of the priority it was merged into.
    merged_into: Option<usize>,
    supporters: i64,
    /// Days before today it was proposed, and decided.
    proposed: i64,
    decided: Option<i64>,
}

const PRIORITIES: &[DemoPriority] = &[
    DemoPriority {
        community: "kramatorsk",
        title: "Освітлення біля школи № 3 на вулиці Шкільній",
        description: "Узимку діти повертаються з гуртків після 17:00, а ліхтарі на Шкільній не працюють від перехрестя з Паркова до самої школи. Батьки просять відновити освітлення і частіше патрулювати ввечері.",
        status: PriorityStatus::Open,
        reason: None,
        merged_into: None,
        supporters: 47,
        proposed: 40,
        decided: None,
    },
    DemoPriority {
        community: "sloviansk",
        title: "Перевищення швидкості на вулиці Центральній біля ринку",
        description: "Автомобілі їздять 70–80 км/год там, де люди переходять дорогу до ринку і до зупинки. Просимо контроль швидкості та розмітку.",
        status: PriorityStatus::Open,
        reason: None,
        merged_into: None,
        supporters: 31,
        proposed: 55,
        decided: None,
    },
    DemoPriority {
        community: "druzhkivka",
        title: "Продаж алкоголю неповнолітнім у кіосках біля коледжу",
        description: "Студенти першого курсу купують пиво та енергетики в кіосках на зупинці біля коледжу. Просимо перевірок і роз’яснювальної роботи з продавцями.",
        status: PriorityStatus::Open,
        reason: None,
        merged_into: None,
        supporters: 12,
        proposed: 18,
        decided: None,
    },
    DemoPriority {
        community: "kostiantynivka",
        title: "Патрулювання біля пункту незламності вночі",
        description: "Після відключень світла біля пункту незламності збирається багато людей, були сварки та крадіжки телефонів.",
        status: PriorityStatus::Pending,
        reason: None,
        merged_into: None,
        supporters: 0,
        proposed: 2,
        decided: None,
    },
    DemoPriority {
        community: "lyman",
        title: "Попередження про вибухонебезпечні предмети на узбіччях",
        description: "Діти ходять узбіччям дороги до старого кладовища, де раніше знаходили уламки. Потрібні знаки та заняття в школі.",
        status: PriorityStatus::Pending,
        reason: None,
        merged_into: None,
        supporters: 0,
        proposed: 1,
        decided: None,
    },
    DemoPriority {
        community: "kramatorsk",
        title: "Вечірні патрулі біля зупинок громадського транспорту",
        description: "На зупинках біля заводу та вокзалу ввечері бувають конфлікти, люди бояться чекати автобус.",
        status: PriorityStatus::Adopted,
        reason: Some(
            "Круглий стіл підтримав: поліція разом із муніципальною вартою патрулюватиме п’ять зупинок з 19:00 до 23:00; місто відновить освітлення павільйонів.",
        ),
        merged_into: None,
        supporters: 64,
        proposed: 170,
        decided: Some(130),
    },
    DemoPriority {
        community: "sloviansk",
        title: "Камери відеоспостереження на перехресті біля лікарні",
        description: "На перехресті біля міської лікарні часто стаються ДТП, винуватців важко встановити.",
        status: PriorityStatus::Adopted,
        reason: Some(
            "Ухвалено: міська рада встановлює дві камери з доступом для поліції; записи зберігаються 30 днів відповідно до закону.",
        ),
        merged_into: None,
        supporters: 38,
        proposed: 120,
        decided: Some(75),
    },
    DemoPriority {
        community: "kramatorsk",
        title: "Заборонити проїзд вантажівок через центр міста",
        description: "Вантажівки руйнують дорогу та заважають пішоходам.",
        status: PriorityStatus::Declined,
        reason: Some(
            "Відхилено як пріоритет поліції: маршрути вантажного транспорту визначає міська рада. Пропозицію передано до міської ради як звернення мешканців.",
        ),
        merged_into: None,
        supporters: 9,
        proposed: 100,
        decided: Some(60),
    },
    DemoPriority {
        community: "sloviansk",
        title: "Лежачі поліцейські на вулиці Центральній",
        description: "Просимо встановити штучні нерівності біля ринку.",
        status: PriorityStatus::Merged,
        reason: Some(
            "Об’єднано з пріоритетом про швидкість на вулиці Центральній біля ринку: йдеться про той самий відрізок дороги, рішення ухвалюватимуть разом.",
        ),
        merged_into: Some(1),
        supporters: 5,
        proposed: 50,
        decided: Some(30),
    },
    DemoPriority {
        community: "druzhkivka",
        title: "Сусід з п’ятого поверху продає наркотики",
        description: "Текст містив ім’я та адресу людини.",
        status: PriorityStatus::Rejected,
        reason: Some(
            "Не опубліковано: персональні дані та повідомлення про можливий злочин. Автору запропоновано подати звернення через форму.",
        ),
        merged_into: None,
        supporters: 0,
        proposed: 12,
        decided: None,
    },
];

struct DemoUpdate {
    days_ago: i64,
    text: &'static str,
    progress: i64,
    status: CommitmentStatus,
    evidence: Option<&'static str>,
}

struct DemoCommitment {
    title: &'static str,
    description: &'static str,
    community: Option<&'static str>,
    organization: &'static str,
    /// Days from today (negative: past).
    due_in: i64,
    created: i64,
    /// Index of the adopted priority it comes from.
    priority: Option<usize>,
    /// Comes from an event's decision (the first the demo's events hold, if any).
    from_decision: bool,
    updates: &'static [DemoUpdate],
}

const COMMITMENTS: &[DemoCommitment] = &[
    DemoCommitment {
        title: "Вечірні патрулі на п’яти зупинках біля заводу та вокзалу",
        description: "Спільні патрулі поліції та муніципальної варти з 19:00 до 23:00; відновлення освітлення павільйонів.",
        community: Some("kramatorsk"),
        organization: "kramatorsk_rup",
        due_in: -45,
        created: 125,
        priority: Some(5),
        from_decision: false,
        updates: &[
            DemoUpdate {
                days_ago: 110,
                text: "Затверджено графік патрулювання, визначено п’ять зупинок.",
                progress: 20,
                status: CommitmentStatus::InProgress,
                evidence: None,
            },
            DemoUpdate {
                days_ago: 85,
                text: "Патрулі працюють на трьох зупинках; на двох чекаємо на освітлення.",
                progress: 60,
                status: CommitmentStatus::InProgress,
                evidence: None,
            },
            DemoUpdate {
                days_ago: 50,
                text: "Освітлення відновлено, патрулі працюють на всіх п’яти зупинках. За місяць — жодного виклику щодо конфліктів.",
                progress: 100,
                status: CommitmentStatus::Done,
                evidence: Some("https://kramatorsk.example.org/news/patruli-zupynky"),
            },
        ],
    },
    DemoCommitment {
        title: "Дві камери на перехресті біля міської лікарні",
        description: "Встановлення камер із доступом для поліції; записи зберігаються 30 днів.",
        community: Some("sloviansk"),
        organization: "sloviansk_city_council",
        due_in: 60,
        created: 70,
        priority: Some(6),
        from_decision: false,
        updates: &[
            DemoUpdate {
                days_ago: 55,
                text: "Оголошено закупівлю камер.",
                progress: 15,
                status: CommitmentStatus::InProgress,
                evidence: Some("https://sloviansk.example.org/zakupivli/kamery-likarnia"),
            },
            DemoUpdate {
                days_ago: 20,
                text: "Камери закуплено, монтаж запланований на наступний місяць.",
                progress: 40,
                status: CommitmentStatus::InProgress,
                evidence: None,
            },
        ],
    },
    DemoCommitment {
        title: "Освітлення пішохідного переходу біля ліцею № 1",
        description: "Освітлення та розмітка переходу, про які домовилися громада, поліція та міська рада.",
        community: Some("druzhkivka"),
        organization: "druzhkivka_city_council",
        due_in: -30,
        created: 150,
        priority: None,
        from_decision: true,
        updates: &[
            DemoUpdate {
                days_ago: 120,
                text: "Проєкт погоджено з поліцією.",
                progress: 30,
                status: CommitmentStatus::InProgress,
                evidence: None,
            },
            DemoUpdate {
                days_ago: 25,
                text: "Встановлено опори, чекаємо на підключення до мережі.",
                progress: 70,
                status: CommitmentStatus::InProgress,
                evidence: None,
            },
        ],
    },
    DemoCommitment {
        title: "Заняття шкільних офіцерів поліції в усіх школах Лиманської громади",
        description: "Цикл занять про безпеку, булінг і вибухонебезпечні предмети для 5–11 класів.",
        community: Some("lyman"),
        organization: "gunp_donetsk",
        due_in: 120,
        created: 140,
        priority: None,
        from_decision: false,
        updates: &[DemoUpdate {
            days_ago: 95,
            text: "Складено програму занять, проведено перші два заняття.",
            progress: 10,
            status: CommitmentStatus::InProgress,
            evidence: None,
        }],
    },
    DemoCommitment {
        title: "Кнопки тривожного виклику в сільських старостатах",
        description: "Тривожні кнопки з виходом на чергову частину поліції у чотирьох старостатах.",
        community: Some("kostiantynivka"),
        organization: "kostiantynivka_police",
        due_in: -10,
        created: 160,
        priority: None,
        from_decision: false,
        updates: &[DemoUpdate {
            days_ago: 80,
            text: "Обстежено приміщення двох старостатів.",
            progress: 20,
            status: CommitmentStatus::InProgress,
            evidence: None,
        }],
    },
    DemoCommitment {
        title: "Щомісячні спільні прийоми представника Омбудсмана та поліції",
        description: "Прийом громадян у громадах області щомісяця, за графіком на платформі.",
        community: None,
        organization: "ombudsman_donetsk",
        due_in: 200,
        created: 90,
        priority: None,
        from_decision: false,
        updates: &[
            DemoUpdate {
                days_ago: 60,
                text: "Проведено прийоми в Краматорську та Слов’янську, 23 відвідувачі.",
                progress: 30,
                status: CommitmentStatus::InProgress,
                evidence: None,
            },
            DemoUpdate {
                days_ago: 10,
                text: "Проведено прийоми в Дружківці та Костянтинівці.",
                progress: 50,
                status: CommitmentStatus::InProgress,
                evidence: Some("https://ombudsman.example.org/pryiomy/donetska"),
            },
        ],
    },
    DemoCommitment {
        title: "Поліцейська станція в селищі Олександрівка",
        description: "Відкриття поліцейської станції з щоденним прийомом громадян.",
        community: Some("oleksandrivka"),
        organization: "gunp_donetsk",
        due_in: -60,
        created: 200,
        priority: None,
        from_decision: false,
        updates: &[
            DemoUpdate {
                days_ago: 150,
                text: "Обрано приміщення в будинку культури.",
                progress: 30,
                status: CommitmentStatus::InProgress,
                evidence: None,
            },
            DemoUpdate {
                days_ago: 100,
                text: "Приміщення зруйновано обстрілом. Прийом громадян перенесено до ЦНАП двічі на тиждень; станцію не відкриватимуть до відновлення будівлі.",
                progress: 30,
                status: CommitmentStatus::Dropped,
                evidence: None,
            },
        ],
    },
];

/// Adds the demo's dialogue once (loading the demo again leaves them as they are).
pub async fn add(state: &AppState) -> AppResult<()> {
    if commitments::title_exists(&state.db, COMMITMENTS[0].title).await? {
        return Ok(());
    }
    let now = OffsetDateTime::now_utc();
    let day = |days_ago: i64| now - Duration::days(days_ago);
    // The round table that decided, when the demo's events hold one (the newest).
    let round_table = priorities::round_tables(&state.db)
        .await?
        .into_iter()
        .find(|t| t.starts_at < now)
        .map(|t| t.id);
    // A round table's decision, when there is one, is the source of the crossing's lighting.
    let decision = commitments::decisions(&state.db)
        .await?
        .into_iter()
        .next()
        .map(|d| d.id);
    let mut priority_ids: Vec<Uuid> = Vec::with_capacity(PRIORITIES.len());
    for p in PRIORITIES {
        let id = Uuid::now_v7();
        priorities::insert_demo(
            &state.db,
            id,
            Proposal {
                community: p.community.to_string(),
                title: p.title.to_string(),
                description: p.description.to_string(),
            },
            p.status,
            p.reason,
            p.merged_into.and_then(|i| priority_ids.get(i).copied()),
            round_table.filter(|_| p.status.is_decided()),
            p.supporters,
            day(p.proposed),
            p.decided.map(day),
        )
        .await?;
        priority_ids.push(id);
    }
    let organizations: HashMap<String, Uuid> = commitments::organizations(&state.db)
        .await?
        .into_iter()
        .map(|o| (o.code, o.id))
        .collect();
    for c in COMMITMENTS {
        let Some(&organization) = organizations.get(c.organization) else {
            continue;
        };
        let id = Uuid::now_v7();
        let checked = CheckedCommitment {
            title: c.title.to_string(),
            description: c.description.to_string(),
            community: c.community.map(str::to_string),
            organization,
            due_on: (now + Duration::days(c.due_in)).date(),
            priority: c.priority.and_then(|i| priority_ids.get(i).copied()),
            decision: decision.filter(|_| c.from_decision),
        };
        commitments::insert(&state.db, id, checked, None, None, day(c.created)).await?;
        for u in c.updates {
            let update = CheckedUpdate {
                on_date: day(u.days_ago).date(),
                text: u.text.to_string(),
                progress: u.progress,
                status: u.status,
                evidence_url: u.evidence.map(str::to_string),
            };
            commitments::add_update(&state.db, id, update, None, None, day(u.days_ago)).await?;
        }
    }
    Ok(())
}
