//! What the runner reports while it works; the caller prints it.

use crate::diagnostic::{printable, printable_line};
use crate::plan::Direction;

/// What the runner reports while it works.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// Another runner holds the lock; `holder` says who, where the database can tell.
    WaitingForLock {
        /// Who holds it.
        holder: Option<String>,
    },
    /// A revision starts, as Alembic logs it.
    Running {
        /// Up or down.
        direction: Direction,
        /// The revision(s) it moves from.
        from: String,
        /// The revision(s) it moves to.
        to: String,
        /// The revision's message.
        message: String,
    },
    /// Something the operator should know (e.g. checksum drift).
    Warning(String),
}

impl std::fmt::Display for Event {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Event::WaitingForLock { holder: Some(h) } => {
                write!(f, "Waiting for the migration lock, held by {}", printable_line(h))
            }
            Event::WaitingForLock { holder: None } => {
                write!(f, "Waiting for the migration lock, held by another runner")
            }
            Event::Running { direction, from, to, message } => {
                write!(f, "Running {} {from} -> {to}", direction.verb())?;
                if !message.is_empty() {
                    write!(f, ", {}", printable_line(message))?;
                }
                Ok(())
            }
            Event::Warning(text) => write!(f, "warning: {}", printable(text)),
        }
    }
}

/// Where the runner reports events.
pub type OnEvent<'a> = &'a mut (dyn FnMut(Event) + Send);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_read_like_alembic() {
        let event = Event::Running {
            direction: Direction::Up,
            from: "1975ea83b712".into(),
            to: "27c6a30d7c24".into(),
            message: "add email column".into(),
        };
        assert_eq!(event.to_string(), "Running upgrade 1975ea83b712 -> 27c6a30d7c24, add email column");
    }

    /// An application's `--migrate` prints these lines: text from files and databases
    /// cannot drive the terminal.
    #[test]
    fn events_escape_control_characters() {
        let event = Event::Running {
            direction: Direction::Down,
            from: "b2".into(),
            to: "a1".into(),
            message: "x\x1b[2J".into(),
        };
        assert_eq!(event.to_string(), "Running downgrade b2 -> a1, x\\u{1b}[2J");
        let event = Event::WaitingForLock { holder: Some("pid 7 (app \x1b]0;t\x07)".into()) };
        assert_eq!(event.to_string(), "Waiting for the migration lock, held by pid 7 (app \\u{1b}]0;t\\u{7})");
        assert_eq!(Event::Warning("w\x1b".into()).to_string(), "warning: w\\u{1b}");
    }
}
