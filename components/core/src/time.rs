//! Timestamps: RFC 3339 UTC strings with millisecond precision, which sort
//! lexicographically in SQL.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// A point in time. The clock is injected so tests need no sleeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timestamp(OffsetDateTime);

impl Timestamp {
    /// The wall clock (WASI `wall-clock` inside a component).
    pub fn now() -> Self {
        Self(OffsetDateTime::now_utc())
    }

    pub fn from_unix_millis(ms: i64) -> Self {
        Self(
            OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
                .unwrap_or(OffsetDateTime::UNIX_EPOCH),
        )
    }

    pub fn unix_millis(self) -> i64 {
        (self.0.unix_timestamp_nanos() / 1_000_000) as i64
    }

    /// Parses RFC 3339 (`2026-11-26T10:00:00Z`) or a bare date (`2026-11-26`).
    pub fn parse(text: &str) -> Option<Self> {
        if let Ok(t) = OffsetDateTime::parse(text, &Rfc3339) {
            return Some(Self(t));
        }
        let date = time::Date::parse(
            text,
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .ok()?;
        Some(Self(date.midnight().assume_utc()))
    }

    /// `2026-11-26T10:00:00.123Z`.
    pub fn rfc3339(self) -> String {
        let t = self.0.to_offset(time::UtcOffset::UTC);
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second(),
            t.millisecond()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_sortable_utc_millis() {
        let t = Timestamp::from_unix_millis(1_764_150_000_123);
        assert_eq!(t.rfc3339(), "2025-11-26T09:40:00.123Z");
        assert_eq!(Timestamp::parse(&t.rfc3339()), Some(t));
    }

    #[test]
    fn parses_bare_dates_and_rejects_garbage() {
        assert_eq!(
            Timestamp::parse("2026-01-02")
                .map(Timestamp::rfc3339)
                .as_deref(),
            Some("2026-01-02T00:00:00.000Z")
        );
        assert_eq!(Timestamp::parse("next tuesday"), None);
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// Formatting is lossless at millisecond precision and sorts like time.
        #[test]
        fn rfc3339_round_trips_and_sorts(a in 0i64..4_102_444_800_000, b in 0i64..4_102_444_800_000) {
            let (ta, tb) = (Timestamp::from_unix_millis(a), Timestamp::from_unix_millis(b));
            prop_assert_eq!(Timestamp::parse(&ta.rfc3339()), Some(ta));
            prop_assert_eq!(ta.rfc3339().cmp(&tb.rfc3339()), a.cmp(&b));
        }
    }
}
