-- The handreiking's analysis questions that only people can answer (000:L559-600): a status and
-- a note per gemeente and question, kept for the LEA. One row per gemeente and question.
create table analysis_notes (
    gemeente_code varchar not null,
    question_key varchar not null,       -- transforms.analysis.QUESTIONS[].key
    status varchar not null,             -- open | in bespreking | beantwoord
    note varchar,
    updated_by varchar,
    updated_at timestamp not null default current_timestamp,
    primary key (gemeente_code, question_key)
);
