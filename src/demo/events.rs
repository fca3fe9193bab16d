//! Demo events: round tables in Kramatorsk and Sloviansk, "coffee with a police officer", school
//! lectures, a forum, trainings and a joint reception, over the past months and the coming ones;
//! the past ones with attendance, minutes and decisions.

use time::{Date, Duration, OffsetDateTime, PrimitiveDateTime, Time};
use uuid::Uuid;

use crate::audit::Audited;
use crate::error::AppResult;
use crate::events::model::{EventKind, ValidEvent};
use crate::events::store::{self, EventFields};
use crate::state::AppState;

/// The demo's joint reception (kind `joint_reception`): receptions attach their slots to it.
pub const JOINT_RECEPTION_TITLE: &str = "Спільний прийом громадян у Краматорську";

struct Demo {
    kind: EventKind,
    title: &'static str,
    description: &'static str,
    community: Option<&'static str>,
    place: &'static str,
    /// Days from today (negative: past), local start hour and minutes, length in minutes.
    day: i64,
    at: (u8, u8),
    minutes_long: i64,
    organizers: &'static str,
    capacity: Option<i64>,
    languages: &'static str,
    /// Organization code of the officer who announced it (None: the platform).
    organization: Option<&'static str>,
    attendance: Option<i64>,
    minutes: Option<&'static str>,
    decisions: &'static [&'static str],
}

