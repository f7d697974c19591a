//! `approximateArrivalTimestamp`: seconds since the epoch with any number of decimals, an integer, or, from some
//! producers and emulators, milliseconds or microseconds since the epoch.

use serde_json::Value;

/// Above this a value cannot be seconds (it would be after the year 5000): it is milliseconds.
const MILLIS_FROM: f64 = 1e11;
/// Above this a value cannot be milliseconds (after the year 5000): it is microseconds.
const MICROS_FROM: f64 = 1e14;

/// Arrival time in milliseconds since the epoch, or `None` when absent or unusable (the record is still scored).
pub fn arrival_millis(value: &Value) -> Option<i64> {
    let number = match value {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => match s.trim().parse::<f64>() {
            Ok(n) => n,
            Err(_) => {
                return chrono::DateTime::parse_from_rfc3339(s.trim())
                    .ok()
                    .map(|t| t.timestamp_millis())
            }
        },
        _ => return None,
    };
    if !number.is_finite() || number <= 0.0 {
        return None;
    }
    let millis = if number >= MICROS_FROM {
        number / 1000.0
    } else if number >= MILLIS_FROM {
        number
    } else {
        number * 1000.0
    };
    Some(millis.round() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn millis(raw: &str) -> Option<i64> {
        arrival_millis(&serde_json::from_str::<Value>(raw).unwrap())
    }

    #[test]
    fn decimals_are_fractions_of_a_second() {
        assert_eq!(millis("1480641523.4"), Some(1_480_641_523_400));
        assert_eq!(millis("1480641523.47"), Some(1_480_641_523_470));
        assert_eq!(millis("1480641523.477"), Some(1_480_641_523_477));
        assert_eq!(millis("1480641523.4771"), Some(1_480_641_523_477));
        assert_eq!(millis("1701761035.582194"), Some(1_701_761_035_582));
        assert_eq!(millis("1701761035"), Some(1_701_761_035_000));
    }

    #[test]
    fn large_values_are_milliseconds_or_microseconds() {
        assert_eq!(millis("1701761035582"), Some(1_701_761_035_582));
        assert_eq!(millis("1701761035582194"), Some(1_701_761_035_582));
    }

    #[test]
    fn strings_and_junk() {
        assert_eq!(
            arrival_millis(&json!("1701761035.5")),
            Some(1_701_761_035_500)
        );
        assert_eq!(
            arrival_millis(&json!("2023-12-05T07:23:55.582Z")),
            Some(1_701_761_035_582)
        );
        assert_eq!(arrival_millis(&json!(null)), None);
        assert_eq!(arrival_millis(&json!("soon")), None);
        assert_eq!(arrival_millis(&json!(-1)), None);
    }
}
