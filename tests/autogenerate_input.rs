//! Autogenerate bad input (being written).
