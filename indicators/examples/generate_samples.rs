//! Seeded generator of the bundled SYNTHETIC sample data (`indicators/data/`).
//!
//! ```text
//! cargo run -p zhili-indicators --example generate_samples -- indicators/data
//! ```
//!
//! Deterministic: one ChaCha8 stream per data set, seeded from [`SEED`]; running it again
//! rewrites identical files. The model is documented in `indicators/data/README.md`:
//!
//! - Governance data (`kunming-14.csv`, `yunnan-129.csv`): per unit a latent governance factor
//!   `g ~ N(0, 1) + 0.3 u` (u = urbanisation by unit type), improving by `δ ~ N(0.25, 0.12)` a
//!   year; per indicator a loading `λ ∈ [0.5, 0.85]` and an urban effect `κ` on the raw value;
//!   quality `z = λ g_t + s κ u + √(1−λ²) ε` (s = +1 benefit, −1 cost) mapped into 8–92 % of the
//!   indicator's goalposts through the logistic approximation of Φ, reversed for cost
//!   indicators. Seed facts override the range: mediation success 88–99 %, sense of security
//!   ≈ 96 % (92.5–99.5), criminal cases falling 7–27 % a year (and the level following that
//!   change), zero-robbery days 225–339, grid coverage 97–100 %. A few cells are left missing.
//! - Grid-event log (`grid-events-log.csv`): 6 Yuxi units, 2023, ~30,000 events; rates,
//!   category mix, closure times (log-normal), repeats and satisfaction depend on a unit factor.
//! - Households (`households.csv`): Shuangbai's 8 townships, log-normal risk points per
//!   household with village and township effects; a few households graded by colour only.
//!
//! The derived tables `grid-events.csv` and `household-risk.csv` are computed with the crate's
//! own `grid_events::derive` and `household::roll_up`.
#![allow(clippy::unwrap_used)]

use std::error::Error;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use chrono::{Duration, NaiveDate, NaiveDateTime};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use zhili_indicators::grid_events::{self, DeriveOptions, CATEGORIES, ITEMS};
use zhili_indicators::household::{self, Level};
use zhili_indicators::GradingSpec;

/// Master seed of every synthetic data set.
const SEED: u64 = 2023_1122;

type Res<T> = Result<T, Box<dyn Error>>;

fn normal(rng: &mut ChaCha8Rng) -> f64 {
    StandardNormal.sample(rng)
}

/// Logistic approximation of the standard normal CDF (max error ≈ 0.01).
fn phi(z: f64) -> f64 {
    1.0 / (1.0 + (-1.702 * z).exp())
}

// ---------------------------------------------------------------- units

