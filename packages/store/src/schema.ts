/**
 * The LocalStore's SQLite schema: Nix's ValidPaths / Refs / DerivationOutputs (schema.sql) and
 * Realisations (ca-specific-schema.sql), with a unique index on the realisation key.
 */
export const SCHEMA_VERSION = 1;

export const SCHEMA_SQL = `
create table if not exists ValidPaths (
    id               integer primary key autoincrement not null,
    path             text unique not null,
    hash             text not null, -- NAR hash, 'sha256:<base16>' as Nix stores it
    registrationTime integer not null,
    deriver          text,
    narSize          integer,
    ultimate         integer, -- null implies "false"
    sigs             text, -- space-separated
    ca               text -- if not null, an assertion that the path is content-addressed
);

create table if not exists Refs (
    referrer  integer not null,
    reference integer not null,
    primary key (referrer, reference),
    foreign key (referrer) references ValidPaths(id) on delete cascade,
    foreign key (reference) references ValidPaths(id) on delete restrict
);

create index if not exists IndexReferrer on Refs(referrer);
create index if not exists IndexReference on Refs(reference);

create trigger if not exists DeleteSelfRefs before delete on ValidPaths
  begin
    delete from Refs where referrer = old.id and reference = old.id;
  end;

create table if not exists DerivationOutputs (
    drv  integer not null,
    id   text not null, -- symbolic output id, usually "out"
    path text not null,
    primary key (drv, id),
    foreign key (drv) references ValidPaths(id) on delete cascade
);

create index if not exists IndexDerivationOutputs on DerivationOutputs(path);

create table if not exists Realisations (
    id integer primary key autoincrement not null,
    drvPath text not null,
    outputName text not null, -- symbolic output id, usually "out"
    outputPath integer not null,
    signatures text, -- space-separated list
    foreign key (outputPath) references ValidPaths(id) on delete cascade
);

-- tsnix: outputs a builder is writing right now (under its path lock); adds of these paths wait.
create table if not exists PendingWrites (
    path  text primary key not null,
    since integer not null
);

create unique index if not exists IndexRealisations on Realisations(drvPath, outputName);
create index if not exists IndexRealisationsRefs on Realisations(outputPath);
`;
