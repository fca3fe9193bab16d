-- Trust surveys: a questionnaire (a JSON document, see src/surveys/model.rs) asked in waves
-- (spring, autumn, ...) with the same questions, so that results compare over time.
CREATE TABLE surveys (
    id UUID PRIMARY KEY,
    -- In public links (/s/{code}) and exports.
    code TEXT NOT NULL UNIQUE,
    title_uk TEXT NOT NULL,
    title_ru TEXT NOT NULL,
    title_en TEXT NOT NULL,
    intro_uk TEXT NOT NULL,
    intro_ru TEXT NOT NULL,
    intro_en TEXT NOT NULL,
    questions TEXT NOT NULL,
    -- How one answer per person is kept without knowing who: 'token' (one-time invitation
    -- links) or 'cookie' (one open link, a signed cookie after answering).
    access TEXT NOT NULL,
    created_by UUID REFERENCES users(id),
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE survey_waves (
    id UUID PRIMARY KEY,
    survey_id UUID NOT NULL REFERENCES surveys(id),
    name TEXT NOT NULL,
    -- planned, open (residents can answer), closed
    status TEXT NOT NULL,
    opened_at TIMESTAMPTZ,
    closed_at TIMESTAMPTZ,
    -- Set when a coordinator publishes the wave's results (small groups still suppressed).
    published_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX survey_waves_survey ON survey_waves (survey_id, created_at);

-- One-time invitations: only a keyed hash of the token is kept; the token is in the link.
CREATE TABLE survey_invitations (
    token_hash BYTEA PRIMARY KEY,
    wave_id UUID NOT NULL REFERENCES survey_waves(id),
    created_at TIMESTAMPTZ NOT NULL,
    used_at TIMESTAMPTZ
);
CREATE INDEX survey_invitations_wave ON survey_invitations (wave_id);

CREATE TABLE survey_responses (
    id UUID PRIMARY KEY,
    wave_id UUID NOT NULL REFERENCES survey_waves(id),
    -- web (a resident), paper (entered by staff) or import (CSV).
    channel TEXT NOT NULL,
    -- JSON object: question code -> answer.
    answers TEXT NOT NULL,
    -- Kept apart for the trust index per community and weighting by population.
    community_code TEXT,
    trust_score DOUBLE PRECISION,
    -- A retried submission (same form token) is recognised, never stored twice.
    submission_key BYTEA UNIQUE,
    entered_by UUID REFERENCES users(id),
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX survey_responses_wave ON survey_responses (wave_id, id);

-- Text answers again, to list them page by page per question.
CREATE TABLE survey_text_answers (
    response_id UUID NOT NULL REFERENCES survey_responses(id),
    wave_id UUID NOT NULL,
    question TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (response_id, question)
);
CREATE INDEX survey_text_answers_wave ON survey_text_answers (wave_id, question, response_id);

-- Focus groups: no names of participants, only their profile.
CREATE TABLE focus_groups (
    id UUID PRIMARY KEY,
    held_on DATE NOT NULL,
    community_code TEXT REFERENCES communities(code),
    topic TEXT NOT NULL,
    moderator TEXT NOT NULL,
    participants BIGINT NOT NULL,
    profile TEXT NOT NULL,
    notes TEXT NOT NULL,
    created_by UUID REFERENCES users(id),
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX focus_groups_held ON focus_groups (held_on);

CREATE TABLE focus_group_themes (
    focus_group_id UUID NOT NULL REFERENCES focus_groups(id),
    theme TEXT NOT NULL,
    PRIMARY KEY (focus_group_id, theme)
);
CREATE INDEX focus_group_themes_theme ON focus_group_themes (theme);
