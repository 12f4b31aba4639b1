//! How a failure ends a process: one policy for `cargo migrate` and for an application's
//! `--migrate` flags, so the same failure exits with the same code from both.

/// A process's exit status, as documented in the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExitStatus {
    /// `0`: success.
    Ok,
    /// `1`: a check found the files, the database or the schema out of order.
    CheckFailed,
    /// `2`: bad arguments, configuration, revision files or targets; nothing ran.
    Usage,
    /// `3`: the database could not be reached, refused, or failed a statement.
    Database,
}

impl ExitStatus {
    /// The numeric code.
    pub const fn code(self) -> u8 {
        match self {
            Self::Ok => 0,
            Self::CheckFailed => 1,
            Self::Usage => 2,
            Self::Database => 3,
        }
    }
}

impl From<ExitStatus> for std::process::ExitCode {
    fn from(status: ExitStatus) -> Self {
        std::process::ExitCode::from(status.code())
    }
}
