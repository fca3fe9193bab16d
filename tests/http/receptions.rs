//! End-to-end tests of receptions (see src/receptions).
