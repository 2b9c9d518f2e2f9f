//! The common line of a data file, split and parsed in one pass: a line without quotes or
//! a lone `\r` whose fields are as many as the header's. Numbers of the common form
//! `-?d+(.d+)?` with at most 15 digits are computed on the spot (exact: see
//! [`simple_decimal`]); any other number cell goes to [`layout::parse_number`]. A line the
//! fast path is not sure of (a quote, a lone `\r`, the wrong number of fields, a blank line,
//! a cell that is not a number) is left to the tokenizer, which reads it exactly as before,
//! errors included — so the results are the same bytes either way.

use ndarray::ArrayViewMut2;

use super::layout::{self, Layout, Role};

/// What a line parsed besides its indicator cells (those are written straight into the
/// matrix): text fields (ranges into the input) and denominators, in column order.
#[derive(Debug, Default)]
pub(crate) struct Line {
    /// The unit, name, time and other fields, in column order.
    pub(crate) texts: Vec<(usize, usize)>,
    /// The denominator cells, in column order.
    pub(crate) denominators: Vec<f64>,
}

/// Parse the line at `b[pos..]` as row `r`: indicator cells into `out`, the rest into
/// `line`. Returns where the next line starts, or `None` when the tokenizer must read this
/// line (cells of `out`'s row `r` may then have been written; the tokenizer's row or the
/// next line's overwrites them, as every row writes every indicator).
pub(crate) fn parse(b: &[u8], pos: usize, lay: &Layout, out: &mut ArrayViewMut2<'_, f64>, r: usize, line: &mut Line) -> Option<usize> {
    line.texts.clear();
    line.denominators.clear();
    let width = lay.roles.len();
    let mut p = pos;
    let mut blank = true;
    for (j, role) in lay.roles.iter().enumerate() {
        let last = j + 1 == width;
        let end = match *role {
            Role::Indicator(_) | Role::Denominator(_) => {
                let (v, end) = match simple_decimal(b, p) {
                    Some((v, e)) if next_field(b, e, last).is_some() => (v, e),
                    _ => {
                        let e = field_end(b, p)?;
                        // A bad cell: the tokenizer's path counts and names it.
                        (layout::parse_number(b[p..e].trim_ascii())?, e)
                    }
                };
                match *role {
                    Role::Indicator(k) => *out.get_mut((r, k))? = v,
                    _ => line.denominators.push(v),
                }
                end
            }
            Role::Skipped => field_end(b, p)?,
            Role::Unit | Role::Name | Role::Time | Role::Other(_) => {
                let e = field_end(b, p)?;
                line.texts.push((p, e));
                e
            }
        };
        blank = blank && b[p..end].trim_ascii().is_empty();
        p = next_field(b, end, last)?;
    }
    (!blank).then_some(p)
}

/// Where the unquoted field at `p` ends (at `,`, `\n`, `\r` or the end of the input);
/// `None` at a quote.
fn field_end(b: &[u8], p: usize) -> Option<usize> {
    let mut i = p;
    while let Some(&c) = b.get(i) {
        match c {
            b',' | b'\n' | b'\r' => return Some(i),
            b'"' => return None,
            _ => i += 1,
        }
    }
    Some(i)
}

/// After a field ending at `end`: where the next field starts (`,` between fields; `\n`,
/// `\r\n` or the end of the input after the last one); `None` otherwise.
fn next_field(b: &[u8], end: usize, last: bool) -> Option<usize> {
    match (b.get(end), last) {
        (Some(b','), false) | (Some(b'\n'), true) => Some(end + 1),
        (Some(b'\r'), true) if b.get(end + 1) == Some(&b'\n') => Some(end + 2),
        (None, true) => Some(end),
        _ => None,
    }
}

const POW10: [f64; 16] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/// `-?d+(.d+)?` with at most 15 digits at `b[i..]`: its value and where it ends.
///
/// ```text
/// value = ± m / 10^f    m < 10^15 < 2^53 and 10^f (f ≤ 15) are exact doubles, and one IEEE
///                       division rounds the exact quotient correctly (Clinger's fast path)
/// ```
/// so the result is the correctly rounded value, bit for bit what any correct parser
/// (`fast-float2`, `str::parse`) gives. `None` for any other form (exponent, more digits,
/// `.5`, `1.`, `+1`, a lone `-`).
pub(crate) fn simple_decimal(b: &[u8], mut i: usize) -> Option<(f64, usize)> {
    let neg = b.get(i) == Some(&b'-');
    if neg {
        i += 1;
    }
    let mut m: u64 = 0;
    let start = i;
    while let Some(&d) = b.get(i).filter(|d| d.is_ascii_digit()) {
        m = m.wrapping_mul(10).wrapping_add(u64::from(d - b'0'));
        i += 1;
    }
    let int_digits = i - start;
    let mut frac = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let f0 = i;
        while let Some(&d) = b.get(i).filter(|d| d.is_ascii_digit()) {
            m = m.wrapping_mul(10).wrapping_add(u64::from(d - b'0'));
            i += 1;
        }
        frac = i - f0;
        if frac == 0 {
            return None;
        }
    }
    if int_digits == 0 || int_digits + frac > 15 {
        return None;
    }
    let v = m as f64 / POW10[frac];
    Some((if neg { -v } else { v }, i))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn forms() {
        assert_eq!(simple_decimal(b"57.3,", 0), Some((57.3, 4)));
        assert_eq!(
            simple_decimal(b"-0", 0).map(|(v, e)| (v.to_bits(), e)),
            Some(((-0.0f64).to_bits(), 2))
        );
        assert_eq!(simple_decimal(b"x,406\n", 2), Some((406.0, 5)));
        assert_eq!(simple_decimal(b"123456789012345", 0), Some((123456789012345.0, 15)));
        for s in ["", "-", ".5", "1.", "+1", "1234567890123456", "1.234567890123456", "NA"] {
            assert_eq!(simple_decimal(s.as_bytes(), 0), None, "{s}");
        }
        // stops at the first byte that is not part of the form
        assert_eq!(simple_decimal(b"1e5", 0), Some((1.0, 1)));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]
        /// Bit for bit what the standard library's (correctly rounded) parser gives.
        #[test]
        fn same_bits_as_std(int in 0u64..10_000_000_000, frac in 0u64..100_000, fd in 0usize..6, neg in any::<bool>()) {
            let s = match fd {
                0 => format!("{}{int}", if neg { "-" } else { "" }),
                _ => format!("{}{int}.{:0fd$}", if neg { "-" } else { "" }, frac % 10u64.pow(fd as u32)),
            };
            let want: f64 = s.parse().unwrap();
            let got = simple_decimal(s.as_bytes(), 0);
            let digits = s.bytes().filter(u8::is_ascii_digit).count();
            if digits <= 15 {
                prop_assert_eq!(got.map(|(v, e)| (v.to_bits(), e)), Some((want.to_bits(), s.len())), "{}", s);
            } else {
                prop_assert_eq!(got, None);
            }
        }
    }
}
