//! The memory budget: big requests are refused before they start, never aborted.
//!
//! Every analysis whose memory grows with a user's number (runs, N, units × indicators)
//! estimates what it needs and calls [`check`] first. The limit is, in order: the value set
//! with [`set_max_memory`] (CLI `--max-memory`, Python `zhili.set_max_memory`), the
//! environment variable `ZHILI_MAX_MEMORY`, else [`DEFAULT_FRACTION`] of the physical memory.
//! Sizes are written as bytes or with a unit: `512M`, `4G`, `1.5GiB`, `64k`.
//!
//! The large buffers themselves are allocated fallibly (`kernels/alloc.rs`), so even a request
//! under the limit that the system cannot serve is an [`Error::Memory`], not an abort.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{Error, Result};

/// The default limit as a fraction of physical memory.
pub const DEFAULT_FRACTION: f64 = 0.75;

/// The environment variable that sets the limit.
pub const ENV: &str = "ZHILI_MAX_MEMORY";

/// 0 = not set (the environment or the default decides).
static LIMIT: AtomicU64 = AtomicU64::new(0);

/// Set the limit for this process (`None` = back to `ZHILI_MAX_MEMORY` or the default).
pub fn set_max_memory(bytes: Option<u64>) {
    LIMIT.store(bytes.unwrap_or(0), Ordering::Relaxed);
}

/// The limit in force, in bytes.
///
/// # Errors
/// [`Error::Spec`] if `ZHILI_MAX_MEMORY` is set but is not a size.
pub fn max_memory() -> Result<u64> {
    match LIMIT.load(Ordering::Relaxed) {
        0 => match std::env::var(ENV) {
            Ok(s) if !s.trim().is_empty() => parse_size(&s).map_err(|m| Error::spec(ENV, m)),
            _ => Ok((physical_memory() as f64 * DEFAULT_FRACTION) as u64),
        },
        n => Ok(n),
    }
}

/// Refuse a request that needs more than the limit.
///
/// `what` names the request (`sensitivity analysis of N = 1000000000`), `why` says what the
/// memory is for (`the design: N(k + 2) × k numbers`), `bytes` is the estimate (saturating
/// arithmetic: an overflow counts as too much).
///
/// # Errors
/// [`Error::Memory`] when `bytes` exceeds [`max_memory`].
pub fn check(what: impl Into<String>, why: impl Into<String>, bytes: u128) -> Result<()> {
    check_against(max_memory()?, what, why, bytes)
}

fn check_against(limit: u64, what: impl Into<String>, why: impl Into<String>, bytes: u128) -> Result<()> {
    if bytes > u128::from(limit) {
        return Err(Error::Memory {
            what: what.into(),
            why: why.into(),
            needed: u64::try_from(bytes).unwrap_or(u64::MAX),
            limit,
        });
    }
    Ok(())
}

/// Bytes of `count` values of `size` bytes each, without overflow.
pub fn bytes(count: u128, size: usize) -> u128 {
    count.saturating_mul(size as u128)
}

/// Parse a size: `1000`, `64k`, `512M`, `4G`, `1.5GiB`, `2TB` (k = 1024).
///
/// # Errors
/// A message naming the text when it is not a positive size.
pub fn parse_size(s: &str) -> std::result::Result<u64, String> {
    let t = s.trim();
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let scale: u64 = match unit.trim().to_ascii_lowercase().trim_end_matches("ib").trim_end_matches('b') {
        "" => 1,
        "k" => 1 << 10,
        "m" => 1 << 20,
        "g" => 1 << 30,
        "t" => 1 << 40,
        _ => return Err(format!("`{}` is not a size (use e.g. 512M, 4G, 1.5GiB)", crate::text::cut(s))),
    };
    match num.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v * (scale as f64) < u64::MAX as f64 => Ok((v * scale as f64) as u64),
        _ => Err(format!(
            "`{}` is not a positive size (use e.g. 512M, 4G, 1.5GiB)",
            crate::text::cut(s)
        )),
    }
}

/// A size for people: `1.5 GiB`.
pub fn show(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["bytes", "KiB", "MiB", "GiB", "TiB"];
    let mut v = bytes as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{bytes} bytes")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

/// Physical memory in bytes (`sysconf` on Unix; 8 GiB assumed where it cannot be read).
pub fn physical_memory() -> u64 {
    const FALLBACK: u64 = 8 << 30;
    #[cfg(unix)]
    {
        // SAFETY: sysconf only reads system configuration values.
        let (pages, size) = unsafe { (libc::sysconf(libc::_SC_PHYS_PAGES), libc::sysconf(libc::_SC_PAGESIZE)) };
        if pages > 0 && size > 0 {
            return (pages as u64).saturating_mul(size as u64);
        }
    }
    FALLBACK
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_units() {
        assert_eq!(parse_size("1000"), Ok(1000));
        assert_eq!(parse_size("64k"), Ok(65536));
        assert_eq!(parse_size("512M"), Ok(512 << 20));
        assert_eq!(parse_size("4G"), Ok(4 << 30));
        assert_eq!(parse_size(" 1.5GiB "), Ok(3 << 29));
        assert_eq!(parse_size("2TB"), Ok(2 << 40));
        for bad in ["", "-1", "0", "lots", "4X", "1e400", "NaN"] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn shown_sizes_round() {
        assert_eq!(show(12), "12 bytes");
        assert_eq!(show(3 << 29), "1.5 GiB");
    }

    #[test]
    fn physical_memory_is_plausible() {
        let m = physical_memory();
        assert!(m >= 64 << 20, "{m}");
    }

    #[test]
    fn over_the_limit_is_refused_with_the_numbers() {
        let e = check_against(1 << 20, "a test", "a buffer", 2 << 20).expect_err("refused");
        assert!(check_against(1 << 20, "a test", "a buffer", 1 << 20).is_ok());
        let m = e.to_string();
        assert!(m.contains("2.0 MiB") && m.contains("1.0 MiB") && m.contains("--max-memory"), "{m}");
        assert!(m.contains("内存"), "{m}");
    }
}