const EVENTS: &[Demo] = &[
    Demo {
        kind: EventKind::RoundTable,
        title: "Круглий стіл «Безпека в громаді: освітлення, патрулі, укриття»",
        description: "Мешканці, поліція та міська рада обговорюють, що заважає почуватися безпечно ввечері, і домовляються про конкретні кроки.\n\nВізьміть із собою свої пропозиції: їх буде внесено до протоколу.",
        community: Some("kramatorsk"),
        place: "Краматорськ, Палац культури і техніки, мала зала",
        day: -75,
        at: (15, 0),
        minutes_long: 120,
        organizers: "Платформа «Місток»; Краматорське РУП ГУНП в Донецькій області; Краматорська міська рада",
        capacity: Some(40),
        languages: "uk sign",
        organization: None,
        attendance: Some(37),
        minutes: Some(
            "Учасники назвали найнебезпечнішими вечірні вулиці мікрорайону Старий Краматорськ без освітлення та зупинки громадського транспорту.\n\nПоліція представила статистику звернень за квартал; міська рада — план ремонту вуличного освітлення.\n\nДомовлено повернутися до питань за три місяці на наступному круглому столі.",
        ),
        decisions: &[
            "Міська рада до кінця кварталу відновлює освітлення на вулицях Паркова та Двірцева.",
            "Краматорське РУП додає вечірній піший патруль у мікрорайоні Старий Краматорськ по пʼятницях і суботах.",
            "Платформа щомісяця публікує звіт про виконання цих домовленостей.",
        ],
    },
    Demo {
        kind: EventKind::RoundTable,
        title: "Круглий стіл у Словʼянську: домашнє насильство та реагування поліції",
        description: "Обговорення того, як поліція реагує на виклики щодо домашнього насильства, і як громада може підтримати постраждалих.",
        community: Some("sloviansk"),
        place: "Словʼянськ, центральна бібліотека, читальна зала",
        day: -40,
        at: (14, 0),
        minutes_long: 150,
        organizers: "Відділ поліції Словʼянська; ГО «Громадські юристи»",
        capacity: Some(30),
        languages: "uk ru",
        organization: Some("sloviansk_police"),
        attendance: Some(26),
        minutes: Some(
            "Представники ГО розповіли про випадки, коли виклики не було зареєстровано. Поліція пояснила порядок реагування та оцінки ризиків.\n\nУчасники погодили спільні кроки.",
        ),
        decisions: &[
            "Відділ поліції проводить навчання для дільничних щодо оцінки ризиків у випадках домашнього насильства.",
            "ГО «Громадські юристи» відкриває щотижневу безоплатну консультацію для постраждалих.",
        ],
    },
    Demo {
        kind: EventKind::CoffeeWithPolice,
        title: "Кава з поліцейським у Дружківці",
        description: "Неформальна розмова з дільничними офіцерами за горнятком кави: запитайте про те, що турбує у вашому районі.",
        community: Some("druzhkivka"),
        place: "Дружківка, кавʼярня «Затишок», вул. Соборна",
        day: -20,
        at: (10, 0),
        minutes_long: 90,
        organizers: "Платформа «Місток»; поліцейські офіцери громади",
        capacity: None,
        languages: "uk ru",
        organization: None,
        attendance: Some(18),
        minutes: Some(
            "Найчастіші запитання: безпритульні собаки, гучні компанії вночі, шахрайство з телефонними дзвінками.",
        ),
        decisions: &[],
    },
    Demo {
        kind: EventKind::SchoolLecture,
        title: "Лекція в ліцеї №5: кібербезпека та шахрайство в мережі",
        description: "Для учнів 9–11 класів: як розпізнати шахраїв у месенджерах, кому повідомити про кібербулінг.",
        community: Some("kramatorsk"),
        place: "Краматорськ, ліцей №5, актова зала",
        day: -10,
        at: (12, 30),
        minutes_long: 60,
        organizers: "Краматорське РУП (ювенальна превенція)",
        capacity: None,
        languages: "uk",
        organization: Some("kramatorsk_rup"),
        attendance: Some(64),
        minutes: None,
        decisions: &[],
    },
    Demo {
        kind: EventKind::CoffeeWithPolice,
        title: "Кава з поліцейським у Лимані",
        description: "Поговоримо про безпеку на дорогах, мінну небезпеку та про те, як звернутися до поліції, коли немає звʼязку.",
        community: Some("lyman"),
        place: "Лиман, центр надання адміністративних послуг, хол",
        day: 4,
        at: (11, 0),
        minutes_long: 90,
        organizers: "Платформа «Місток»; патрульна поліція Донецької області",
        capacity: None,
        languages: "uk",
        organization: None,
        attendance: None,
        minutes: None,
        decisions: &[],
    },
    Demo {
        kind: EventKind::Training,
        title: "Тренінг для громадських активістів: як документувати порушення прав",
        description: "Практичне заняття: що записувати, як зберегти докази, як безпечно подати звернення через платформу.",
        community: Some("sloviansk"),
        place: "Словʼянськ, вул. Університетська, 12, ауд. 204",
        day: 9,
        at: (10, 0),
        minutes_long: 240,
        organizers: "ГО «Сіверська правова ініціатива»; Офіс Уповноваженого (регіональне представництво)",
        capacity: Some(20),
        languages: "uk ru",
        organization: None,
        attendance: None,
        minutes: None,
        decisions: &[],
    },
    Demo {
        kind: EventKind::JointReception,
        title: JOINT_RECEPTION_TITLE,
        description: "Керівники поліції, прокуратури та міської ради приймають мешканців особисто. Оберіть зручний час на сторінці запису.",
        community: Some("kramatorsk"),
        place: "Краматорськ, ЦНАП, вул. Машинобудівників",
        day: 14,
        at: (10, 0),
        minutes_long: 240,
        organizers: "Краматорське РУП; Донецька обласна прокуратура; Краматорська міська рада",
        capacity: None,
        languages: "uk ru sign",
        organization: Some("kramatorsk_rup"),
        attendance: None,
        minutes: None,
        decisions: &[],
    },
    Demo {
        kind: EventKind::RoundTable,
        title: "Круглий стіл у Краматорську: що виконано за квартал",
        description: "Звіт про виконання рішень попереднього круглого столу та нові пропозиції мешканців.",
        community: Some("kramatorsk"),
        place: "Краматорськ, Палац культури і техніки, мала зала",
        day: 20,
        at: (15, 0),
        minutes_long: 120,
        organizers: "Платформа «Місток»; Краматорське РУП; Краматорська міська рада",
        capacity: Some(40),
        languages: "uk sign",
        organization: None,
        attendance: None,
        minutes: None,
        decisions: &[],
    },
    Demo {
        kind: EventKind::SchoolLecture,
        title: "Лекція в гімназії Костянтинівки: безпечна дорога до школи",
        description: "Для учнів 5–7 класів: правила дорожнього руху, вибухонебезпечні предмети, куди телефонувати.",
        community: Some("kostiantynivka"),
        place: "Костянтинівка, гімназія №2",
        day: 26,
        at: (9, 30),
        minutes_long: 45,
        organizers: "Відділ поліції Костянтинівки",
        capacity: None,
        languages: "uk",
        organization: Some("kostiantynivka_police"),
        attendance: None,
        minutes: None,
        decisions: &[],
    },
    Demo {
        kind: EventKind::Forum,
        title: "Обласний форум «Поліція і громади: довіра через діалог»",
        description: "Підсумки року: результати опитувань довіри, виконання зобовʼязань, пріоритети громад на наступний рік.\n\nПрограма: пленарна частина, три тематичні секції, відкритий мікрофон.",
        community: None,
        place: "Краматорськ, Донбаська державна машинобудівна академія, конференц-зала",
        day: 36,
        at: (10, 0),
        minutes_long: 360,
        organizers: "Платформа «Місток»; ГУНП в Донецькій області; Офіс Уповноваженого",
        capacity: Some(150),
        languages: "uk ru en sign",
        organization: None,
        attendance: None,
        minutes: None,
        decisions: &[],
    },
];