/// (id, Chinese name, prefecture id, prefecture Chinese name)
/// (prefecture id, Chinese name, [(unit id, Chinese name)])
type Prefecture = (&'static str, &'static str, &'static [(&'static str, &'static str)]);

const PREFECTURES: [Prefecture; 16] = [
    (
        "kunming",
        "昆明市",
        &[
            ("wuhua", "五华区"),
            ("panlong", "盘龙区"),
            ("guandu", "官渡区"),
            ("xishan", "西山区"),
            ("dongchuan", "东川区"),
            ("chenggong", "呈贡区"),
            ("jinning", "晋宁区"),
            ("anning", "安宁市"),
            ("fumin", "富民县"),
            ("yiliang", "宜良县"),
            ("songming", "嵩明县"),
            ("shilin", "石林彝族自治县"),
            ("luquan", "禄劝彝族苗族自治县"),
            ("xundian", "寻甸回族彝族自治县"),
        ],
    ),
    (
        "qujing",
        "曲靖市",
        &[
            ("qilin", "麒麟区"),
            ("zhanyi", "沾益区"),
            ("malong", "马龙区"),
            ("xuanwei", "宣威市"),
            ("fuyuan", "富源县"),
            ("luoping", "罗平县"),
            ("shizong", "师宗县"),
            ("luliang", "陆良县"),
            ("huize", "会泽县"),
        ],
    ),
    (
        "yuxi",
        "玉溪市",
        &[
            ("hongta", "红塔区"),
            ("jiangchuan", "江川区"),
            ("chengjiang", "澄江市"),
            ("tonghai", "通海县"),
            ("huaning", "华宁县"),
            ("yimen", "易门县"),
            ("eshan", "峨山彝族自治县"),
            ("xinping", "新平彝族傣族自治县"),
            ("yuanjiang", "元江哈尼族彝族傣族自治县"),
        ],
    ),
    (
        "baoshan",
        "保山市",
        &[
            ("longyang", "隆阳区"),
            ("shidian", "施甸县"),
            ("longling", "龙陵县"),
            ("changning", "昌宁县"),
            ("tengchong", "腾冲市"),
        ],
    ),
    (
        "zhaotong",
        "昭通市",
        &[
            ("zhaoyang", "昭阳区"),
            ("ludian", "鲁甸县"),
            ("qiaojia", "巧家县"),
            ("yanjin", "盐津县"),
            ("daguan", "大关县"),
            ("yongshan", "永善县"),
            ("suijiang", "绥江县"),
            ("zhenxiong", "镇雄县"),
            ("yiliang_zt", "彝良县"),
            ("weixin", "威信县"),
            ("shuifu", "水富市"),
        ],
    ),
    (
        "lijiang",
        "丽江市",
        &[
            ("gucheng", "古城区"),
            ("yulong", "玉龙纳西族自治县"),
            ("yongsheng", "永胜县"),
            ("huaping", "华坪县"),
            ("ninglang", "宁蒗彝族自治县"),
        ],
    ),
    (
        "puer",
        "普洱市",
        &[
            ("simao", "思茅区"),
            ("ninger", "宁洱哈尼族彝族自治县"),
            ("mojiang", "墨江哈尼族自治县"),
            ("jingdong", "景东彝族自治县"),
            ("jinggu", "景谷傣族彝族自治县"),
            ("zhenyuan", "镇沅彝族哈尼族拉祜族自治县"),
            ("jiangcheng", "江城哈尼族彝族自治县"),
            ("menglian", "孟连傣族拉祜族佤族自治县"),
            ("lancang", "澜沧拉祜族自治县"),
            ("ximeng", "西盟佤族自治县"),
        ],
    ),
    (
        "lincang",
        "临沧市",
        &[
            ("linxiang", "临翔区"),
            ("fengqing", "凤庆县"),
            ("yunxian", "云县"),
            ("yongde", "永德县"),
            ("zhenkang", "镇康县"),
            ("shuangjiang", "双江拉祜族佤族布朗族傣族自治县"),
            ("gengma", "耿马傣族佤族自治县"),
            ("cangyuan", "沧源佤族自治县"),
        ],
    ),
    (
        "chuxiong",
        "楚雄彝族自治州",
        &[
            ("chuxiong", "楚雄市"),
            ("shuangbai", "双柏县"),
            ("mouding", "牟定县"),
            ("nanhua", "南华县"),
            ("yaoan", "姚安县"),
            ("dayao", "大姚县"),
            ("yongren", "永仁县"),
            ("yuanmou", "元谋县"),
            ("wuding", "武定县"),
            ("lufeng", "禄丰市"),
        ],
    ),
    (
        "honghe",
        "红河哈尼族彝族自治州",
        &[
            ("mengzi", "蒙自市"),
            ("gejiu", "个旧市"),
            ("kaiyuan", "开远市"),
            ("mile", "弥勒市"),
            ("jianshui", "建水县"),
            ("shiping", "石屏县"),
            ("luxi", "泸西县"),
            ("lvchun", "绿春县"),
            ("yuanyang", "元阳县"),
            ("honghe", "红河县"),
            ("jinping", "金平苗族瑶族傣族自治县"),
            ("hekou", "河口瑶族自治县"),
            ("pingbian", "屏边苗族自治县"),
        ],
    ),
    (
        "wenshan",
        "文山壮族苗族自治州",
        &[
            ("wenshan", "文山市"),
            ("yanshan", "砚山县"),
            ("xichou", "西畴县"),
            ("malipo", "麻栗坡县"),
            ("maguan", "马关县"),
            ("qiubei", "丘北县"),
            ("guangnan", "广南县"),
            ("funing", "富宁县"),
        ],
    ),
    (
        "xishuangbanna",
        "西双版纳傣族自治州",
        &[("jinghong", "景洪市"), ("menghai", "勐海县"), ("mengla", "勐腊县")],
    ),
    (
        "dali",
        "大理白族自治州",
        &[
            ("dali", "大理市"),
            ("yangbi", "漾濞彝族自治县"),
            ("xiangyun", "祥云县"),
            ("binchuan", "宾川县"),
            ("midu", "弥渡县"),
            ("nanjian", "南涧彝族自治县"),
            ("weishan", "巍山彝族回族自治县"),
            ("yongping", "永平县"),
            ("yunlong", "云龙县"),
            ("eryuan", "洱源县"),
            ("jianchuan", "剑川县"),
            ("heqing", "鹤庆县"),
        ],
    ),
    (
        "dehong",
        "德宏傣族景颇族自治州",
        &[
            ("mangshi", "芒市"),
            ("ruili", "瑞丽市"),
            ("lianghe", "梁河县"),
            ("yingjiang", "盈江县"),
            ("longchuan", "陇川县"),
        ],
    ),
    (
        "nujiang",
        "怒江傈僳族自治州",
        &[
            ("lushui", "泸水市"),
            ("fugong", "福贡县"),
            ("gongshan", "贡山独龙族怒族自治县"),
            ("lanping", "兰坪白族普米族自治县"),
        ],
    ),
    (
        "diqing",
        "迪庆藏族自治州",
        &[("xianggelila", "香格里拉市"), ("deqin", "德钦县"), ("weixi", "维西傈僳族自治县")],
    ),
];

/// Kunming: approximate resident population (2020 census, rounded) and land area (km², rounded).
const KUNMING_DENOMINATORS: [(f64, f64); 14] = [
    (1_143_000.0, 398.0),
    (988_000.0, 862.0),
    (1_602_000.0, 552.0),
    (1_015_000.0, 791.0),
    (261_000.0, 1_859.0),
    (660_000.0, 461.0),
    (346_000.0, 1_336.0),
    (483_000.0, 1_313.0),
    (146_000.0, 994.0),
    (418_000.0, 1_914.0),
    (437_000.0, 1_357.0),
    (244_000.0, 1_777.0),
    (401_000.0, 4_378.0),
    (463_000.0, 3_966.0),
];

struct Unit {
    id: &'static str,
    name: &'static str,
    prefecture: &'static str,
    population: f64,
    area: f64,
    urban: f64,
    g: f64,
    trend: f64,
}

fn units(rng: &mut ChaCha8Rng) -> Vec<Unit> {
    let core = ["wuhua", "panlong", "guandu", "xishan", "chenggong"];
    let mut out = Vec::new();
    for (p, (pid, _, list)) in PREFECTURES.iter().enumerate() {
        for (k, (id, name)) in list.iter().enumerate() {
            let base = if core.contains(id) {
                1.6
            } else if name.ends_with('区') {
                0.8
            } else if name.ends_with('市') {
                0.4
            } else if name.contains("自治县") {
                -0.7
            } else {
                -0.3
            };
            let urban = base + 0.3 * normal(rng);
            let (population, area) = if p == 0 {
                KUNMING_DENOMINATORS[k]
            } else {
                let pop = (330_000.0 * (0.5 * normal(rng) + 0.4 * base).exp()).clamp(40_000.0, 1_500_000.0);
                let area = (2_600.0 * (0.5 * normal(rng) - 0.3 * base).exp()).clamp(300.0, 9_000.0);
                ((pop / 1000.0).round() * 1000.0, area.round())
            };
            let g = normal(rng) + 0.3 * urban;
            let trend = 0.25 + 0.12 * normal(rng);
            out.push(Unit {
                id,
                name,
                prefecture: pid,
                population,
                area,
                urban,
                g,
                trend,
            });
        }
    }
    out
}

// ---------------------------------------------------------------- governance indicators

struct Ind {
    id: String,
    cost: bool,
    lo: f64,
    hi: f64,
    unit: String,
}

/// Urban effect on the raw value (positive: cities have higher values).
fn urban_effect(id: &str) -> f64 {
    match id {
        "lawyers_per_10k" | "social_workers_per_10k" => 0.9,
        "social_orgs_per_10k" | "video_coverage_pct" | "online_services_pct" | "property_management_pct" => 0.6,
        "criminal_cases_per_10k" | "telecom_fraud_per_10k" | "fraud_losses_per_10k" | "petitions_per_10k" => 0.6,
        "platform_data_access_pct" | "fulltime_grid_workers_pct" | "volunteers_pct" => 0.3,
        "road_deaths_per_10k_vehicles" | "road_deaths_per_100k" | "police_arrival_min" | "red_households_pct" => -0.6,
        "election_turnout_pct" | "village_covenants_pct" => -0.3,
        _ => 0.0,
    }
}

fn decimals(unit: &str) -> usize {
    match unit {
        "%" | "minutes" | "hours" => 1,
        "days" | "count" => 0,
        "per 1e8 CNY" => 4,
        _ => 2,
    }
}

fn round_to(v: f64, d: usize) -> f64 {
    let f = 10f64.powi(d as i32);
    (v * f).round() / f
}

fn indicators() -> Res<Vec<Ind>> {
    let mut out: Vec<Ind> = Vec::new();
    for name in ["kunming-municipal", "kunming-county"] {
        let fw = zhili_indicators::get(name).ok_or("missing framework")?.framework()?;
        for &n in fw.indicators() {
            let node = &fw.nodes()[n];
            if out.iter().any(|i| i.id == node.id) {
                continue;
            }
            let [lo, hi] = node.goalposts.ok_or("indicator without goalposts")?;
            out.push(Ind {
                id: node.id.clone(),
                cost: node.direction == zhili_core::Direction::Cost,
                lo,
                hi,
                unit: node.unit.clone().unwrap_or_default(),
            });
        }
    }
    Ok(out)
}

const YEARS: [i64; 3] = [2021, 2022, 2023];

/// values[unit][year][indicator]
fn governance(rng: &mut ChaCha8Rng, us: &[Unit], inds: &[Ind]) -> Vec<Vec<Vec<f64>>> {
    let lambdas: Vec<f64> = inds.iter().map(|_| rng.gen_range(0.5..0.85)).collect();
    let mut out = Vec::with_capacity(us.len());
    for u in us {
        let mut per_year = Vec::new();
        let mut crime_level = f64::NAN;
        for (t, _) in YEARS.iter().enumerate() {
            let g = u.g + u.trend * t as f64;
            let mut row = Vec::with_capacity(inds.len());
            let mut yoy = f64::NAN;
            for (j, ind) in inds.iter().enumerate() {
                let l = lambdas[j];
                let s = if ind.cost { -1.0 } else { 1.0 };
                let z = l * g + s * urban_effect(&ind.id) * u.urban + (1.0 - l * l).sqrt() * normal(rng);
                let f = phi(z);
                let generic = |f: f64| {
                    let q = 0.08 + 0.84 * f;
                    if ind.cost {
                        ind.hi - (ind.hi - ind.lo) * q
                    } else {
                        ind.lo + (ind.hi - ind.lo) * q
                    }
                };
                let v = match ind.id.as_str() {
                    "mediation_success_pct" => 88.0 + 11.0 * f,
                    "sense_of_security_pct" => (96.0 + 1.1 * z).clamp(92.5, 99.5),
                    "criminal_cases_yoy_pct" => {
                        yoy = -7.0 - 20.0 * f;
                        yoy
                    }
                    "criminal_cases_per_10k" => {
                        // the level follows the year-on-year change (computed just before)
                        if t == 0 || crime_level.is_nan() {
                            crime_level = generic(f).min(ind.hi * 0.8);
                        } else {
                            crime_level *= 1.0 + yoy / 100.0;
                        }
                        crime_level
                    }
                    "zero_robbery_days" => 225.0 + 114.0 * f,
                    "grid_coverage_pct" => (97.0 + 4.0 * f).min(100.0),
                    _ => generic(f),
                };
                row.push(round_to(v, decimals(&ind.unit)));
            }
            per_year.push(row);
        }
        out.push(per_year);
    }
    out
}

/// Add a `data_note` column saying SYNTHETIC to every row of a wide table.
fn label(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16 * text.lines().count());
    for (i, l) in text.lines().enumerate() {
        out.push_str(l);
        out.push_str(if i == 0 { ",data_note\n" } else { ",SYNTHETIC\n" });
    }
    out
}

