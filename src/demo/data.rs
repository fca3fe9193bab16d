//! Demo data: Donetsk region (Донецька область), communities under
//! Ukrainian government control.
//!
//! Coordinates are city centres (WGS84, decimal degrees). Populations are
//! pre-war estimates (2021–2022) for the central settlement of each community
//! and are only meant to give the right order of magnitude. Organisations of
//! the state are real institutions named generically; the NGOs are fictional.
//! Stories are invented: they mention no real persons and no real badge
//! numbers.

use crate::i18n::Name;

pub struct DemoRegion {
    pub code: &'static str,
    pub name: Name,
    pub reference_prefix: &'static str,
}

pub static REGION: DemoRegion = DemoRegion {
    code: "donetsk",
    name: Name {
        uk: "Донецька область",
        ru: "Донецкая область",
        en: "Donetsk Region",
    },
    reference_prefix: "DN",
};

pub struct DemoCommunity {
    pub code: &'static str,
    pub name: Name,
    pub lat: f64,
    pub lon: f64,
    pub population: u32,
}

pub static COMMUNITIES: &[DemoCommunity] = &[
    DemoCommunity {
        code: "kramatorsk",
        name: Name {
            uk: "Краматорськ",
            ru: "Краматорск",
            en: "Kramatorsk",
        },
        lat: 48.7392,
        lon: 37.5839,
        population: 147_000,
    },
    DemoCommunity {
        code: "sloviansk",
        name: Name {
            uk: "Слов’янськ",
            ru: "Славянск",
            en: "Sloviansk",
        },
        lat: 48.8533,
        lon: 37.6250,
        population: 105_000,
    },
    DemoCommunity {
        code: "druzhkivka",
        name: Name {
            uk: "Дружківка",
            ru: "Дружковка",
            en: "Druzhkivka",
        },
        lat: 48.6203,
        lon: 37.5275,
        population: 54_000,
    },
    DemoCommunity {
        code: "kostiantynivka",
        name: Name {
            uk: "Костянтинівка",
            ru: "Константиновка",
            en: "Kostiantynivka",
        },
        lat: 48.5277,
        lon: 37.7069,
        population: 67_000,
    },
    DemoCommunity {
        code: "dobropillia",
        name: Name {
            uk: "Добропілля",
            ru: "Доброполье",
            en: "Dobropillia",
        },
        lat: 48.4689,
        lon: 37.0828,
        population: 28_000,
    },
    DemoCommunity {
        code: "lyman",
        name: Name {
            uk: "Лиман",
            ru: "Лиман",
            en: "Lyman",
        },
        lat: 48.9853,
        lon: 37.8111,
        population: 20_000,
    },
    DemoCommunity {
        code: "sviatohirsk",
        name: Name {
            uk: "Святогірськ",
            ru: "Святогорск",
            en: "Sviatohirsk",
        },
        lat: 49.0336,
        lon: 37.5572,
        population: 4_300,
    },
    DemoCommunity {
        code: "mykolaivka",
        name: Name {
            uk: "Миколаївка",
            ru: "Николаевка",
            en: "Mykolaivka",
        },
        lat: 48.8522,
        lon: 37.7739,
        population: 14_200,
    },
    DemoCommunity {
        code: "bilozerske",
        name: Name {
            uk: "Білозерське",
            ru: "Белозёрское",
            en: "Bilozerske",
        },
        lat: 48.5367,
        lon: 37.0586,
        population: 14_600,
    },
    DemoCommunity {
        code: "oleksandrivka",
        name: Name {
            uk: "Олександрівка",
            ru: "Александровка",
            en: "Oleksandrivka",
        },
        lat: 48.7078,
        lon: 36.9133,
        population: 3_600,
    },
];

pub struct DemoOrganization {
    pub code: &'static str,
    pub kind: &'static str,
    pub name: Name,
    pub community: Option<&'static str>,
}

pub static ORGANIZATIONS: &[DemoOrganization] = &[
    DemoOrganization {
        code: "gunp_donetsk",
        kind: "police",
        name: Name {
            uk: "Головне управління Національної поліції в Донецькій області",
            ru: "Главное управление Национальной полиции в Донецкой области",
            en: "Main Directorate of the National Police in Donetsk Region",
        },
        community: None,
    },
    DemoOrganization {
        code: "patrol_police_donetsk",
        kind: "police",
        name: Name {
            uk: "Управління патрульної поліції в Донецькій області",
            ru: "Управление патрульной полиции в Донецкой области",
            en: "Patrol Police Department in Donetsk Region",
        },
        community: None,
    },
    DemoOrganization {
        code: "kramatorsk_rup",
        kind: "police",
        name: Name {
            uk: "Краматорське районне управління поліції",
            ru: "Краматорское районное управление полиции",
            en: "Kramatorsk District Police Department",
        },
        community: Some("kramatorsk"),
    },
    DemoOrganization {
        code: "sloviansk_police",
        kind: "police",
        name: Name {
            uk: "Слов’янський відділ поліції",
            ru: "Славянский отдел полиции",
            en: "Sloviansk Police Station",
        },
        community: Some("sloviansk"),
    },
    DemoOrganization {
        code: "kostiantynivka_police",
        kind: "police",
        name: Name {
            uk: "Костянтинівський відділ поліції",
            ru: "Константиновский отдел полиции",
            en: "Kostiantynivka Police Station",
        },
        community: Some("kostiantynivka"),
    },
    DemoOrganization {
        code: "sbu_donetsk",
        kind: "security_service",
        name: Name {
            uk: "Управління СБУ в Донецькій області",
            ru: "Управление СБУ в Донецкой области",
            en: "SBU Directorate in Donetsk Region",
        },
        community: None,
    },
    DemoOrganization {
        code: "prosecutor_donetsk",
        kind: "prosecutor",
        name: Name {
            uk: "Донецька обласна прокуратура",
            ru: "Донецкая областная прокуратура",
            en: "Donetsk Regional Prosecutor’s Office",
        },
        community: None,
    },
    DemoOrganization {
        code: "ombudsman_donetsk",
        kind: "ombudsman",
        name: Name {
            uk: "Представник Уповноваженого Верховної Ради України з прав людини в Донецькій області",
            ru: "Представитель Уполномоченного Верховной Рады Украины по правам человека в Донецкой области",
            en: "Representative of the Ukrainian Parliament Commissioner for Human Rights in Donetsk Region",
        },
        community: None,
    },
    DemoOrganization {
        code: "kramatorsk_city_council",
        kind: "local_government",
        name: Name {
            uk: "Краматорська міська рада",
            ru: "Краматорский городской совет",
            en: "Kramatorsk City Council",
        },
        community: Some("kramatorsk"),
    },
    DemoOrganization {
        code: "sloviansk_city_council",
        kind: "local_government",
        name: Name {
            uk: "Слов’янська міська рада",
            ru: "Славянский городской совет",
            en: "Sloviansk City Council",
        },
        community: Some("sloviansk"),
    },
    DemoOrganization {
        code: "druzhkivka_city_council",
        kind: "local_government",
        name: Name {
            uk: "Дружківська міська рада",
            ru: "Дружковский городской совет",
            en: "Druzhkivka City Council",
        },
        community: Some("druzhkivka"),
    },
    DemoOrganization {
        code: "ngo_siverska_legal",
        kind: "ngo",
        name: Name {
            uk: "ГО «Сіверська правова ініціатива»",
            ru: "ОО «Северская правовая инициатива»",
            en: "Siverska Legal Initiative (NGO)",
        },
        community: Some("sloviansk"),
    },
    DemoOrganization {
        code: "ngo_community_lawyers",
        kind: "ngo",
        name: Name {
            uk: "ГО «Адвокати громад Донеччини»",
            ru: "ОО «Адвокаты громад Донетчины»",
            en: "Donetsk Community Lawyers (NGO)",
        },
        community: Some("kramatorsk"),
    },
    DemoOrganization {
        code: "platform",
        kind: "platform",
        name: Name {
            uk: "Регіональна платформа з прав людини Донеччини",
            ru: "Региональная платформа по правам человека Донетчины",
            en: "Donetsk Regional Human Rights Platform",
        },
        community: None,
    },
];

