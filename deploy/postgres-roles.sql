-- Tumor board: the database and its two roles. Run once as a PostgreSQL superuser, e.g.
--
--   sudo -u postgres psql -v owner=tumorboard -v app=tumorboard_app -v db=tumorboard \
--        -v owner_password="$OWNER_PW" -v app_password="$APP_PW" -f deploy/postgres-roles.sql
--
-- owner  owns the database, its schema and every table: `manage.py migrate` and
--        `manage.py restore` connect as it (DATABASE_OWNER_URL).
-- app    what the web server and the workers connect as (DATABASE_URL): it reads and writes
--        the rows but owns nothing, so it cannot switch off the triggers that keep signed
--        decisions final, drop a constraint or change the schema.
-- Running it again changes nothing but the passwords given. Both passwords are optional
-- (leave them out for peer or certificate authentication).
\set ON_ERROR_STOP on

SELECT format('CREATE ROLE %I LOGIN', :'owner')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'owner') \gexec
SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE', :'app')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'app') \gexec
SELECT format('CREATE DATABASE %I OWNER %I ENCODING ''UTF8''', :'db', :'owner')
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec

SELECT :{?owner_password} AS set_owner_password, :{?app_password} AS set_app_password \gset
\if :set_owner_password
ALTER ROLE :"owner" PASSWORD :'owner_password';
\endif
\if :set_app_password
ALTER ROLE :"app" PASSWORD :'app_password';
\endif

\connect :db
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
ALTER SCHEMA public OWNER TO :"owner";
GRANT CONNECT ON DATABASE :"db" TO :"app";
GRANT USAGE ON SCHEMA public TO :"app";
-- The tables there already (an upgrade) and every table the owner's migrations create later.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"app";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO :"app";
