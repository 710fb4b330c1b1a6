//! Locking an account after failed logins, longer each time: the first
//! `free` failures in a row cost nothing; from then on every failure locks
//! the phone number for one minute, then two, four … up to an hour. A success
//! ends it; failures a day apart start again from zero.
use super::time::{Millis, DAY, HOUR, MINUTE};

pub const FIRST_LOCK_MS: Millis = MINUTE;
pub const LONGEST_LOCK_MS: Millis = HOUR;
/// Failures further apart than this do not add up.
pub const FORGET_AFTER_MS: Millis = DAY;

/// How long the account is locked after `failures` failures in a row.
pub fn lock_ms(failures: i64, free: i64) -> Millis {
    if failures < free.max(1) {
        return 0;
    }
    let doublings = (failures - free.max(1)).min(16) as u32;
    FIRST_LOCK_MS.saturating_mul(1 << doublings).min(LONGEST_LOCK_MS)
}

/// Whole minutes left (at least one) before a lock ends.
pub fn minutes_left(locked_until: Millis, now: Millis) -> i64 {
    ((locked_until - now).max(0) + MINUTE - 1) / MINUTE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_double_up_to_an_hour() {
        assert_eq!((0..5).map(|f| lock_ms(f, 5)).collect::<Vec<_>>(), vec![0; 5]);
        assert_eq!(lock_ms(5, 5), MINUTE);
        assert_eq!(lock_ms(6, 5), 2 * MINUTE);
        assert_eq!(lock_ms(7, 5), 4 * MINUTE);
        assert_eq!(lock_ms(11, 5), HOUR);
        assert_eq!(lock_ms(1_000, 5), HOUR);
        assert_eq!(lock_ms(1, 0), MINUTE, "at least one free try is meaningless to refuse: 0 counts as 1");
        assert_eq!(minutes_left(10 * MINUTE + 1, 0), 11);
        assert_eq!(minutes_left(5, 10), 0);
    }
}