/// Heads of the demo organizations, to whom overdue referrals are escalated (made-up addresses
/// on the reserved `example.org` domain, so the demo never e-mails anyone real).
pub static HEAD_EMAILS: &[(&str, &str)] = &[
    ("gunp_donetsk", "head@gunp-donetsk.example.org"),
    ("patrol_police_donetsk", "head@patrol-donetsk.example.org"),
    ("kramatorsk_rup", "head@kramatorsk-rup.example.org"),
    ("sloviansk_police", "head@sloviansk-police.example.org"),
    (
        "kostiantynivka_police",
        "head@kostiantynivka-police.example.org",
    ),
    ("sbu_donetsk", "head@sbu-donetsk.example.org"),
    ("prosecutor_donetsk", "head@prosecutor-donetsk.example.org"),
    (
        "ombudsman_donetsk",
        "representative@ombudsman-donetsk.example.org",
    ),
    (
        "kramatorsk_city_council",
        "mayor@kramatorsk-rada.example.org",
    ),
    ("sloviansk_city_council", "mayor@sloviansk-rada.example.org"),
    (
        "druzhkivka_city_council",
        "mayor@druzhkivka-rada.example.org",
    ),
    ("ngo_siverska_legal", "director@siverska-legal.example.org"),
    (
        "ngo_community_lawyers",
        "director@community-lawyers.example.org",
    ),
];

pub struct DemoStory {
    pub kind: &'static str,
    pub category: &'static str,
    pub lang: &'static str,
    pub description: &'static str,
    pub place: Option<&'static str>,
    pub involved: Option<&'static str>,
}

