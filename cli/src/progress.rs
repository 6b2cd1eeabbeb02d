//! Progress on stderr: a bar redrawn in place on a terminal (count, rate, ETA when the total is
//! known), a plain line every few seconds when stderr is not a terminal (a scheduler's log),
//! nothing with `--quiet`.

use std::future::Future;
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// How often a terminal bar is redrawn, and a log line written.
const REDRAW: Duration = Duration::from_millis(200);
const LOG_EVERY: Duration = Duration::from_secs(5);

pub struct Progress {
    unit: &'static str,
    mode: Mode,
    started: Instant,
    last: Option<Instant>,
    done: u64,
    total: Option<u64>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Off,
    Bar,
    Lines,
}

impl Progress {
    fn new(unit: &'static str, quiet: bool) -> Self {
        let mode = if quiet {
            Mode::Off
        } else if std::io::stderr().is_terminal() {
            Mode::Bar
        } else {
            Mode::Lines
        };
        Progress {
            unit,
            mode,
            started: Instant::now(),
            last: None,
            done: 0,
            total: None,
        }
    }

    /// Items of a list (`--all`).
    pub fn items(quiet: bool) -> Self {
        Progress::new("items", quiet)
    }

    /// Bytes of an upload.
    pub fn bytes(quiet: bool) -> Self {
        Progress::new("bytes", quiet)
    }

    /// Sets the total, when the server told it.
    pub fn total(&mut self, total: Option<u64>) {
        if total.is_some() {
            self.total = total;
        }
    }

    /// `n` more done.
    pub fn tick(&mut self, n: u64) {
        self.done += n;
        self.show(false);
    }

    /// Sets the count done.
    pub fn set(&mut self, done: u64) {
        self.done = done;
        self.show(false);
    }

    /// The last line (a terminal's bar ends with a newline).
    pub fn finish(&mut self) {
        self.show(true);
    }

    fn show(&mut self, last: bool) {
        let every = match self.mode {
            Mode::Off => return,
            Mode::Bar => REDRAW,
            Mode::Lines => LOG_EVERY,
        };
        let now = Instant::now();
        if !last && self.last.is_some_and(|t| now - t < every) {
            return;
        }
        if !last && self.last.is_none() && self.mode == Mode::Lines && now - self.started < every {
            // A quick run writes one line at the end, not one at the start.
            return;
        }
        self.last = Some(now);
        let line = self.line(now);
        let mut err = std::io::stderr().lock();
        let _ = match (self.mode, last) {
            (Mode::Bar, false) => write!(err, "\r\x1b[2K{line}"),
            (Mode::Bar, true) => writeln!(err, "\r\x1b[2K{line}"),
            _ => writeln!(err, "{line}"),
        };
        let _ = err.flush();
    }

    fn line(&self, now: Instant) -> String {
        let secs = (now - self.started).as_secs_f64().max(0.001);
        let rate = self.done as f64 / secs;
        let (done, rate_text) = if self.unit == "bytes" {
            (
                human_bytes(self.done),
                format!("{}/s", human_bytes(rate as u64)),
            )
        } else {
            (self.done.to_string(), format!("{rate:.0} {}/s", self.unit))
        };
        match self.total {
            Some(total) if total > 0 => {
                let total_text = if self.unit == "bytes" {
                    human_bytes(total)
                } else {
                    format!("{total} {}", self.unit)
                };
                let fraction = (self.done as f64 / total as f64).min(1.0);
                let eta = if rate > 0.0 && self.done < total {
                    format!(", ETA {:.0} s", (total - self.done) as f64 / rate)
                } else {
                    String::new()
                };
                let bar = if self.mode == Mode::Bar {
                    let filled = (fraction * 24.0) as usize;
                    format!("[{}{}] ", "#".repeat(filled), "-".repeat(24 - filled))
                } else {
                    String::new()
                };
                format!(
                    "{bar}{done} of {total_text} ({:.0}%), {rate_text}{eta}",
                    fraction * 100.0
                )
            }
            _ => format!(
                "{done} {}, {rate_text}",
                if self.unit == "bytes" {
                    "sent"
                } else {
                    self.unit
                }
            ),
        }
    }

    /// Awaits an upload, showing the bytes `counter` sees go out.
    pub async fn watch<F: Future>(&self, call: F, counter: permkit::upload::Progress) -> F::Output {
        let mut shown = Progress::new(self.unit, self.mode == Mode::Off);
        let mut call = std::pin::pin!(call);
        let mut tick = tokio::time::interval(REDRAW);
        loop {
            tokio::select! {
                out = &mut call => {
                    shown.total(Some(counter.total_bytes()));
                    shown.set(counter.bytes_sent());
                    shown.finish();
                    return out;
                }
                _ = tick.tick() => {
                    shown.total(Some(counter.total_bytes()));
                    shown.set(counter.bytes_sent());
                }
            }
        }
    }
}

fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_say_count_rate_and_eta() {
        let mut p = Progress::new("items", false);
        p.mode = Mode::Lines;
        p.total(Some(200));
        p.done = 100;
        let line = p.line(p.started + Duration::from_secs(10));
        assert_eq!(line, "100 of 200 items (50%), 10 items/s, ETA 10 s");
        assert_eq!(human_bytes(1536), "1.5 KiB");
    }
}
