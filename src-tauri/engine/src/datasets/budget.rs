//! `--rows N` / `--rows N%`: how much of each split a download takes.

use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RowBudget {
    Rows(u64),
    /// A share of the split, in percent (0 < p ≤ 100).
    Percent(f64),
}

impl RowBudget {
    /// Reads what a person typed: `2000000`, `2_000_000`, `2,000,000`, `10%`, `0.5%`.
    pub fn parse(text: &str) -> Result<RowBudget> {
        let typed = text.trim();
        let hint = "give a number of rows (--rows 100000) or a share of the split (--rows 10%)";
        if let Some(number) = typed.strip_suffix('%') {
            let percent: f64 = number.trim().parse().map_err(|_| {
                Error::invalid(format!("--rows {typed:?} is not a percentage; {hint}"))
            })?;
            if !percent.is_finite() || percent <= 0.0 {
                return Err(Error::invalid(format!(
                    "--rows {typed} takes no rows; {hint}"
                )));
            }
            if percent > 100.0 {
                return Err(Error::invalid(format!(
                    "--rows {typed} is more than the whole split; give at most 100%, or leave --rows out to take every row"
                )));
            }
            return Ok(RowBudget::Percent(percent));
        }
        let digits: String = typed.chars().filter(|c| !matches!(c, '_' | ',')).collect();
        if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(Error::invalid(format!(
                "--rows {typed:?} is not a row count; {hint}"
            )));
        }
        let rows: u64 = digits
            .parse()
            .map_err(|_| Error::invalid(format!("--rows {typed} is too large a number; {hint}")))?;
        if rows == 0 {
            return Err(Error::invalid(format!("--rows 0 takes no rows; {hint}")));
        }
        Ok(RowBudget::Rows(rows))
    }

    pub fn is_percent(&self) -> bool {
        matches!(self, RowBudget::Percent(_))
    }

    /// The rows taken of a split of `total`: a share is rounded as `datasets` rounds
    /// `train[:10%]` (to the nearest row, ties to even).
    pub fn rows_of(&self, total: u64) -> u64 {
        match *self {
            RowBudget::Rows(n) => n.min(total),
            RowBudget::Percent(p) => ((p * total as f64) / 100.0).round_ties_even() as u64,
        }
    }

    /// The budget as the manifest and the card show it.
    pub fn label(&self) -> String {
        match *self {
            RowBudget::Rows(n) => n.to_string(),
            RowBudget::Percent(p) => format!("{p}%"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets_read_as_typed() {
        assert_eq!(RowBudget::parse("2000").unwrap(), RowBudget::Rows(2000));
        assert_eq!(
            RowBudget::parse("2_000_000").unwrap(),
            RowBudget::Rows(2_000_000)
        );
        assert_eq!(RowBudget::parse(" 10% ").unwrap(), RowBudget::Percent(10.0));
        assert_eq!(RowBudget::parse("0.5%").unwrap(), RowBudget::Percent(0.5));
        assert_eq!(RowBudget::parse("100%").unwrap().rows_of(7), 7);
        assert_eq!(RowBudget::parse("10%").unwrap().rows_of(1005), 100);
        assert_eq!(RowBudget::parse("50%").unwrap().rows_of(5), 2);
        assert_eq!(RowBudget::Rows(10).rows_of(3), 3);
    }

    #[test]
    fn bad_budgets_name_the_fix() {
        for (typed, says) in [
            ("0", "takes no rows"),
            ("0%", "takes no rows"),
            ("150%", "at most 100%"),
            ("abc", "not a row count"),
            ("-5", "not a row count"),
            ("x%", "not a percentage"),
            ("", "not a row count"),
        ] {
            let e = RowBudget::parse(typed).unwrap_err().to_string();
            assert!(e.contains(says) && e.contains("--rows"), "{typed}: {e}");
        }
    }
}