/// Adds the demo's events once (loading the demo again leaves them as they are).
pub async fn add(state: &AppState) -> AppResult<()> {
    if store::title_exists(&state.db, JOINT_RECEPTION_TITLE).await? {
        return Ok(());
    }
    let organizations: Vec<(String, Uuid)> = crate::referrals::store::organizations(&state.db)
        .await?
        .into_iter()
        .map(|o| (o.code, o.id))
        .collect();
    let now = OffsetDateTime::now_utc();
    let today = now.to_offset(state.local_offset(now)).date();
    for demo in EVENTS {
        let day: Date = today + Duration::days(demo.day);
        let start = PrimitiveDateTime::new(
            day,
            Time::from_hms(demo.at.0, demo.at.1, 0).unwrap_or(Time::MIDNIGHT),
        );
        let end = start + Duration::minutes(demo.minutes_long);
        let (Some(starts_at), Some(ends_at)) = (state.local_to_utc(start), state.local_to_utc(end))
        else {
            continue;
        };
        let id = Uuid::now_v7();
        let organization = demo.organization.and_then(|code| {
            organizations
                .iter()
                .find(|(c, _)| c == code)
                .map(|(_, id)| *id)
        });
        let fields = EventFields {
            event: ValidEvent {
                kind: demo.kind,
                title: demo.title.to_string(),
                description: demo.description.to_string(),
                community: demo.community.map(str::to_string),
                place: demo.place.to_string(),
                starts_local: start,
                ends_local: end,
                organizers: demo.organizers.to_string(),
                capacity: demo.capacity,
                languages: demo.languages.to_string(),
            },
            starts_at,
            ends_at,
        };
        let created = starts_at.min(now) - Duration::days(21);
        store::insert(&state.db, id, fields, organization, None, created, None).await?;
        if demo.attendance.is_some() || demo.minutes.is_some() {
            let audited =
                Audited::by_system(state, "event.after_recorded", "event", id, None, None);
            store::save_after(
                &state.db,
                id,
                demo.attendance,
                demo.minutes.map(str::to_string),
                ends_at,
                audited,
            )
            .await?;
        }
        for text in demo.decisions {
            let decision = Uuid::now_v7();
            let audited = Audited::by_system(
                state,
                "event.decision_added",
                "event_decision",
                decision,
                None,
                None,
            );
            store::add_decision(&state.db, decision, id, text.to_string(), ends_at, audited)
                .await?;
        }
    }
    add_registrations(state).await
}

/// A few residents registered for the coming events with seats.
async fn add_registrations(state: &AppState) -> AppResult<()> {
    const PEOPLE: &[&str] = &[
        "Олена Коваль",
        "Ігор Мельник",
        "Світлана Бондар",
        "Андрій Ткаченко",
        "Наталія Шевчук",
        "Василь Кравець",
        "Тетяна Олійник",
        "Юрій Поліщук",
        "Марина Лисенко",
        "Дмитро Гончар",
        "Людмила Савчук",
        "Олег Руденко",
        "Ірина Марченко",
        "Сергій Захарченко",
    ];
    let now = OffsetDateTime::now_utc();
    let upcoming =
        store::list(&state.db, None, None, &store::Window::Upcoming { now }, 100).await?;
    for (event, count) in upcoming
        .iter()
        .filter(|e| e.capacity.is_some())
        .zip([8usize, 14, 5])
    {
        for (n, name) in PEOPLE.iter().take(count).enumerate() {
            let keys = &state.keys;
            let token = crate::dialogue::new_link_token();
            let registration = store::NewRegistration {
                id: Uuid::now_v7(),
                event_id: event.id,
                name_sealed: keys.seal(store::SEAL_NAME, name.as_bytes()),
                email_sealed: None,
                email_hash: None,
                cancel_hash: crate::dialogue::token_hash(keys, "registration", &token),
                submission_key: crate::dialogue::submission_key(keys, "registration", &token),
                language: "uk",
                confirmation: None,
                waiting_notice: None,
            };
            store::register(
                &state.db,
                registration,
                now - Duration::hours(48 - n as i64),
            )
            .await?;
        }
    }
    Ok(())
}
