//! Fill colours of grade cells.

use zhili_indicators::{Band, GradingSpec};

/// Colours named by band ids or names, English and Chinese: `(words, 0xRRGGBB)`.
/// Soft fills, so black text stays readable when printed.
const NAMED: &[(&[&str], u32)] = &[
    (&["red", "红"], 0xF4_8C_8C),
    (&["orange", "橙"], 0xF8_C0_8A),
    (&["yellow", "黄"], 0xFF_E6_80),
    (&["green", "绿"], 0x9F_D9_9B),
    (&["blue", "蓝"], 0x9D_C3_E6),
];

/// Bands that name no colour: from the first (best) band to the last, green to red.
const RAMP: [u32; 5] = [0x9F_D9_9B, 0xD4_E8_9A, 0xFF_E6_80, 0xF8_C0_8A, 0xF4_8C_8C];

/// The fill colour (`0xRRGGBB`) of band `k` of `grading`: the colour the band's id or name
/// says (red / yellow / green for a three-colour grading, also 红 / 黄 / 绿), else a step on
/// a green → red ramp by the band's position (the first band, the highest scores, green).
pub fn band_colour(grading: &GradingSpec, k: usize) -> u32 {
    if let Some(c) = grading.bands.get(k).and_then(named) {
        return c;
    }
    let n = grading.bands.len().max(1);
    let step = if n == 1 { 0 } else { k * (RAMP.len() - 1) / (n - 1) };
    RAMP[step.min(RAMP.len() - 1)]
}

fn named(b: &Band) -> Option<u32> {
    let texts = [Some(b.id.as_str()), b.name.en.as_deref(), b.name.zh.as_deref()];
    texts.into_iter().flatten().find_map(|t| {
        let t = t.to_lowercase();
        NAMED
            .iter()
            .find(|(words, _)| words.iter().any(|w| t.starts_with(w)))
            .map(|(_, c)| *c)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_colours_and_a_ramp() {
        let g = GradingSpec::three_colour().expect("bundled");
        assert_eq!(band_colour(&g, 0), 0xF4_8C_8C);
        assert_eq!(band_colour(&g, 1), 0xFF_E6_80);
        assert_eq!(band_colour(&g, 2), 0x9F_D9_9B);
        let s = GradingSpec::score_grades().expect("bundled");
        assert_eq!(band_colour(&s, 0), RAMP[0]);
        assert_eq!(band_colour(&s, 3), RAMP[4]);
        assert_ne!(band_colour(&s, 1), band_colour(&s, 2));
    }
}
