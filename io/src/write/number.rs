//! Numbers as text: the shortest decimal that reads back as the same `f64`.

/// Appends `v` in its shortest round-trip form, as `format!("{v}")` writes it wherever
/// `ryu` writes a plain decimal (1e-5 ≤ |v| < 1e16, and zero): `1` not `1.0`, `-0` for −0.
/// The one difference inside that range: when the exact binary value lies halfway between
/// two shortest decimals, `ryu` takes the even last digit and `format!` the upper one
/// (`-108322423625250.125` → `…250.12` vs `…250.13`); both read back as the same `f64`.
/// Outside that range the exponent form of `ryu` (`1e16`, `1.5e-7`) is kept: it is shorter
/// than Rust's plain expansion and every CSV reader parses it. NaN appends nothing (a
/// missing value is an empty cell); ±∞ append `inf` / `-inf` as `format!` does.
///
/// ```text
/// parse(text(v)) == v   bit for bit, for every finite v
/// ```
pub fn push_f64(out: &mut Vec<u8>, buf: &mut ryu::Buffer, v: f64) {
    if v.is_nan() {
        return;
    }
    if v.is_infinite() {
        out.extend_from_slice(if v > 0.0 { b"inf" } else { b"-inf" });
        return;
    }
    let s = buf.format_finite(v).as_bytes();
    out.extend_from_slice(s.strip_suffix(b".0").unwrap_or(s));
}

/// `v` as text (see [`push_f64`]); an empty string for NaN.
pub fn f64_text(v: f64) -> String {
    let mut out = Vec::with_capacity(24);
    push_f64(&mut out, &mut ryu::Buffer::new(), v);
    // ryu writes ASCII only.
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Where ryu writes no exponent, the bytes are exactly Rust's `Display`.
    fn plain_range(v: f64) -> bool {
        v == 0.0 || (1e-5..1e16).contains(&v.abs())
    }

    #[test]
    fn known_values() {
        for (v, want) in [
            (1.0, "1"),
            (-0.0, "-0"),
            (0.1, "0.1"),
            (100.0, "100"),
            (1.0 / 3.0, "0.3333333333333333"),
            (123456.789, "123456.789"),
            (1e16, "1e16"),
            (1.5e-7, "1.5e-7"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (f64::NAN, ""),
        ] {
            assert_eq!(f64_text(v), want, "{v:?}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]
        #[test]
        fn same_bytes_as_display_where_plain(bits in any::<u64>()) {
            let v = f64::from_bits(bits);
            prop_assume!(v.is_finite());
            let got = f64_text(v);
            prop_assert_eq!(got.parse::<f64>().map(f64::to_bits).ok(), Some(v.to_bits()), "{}", got);
            if plain_range(v) {
                let want = format!("{v}");
                if got != want {
                    // only a halfway tie in the last digit: same length, same f64, one apart
                    prop_assert_eq!(got.len(), want.len(), "{} vs {}", got, want);
                    prop_assert_eq!(want.parse::<f64>().map(f64::to_bits).ok(), Some(v.to_bits()));
                    prop_assert_eq!(&got[..got.len() - 1], &want[..want.len() - 1]);
                    let (a, b) = (got.as_bytes()[got.len() - 1], want.as_bytes()[want.len() - 1]);
                    prop_assert!(b == a + 1 && a % 2 == 0, "{} vs {}", got, want);
                }
            }
        }

        #[test]
        fn same_bytes_as_display_on_scores(v in -1.0e6f64..1.0e6) {
            prop_assume!(plain_range(v));
            prop_assert_eq!(f64_text(v), format!("{v}"));
        }
    }
}
