//! Time as milliseconds since the Unix epoch, and its display in Hanoi time (UTC+7).

/// Milliseconds since 1970-01-01T00:00:00Z.
pub type Millis = i64;

pub const SECOND: Millis = 1_000;
pub const MINUTE: Millis = 60 * SECOND;
pub const HOUR: Millis = 60 * MINUTE;
pub const DAY: Millis = 24 * HOUR;

/// Hanoi is UTC+7 all year (no daylight saving time).
pub const HANOI_OFFSET: Millis = 7 * HOUR;

/// Civil date (year, month 1–12, day 1–31) from days since the epoch
/// (Howard Hinnant's algorithm).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Days since the epoch of a civil date.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Milliseconds of a Hanoi local date and time.
pub fn hanoi_ms(y: i64, mo: u32, d: u32, h: u32, mi: u32) -> Millis {
    days_from_civil(y, mo, d) * DAY + h as i64 * HOUR + mi as i64 * MINUTE - HANOI_OFFSET
}

/// Parses an HTML `datetime-local` value ("2026-11-24T08:00") as Hanoi time.
/// The Hanoi calendar day (days since 1970-01-01, UTC+7) an instant falls on.
pub fn hanoi_day(ms: Millis) -> i64 {
    (ms + HANOI_OFFSET).div_euclid(DAY)
}

/// "23/11" for a Hanoi calendar day number.
pub fn format_day(day: i64) -> String {
    let (_, m, d) = civil_from_days(day);
    format!("{d:02}/{m:02}")
}

pub fn parse_hanoi_local(s: &str) -> Option<Millis> {
    let (date, time) = s.trim().split_once('T')?;
    let mut d = date.split('-').map(|p| p.parse::<i64>().ok());
    let (y, mo, day) = (d.next()??, d.next()??, d.next()??);
    let mut t = time.split(':').map(|p| p.parse::<i64>().ok());
    let (h, mi) = (t.next()??, t.next()??);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&day) || !(0..24).contains(&h) || !(0..60).contains(&mi) {
        return None;
    }
    Some(hanoi_ms(y, mo as u32, day as u32, h as u32, mi as u32))
}

/// The `datetime-local` value of a time, in Hanoi time.
pub fn to_hanoi_local(ms: Millis) -> String {
    let local = ms + HANOI_OFFSET;
    let (y, m, d) = civil_from_days(local.div_euclid(DAY));
    let rem = local.rem_euclid(DAY);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}", rem / HOUR, (rem % HOUR) / MINUTE)
}

/// "HH:MM dd/mm/yyyy" in Hanoi time, the way Vietnamese notices write it.
pub fn format_hanoi(ms: Millis) -> String {
    let local = ms + HANOI_OFFSET;
    let days = local.div_euclid(DAY);
    let rem = local.rem_euclid(DAY);
    let (y, m, d) = civil_from_days(days);
    format!("{:02}:{:02} {:02}/{:02}/{}", rem / HOUR, (rem % HOUR) / MINUTE, d, m, y)
}

/// A countdown or a duration: "mm:ss", or "h:mm:ss" from one hour up; never negative.
pub fn format_duration(ms: Millis) -> String {
    let total = ms.max(0) / SECOND;
    let (h, m, s) = (total / 3600, (total % 3600) / 60, total % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m:02}:{s:02}")
    }
}

/// Round a duration in milliseconds up to whole seconds (for display of time used).
pub fn format_seconds(ms: Millis) -> String {
    let tenths = (ms.max(0) + 50) / 100;
    format!("{},{} giây", tenths / 10, tenths % 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hanoi_days_turn_at_local_midnight() {
        let midnight = hanoi_ms(2026, 11, 23, 0, 0);
        assert_eq!(hanoi_day(midnight), hanoi_day(midnight - 1) + 1);
        assert_eq!(hanoi_day(midnight), hanoi_day(midnight + DAY - 1));
        assert_eq!(format_day(hanoi_day(midnight)), "23/11");
    }

    #[test]
    fn civil_round_trip() {
        for days in [-1_000_000, -1, 0, 1, 19_576, 20_000, 2_000_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
    }

    #[test]
    fn hanoi_formatting() {
        // 7/8/2023 08:00 Hanoi = 01:00 UTC
        let ms = hanoi_ms(2023, 8, 7, 8, 0);
        assert_eq!(ms, 1_691_370_000_000);
        assert_eq!(format_hanoi(ms), "08:00 07/08/2023");
        assert_eq!(format_hanoi(hanoi_ms(2024, 2, 29, 23, 59)), "23:59 29/02/2024");
    }

    #[test]
    fn local_inputs() {
        let ms = parse_hanoi_local("2023-08-07T08:00").unwrap();
        assert_eq!(ms, hanoi_ms(2023, 8, 7, 8, 0));
        assert_eq!(to_hanoi_local(ms), "2023-08-07T08:00");
        assert_eq!(parse_hanoi_local("2023-13-07T08:00"), None);
        assert_eq!(parse_hanoi_local("hôm nay"), None);
    }

    #[test]
    fn durations() {
        assert_eq!(format_duration(0), "00:00");
        assert_eq!(format_duration(-5), "00:00");
        assert_eq!(format_duration(61_999), "01:01");
        assert_eq!(format_duration(15 * MINUTE), "15:00");
        assert_eq!(format_duration(HOUR + 5 * SECOND), "1:00:05");
        assert_eq!(format_seconds(12_340), "12,3 giây");
    }
}
