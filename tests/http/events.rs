//! End-to-end tests of events (see src/events).
