//! Autogenerate end to end (being written).