pub static STORIES: &[DemoStory] = &[
    // ------------------------------------------------------------------
    // Human-rights violations by security services
    // ------------------------------------------------------------------
    DemoStory {
        kind: "violation",
        category: "unlawful_detention",
        lang: "uk",
        description: "Мого сина, йому 19 років, затримали біля автовокзалу й майже чотири години тримали у відділі поліції без жодного протоколу. Телефон забрали, зателефонувати нам не дали. Увечері відпустили, нічого не пояснивши. Хочемо знати, чи законно це було і куди скаржитися.",
        place: Some("район автовокзалу"),
        involved: Some("працівники поліції в цивільному, посвідчень не показали"),
    },
    DemoStory {
        kind: "violation",
        category: "unlawful_detention",
        lang: "ru",
        description: "Меня остановили после начала комендантского часа — я возвращался с ночной смены, справка от работодателя была с собой. Справку смотреть не стали, посадили в машину и продержали до утра в отделе. Протокол так и не составили, никаких копий не дали.",
        place: Some("остановка у центрального рынка"),
        involved: Some("патрульные, номера жетонов не разглядел"),
    },
    DemoStory {
        kind: "violation",
        category: "unlawful_detention",
        lang: "en",
        description: "I volunteer delivering food to elderly people in villages near the front line. On my way back I was stopped and taken to a police station for an 'identity check', even though my passport was valid. I was held for about six hours, and nobody explained the legal grounds or gave me any document.",
        place: Some("road between Sloviansk and Mykolaivka"),
        involved: Some("police officers in a pickup truck, no visible badges"),
    },
    DemoStory {
        kind: "violation",
        category: "ill_treatment",
        lang: "uk",
        description: "Мого брата затримали за підозрою в крадіжці. Коли наступного дня ми його побачили, у нього були синці на обличчі й на ребрах, він ледве дихав. Каже, що в кабінеті його били, щоб «зізнався». Ми зафіксували побої в лікарні, довідка є.",
        place: Some("районний відділ поліції"),
        involved: Some("оперативні працівники, прізвища невідомі"),
    },
    DemoStory {
        kind: "violation",
        category: "ill_treatment",
        lang: "ru",
        description: "При задержании меня повалили на землю и били ногами, хотя я не сопротивлялся и сразу поднял руки. В машине надели наручники так туго, что до сих пор немеют пальцы. Есть свидетели — соседи видели всё с балкона.",
        place: Some("двор многоэтажки на ул. Парковой"),
        involved: Some("патрульные, два экипажа"),
    },
    DemoStory {
        kind: "violation",
        category: "ill_treatment",
        lang: "uk",
        description: "Сусідського хлопця, йому 17, затримали за порушення комендантської години. Поліцейські поставили його на коліна на асфальт і тримали так пів години, знімаючи на телефон, а потім відпустили — «для профілактики». Наступного дня це відео з’явилося в місцевому телеграм-каналі.",
        place: Some("зупинка біля ліцею"),
        involved: Some("патрульні, жетон невідомий"),
    },
    DemoStory {
        kind: "violation",
        category: "excessive_force",
        lang: "uk",
        description: "Біля міськради люди зібралися, бо вже тиждень немає води. Поліцейські почали розштовхувати людей і бризнули з газового балончика в обличчя літній жінці, яка просто стояла з плакатом. Ніхто не поводився агресивно, у нас є відео.",
        place: Some("площа перед міською радою"),
        involved: Some("поліцейські без нагрудних камер, жетонів не видно"),
    },
    DemoStory {
        kind: "violation",
        category: "excessive_force",
        lang: "en",
        description: "My 16-year-old son was riding an e-scooter without a helmet. A patrol car stopped him, and one officer twisted his arm behind his back so hard that his wrist is now sprained. He did not resist, and he is a minor. We have a report from the trauma clinic.",
        place: Some("near the central park"),
        involved: Some("patrol officers, badge number not seen"),
    },
    DemoStory {
        kind: "violation",
        category: "unlawful_search",
        lang: "uk",
        description: "До нас додому прийшли люди у формі й сказали, що шукають зброю. Ухвали суду не показали, понятих не було. Перевернули всі речі, переглянули телефони в усіх членів родини й пішли, нічого не оформивши. Ми навіть не знаємо, з якого вони відомства.",
        place: Some("приватний сектор на околиці міста"),
        involved: Some("особи у формі, назвалися співробітниками СБУ, документів не показали"),
    },
    DemoStory {
        kind: "violation",
        category: "unlawful_search",
        lang: "uk",
        description: "На нашому волонтерському складі провели «огляд» без ухвали суду: розкрили всі коробки з гуманітарною допомогою, частину ліків і павербанків забрали «на перевірку». Опису вилученого не склали. Ми працюємо офіційно, документи на всі вантажі є.",
        place: Some("волонтерський склад у промзоні"),
        involved: Some("назвалися працівниками поліції, один у балаклаві"),
    },
    DemoStory {
        kind: "violation",
        category: "unlawful_search",
        lang: "ru",
        description: "Во время проверки документов полицейские обыскали мою машину — багажник, бардачок, сумки — без понятых и без видеосъёмки. На вопрос об основаниях ответили: «В прифронтовой зоне так положено». Ничего не нашли, протокол не составили.",
        place: Some("выезд из города в сторону Славянска"),
        involved: Some("экипаж полиции, номер машины записал"),
    },
    DemoStory {
        kind: "violation",
        category: "property_seizure",
        lang: "uk",
        description: "Під час перевірки на вулиці поліцейські забрали в мене ноутбук і два телефони, мовляв, «на експертизу». Протоколу вилучення не склали, копії не дали. Минуло три тижні — техніку не повертають і не кажуть, де вона і в межах якої справи.",
        place: Some("біля ринку"),
        involved: Some("працівники відділу поліції, прізвище одного відоме"),
    },
    DemoStory {
        kind: "violation",
        category: "property_seizure",
        lang: "ru",
        description: "При выезде из зоны эвакуации у нас на блокпосту забрали генератор и две канистры бензина, сказали, что это «для нужд армии». Никаких документов не выдали. Генератор мы покупали для дома, чеки сохранились.",
        place: Some("блокпост на трассе со стороны Лимана"),
        involved: Some("военнослужащие на блокпосту, без нашивок с фамилиями"),
    },
    DemoStory {
        kind: "violation",
        category: "threats_pressure",
        lang: "uk",
        description: "Після того як я поскаржилася на дільничного, він двічі приходив до мене додому й казав, що «краще забрати заяву, бо в сина можуть бути проблеми з ТЦК». Я боюся за дитину. Частину розмови я записала на телефон.",
        place: None,
        involved: Some("дільничний офіцер поліції"),
    },
    DemoStory {
        kind: "violation",
        category: "threats_pressure",
        lang: "en",
        description: "I run a small local Telegram channel about problems in our town. After I posted about locked shelters, a man who said he was an SBU officer called me, told me I was 'helping the enemy' and should delete the post. He hinted that I could face charges. I don't know whether he is a real officer or a scammer.",
        place: None,
        involved: Some("a caller claiming to be an SBU officer"),
    },
    DemoStory {
        kind: "violation",
        category: "discrimination",
        lang: "uk",
        description: "Мого сусіда, ром за походженням, поліцейські вже втретє за місяць зупиняють посеред вулиці, перевіряють документи й обшукують рюкзак. Інших перехожих поруч не чіпають. Він тепер боїться виходити з дому. Як це можна зафіксувати?",
        place: Some("вул. Центральна, біля аптеки"),
        involved: Some("патрульні, різні екіпажі"),
    },
    DemoStory {
        kind: "violation",
        category: "discrimination",
        lang: "ru",
        description: "Я внутренне перемещённое лицо из Бахмута. В отделе полиции у меня отказались принять заявление о краже: «Идите туда, где прописаны». Разговаривали пренебрежительно, при всех назвали нас «понаехавшими».",
        place: Some("отдел полиции, окно приёма граждан"),
        involved: Some("дежурный отдела полиции"),
    },
    DemoStory {
        kind: "violation",
        category: "discrimination",
        lang: "en",
        description: "I use a wheelchair. When I came to report a fraud, the officer on duty refused to come down from the second floor and told me to 'come back with someone who can walk'. There is no ramp and no lift. I was left waiting outside in the cold.",
        place: Some("entrance to the police station"),
        involved: Some("duty officer"),
    },
    DemoStory {
        kind: "violation",
        category: "checkpoint_abuse",
        lang: "uk",
        description: "На блокпосту військовий забрав у мене телефон і довго переглядав особисті фото й листування з дружиною, щось коментуючи вголос. Коли я попросив повернути телефон, він пригрозив затримати мене на добу «до з’ясування». Усе тривало близько години.",
        place: Some("блокпост на в’їзді до міста"),
        involved: Some("військовослужбовці на блокпосту, без нашивок з прізвищами"),
    },
    DemoStory {
        kind: "violation",
        category: "checkpoint_abuse",
        lang: "ru",
        description: "Каждое утро езжу на работу рейсовым автобусом через блокпост. Последние две недели там высаживают всех пассажиров и держат по полчаса на обочине, иногда под дождём. Пожилым тяжело, люди опаздывают на работу, объяснений никто не даёт.",
        place: Some("блокпост на трассе между Дружковкой и Константиновкой"),
        involved: Some("военнослужащие на блокпосту"),
    },
    DemoStory {
        kind: "violation",
        category: "checkpoint_abuse",
        lang: "en",
        description: "At the checkpoint a soldier asked for 'a little something for cigarettes' before letting our evacuation minibus through. We were carrying elderly people and a bedridden woman. The driver paid 500 hryvnias because we were afraid of shelling while standing there.",
        place: Some("checkpoint on the road out of Kostiantynivka"),
        involved: Some("servicemen at the checkpoint, no name tags"),
    },
    DemoStory {
        kind: "violation",
        category: "privacy_data",
        lang: "uk",
        description: "Поліцейські зупинили мене на вулиці й сфотографували мій паспорт і обличчя на особистий телефон, а не на службовий пристрій. Пояснили, що це «для бази». Я не знаю, куди тепер потраплять мої дані й хто їх побачить.",
        place: Some("вул. Шкільна, біля зупинки"),
        involved: Some("патрульні, жетон невідомий"),
    },
    DemoStory {
        kind: "violation",
        category: "privacy_data",
        lang: "ru",
        description: "На улице ко мне подошли двое полицейских и потребовали разблокировать телефон, чтобы «проверить переписку и галерею». Оснований не назвали, протокол досмотра не составляли. Когда я отказался, сказали, что отвезут в отдел «до выяснения».",
        place: Some("сквер возле Дворца культуры"),
        involved: Some("двое полицейских, номера жетонов не назвали"),
    },
    DemoStory {
        kind: "violation",
        category: "privacy_data",
        lang: "en",
        description: "After I filed a complaint about my neighbour, he somehow learned my name, phone number and even the text of my statement. He says a 'friend in the police' showed it to him. Now he threatens me. Only the police had this information.",
        place: None,
        involved: Some("unknown police employee with access to my statement"),
    },
    DemoStory {
        kind: "violation",
        category: "denial_of_legal_aid",
        lang: "uk",
        description: "Мого чоловіка затримали вчора ввечері. Він просив адвоката, але йому сказали, що «адвокат не потрібен, просто поговоримо». Захисника з центру безоплатної правничої допомоги не викликали, а зранку він уже підписав якісь пояснення. Нам навіть не повідомили, де він.",
        place: None,
        involved: Some("слідчий відділу поліції"),
    },
    DemoStory {
        kind: "violation",
        category: "denial_of_legal_aid",
        lang: "en",
        description: "My father is 72. He was questioned for five hours as a 'witness' in a neighbour's case. When he asked to call his lawyer, the investigator said witnesses have no right to one. He has a heart condition and was not allowed to take his medication.",
        place: None,
        involved: Some("police investigator, name known to us"),
    },
    DemoStory {
        kind: "violation",
        category: "mobilisation_abuse",
        lang: "uk",
        description: "Мого брата біля ринку зупинили представники ТЦК разом із поліцейськими й посадили в бус, хоча в нього відстрочка — він доглядає матір з інвалідністю I групи. Документи про відстрочку він показав, їх навіть не подивилися. Телефон забрали, зв’язку з ним немає вже другу добу.",
        place: Some("біля центрального ринку"),
        involved: Some("представники ТЦК та СП і патрульні поліцейські"),
    },
    DemoStory {
        kind: "violation",
        category: "mobilisation_abuse",
        lang: "ru",
        description: "Мужа доставили в ТЦК «для уточнения данных» и держат там уже вторые сутки — не выпускают и не дают позвонить. Говорят, что он «проходит ВЛК», но никаких документов не показывают. У него хроническое заболевание, лекарства остались дома.",
        place: None,
        involved: Some("работники районного ТЦК и СП"),
    },
    DemoStory {
        kind: "violation",
        category: "mobilisation_abuse",
        lang: "uk",
        description: "Чоловік пройшов ВЛК і був визнаний непридатним, але знову отримав повістку. Коли він прийшов до ТЦК з усіма документами, його до вечора не випускали з приміщення й кричали на нього. Ми розуміємо, наскільки важлива мобілізація, але так поводитися з людьми не можна.",
        place: None,
        involved: Some("працівники ТЦК та СП"),
    },
    // ------------------------------------------------------------------
    // Local safety problems
    // ------------------------------------------------------------------
    DemoStory {
        kind: "safety",
        category: "street_lighting",
        lang: "uk",
        description: "Розумію, що через світломаскування вночі ліхтарі вимикають, але на нашій вулиці вони не горять навіть увечері, до комендантської години. Тротуар розбитий, діти повертаються з гуртків у повній темряві. Минулого тижня сусідка впала й зламала руку.",
        place: Some("вул. Садова, від школи до зупинки"),
        involved: None,
    },
    DemoStory {
        kind: "safety",
        category: "street_lighting",
        lang: "en",
        description: "The underpass near the railway station has had no lights for weeks. In the evening people use their phone torches, and last week a woman fell on the broken steps. It is the only way to the platforms from our side.",
        place: Some("pedestrian underpass at the railway station"),
        involved: None,
    },
    DemoStory {
        kind: "safety",
        category: "road_safety",
        lang: "uk",
        description: "На перехресті біля поліклініки після весняного обстрілу знесло світлофор, і досі його не відновили. Машини, зокрема військові, їдуть на швидкості, люди перебігають як можуть. Літні люди бояться переходити дорогу.",
        place: Some("перехрестя біля міської поліклініки"),
        involved: None,
    },
    DemoStory {
        kind: "safety",
        category: "road_safety",
        lang: "ru",
        description: "По ночам по нашей улице гоняют машины без номеров, разгоняются под сто. Днём дети играют прямо у дороги — тротуаров здесь нет. Просим поставить знаки и хотя бы иногда присылать патруль.",
        place: Some("ул. Шевченко, частный сектор"),
        involved: None,
    },
    DemoStory {
        kind: "safety",
        category: "road_safety",
        lang: "en",
        description: "Almost every evening the same man drives around our neighbourhood drunk and then parks by our building. We called 102 twice, but by the time the police came he was already at home. Someone is going to get killed.",
        place: Some("residential blocks near the market"),
        involved: None,
    },
    DemoStory {
        kind: "safety",
        category: "unexploded_ordnance",
        lang: "uk",
        description: "У полі за городами після обстрілу лежить щось схоже на хвостовик міни. Поруч пасуться кози, ходять діти. Ми нічого не чіпали, позначили місце гілками. Подзвонили в ДСНС, але нам сказали чекати в черзі.",
        place: Some("поле за вул. Садовою, біля лісосмуги"),
        involved: None,
    },
    DemoStory {
        kind: "safety",
        category: "unexploded_ordnance",
        lang: "ru",
        description: "В лесу возле дачного массива нашли «лепестки» — маленькие зелёные мины, штук пять, прямо на тропинке. Грибники ходят туда каждый день. Никаких табличек нет.",
        place: Some("лесополоса за дачным кооперативом"),
        involved: None,
    },
    DemoStory {
        kind: "safety",
        category: "unexploded_ordnance",
        lang: "en",
        description: "Since the strike on Tuesday, a piece of a rocket has been stuck in the roof of the garage next to our house. Nobody has come to check whether it is dangerous. Children from the neighbourhood keep climbing up to take photos.",
        place: Some("garage cooperative behind the school"),
        involved: None,
    },
    DemoStory {
        kind: "safety",
        category: "unexploded_ordnance",
        lang: "uk",
        description: "Після нічного обстрілу на дитячому майданчику біля будинку лежить невибухлий касетний суббоєприпас — невеликий циліндр зі стрічкою. Ми обгородили місце лавкою й мотузкою, викликали ДСНС. Минуло вже шість годин, а нікого немає.",
        place: Some("дитячий майданчик у дворі п’ятиповерхівок"),
        involved: None,
    },
    DemoStory {
        kind: "safety",
        category: "unexploded_ordnance",
        lang: "uk",
        description: "Берег водосховища торік розміновували, але, кажуть, не повністю. Табличка «Обережно, міни!» лежить у траві — хтось її зняв. Починається літо, люди знову ходять туди купатися й рибалити.",
        place: Some("північний берег водосховища"),
        involved: None,
    },
    DemoStory {
        kind: "safety",
        category: "domestic_violence",
        lang: "uk",
        description: "Сусід майже щовечора б’є дружину: через стіну чути крики й удари, іноді плачуть діти. Я двічі викликала поліцію, вони приїжджали, але жінка каже, що все гаразд, і вони їдуть. Боюся, що одного разу станеться біда.",
        place: Some("багатоповерхівка на вул. Миру"),
        involved: None,
    },
    DemoStory {
        kind: "safety",
        category: "domestic_violence",
        lang: "uk",
        description: "Мій чоловік останнім часом постійно п’є, погрожує мені й доньці. Учора він виламав двері й кричав, що вб’є нас. Поїхати нам нікуди, родичі залишилися в окупації. Допоможіть, будь ласка, знайти безпечне місце й підкажіть, як отримати терміновий заборонний припис.",
        place: None,
        involved: None,
    },
    DemoStory {
        kind: "safety",
        category: "domestic_violence",
        lang: "ru",
        description: "Моя мама живёт с сожителем, он отбирает у неё пенсию и толкает её, недавно она упала и сломала руку. Сама писать заявление она боится. Я после эвакуации живу в другом городе и не знаю, как ей помочь.",
        place: None,
        involved: None,
    },
    DemoStory {
        kind: "safety",
        category: "domestic_violence",
        lang: "en",
        description: "I'm writing for a friend who can't do it herself. Her ex-husband keeps coming to her flat at night even though there is a restraining order. The police came once and said they 'can't do anything until something happens'. She has two small children.",
        place: None,
        involved: None,
    },
    DemoStory {
        kind: "safety",
        category: "drugs",
        lang: "uk",
        description: "У дворі біля під’їзду постійно знаходимо шприци, а біля закинутого кіоску щось продають — туди весь час ходять підлітки. Боїмося за дітей, які граються поруч.",
        place: Some("двір на вул. Парковій, біля закинутого кіоску"),
        involved: None,
    },
    DemoStory {
        kind: "safety",
        category: "drugs",
        lang: "ru",
        description: "На остановке возле колледжа расклеены объявления «Работа, высокий доход» с ником в Телеграме — это вербовка закладчиков. Студенты уже интересуются. Мы срываем, но появляются новые.",
        place: Some("остановка у колледжа"),
        involved: None,
    },
    DemoStory {
        kind: "safety",
        category: "public_disorder",
        lang: "uk",
        description: "Біля продуктового магазину з обіду збирається компанія: розпивають алкоголь, лаються, чіпляються до перехожих. Під час тривоги сидять просто біля входу в укриття й заважають людям спускатися. Продавчині бояться зачиняти магазин увечері.",
        place: Some("магазин «Продукти» на розі вул. Шкільної"),
        involved: None,
    },
    DemoStory {
        kind: "safety",
        category: "public_disorder",
        lang: "en",
        description: "Every night after curfew there is loud music and shouting from a flat on the ground floor. Sometimes they set off firecrackers, which terrifies the children because they think it is shelling. Calling the local officer hasn't helped.",
        place: Some("block of flats near the bus station"),
        involved: None,
    },
    DemoStory {
        kind: "safety",
        category: "theft_burglary",
        lang: "uk",
        description: "Поки ми були в евакуації, нашу квартиру обікрали: винесли техніку, інструменти, навіть батареї. Сусіди бачили, як двоє чоловіків вантажили речі в бус. Заяву ми подали ще два місяці тому, але відтоді — тиша.",
        place: Some("мікрорайон біля залізничного вокзалу"),
        involved: None,
    },
    DemoStory {
        kind: "safety",
        category: "theft_burglary",
        lang: "ru",
        description: "Из подвала нашего дома, который служит укрытием, уже второй раз украли кабели и воду, которую мы запасали. Замок срезали. Просим проверить и подсказать, можно ли поставить камеру.",
        place: Some("многоэтажка возле школы"),
        involved: None,
    },
    DemoStory {
        kind: "safety",
        category: "theft_burglary",
        lang: "en",
        description: "Someone is stealing bicycles and parcels from the entrances of our block. Most residents are elderly and afraid to go out. We have camera footage of one of the thieves.",
        place: Some("five-storey block near the park"),
        involved: None,
    },
    DemoStory {
        kind: "safety",
        category: "abandoned_buildings",
        lang: "uk",
        description: "Напівзруйнована після удару п’ятиповерхівка стоїть без огородження. Туди лазять підлітки, знімають відео на уламках, а стіна може будь-якої миті обвалитися.",
        place: Some("зруйнований будинок біля скверу"),
        involved: None,
    },
    DemoStory {
        kind: "safety",
        category: "abandoned_buildings",
        lang: "ru",
        description: "Заброшенное здание бывшего детского сада открыто со всех сторон, внутри ночуют какие-то люди и жгут костры. Рядом жилые дома, дети бегают туда играть.",
        place: Some("бывший детский сад в частном секторе"),
        involved: None,
    },
    DemoStory {
        kind: "safety",
        category: "fraud",
        lang: "uk",
        description: "Мамі зателефонували нібито з банку й сказали, що на її картку надійшла виплата для переселенців — треба лише продиктувати код із SMS. Вона продиктувала, і з картки зникла вся пенсія. Номер, з якого дзвонили, у нас є.",
        place: None,
        involved: None,
    },
    DemoStory {
        kind: "safety",
        category: "fraud",
        lang: "en",
        description: "A man is going door to door collecting money 'for the evacuation of residents' and showing an ID from some charity. He asks pensioners for cash. Real evacuation is free. Yesterday he was on our street, today in the next village.",
        place: Some("private houses on the edge of town"),
        involved: None,
    },
    DemoStory {
        kind: "safety",
        category: "shelter_access",
        lang: "uk",
        description: "Укриття в нашій школі під час тривоги зачинене: ключ у сторожа, а вночі його немає. Люди під час обстрілу стоять біля дверей. Двічі телефонували в міськраду, обіцяють розібратися.",
        place: Some("укриття в школі на вул. Шкільній"),
        involved: None,
    },
    DemoStory {
        kind: "safety",
        category: "shelter_access",
        lang: "ru",
        description: "Единственное укрытие в нашем квартале — подвал многоэтажки, но его затопило, и там нет света. Пожилые люди и мамы с колясками спуститься туда вообще не могут.",
        place: Some("квартал у автостанции"),
        involved: None,
    },
    DemoStory {
        kind: "safety",
        category: "shelter_access",
        lang: "en",
        description: "The shelter near the bus station has a 'Shelter' sign, but the door is welded shut. I found this out during an air raid alert while waiting for the evacuation bus with my kids.",
        place: Some("next to the bus station"),
        involved: None,
    },
    // ------------------------------------------------------------------
    // Feedback on police work
    // ------------------------------------------------------------------
    DemoStory {
        kind: "police_feedback",
        category: "rude_conduct",
        lang: "uk",
        description: "Прийшла до чергової частини заявити про викрадений телефон. Черговий говорив зі мною зверхньо, перебивав і сказав, що «в нього війна, а не телефони». Я розумію, яке в них навантаження, але так розмовляти з людьми не можна.",
        place: Some("чергова частина відділу поліції"),
        involved: Some("черговий відділу поліції"),
    },
    DemoStory {
        kind: "police_feedback",
        category: "rude_conduct",
        lang: "ru",
        description: "Патрульный при проверке документов обращался ко мне на «ты», комментировал мою внешность и отказался назвать номер жетона. Нагрудная камера, по-моему, была выключена.",
        place: Some("центральная площадь"),
        involved: Some("патрульные, номер жетона неизвестен"),
    },
    DemoStory {
        kind: "police_feedback",
        category: "rude_conduct",
        lang: "en",
        description: "The officer who took my statement about a car accident was on his phone the whole time, made fun of my accent and kept calling me 'granny'. I am 58. I felt humiliated and left without a copy of my statement.",
        place: Some("police station reception"),
        involved: Some("officer on duty, name not given"),
    },
    DemoStory {
        kind: "police_feedback",
        category: "inaction",
        lang: "uk",
        description: "Три місяці тому подала заяву про шахрайство: у мене є всі скриншоти й номер картки, на яку я переказала гроші. Досі не знаю навіть, чи внесли відомості до ЄРДР. Слідчий не відповідає на дзвінки.",
        place: None,
        involved: Some("слідчий відділу поліції"),
    },
    DemoStory {
        kind: "police_feedback",
        category: "inaction",
        lang: "ru",
        description: "Сосед угрожает мне ножом, я дважды писала заявление. Участковый один раз пришёл, поговорил с ним и ушёл. Никаких мер не принято, сосед смеётся мне в лицо.",
        place: None,
        involved: Some("участковый офицер полиции"),
    },
    DemoStory {
        kind: "police_feedback",
        category: "inaction",
        lang: "en",
        description: "We reported our stolen car, and its GPS tracker shows exactly where it is. The police said they have no one to send. Three days later the tracker still shows the car in the same garage cooperative.",
        place: Some("garage cooperative by the river"),
        involved: None,
    },
    DemoStory {
        kind: "police_feedback",
        category: "slow_response",
        lang: "uk",
        description: "У нас у дворі побилися двоє чоловіків, один лежав у крові. Викликали 102 о 21:10, поліція приїхала лише о 22:40, коли все вже закінчилося і швидка забрала потерпілого. Розуміємо, що людей не вистачає, але півтори години — це дуже довго.",
        place: Some("двір багатоповерхівок на вул. Миру"),
        involved: None,
    },
    DemoStory {
        kind: "police_feedback",
        category: "slow_response",
        lang: "ru",
        description: "Звонили в 102 из-за драки возле магазина — дозвонились только с пятой попытки. Экипаж приехал через час, когда все уже разошлись.",
        place: Some("магазин у конечной остановки"),
        involved: None,
    },
    DemoStory {
        kind: "police_feedback",
        category: "thanks",
        lang: "uk",
        description: "Хочу подякувати поліцейським, які допомогли евакуювати мою маму під обстрілами. Вона не ходить, тож вони самі винесли її на ношах і довезли до евакуаційного потяга. Дякуємо за людяність і сміливість!",
        place: None,
        involved: Some("поліцейські евакуаційної групи «Білі янголи»"),
    },
    DemoStory {
        kind: "police_feedback",
        category: "thanks",
        lang: "ru",
        description: "Благодарю патрульных, которые ночью нашли моего отца с деменцией — он ушёл из дома и заблудился уже в комендантский час. Его привезли домой, напоили чаем и даже вызвали врача. Огромное спасибо!",
        place: None,
        involved: Some("экипаж патрульной полиции"),
    },
    DemoStory {
        kind: "police_feedback",
        category: "thanks",
        lang: "en",
        description: "I want to thank the juvenile prevention officer who helped my son after he was bullied at school. She talked to the other parents, visited the school and stayed in touch with us for weeks. Things are much better now.",
        place: None,
        involved: Some("juvenile prevention officer"),
    },
    DemoStory {
        kind: "police_feedback",
        category: "thanks",
        lang: "uk",
        description: "Дякую поліцейському офіцеру громади: після мого звернення щодо кривдника він швидко склав протокол і виніс терміновий заборонний припис. Уперше за довгий час відчула, що мене захищають.",
        place: None,
        involved: Some("поліцейський офіцер громади"),
    },
    DemoStory {
        kind: "police_feedback",
        category: "thanks",
        lang: "uk",
        description: "Щиро дякуємо вибухотехнікам поліції: приїхали за годину й забрали з нашого городу невибухлий снаряд. Пояснили, що робити, якщо знайдемо ще щось, і залишили номер телефону.",
        place: Some("приватний сектор, городи за вул. Садовою"),
        involved: Some("вибухотехнічна служба поліції"),
    },
    DemoStory {
        kind: "police_feedback",
        category: "suggestion",
        lang: "uk",
        description: "Пропоную зробити в приймальні відділу поліції електронну чергу й поставити лавки: люди з дітьми та літні годинами стоять у коридорі. І було б добре публікувати графік прийому дільничних офіцерів онлайн.",
        place: Some("приймальня відділу поліції"),
        involved: None,
    },
    DemoStory {
        kind: "police_feedback",
        category: "suggestion",
        lang: "en",
        description: "Please consider regular open meetings between the community police officer and residents of our villages. Many people here are elderly, have no internet and don't know whom to call. A monthly meeting at the village club would help a lot.",
        place: None,
        involved: Some("community police officer"),
    },
    DemoStory {
        kind: "police_feedback",
        category: "suggestion",
        lang: "ru",
        description: "Предлагаю хотя бы раз в неделю организовать в прифронтовых сёлах мобильный пункт приёма заявлений. До ближайшего отдела полиции сорок километров, автобусы не ходят.",
        place: None,
        involved: None,
    },
    // ------------------------------------------------------------------
    // Other
    // ------------------------------------------------------------------
    DemoStory {
        kind: "other",
        category: "other",
        lang: "uk",
        description: "Не знаю, куди звернутися. Після обстрілу наш будинок пошкоджено, але ми не можемо отримати акт обстеження, щоб подати заяву на компенсацію через «єВідновлення». У ЦНАПі відсилають до міськради, а там — назад до ЦНАПу.",
        place: None,
        involved: None,
    },
    DemoStory {
        kind: "other",
        category: "other",
        lang: "uk",
        description: "Хочемо виїхати разом із лежачою мамою, але не знаємо, як записатися на евакуацію і чи можна взяти з собою собаку. На гарячу лінію не можемо додзвонитися вже другий день.",
        place: None,
        involved: None,
    },
    DemoStory {
        kind: "other",
        category: "other",
        lang: "ru",
        description: "Пожилой соседке уже два месяца не доставляют пенсию: после того как отделение почты закрылось, почтальон перестал приходить. Сама она до города не доедет.",
        place: None,
        involved: None,
    },
    DemoStory {
        kind: "other",
        category: "other",
        lang: "en",
        description: "Our village was told that evacuation of families with children is now mandatory, but nobody explained where we can go or what help we will get. Who can give us clear information?",
        place: None,
        involved: None,
    },
];

