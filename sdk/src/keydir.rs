//! The local key directory (work in progress).
