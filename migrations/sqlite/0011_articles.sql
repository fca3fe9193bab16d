-- News, announcements and static pages (about the platform, contacts, how to report), written by
-- coordinators in Ukrainian and, when they have them, Russian and English translations.
CREATE TABLE articles (
    id BLOB PRIMARY KEY,
    -- news, announcement or page
    kind TEXT NOT NULL,
    -- Pages only: the address under /pages/.
    slug TEXT UNIQUE,
    title_uk TEXT NOT NULL,
    title_ru TEXT,
    title_en TEXT,
    body_uk TEXT NOT NULL,
    body_ru TEXT,
    body_en TEXT,
    -- NULL while a draft.
    published_at TEXT,
    created_by BLOB REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX articles_published ON articles (published_at) WHERE published_at IS NOT NULL;