/// Typical public updates a coordinator posts on a case.
/// The e-mail of the disabled account the demo's case handling is attributed to.
pub const DEMO_COORDINATOR: &str = "demo.coordinator@mistok.invalid";

/// Agencies' answers to demo referrals.
pub static AGENCY_RESPONSES: &[Name] = &[
    Name {
        uk: "Проведено службову перевірку; факти частково підтвердилися, до працівників застосовано дисциплінарні заходи.",
        ru: "Проведена служебная проверка; факты частично подтвердились, к сотрудникам применены дисциплинарные меры.",
        en: "An internal inspection was carried out; the facts were partly confirmed and disciplinary measures were taken.",
    },
    Name {
        uk: "Відомості внесено до ЄРДР, розпочато досудове розслідування.",
        ru: "Сведения внесены в ЕРДР, начато досудебное расследование.",
        en: "The information was entered in the register of pre-trial investigations and an investigation opened.",
    },
    Name {
        uk: "Питання включено до плану робіт; виконання заплановано на наступний місяць.",
        ru: "Вопрос включён в план работ; выполнение запланировано на следующий месяц.",
        en: "The matter was added to the work plan; it is scheduled for next month.",
    },
    Name {
        uk: "Перевірка фактів не підтвердила; заявнику надано роз'яснення.",
        ru: "Проверка факты не подтвердила; заявителю даны разъяснения.",
        en: "The inspection did not confirm the facts; the reporter was given an explanation.",
    },
];

