//! Date-times read leniently.

use chrono::{
    DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, SecondsFormat, TimeZone, Utc,
};
use std::fmt;
use std::str::FromStr;

/// A date-time as the vendors send it: RFC 3339 with an offset (`2025-12-01T02:00:00Z`), without
/// one (`2026-02-20T08:15:00`, which Permission Assist sends), or a bare date (`2026-03-15`).
///
/// Values without an offset are kept as sent (no time zone is invented) and written back the
/// same way; [`Timestamp::to_utc`] reads them as UTC.
///
/// ```
/// use permkit::Timestamp;
/// let t: Timestamp = "2026-02-20T08:15:00".parse().unwrap();
/// assert!(t.offset().is_none());
/// assert_eq!(t.to_string(), "2026-02-20T08:15:00");
/// let z: Timestamp = "2025-12-01T02:00:00Z".parse().unwrap();
/// assert_eq!(z.to_utc().to_rfc3339(), "2025-12-01T02:00:00+00:00");
/// ```
///
/// Equality, hashing and ordering go by the instant ([`Timestamp::to_utc`]): the same instant
/// written with two offsets is equal, and a value without an offset compares as UTC.
///
/// ```
/// use permkit::Timestamp;
/// let a: Timestamp = "2026-02-20T10:15:00+02:00".parse().unwrap();
/// let b: Timestamp = "2026-02-20T08:15:00".parse().unwrap();
/// let c: Timestamp = "2026-02-21".parse().unwrap();
/// assert_eq!(a, b);
/// assert!(b < c);
/// ```
///
/// It takes 16 bytes, and `Option<Timestamp>` too.
///
/// ```
/// assert_eq!(size_of::<Option<permkit::Timestamp>>(), 16);
/// ```
#[derive(Clone, Copy)]
pub struct Timestamp {
    local: NaiveDateTime,
    /// The offset east of UTC in seconds (within ±86,399, as [`FixedOffset`] allows), or
    /// [`NO_OFFSET`] or [`DATE_ONLY`].
    offset: i32,
}

/// [`Timestamp::offset`] for a date-time sent without an offset.
const NO_OFFSET: i32 = i32::MIN;
/// [`Timestamp::offset`] for a bare date (which has no offset either).
const DATE_ONLY: i32 = i32::MIN + 1;

impl Timestamp {
    fn with_offset(local: NaiveDateTime, offset: Option<FixedOffset>) -> Self {
        Timestamp {
            local,
            offset: offset.map_or(NO_OFFSET, |o| o.local_minus_utc()),
        }
    }

    /// The wall-clock time as sent.
    pub fn naive(&self) -> NaiveDateTime {
        self.local
    }

    /// The offset, when one was sent.
    pub fn offset(&self) -> Option<FixedOffset> {
        // The sentinels are outside the range `east_opt` accepts.
        FixedOffset::east_opt(self.offset)
    }

    fn is_date_only(&self) -> bool {
        self.offset == DATE_ONLY
    }

    /// The instant, reading a value without an offset as UTC.
    pub fn to_utc(&self) -> DateTime<Utc> {
        match self.offset() {
            Some(o) => o
                .from_local_datetime(&self.local)
                .single()
                .map(|d| d.with_timezone(&Utc))
                .unwrap_or_else(|| Utc.from_utc_datetime(&self.local)),
            None => Utc.from_utc_datetime(&self.local),
        }
    }

    /// Midnight UTC of a date, written as a full date-time (`2026-03-15T00:00:00Z`).
    pub fn from_date(date: NaiveDate) -> Self {
        Timestamp {
            local: date.and_hms_opt(0, 0, 0).expect("midnight"),
            offset: 0,
        }
    }

    /// A bare date, written as `2026-03-15`.
    pub fn date_only(date: NaiveDate) -> Self {
        Timestamp {
            local: date.and_hms_opt(0, 0, 0).expect("midnight"),
            offset: DATE_ONLY,
        }
    }

    /// The current time in UTC.
    pub fn now() -> Self {
        Utc::now().into()
    }
}

impl PartialEq for Timestamp {
    fn eq(&self, other: &Self) -> bool {
        self.to_utc() == other.to_utc()
    }
}

impl Eq for Timestamp {}

impl std::hash::Hash for Timestamp {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.to_utc().hash(state);
    }
}

impl PartialOrd for Timestamp {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Timestamp {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.to_utc().cmp(&other.to_utc())
    }
}

impl<Tz: TimeZone> From<DateTime<Tz>> for Timestamp {
    fn from(d: DateTime<Tz>) -> Self {
        let fixed = d.fixed_offset();
        Timestamp {
            local: fixed.naive_local(),
            offset: fixed.offset().local_minus_utc(),
        }
    }
}

/// The error for a string that is not a date-time in any accepted form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimestampError(String);

impl fmt::Display for TimestampError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not a date-time: {:?}", self.0)
    }
}

impl std::error::Error for TimestampError {}