fn write(path: &Path, text: &str) -> Res<()> {
    std::fs::write(path, text)?;
    println!("wrote {} ({} bytes)", path.display(), text.len());
    Ok(())
}

fn num(v: f64) -> String {
    if v.is_nan() {
        String::new()
    } else {
        format!("{v}")
    }
}

fn governance_files(dir: &Path) -> Res<()> {
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    let us = units(&mut rng);
    let inds = indicators()?;
    // crime yoy must come before the crime level: reorder the evaluation order accordingly
    let yoy = inds.iter().position(|i| i.id == "criminal_cases_yoy_pct").ok_or("yoy")?;
    let lvl = inds.iter().position(|i| i.id == "criminal_cases_per_10k").ok_or("level")?;
    let mut order: Vec<usize> = (0..inds.len()).collect();
    order.swap(yoy, lvl);
    let ordered: Vec<Ind> = order
        .iter()
        .map(|&j| Ind {
            id: inds[j].id.clone(),
            cost: inds[j].cost,
            lo: inds[j].lo,
            hi: inds[j].hi,
            unit: inds[j].unit.clone(),
        })
        .collect();
    let gen = governance(&mut rng, &us, &ordered);
    // back to framework order
    let mut vals: Vec<Vec<Vec<f64>>> = gen
        .into_iter()
        .map(|ys| {
            ys.into_iter()
                .map(|row| {
                    let mut r = vec![f64::NAN; row.len()];
                    for (k, &j) in order.iter().enumerate() {
                        r[j] = row[k];
                    }
                    r
                })
                .collect()
        })
        .collect();
    // a few missing cells (never the crime pair, so the level/change stay consistent)
    let mut missing = Vec::new();
    while missing.len() < 12 {
        let i = if missing.len() < 5 {
            rng.gen_range(0..14)
        } else {
            rng.gen_range(14..us.len())
        };
        let t = if i < 14 { rng.gen_range(0..3) } else { 2 };
        let j = rng.gen_range(0..inds.len());
        if j == yoy || j == lvl || vals[i][t][j].is_nan() {
            continue;
        }
        vals[i][t][j] = f64::NAN;
        missing.push(format!("{} {} {}", us[i].id, YEARS[t], inds[j].id));
    }
    println!("missing cells: {}", missing.join("; "));

    let county = zhili_indicators::get("kunming-county").ok_or("county")?.framework()?;
    let county_ids: Vec<&str> = county.indicator_ids();

    let mut k14 = String::from("unit,name,year,population,area_km2");
    for ind in &inds {
        write!(k14, ",{}", ind.id)?;
    }
    k14.push('\n');
    for (t, y) in YEARS.iter().enumerate() {
        for (i, u) in us.iter().enumerate().take(14) {
            write!(k14, "{},{},{},{},{}", u.id, u.name, y, u.population, u.area)?;
            for v in &vals[i][t] {
                write!(k14, ",{}", num(*v))?;
            }
            k14.push('\n');
        }
    }
    write(&dir.join("kunming-14.csv"), &label(&k14))?;

    let mut y129 = String::from("unit,name,prefecture,year,population,area_km2");
    let cj: Vec<usize> = county_ids
        .iter()
        .map(|c| inds.iter().position(|i| i.id == *c).ok_or("county id"))
        .collect::<Result<_, _>>()?;
    for c in &county_ids {
        write!(y129, ",{c}")?;
    }
    y129.push('\n');
    for (i, u) in us.iter().enumerate() {
        write!(y129, "{},{},{},2023,{},{}", u.id, u.name, u.prefecture, u.population, u.area)?;
        for &j in &cj {
            write!(y129, ",{}", num(vals[i][2][j]))?;
        }
        y129.push('\n');
    }
    write(&dir.join("yunnan-129.csv"), &label(&y129))?;
    Ok(())
}

