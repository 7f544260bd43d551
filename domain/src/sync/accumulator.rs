//! The key of a person's year-to-date figures for one cap pool: the tablet files the server's
//! figures under it and looks them up when it settles the person's next visit.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// `{person}|{year}|{pool}` on the wire and in storage.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AccumulatorKey {
    /// The person's ID number.
    pub person: String,
    pub year: i32,
    /// The policy's cap pool of the benefit (several benefits may share one).
    pub pool: String,
}

impl AccumulatorKey {
    pub fn new(person: &str, year: i32, pool: &str) -> AccumulatorKey {
        AccumulatorKey {
            person: person.to_string(),
            year,
            pool: pool.to_string(),
        }
    }
}

impl fmt::Display for AccumulatorKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}|{}|{}", self.person, self.year, self.pool)
    }
}

impl FromStr for AccumulatorKey {
    type Err = String;
    fn from_str(s: &str) -> Result<AccumulatorKey, String> {
        let mut parts = s.splitn(3, '|');
        match (parts.next(), parts.next(), parts.next()) {
            (Some(person), Some(year), Some(pool)) if !person.is_empty() => Ok(AccumulatorKey {
                person: person.to_string(),
                year: year.parse().map_err(|_| format!("bad year in {s:?}"))?,
                pool: pool.to_string(),
            }),
            _ => Err(format!("not an accumulator key: {s:?}")),
        }
    }
}

impl Serialize for AccumulatorKey {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for AccumulatorKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<AccumulatorKey, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_back_what_it_writes() {
        let key = AccumulatorKey::new("11010519491231002X", 2026, "general_outpatient");
        assert_eq!(
            key.to_string(),
            "11010519491231002X|2026|general_outpatient"
        );
        assert_eq!(key.to_string().parse::<AccumulatorKey>(), Ok(key.clone()));
        let json = serde_json::to_string(&key).unwrap();
        assert_eq!(serde_json::from_str::<AccumulatorKey>(&json).unwrap(), key);
        assert!("no-bars".parse::<AccumulatorKey>().is_err());
        assert!("p|year|pool".parse::<AccumulatorKey>().is_err());
    }
}