pub static PUBLIC_UPDATES: &[Name] = &[
    Name {
        uk: "Звернення зареєстровано. Координатор платформи розгляне його найближчим часом.",
        ru: "Обращение зарегистрировано. Координатор платформы рассмотрит его в ближайшее время.",
        en: "Your report has been registered. A platform coordinator will review it shortly.",
    },
    Name {
        uk: "Звернення передано до Головного управління Національної поліції в Донецькій області.",
        ru: "Обращение передано в Главное управление Национальной полиции в Донецкой области.",
        en: "The report has been forwarded to the Main Directorate of the National Police in Donetsk Region.",
    },
    Name {
        uk: "Звернення передано до Донецької обласної прокуратури для перевірки.",
        ru: "Обращение передано в Донецкую областную прокуратуру для проверки.",
        en: "The report has been forwarded to the Donetsk Regional Prosecutor’s Office for review.",
    },
    Name {
        uk: "Звернення передано представнику Уповноваженого Верховної Ради України з прав людини в Донецькій області.",
        ru: "Обращение передано представителю Уполномоченного Верховной Рады Украины по правам человека в Донецкой области.",
        en: "The report has been forwarded to the representative of the Ukrainian Parliament Commissioner for Human Rights in Donetsk Region.",
    },
    Name {
        uk: "Звернення передано до міської ради для усунення проблеми.",
        ru: "Обращение передано в городской совет для устранения проблемы.",
        en: "The report has been forwarded to the city council so that the problem can be fixed.",
    },
    Name {
        uk: "За згодою заявника звернення передано партнерській організації для надання безоплатної правничої допомоги.",
        ru: "С согласия заявителя обращение передано партнёрской организации для оказания бесплатной правовой помощи.",
        en: "With the reporter’s consent, the case has been referred to a partner organisation for free legal aid.",
    },
    Name {
        uk: "Отримано відповідь поліції: проведено службову перевірку.",
        ru: "Получен ответ полиции: проведена служебная проверка.",
        en: "Police response received: an internal inquiry has been conducted.",
    },
    Name {
        uk: "Отримано відповідь: відомості внесено до Єдиного реєстру досудових розслідувань, розпочато досудове розслідування.",
        ru: "Получен ответ: сведения внесены в Единый реестр досудебных расследований, начато досудебное расследование.",
        en: "Response received: the case has been entered in the Unified Register of Pre-trial Investigations and an investigation has been opened.",
    },
    Name {
        uk: "Очікуємо на відповідь. Звернення розглядають протягом місяця, у складних випадках — до 45 днів.",
        ru: "Ожидаем ответа. Обращения рассматривают в течение месяца, в сложных случаях — до 45 дней.",
        en: "Awaiting a response. Requests are considered within one month, or up to 45 days in complex cases.",
    },
    Name {
        uk: "ДСНС повідомила, що вибухонебезпечний предмет вилучено та знешкоджено.",
        ru: "ГСЧС сообщила, что взрывоопасный предмет изъят и обезврежен.",
        en: "The State Emergency Service reports that the explosive item has been removed and destroyed.",
    },
    Name {
        uk: "Проблему усунено, звернення закрито. Дякуємо, що повідомили!",
        ru: "Проблема устранена, обращение закрыто. Спасибо, что сообщили!",
        en: "The problem has been fixed and the case is closed. Thank you for reporting!",
    },
    Name {
        uk: "Звернення закрито: ми не змогли зв’язатися із заявником, щоб уточнити деталі.",
        ru: "Обращение закрыто: нам не удалось связаться с заявителем, чтобы уточнить детали.",
        en: "The case has been closed because we could not reach the reporter to clarify the details.",
    },
];

