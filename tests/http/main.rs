//! End-to-end tests over HTTP against a real server and a real store, each on SQLite and on
//! PostgreSQL.

mod support;

mod access;
mod accountability;
mod accounts;
mod audit;
mod backup;
mod cases;
mod commitments;
mod digest;
mod durability;
mod events;
mod hostile;
mod intake;
mod jobs;
mod map;
mod news;
mod object_storage;
mod open311;
mod overload;
mod platform;
mod priorities;
mod public;
mod receptions;
mod retention;
mod scale_out;
mod statistics;
mod surveys;