impl FromStr for Timestamp {
    type Err = TimestampError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // `trim` only when an end could be white space (cheaper than trimming every value).
        let b = s.as_bytes();
        let s = match (b.first(), b.last()) {
            (Some(first), Some(last)) if first.is_ascii_graphic() && last.is_ascii_graphic() => s,
            _ => s.trim(),
        };
        let fast = parse_common(s.as_bytes());
        // The fuzz targets check that the fast path agrees with the full one wherever it
        // answers.
        #[cfg(feature = "fuzzing")]
        if let Some(t) = fast {
            let full = parse_full(s).expect("the full parser reads what the fast one reads");
            assert_eq!((t.local, t.offset), (full.local, full.offset), "{s:?}");
        }
        match fast {
            Some(t) => Ok(t),
            None => parse_full(s),
        }
    }
}

/// Two ASCII digits.
#[inline(always)]
fn digits2(a: u8, b: u8) -> Option<u32> {
    let (a, b) = (a.wrapping_sub(b'0'), b.wrapping_sub(b'0'));
    (a < 10 && b < 10).then_some(u32::from(a) * 10 + u32::from(b))
}

/// What a fraction of `n` digits is multiplied by to give nanoseconds (index 1 to 9).
const SCALE: [u32; 10] = [
    0,
    100_000_000,
    10_000_000,
    1_000_000,
    100_000,
    10_000,
    1_000,
    100,
    10,
    1,
];

/// Days before the first of each month in a common year.
const DAYS_BEFORE: [u16; 12] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];