/// Typical messages from the platform to a reporter.
pub static STAFF_MESSAGES: &[Name] = &[
    Name {
        uk: "Дякуємо за звернення. Уточніть, будь ласка, дату й приблизний час події.",
        ru: "Спасибо за обращение. Уточните, пожалуйста, дату и примерное время события.",
        en: "Thank you for your report. Could you please tell us the date and approximate time of the incident?",
    },
    Name {
        uk: "Чи можете ви описати працівників, які були причетні: форма, нашивки, номер службового автомобіля? Якщо запам’ятали номер жетона, вкажіть і його.",
        ru: "Можете ли вы описать сотрудников, которые были причастны: форма, нашивки, номер служебного автомобиля? Если запомнили номер жетона, укажите и его.",
        en: "Can you describe the officers involved: uniform, patches, the number plate of their vehicle? If you noticed a badge number, please include it too.",
    },
    Name {
        uk: "Чи були свідки? Якщо у вас є фото, відео чи медичні документи, надішліть їх, будь ласка, у відповідь на це повідомлення.",
        ru: "Были ли свидетели? Если у вас есть фото, видео или медицинские документы, пришлите их, пожалуйста, в ответ на это сообщение.",
        en: "Were there any witnesses? If you have photos, videos or medical documents, please send them in reply to this message.",
    },
    Name {
        uk: "Чи погоджуєтеся ви, щоб ми передали ваші контактні дані разом зі зверненням до поліції чи іншого органу? Без вашої згоди ми передамо звернення в знеособленому вигляді.",
        ru: "Согласны ли вы, чтобы мы передали ваши контактные данные вместе с обращением в полицию или другой орган? Без вашего согласия мы передадим обращение в обезличенном виде.",
        en: "Do you agree that we pass on your contact details with the report to the police or another authority? Without your consent we will forward the report in anonymised form.",
    },
    Name {
        uk: "Чи зверталися ви вже до поліції з цього приводу? Якщо так, вкажіть, будь ласка, дату звернення або номер, під яким його зареєстровано.",
        ru: "Обращались ли вы уже в полицию по этому поводу? Если да, укажите, пожалуйста, дату обращения или номер, под которым его зарегистрировали.",
        en: "Have you already reported this to the police? If so, please give the date or the registration number of your report.",
    },
    Name {
        uk: "Чи потрібна вам безоплатна правнича допомога? Ми можемо зв’язати вас з юристом партнерської організації.",
        ru: "Нужна ли вам бесплатная правовая помощь? Мы можем связать вас с юристом партнёрской организации.",
        en: "Do you need free legal aid? We can put you in touch with a lawyer from a partner organisation.",
    },
    Name {
        uk: "Ви зараз у безпеці? Якщо вам загрожує небезпека, негайно телефонуйте 102.",
        ru: "Вы сейчас в безопасности? Если вам угрожает опасность, немедленно звоните 102.",
        en: "Are you safe right now? If you are in danger, call 102 immediately.",
    },
];

