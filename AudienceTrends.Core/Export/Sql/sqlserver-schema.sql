-- AudienceTrends SQL contract, SQL Server flavour. Safe to run again: it only creates what is missing.
-- The service queries the unqualified names audience and audience_daily_size, resolved through the login's default
-- schema (dbo here). Views with the same names and columns work as well as these tables.
-- account_id is the owning account's id in lower case, as the API answers it: each account sees only its own rows.

IF OBJECT_ID(N'dbo.audience', N'U') IS NULL
BEGIN
    CREATE TABLE dbo.audience (
        account_id NVARCHAR(64) NOT NULL,
        name NVARCHAR(200) NOT NULL,
        CONSTRAINT PK_audience PRIMARY KEY (account_id, name)
    );
END;

IF OBJECT_ID(N'dbo.audience_daily_size', N'U') IS NULL
BEGIN
    CREATE TABLE dbo.audience_daily_size (
        account_id NVARCHAR(64) NOT NULL,
        audience_name NVARCHAR(200) NOT NULL,
        day DATE NOT NULL,
        contact_count BIGINT NOT NULL CONSTRAINT CK_audience_daily_size_contact_count CHECK (contact_count >= 0),
        CONSTRAINT PK_audience_daily_size PRIMARY KEY CLUSTERED (account_id, audience_name, day),
        CONSTRAINT FK_audience_daily_size_audience FOREIGN KEY (account_id, audience_name)
            REFERENCES dbo.audience (account_id, name)
    );
END;
