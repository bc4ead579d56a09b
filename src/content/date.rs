//! Post dates: a calendar date with an optional time of day, read from TOML and written
//! in the forms templates and feeds need.

use std::fmt;

use serde::Serialize;

/// A post's date. Ordered chronologically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PostDate {
    pub year: u16,
    pub month: u8,
    pub day: u8,
    /// Seconds since midnight UTC (0 for a plain date).
    pub seconds: u32,
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

impl PostDate {
    pub fn from_toml(value: &toml::Value) -> Result<PostDate, String> {
        let dt = match value {
            toml::Value::Datetime(dt) => dt,
            toml::Value::String(s) => return Err(format!("\"{s}\" is a string, not a TOML date (remove the quotes)")),
            other => return Err(format!("expected a date, found a {}", other.type_str())),
        };
        let Some(date) = dt.date else {
            return Err("a time without a date".into());
        };
        let mut seconds = dt.time.map_or(0, |t| t.hour as i64 * 3600 + t.minute as i64 * 60 + t.second as i64);
        if let Some(toml::value::Offset::Custom { minutes }) = dt.offset {
            seconds -= minutes as i64 * 60;
        }
        // Keep the calendar date the author wrote; clamp the time into that day.
        let seconds = seconds.clamp(0, 86_399) as u32;
        Ok(PostDate { year: date.year, month: date.month, day: date.day, seconds })
    }

    /// Today's date (UTC) from the system clock.
    pub fn today() -> PostDate {
        PostDate { seconds: 0, ..PostDate::now() }
    }

    /// The current date and time of day (UTC) from the system clock.
    pub fn now() -> PostDate {
        let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let (year, month, day) = civil_from_days((secs / 86_400) as i64);
        PostDate { year: year as u16, month: month as u8, day: day as u8, seconds: (secs % 86_400) as u32 }
    }

    /// `2015-03-02T00:00:00Z`, for feeds and sitemaps.
    pub fn rfc3339(&self) -> String {
        let (h, m, s) = (self.seconds / 3600, self.seconds / 60 % 60, self.seconds % 60);
        format!("{self}T{h:02}:{m:02}:{s:02}Z")
    }

    /// `March 2, 2015`, for readers.
    pub fn human(&self) -> String {
        format!("{} {}, {}", MONTHS[(self.month as usize).saturating_sub(1).min(11)], self.day, self.year)
    }
}

impl fmt::Display for PostDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// A date as templates see it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct DateContext {
    /// `2015-03-02`
    pub iso: String,
    /// `March 2, 2015`
    pub human: String,
    /// `2015-03-02T00:00:00Z`
    pub rfc3339: String,
    pub year: u16,
}

impl From<PostDate> for DateContext {
    fn from(d: PostDate) -> Self {
        DateContext { iso: d.to_string(), human: d.human(), rfc3339: d.rfc3339(), year: d.year }
    }
}

/// Days since 1970-01-01 to (year, month, day), after Howard Hinnant's algorithm.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(16_496), (2015, 3, 2));
        assert_eq!(civil_from_days(20_453), (2025, 12, 31));
    }

    #[test]
    fn formats() {
        let v: toml::Value = toml::from_str::<toml::Table>("d = 2015-03-02T10:30:00+01:00").unwrap()["d"].clone();
        let d = PostDate::from_toml(&v).unwrap();
        assert_eq!(d.rfc3339(), "2015-03-02T09:30:00Z");
        assert_eq!(d.human(), "March 2, 2015");
        assert!(PostDate::from_toml(&toml::Value::String("2015-03-02".into()))
            .unwrap_err()
            .contains("remove the quotes"));
    }
}