/// A proleptic Gregorian date of years 0000-9999, without chrono's month-and-day tables: the
/// ordinal computed here, then [`NaiveDate::from_yo_opt`].
#[inline]
fn date(year: u32, month: u32, day: u32) -> Option<NaiveDate> {
    if !(1..=12).contains(&month) || day == 0 {
        return None;
    }
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    let days_in_month = match month {
        2 => 28 + u32::from(leap),
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if day > days_in_month {
        return None;
    }
    let ordinal = u32::from(DAYS_BEFORE[month as usize - 1]) + day + u32::from(leap && month > 2);
    NaiveDate::from_yo_opt(year as i32, ordinal)
}

/// The shapes the vendors send, read in one pass: `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM`, and
/// `YYYY-MM-DD[T ]HH:MM:SS[.f{1,9}][Z|±HH:MM]`. `None` for anything else (leap seconds, other
/// offsets, years outside 0000-9999, ...), which [`parse_full`] then reads. Where this answers,
/// it answers exactly as [`parse_full`] does (the `timestamp` fuzz target checks it).
fn parse_common(b: &[u8]) -> Option<Timestamp> {
    let (head, rest) = b.split_first_chunk::<10>()?;
    if head[4] != b'-' || head[7] != b'-' {
        return None;
    }
    let year = digits2(head[0], head[1])? * 100 + digits2(head[2], head[3])?;
    let date = date(year, digits2(head[5], head[6])?, digits2(head[8], head[9])?)?;
    if rest.is_empty() {
        return Some(Timestamp::date_only(date));
    }
    let (hm, rest) = rest.split_first_chunk::<6>()?;
    if !(hm[0] == b'T' || hm[0] == b' ') || hm[3] != b':' {
        return None;
    }
    let (hour, minute) = (digits2(hm[1], hm[2])?, digits2(hm[4], hm[5])?);
    if rest.is_empty() {
        // `%Y-%m-%dT%H:%M` has no form with a space.
        if hm[0] != b'T' {
            return None;
        }
        let local = date.and_time(NaiveTime::from_hms_opt(hour, minute, 0)?);
        return Some(Timestamp::with_offset(local, None));
    }
    let Some(([b':', s1, s2], mut rest)) = rest.split_first_chunk::<3>() else {
        return None;
    };
    let second = digits2(*s1, *s2)?;
    let mut nano = 0u32;
    if let [b'.', tail @ ..] = rest {
        // One pass over the digits; a tenth one (or none) is left to chrono.
        let mut n = 0;
        while let Some(&c) = tail.get(n) {
            let d = c.wrapping_sub(b'0');
            if d >= 10 {
                break;
            }
            if n == 9 {
                return None;
            }
            nano = nano * 10 + u32::from(d);
            n += 1;
        }
        if n == 0 {
            return None;
        }
        nano *= SCALE[n];
        rest = &tail[n..];
    }
    // Second 60 (a leap second) is left to chrono.
    if second > 59 {
        return None;
    }
    let local = date.and_time(NaiveTime::from_hms_nano_opt(hour, minute, second, nano)?);
    let offset = match *rest {
        [] => NO_OFFSET,
        [b'Z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let (oh, om) = (digits2(h1, h2)?, digits2(m1, m2)?);
            if oh > 23 || om > 59 {
                return None;
            }
            let secs = (oh * 3600 + om * 60) as i32;
            if sign == b'-' { -secs } else { secs }
        }
        _ => return None,
    };
    Some(Timestamp { local, offset })
}

/// Every accepted form, through chrono's parsers: RFC 3339, then the forms with a space or a
/// `+0000` offset, then the forms without an offset, then a bare date.
fn parse_full(s: &str) -> Result<Timestamp, TimestampError> {
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Ok(d.into());
    }
    // A space instead of `T`, a `+0000` offset, or a year RFC 3339 has no room for
    // (`-0002`, `+10000`: what `Display` writes for them, `Z` included).
    for fmt in ["%Y-%m-%d %H:%M:%S%.f%#z", "%Y-%m-%dT%H:%M:%S%.f%#z"] {
        if let Ok(d) = DateTime::parse_from_str(s, fmt) {
            return Ok(d.into());
        }
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(local) = NaiveDateTime::parse_from_str(s, fmt) {
            return Ok(Timestamp::with_offset(local, None));
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(Timestamp::date_only(d));
    }
    Err(TimestampError(s.chars().take(64).collect()))
}

/// The timestamp as it is written (RFC 3339, or as the server sent it), e.g. as a filter
/// value.
///
/// ```
/// let t: permkit::Timestamp = "2024-01-01T00:00:00Z".parse().unwrap();
/// assert_eq!(serde_json::Value::from(t), serde_json::json!("2024-01-01T00:00:00Z"));
/// ```
impl From<Timestamp> for serde_json::Value {
    fn from(t: Timestamp) -> serde_json::Value {
        serde_json::Value::String(t.to_string())
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_date_only() {
            return write!(f, "{}", self.local.format("%Y-%m-%d"));
        }
        match self.offset() {
            Some(o) => {
                let d = o
                    .from_local_datetime(&self.local)
                    .single()
                    .ok_or(fmt::Error)?;
                f.write_str(&d.to_rfc3339_opts(SecondsFormat::AutoSi, true))
            }
            None => write!(f, "{}", self.local.format("%Y-%m-%dT%H:%M:%S%.f")),
        }
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({self})")
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Timestamp;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a date-time string")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Timestamp, E> {
                v.parse().map_err(E::custom)
            }
        }
        d.deserialize_str(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_outside_rfc_3339_read_back() {
        // Found by the `timestamp` fuzz target: `-0002-...Z` was written but not read.
        for (input, written) in [
            ("-02-02-20 08:15:00+0000", "-0002-02-20T08:15:00Z"),
            ("+10000-01-01T00:00:00+05:00", "+10000-01-01T00:00:00+05:00"),
            ("2026-02-20 08:15:00+02:00", "2026-02-20T08:15:00+02:00"),
            ("2026-02-20T08:15:00+0200", "2026-02-20T08:15:00+02:00"),
        ] {
            let t: Timestamp = input.parse().unwrap();
            assert_eq!(t.to_string(), written);
            let back: Timestamp = written.parse().unwrap();
            assert_eq!((back, back.offset()), (t, t.offset()), "{input}");
        }
    }

    /// The one-pass reader answers exactly as chrono's parsers do wherever it answers, over
    /// the grid of every shape it reads and the near misses around them.
    #[test]
    fn fast_path_agrees_with_the_full_parsers() {
        let mut answered = 0;
        for year in ["0000", "1900", "2023", "2024", "9999"] {
            for month in ["00", "02", "04", "12", "13"] {
                for day in ["00", "01", "28", "29", "30", "31", "32"] {
                    let date = format!("{year}-{month}-{day}");
                    let mut inputs = vec![date.clone()];
                    for sep in ["T", " ", "t"] {
                        for hm in ["00:00", "23:59", "24:00"] {
                            inputs.push(format!("{date}{sep}{hm}"));
                            for sec in ["00", "59", "60"] {
                                for frac in ["", ".", ".5", ".123456789", ".1234567890"] {
                                    for off in [
                                        "", "Z", "z", "+00:00", "-00:00", "+05:30", "-23:59",
                                        "+24:00", "+0530", "+05",
                                    ] {
                                        inputs.push(format!("{date}{sep}{hm}:{sec}{frac}{off}"));
                                    }
                                }
                            }
                        }
                    }
                    for input in inputs {
                        if let Some(fast) = parse_common(input.as_bytes()) {
                            answered += 1;
                            let full = parse_full(&input).unwrap_or_else(|e| panic!("{e}"));
                            assert_eq!(
                                (fast.local, fast.offset),
                                (full.local, full.offset),
                                "{input:?}"
                            );
                        }
                    }
                }
            }
        }
        assert!(answered > 1000, "{answered}");
    }

    #[test]
    fn common_shapes_take_the_fast_path() {
        for input in [
            "2026-02-20T08:15:00",
            "2026-02-20T08:15:00.123",
            "2025-12-01T02:00:00Z",
            "2025-12-01T02:00:00.000000Z",
            "2025-12-01 02:00:00+02:00",
            "2026-03-15",
            "2026-03-15T08:15",
        ] {
            assert!(parse_common(input.as_bytes()).is_some(), "{input}");
        }
    }
}
