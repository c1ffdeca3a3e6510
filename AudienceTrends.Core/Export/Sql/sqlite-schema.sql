-- AudienceTrends SQL contract, SQLite flavour. Safe to run again: it only creates what is missing.
-- Days are ISO text 'yyyy-MM-dd' so that text comparison (BETWEEN) orders them as dates.

CREATE TABLE IF NOT EXISTS audience (
    name TEXT NOT NULL PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 200)
);

-- WITHOUT ROWID stores rows in primary key order: one audience's days are read as one contiguous range.
CREATE TABLE IF NOT EXISTS audience_daily_size (
    audience_name TEXT NOT NULL REFERENCES audience (name),
    day TEXT NOT NULL CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    contact_count INTEGER NOT NULL CHECK (contact_count >= 0),
    PRIMARY KEY (audience_name, day)
) WITHOUT ROWID;