// ---------------------------------------------------------------- grid events

/// 6 Yuxi units: (id, name, approximate population (rounded, illustrative)).
const YUXI: [(&str, &str, f64); 6] = [
    ("hongta", "红塔区", 510_000.0),
    ("jiangchuan", "江川区", 280_000.0),
    ("chengjiang", "澄江市", 170_000.0),
    ("tonghai", "通海县", 300_000.0),
    ("huaning", "华宁县", 210_000.0),
    ("yimen", "易门县", 170_000.0),
];

fn fmt_ts(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

fn grid_event_files(dir: &Path) -> Res<()> {
    let mut rng = ChaCha8Rng::seed_from_u64(SEED + 1);
    let start = NaiveDate::from_ymd_opt(2023, 1, 1)
        .ok_or("date")?
        .and_hms_opt(0, 0, 0)
        .ok_or("time")?;
    let end = NaiveDate::from_ymd_opt(2023, 12, 31)
        .ok_or("date")?
        .and_hms_opt(23, 59, 0)
        .ok_or("time")?;
    let minutes_in_year = (end - start).num_minutes();
    let median_hours = [6.0, 20.0, 60.0, 18.0];
    let mut log = String::from("unit,category,item,reported_at,closed_at,status,satisfaction,location\n");
    let mut pop_csv = String::from("unit,name,population\n");
    let mut n_events = 0usize;
    for (uid, name, pop) in YUXI {
        writeln!(pop_csv, "{uid},{name},{pop}")?;
        let q: f64 = normal(&mut rng);
        let rate = 200.0 * (0.15 * normal(&mut rng)).exp(); // events per 10k per year
        let n = (pop / 10_000.0 * rate).round() as usize;
        let shares = [
            0.20 * (-0.15 * q).exp(),
            0.38 * (0.1 * q).exp(),
            0.14 * (-0.25 * q).exp(),
            0.28 * (0.2 * q).exp(),
        ];
        let total: f64 = shares.iter().sum();
        let repeat_p = (0.09 - 0.03 * q).clamp(0.02, 0.2);
        let grids = (pop / 1_500.0).round() as usize;
        let mut k = 0;
        while k < n {
            // category and item
            let mut r = rng.gen::<f64>() * total;
            let mut c = 0;
            while c < 3 && r >= shares[c] {
                r -= shares[c];
                c += 1;
            }
            let items: Vec<usize> = (0..ITEMS.len()).filter(|&i| ITEMS[i].category == c).collect();
            let item = items[rng.gen_range(0..items.len())];
            let grid = ((rng.gen::<f64>().powf(1.6)) * grids as f64) as usize; // some grids are busier
            let day_minute = {
                let h = (13.0 + 3.5 * normal(&mut rng)).clamp(0.0, 23.9);
                (h * 60.0) as i64
            };
            let day = rng.gen_range(0..365) as i64;
            let mut times = vec![start + Duration::days(day) + Duration::minutes(day_minute)];
            if rng.gen::<f64>() < repeat_p {
                times.push(times[0] + Duration::minutes(rng.gen_range(60..(25 * 24 * 60))));
            }
            for reported in times {
                if (reported - start).num_minutes() > minutes_in_year {
                    continue;
                }
                let hours = median_hours[c] * (-0.25 * q + 0.9 * normal(&mut rng)).exp();
                let closed = reported + Duration::minutes((hours * 60.0).max(5.0) as i64);
                let never = rng.gen::<f64>() < 0.004;
                let (closed_s, status, sat) = if closed > end || never {
                    (String::new(), "open", String::new())
                } else {
                    let late = hours > CATEGORIES[c].default_deadline_hours;
                    let sat = if rng.gen::<f64>() < 0.6 {
                        let s = (4.3 + 0.25 * q - if late { 0.9 } else { 0.0 } + 0.7 * normal(&mut rng))
                            .round()
                            .clamp(1.0, 5.0);
                        format!("{s}")
                    } else {
                        String::new()
                    };
                    (fmt_ts(closed), "closed", sat)
                };
                writeln!(
                    log,
                    "{uid},{},{},{},{closed_s},{status},{sat},{uid}-g{grid:03}",
                    CATEGORIES[c].id,
                    ITEMS[item].id,
                    fmt_ts(reported)
                )?;
                n_events += 1;
                k += 1;
            }
        }
    }
    println!("grid events: {n_events}");
    write(&dir.join("grid-events-log.csv"), &log)?;
    write(&dir.join("grid-events-population.csv"), &pop_csv)?;

    // derived indicator table, computed by the crate itself
    let events = grid_events::events_from_csv(&log, "grid-events-log.csv")?;
    let pops = grid_events::population_from_csv(&pop_csv, "grid-events-population.csv")?;
    let d = grid_events::derive(&events, &pops, &DeriveOptions::default())?;
    for w in &d.log {
        println!("warning: {w:?}");
    }
    let ds = &d.dataset;
    let mut out = String::from("unit,name,population,events");
    for id in ds.indicator_ids() {
        write!(out, ",{id}")?;
    }
    out.push('\n');
    for (i, (uid, name, pop)) in YUXI.iter().enumerate() {
        write!(out, "{uid},{name},{pop},{}", ds.numeric()["events"][i])?;
        for v in ds.values().row(i) {
            write!(out, ",{}", num(*v))?;
        }
        out.push('\n');
    }
    write(&dir.join("grid-events.csv"), &label(&out))?;
    Ok(())
}

// ---------------------------------------------------------------- households

/// Shuangbai county's 8 townships and the number of villages generated for each.
const SHUANGBAI: [(&str, &str, usize); 8] = [
    ("tuodian", "妥甸镇", 14),
    ("dazhuang", "大庄镇", 13),
    ("fabiao", "法脿镇", 9),
    ("ejia", "鄂嘉镇", 11),
    ("damaidi", "大麦地镇", 10),
    ("anlongbao", "安龙堡乡", 6),
    ("ainishan", "爱尼山乡", 7),
    ("dutian", "独田乡", 7),
];

#[allow(clippy::needless_range_loop)]
fn household_files(dir: &Path) -> Res<()> {
    let mut rng = ChaCha8Rng::seed_from_u64(SEED + 2);
    let mut csv = String::from("household,township,village,points,colour\n");
    for (tid, _, nv) in SHUANGBAI {
        let t_eff = 0.25 * normal(&mut rng);
        for v in 1..=nv {
            let v_eff = t_eff + 0.3 * normal(&mut rng);
            let nh = rng.gen_range(30..90);
            for h in 1..=nh {
                let p = (14.0 * (v_eff + 0.75 * normal(&mut rng)).exp()).min(100.0).round();
                if rng.gen::<f64>() < 0.03 {
                    // graded by the village committee without recorded points
                    let colour = if p >= 60.0 {
                        "red"
                    } else if p >= 30.0 {
                        "yellow"
                    } else {
                        "green"
                    };
                    writeln!(csv, "{tid}-v{v:02}-h{h:03},{tid},{tid}-v{v:02},,{colour}")?;
                } else {
                    writeln!(csv, "{tid}-v{v:02}-h{h:03},{tid},{tid}-v{v:02},{p},")?;
                }
            }
        }
    }
    write(&dir.join("households.csv"), &csv)?;
    let hs = household::households_from_csv(&csv, "households.csv")?;
    let g = GradingSpec::three_colour()?;
    let r = household::roll_up(&hs, &g, Level::Village)?;
    let ds = &r.dataset;
    let mut out = String::from("unit,township,households,red,yellow,green");
    for id in ds.indicator_ids() {
        write!(out, ",{id}")?;
    }
    out.push('\n');
    let town = &ds.groups()["township"];
    for i in 0..ds.n_units() {
        write!(
            out,
            "{},{},{},{},{},{}",
            ds.unit_ids()[i],
            town[i].as_deref().unwrap_or(""),
            ds.numeric()["households"][i],
            ds.numeric()["red"][i],
            ds.numeric()["yellow"][i],
            ds.numeric()["green"][i]
        )?;
        for v in ds.values().row(i) {
            write!(out, ",{}", num(*v))?;
        }
        out.push('\n');
    }
    write(&dir.join("household-risk.csv"), &label(&out))?;
    Ok(())
}

fn main() -> Res<()> {
    let dir: PathBuf = std::env::args()
        .nth(1)
        .map_or_else(|| PathBuf::from("indicators/data"), PathBuf::from);
    governance_files(&dir)?;
    grid_event_files(&dir)?;
    household_files(&dir)?;
    Ok(())
}
