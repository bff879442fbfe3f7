//! Wall-clock time as the store keeps it (unix milliseconds) and as people read it.

use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

pub fn now_ms() -> i64 {
    (OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

fn at(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// `2026-11-22T10:04:05.123Z`
pub fn rfc3339(ms: i64) -> String {
    at(ms).format(&Rfc3339).unwrap_or_else(|_| ms.to_string())
}

/// Unix milliseconds of an RFC 3339 time (`2026-11-22T10:04:05.123Z`, any offset or
/// precision); None when it is not one.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    let t = OffsetDateTime::parse(text.trim(), &Rfc3339).ok()?;
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).ok()
}

/// `10:04:05.123` in the given offset (the caller finds the local offset once, at start-up,
/// because asking for it later in a multi-threaded process is refused on Linux).
pub fn time_of_day(ms: i64, offset: UtcOffset) -> String {
    let t = at(ms).to_offset(offset);
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

/// Parses "30s", "15m", "12h", "7d", "2w" into a duration.
pub fn parse_age(text: &str) -> Result<std::time::Duration, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("\"{text}\" is not an age — use e.g. 30m, 12h, 7d or 2w"))?;
    let seconds = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 604_800,
        _ => {
            return Err(format!(
                "\"{text}\" needs a unit: s, m, h, d or w (e.g. 7d)"
            ));
        }
    };
    Ok(std::time::Duration::from_secs(n.saturating_mul(seconds)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_format_with_milliseconds() {
        assert_eq!(rfc3339(1_720_713_905_123), "2024-07-11T16:05:05.123Z");
        assert_eq!(
            time_of_day(1_720_713_905_123, UtcOffset::UTC),
            "16:05:05.123"
        );
        assert_eq!(
            parse_rfc3339("2024-07-11T16:05:05.123Z"),
            Some(1_720_713_905_123)
        );
        assert_eq!(
            parse_rfc3339("2024-07-11T18:05:05.123+02:00"),
            Some(1_720_713_905_123)
        );
        assert_eq!(parse_rfc3339("yesterday"), None);
    }

    #[test]
    fn ages_parse_with_units_and_reject_without() {
        assert_eq!(
            parse_age("7d"),
            Ok(std::time::Duration::from_secs(7 * 86_400))
        );
        assert_eq!(parse_age("90s"), Ok(std::time::Duration::from_secs(90)));
        assert!(parse_age("7").is_err());
        assert!(parse_age("d").is_err());
        assert!(parse_age("7 days").is_err());
    }
}
