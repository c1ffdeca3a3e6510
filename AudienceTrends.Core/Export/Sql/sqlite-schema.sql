-- AudienceTrends SQL contract, SQLite flavour. Safe to run again: it only creates what is missing.
-- Days are ISO text 'yyyy-MM-dd' so that text comparison (BETWEEN) orders them as dates.
-- account_id is the owning account's id in lower case, as the API answers it: each account sees only its own rows.

CREATE TABLE IF NOT EXISTS audience (
    account_id TEXT NOT NULL CHECK (length(account_id) BETWEEN 1 AND 64),
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    PRIMARY KEY (account_id, name)
);

-- WITHOUT ROWID stores rows in primary key order: one audience's days are read as one contiguous range.
CREATE TABLE IF NOT EXISTS audience_daily_size (
    account_id TEXT NOT NULL,
    audience_name TEXT NOT NULL,
    day TEXT NOT NULL CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    contact_count INTEGER NOT NULL CHECK (contact_count >= 0),
    PRIMARY KEY (account_id, audience_name, day),
    FOREIGN KEY (account_id, audience_name) REFERENCES audience (account_id, name)
) WITHOUT ROWID;
