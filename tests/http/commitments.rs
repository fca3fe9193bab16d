//! End-to-end tests of commitments (see src/commitments).
