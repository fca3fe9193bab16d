//! The monthly digest "My community — my police": the month's cases and outcomes, agencies'
//! response times and the public register, as a web page and as a PDF ready to print.

pub mod pdf;
