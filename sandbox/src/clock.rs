//! The sandbox's clock: what "now" is for the mocks (the timestamps they write, the dates they
//! check) and for the seed, whose dates are placed before it. Unpinned it is the wall clock;
//! pinned it stays at the instant it was pinned to.

use chrono::{DateTime, Duration, Utc};
use std::sync::Mutex;

/// The clock one sandbox's mocks share.
#[derive(Debug, Default)]
pub(crate) struct Clock {
    pinned: Mutex<Option<DateTime<Utc>>>,
}

impl Clock {
    /// A clock pinned to `at`, or the wall clock.
    pub(crate) fn new(at: Option<DateTime<Utc>>) -> Clock {
        Clock {
            pinned: Mutex::new(at),
        }
    }

    /// The sandbox's "now".
    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.lock().unwrap_or_else(Utc::now)
    }

    /// Pins the clock to `at`: "now" is `at` from then on.
    pub(crate) fn pin(&self, at: DateTime<Utc>) {
        *self.lock() = Some(at);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<DateTime<Utc>>> {
        self.pinned.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// What the seed's dates count back from: midnight (UTC) at the start of `now`'s day, so that
/// a seed placed at any time of one day is the same, and every seeded date that lies a whole
/// day or more before it is in the past.
pub(crate) fn seed_anchor(now: DateTime<Utc>) -> DateTime<Utc> {
    now.date_naive().and_time(chrono::NaiveTime::MIN).and_utc()
}

/// `anchor` moved back `days_back` days, then on `seconds` into that day.
pub(crate) fn days_before(anchor: DateTime<Utc>, days_back: i64, seconds: i64) -> DateTime<Utc> {
    anchor - Duration::days(days_back) + Duration::seconds(seconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pinned_clock_stays_and_the_anchor_is_midnight() {
        let at = "2026-03-04T15:16:17Z".parse::<DateTime<Utc>>().unwrap();
        let clock = Clock::new(None);
        clock.pin(at);
        assert_eq!(clock.now(), at);
        assert_eq!(clock.now(), at);
        assert_eq!(seed_anchor(at).to_rfc3339(), "2026-03-04T00:00:00+00:00");
        assert_eq!(
            days_before(seed_anchor(at), 3, 3600).to_rfc3339(),
            "2026-03-01T01:00:00+00:00"
        );
    }
}
