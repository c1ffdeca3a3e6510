-- AudienceTrends SQL contract, SQL Server flavour. Safe to run again: it only creates what is missing.
-- The service queries the unqualified names audience and audience_daily_size, resolved through the login's default
-- schema (dbo here). Views with the same names and columns work as well as these tables.

IF OBJECT_ID(N'dbo.audience', N'U') IS NULL
BEGIN
    CREATE TABLE dbo.audience (
        name NVARCHAR(200) NOT NULL CONSTRAINT PK_audience PRIMARY KEY
    );
END;

IF OBJECT_ID(N'dbo.audience_daily_size', N'U') IS NULL
BEGIN
    CREATE TABLE dbo.audience_daily_size (
        audience_name NVARCHAR(200) NOT NULL
            CONSTRAINT FK_audience_daily_size_audience REFERENCES dbo.audience (name),
        day DATE NOT NULL,
        contact_count BIGINT NOT NULL CONSTRAINT CK_audience_daily_size_contact_count CHECK (contact_count >= 0),
        CONSTRAINT PK_audience_daily_size PRIMARY KEY CLUSTERED (audience_name, day)
    );
END;