/// A demo news item or page, in three languages.
pub struct DemoArticle {
    pub kind: &'static str,
    pub slug: &'static str,
    pub title: Name,
    pub body: Name,
    pub days_ago: i64,
}

pub static ARTICLES: &[DemoArticle] = &[
    DemoArticle {
        kind: "page",
        slug: "about",
        title: Name {
            uk: "Про платформу",
            ru: "О платформе",
            en: "About the platform",
        },
        body: Name {
            uk: "Регіональна правозахисна платформа Донеччини — місток між мешканцями, громадськими організаціями, поліцією та іншими органами.\n\nМи приймаємо повідомлення про порушення прав людини з боку силових структур, про місцеві проблеми безпеки та відгуки про роботу поліції, передаємо їх до відповідальних органів і стежимо, щоб на кожне звернення відповіли вчасно.\n\nПовідомити можна анонімно. Ваші контакти зашифровано, і їх бачать лише координатори платформи.",
            ru: "Региональная правозащитная платформа Донеччины — мостик между жителями, общественными организациями, полицией и другими органами.\n\nМы принимаем сообщения о нарушениях прав человека со стороны силовых структур, о местных проблемах безопасности и отзывы о работе полиции, передаём их в ответственные органы и следим, чтобы на каждое обращение ответили вовремя.\n\nСообщить можно анонимно. Ваши контакты зашифрованы, их видят только координаторы платформы.",
            en: "The Donetsk regional human-rights platform is a bridge between residents, civil society, the police and other agencies.\n\nWe receive reports of human-rights violations by security services, local safety problems and feedback on police work, refer them to the agencies responsible and make sure every report is answered in time.\n\nYou can report anonymously. Your contact details are encrypted and only the platform's coordinators can see them.",
        },
        days_ago: 200,
    },
    DemoArticle {
        kind: "page",
        slug: "how-to-report",
        title: Name {
            uk: "Як повідомити",
            ru: "Как сообщить",
            en: "How to report",
        },
        body: Name {
            uk: "1. Оберіть вид звернення на головній сторінці та заповніть форму. Ім'я та контакти можна не вказувати.\n\n2. Після надсилання ви отримаєте код квитанції. Запишіть його: за ним ви стежитимете за зверненням і відповідатимете на запитання координатора.\n\n3. Якщо вам загрожує небезпека просто зараз, телефонуйте 102.",
            ru: "1. Выберите вид обращения на главной странице и заполните форму. Имя и контакты можно не указывать.\n\n2. После отправки вы получите код квитанции. Запишите его: по нему вы будете следить за обращением и отвечать на вопросы координатора.\n\n3. Если вам угрожает опасность прямо сейчас, звоните 102.",
            en: "1. Choose the kind of report on the home page and fill in the form. You need not give your name or contact details.\n\n2. After sending it you get a receipt code. Write it down: with it you follow your report and answer the coordinator's questions.\n\n3. If you are in danger right now, call 102.",
        },
        days_ago: 200,
    },
    DemoArticle {
        kind: "page",
        slug: "contacts",
        title: Name {
            uk: "Контакти",
            ru: "Контакты",
            en: "Contacts",
        },
        body: Name {
            uk: "Гаряча лінія платформи: 0 800 000 000 (безкоштовно, щодня з 8:00 до 20:00).\n\nПрийом громадян: Краматорськ, щочетверга з 10:00 до 13:00, за попереднім записом.",
            ru: "Горячая линия платформы: 0 800 000 000 (бесплатно, ежедневно с 8:00 до 20:00).\n\nПриём граждан: Краматорск, по четвергам с 10:00 до 13:00, по предварительной записи.",
            en: "Platform hotline: 0 800 000 000 (free of charge, daily from 8:00 to 20:00).\n\nReception: Kramatorsk, Thursdays from 10:00 to 13:00, by appointment.",
        },
        days_ago: 200,
    },
    DemoArticle {
        kind: "news",
        slug: "",
        title: Name {
            uk: "«Кава з поліцейським» у Слов'янську",
            ru: "«Кофе с полицейским» в Славянске",
            en: "“Coffee with a police officer” in Sloviansk",
        },
        body: Name {
            uk: "У суботу дільничні офіцери поліції зустрілися з мешканцями за чашкою кави в бібліотеці. Говорили про освітлення вулиць, безпеку дітей дорогою до школи та про те, як повідомити про порушення анонімно.\n\nНаступна зустріч — через місяць у Краматорську.",
            ru: "В субботу участковые офицеры полиции встретились с жителями за чашкой кофе в библиотеке. Говорили об освещении улиц, безопасности детей по дороге в школу и о том, как сообщить о нарушении анонимно.\n\nСледующая встреча — через месяц в Краматорске.",
            en: "On Saturday community police officers met residents over coffee in the library. They talked about street lighting, children's safety on the way to school and how to report a violation anonymously.\n\nThe next meeting is in a month, in Kramatorsk.",
        },
        days_ago: 12,
    },
    DemoArticle {
        kind: "announcement",
        slug: "",
        title: Name {
            uk: "Спільний прийом з обласною прокуратурою",
            ru: "Совместный приём с областной прокуратурой",
            en: "Joint reception with the regional prosecutor's office",
        },
        body: Name {
            uk: "Наступного четверга в Краматорську координатори платформи разом із прокурором проведуть прийом громадян щодо порушень прав під час мобілізації. Запис за телефоном гарячої лінії.",
            ru: "В следующий четверг в Краматорске координаторы платформы вместе с прокурором проведут приём граждан по нарушениям прав во время мобилизации. Запись по телефону горячей линии.",
            en: "Next Thursday in Kramatorsk the platform's coordinators and a prosecutor will receive residents about rights violations during mobilisation. Book through the hotline.",
        },
        days_ago: 3,
    },
    DemoArticle {
        kind: "news",
        slug: "",
        title: Name {
            uk: "Підсумки жовтня: 9 із 10 звернень отримали відповідь вчасно",
            ru: "Итоги октября: 9 из 10 обращений получили ответ вовремя",
            en: "October in figures: 9 of 10 referrals answered on time",
        },
        body: Name {
            uk: "У жовтні органи відповіли вчасно на більшість переданих звернень. Найдовше відповідали щодо освітлення вулиць. Подробиці — у розділі статистики та в публічному реєстрі.",
            ru: "В октябре органы ответили вовремя на большинство переданных обращений. Дольше всего отвечали по освещению улиц. Подробности — в разделе статистики и в публичном реестре.",
            en: "In October agencies answered most referrals on time. Street lighting took longest. The details are in the statistics and the public register.",
        },
        days_ago: 20,
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reference_data::DEFAULT_CATEGORIES;
    use std::collections::HashSet;

    const LANGS: &[&str] = &["uk", "ru", "en"];

    /// The organisation kinds the platform knows about.
    const ORGANIZATION_KINDS: &[&str] = &[
        "police",
        "security_service",
        "prosecutor",
        "ombudsman",
        "local_government",
        "ngo",
        "platform",
    ];

    fn is_snake_case(code: &str) -> bool {
        !code.is_empty()
            && code.starts_with(|c: char| c.is_ascii_lowercase())
            && !code.ends_with('_')
            && !code.contains("__")
            && code
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    }

    fn assert_name(what: &str, name: &Name) {
        for (lang, text) in [("uk", name.uk), ("ru", name.ru), ("en", name.en)] {
            assert!(!text.trim().is_empty(), "{what}: empty {lang} text");
            assert_eq!(text, text.trim(), "{what}: stray whitespace in {lang} text");
        }
        // Ukrainian and Russian texts use «лапки», not straight quotes, and
        // Ukrainian uses the typographic apostrophe.
        assert!(!name.uk.contains('"'), "{what}: straight quote in uk text");
        assert!(!name.ru.contains('"'), "{what}: straight quote in ru text");
        assert!(
            !name.uk.contains('\''),
            "{what}: ASCII apostrophe in uk text"
        );
    }

    #[test]
    fn region_is_consistent() {
        assert!(is_snake_case(REGION.code));
        assert_name("region", &REGION.name);
        assert!(!REGION.reference_prefix.is_empty());
        assert!(
            REGION
                .reference_prefix
                .chars()
                .all(|c| c.is_ascii_uppercase())
        );
    }

    #[test]
    fn community_codes_are_unique_and_snake_case() {
        let mut seen = HashSet::new();
        for community in COMMUNITIES {
            assert!(
                is_snake_case(community.code),
                "community code {:?} is not snake_case",
                community.code
            );
            assert!(
                seen.insert(community.code),
                "duplicate community code {:?}",
                community.code
            );
        }
        assert!((8..=10).contains(&COMMUNITIES.len()));
    }

    #[test]
    fn communities_are_inside_donetsk_region() {
        for community in COMMUNITIES {
            assert!(
                (46.8..49.3).contains(&community.lat),
                "{}: latitude {} outside Donetsk region",
                community.code,
                community.lat
            );
            assert!(
                (36.5..39.0).contains(&community.lon),
                "{}: longitude {} outside Donetsk region",
                community.code,
                community.lon
            );
            assert!(
                community.population > 0,
                "{}: no population",
                community.code
            );
            assert_name(community.code, &community.name);
        }
    }

    #[test]
    fn heads_belong_to_organizations() {
        for (code, email) in HEAD_EMAILS {
            assert!(
                ORGANIZATIONS
                    .iter()
                    .any(|o| o.code == *code && o.kind != "platform"),
                "{code}: no such organization"
            );
            assert_eq!(
                crate::accounts::model::normalize_email(email).as_deref(),
                Some(*email)
            );
            assert!(
                email.ends_with(".example.org"),
                "{email}: not a reserved domain"
            );
        }
    }

    #[test]
    fn organizations_are_consistent() {
        let communities: HashSet<_> = COMMUNITIES.iter().map(|c| c.code).collect();
        let mut seen = HashSet::new();
        for org in ORGANIZATIONS {
            assert!(
                is_snake_case(org.code),
                "organisation code {:?} is not snake_case",
                org.code
            );
            assert!(
                seen.insert(org.code),
                "duplicate organisation code {:?}",
                org.code
            );
            assert!(
                ORGANIZATION_KINDS.contains(&org.kind),
                "{}: unknown kind {:?}",
                org.code,
                org.kind
            );
            if let Some(community) = org.community {
                assert!(
                    communities.contains(community),
                    "{}: unknown community {:?}",
                    org.code,
                    community
                );
            }
            assert_name(org.code, &org.name);
        }
        for kind in ORGANIZATION_KINDS {
            assert!(
                ORGANIZATIONS.iter().any(|o| o.kind == *kind),
                "no organisation of kind {kind:?}"
            );
        }
        assert_eq!(
            ORGANIZATIONS
                .iter()
                .filter(|o| o.kind == "platform")
                .count(),
            1,
            "exactly one platform organisation expected"
        );
    }

    #[test]
    fn story_categories_exist_with_matching_kind() {
        for (i, story) in STORIES.iter().enumerate() {
            let category = DEFAULT_CATEGORIES
                .iter()
                .find(|c| c.code == story.category)
                .unwrap_or_else(|| panic!("story #{i}: unknown category {:?}", story.category));
            assert_eq!(
                category.kind, story.kind,
                "story #{i}: category {:?} belongs to kind {:?}, not {:?}",
                story.category, category.kind, story.kind
            );
        }
    }

    #[test]
    fn stories_cover_every_default_category() {
        for category in DEFAULT_CATEGORIES {
            assert!(
                STORIES.iter().any(|s| s.category == category.code),
                "no demo story for category {:?}",
                category.code
            );
        }
    }

    #[test]
    fn stories_are_well_formed() {
        assert!(STORIES.len() >= 60, "only {} stories", STORIES.len());
        for (i, story) in STORIES.iter().enumerate() {
            assert!(LANGS.contains(&story.lang), "story #{i}: bad lang");
            let text = story.description;
            assert_eq!(text, text.trim(), "story #{i}: stray whitespace");
            assert!(
                (80..=600).contains(&text.chars().count()),
                "story #{i}: description length out of range"
            );
            for field in [story.place, story.involved].into_iter().flatten() {
                assert!(!field.trim().is_empty(), "story #{i}: empty place/involved");
            }
            let all = [Some(text), story.place, story.involved];
            for part in all.into_iter().flatten() {
                if story.lang != "en" {
                    assert!(!part.contains('"'), "story #{i}: straight quotes");
                }
                if story.lang == "uk" {
                    assert!(!part.contains('\''), "story #{i}: ASCII apostrophe");
                }
            }
        }
    }

    #[test]
    fn story_languages_are_balanced() {
        let count = |lang: &str| STORIES.iter().filter(|s| s.lang == lang).count();
        let total = STORIES.len() as f64;
        let uk = count("uk") as f64 / total;
        let ru = count("ru") as f64 / total;
        let en = count("en") as f64 / total;
        assert!((0.4..=0.6).contains(&uk), "uk share {uk:.2}");
        assert!((0.15..=0.35).contains(&ru), "ru share {ru:.2}");
        assert!((0.15..=0.35).contains(&en), "en share {en:.2}");
    }

    #[test]
    fn updates_and_messages_are_complete() {
        assert!(PUBLIC_UPDATES.len() >= 8);
        assert!(STAFF_MESSAGES.len() >= 5);
        for (i, update) in PUBLIC_UPDATES.iter().enumerate() {
            assert_name(&format!("public update #{i}"), update);
        }
        for (i, message) in STAFF_MESSAGES.iter().enumerate() {
            assert_name(&format!("staff message #{i}"), message);
        }
    }
}
