//! End-to-end tests of priorities (see src/priorities).
