//! The language people read: every table header, sheet, chart label and report uses one
//! [`Lang`], chosen by `--lang zh|en` (Python `lang=`), else the framework's own language,
//! else the system locale, else English.

use zhili_core::Framework;

/// A display language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// 中文.
    Zh,
    /// English.
    En,
}

impl Lang {
    /// Parse `zh` / `en` (also `zh-CN`, `zh_CN.UTF-8`, `en-US`, `中文`, `english`), case-insensitive.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim().to_ascii_lowercase();
        if s.starts_with("zh") || s == "中文" || s == "cn" || s == "chinese" {
            Some(Self::Zh)
        } else if s.starts_with("en") || s == "english" {
            Some(Self::En)
        } else {
            None
        }
    }

    /// The framework's own language: Chinese when most nodes have a Chinese name, English when
    /// they have only English names, `None` when the names do not decide.
    pub fn of_framework(fw: &Framework) -> Option<Self> {
        let (mut zh, mut en) = (0usize, 0usize);
        for n in fw.nodes() {
            zh += usize::from(n.name.zh.is_some());
            en += usize::from(n.name.en.is_some());
        }
        if zh == 0 && en == 0 {
            None
        } else if zh * 2 >= fw.nodes().len() {
            Some(Self::Zh)
        } else {
            Some(Self::En)
        }
    }

    /// The system locale (`LC_ALL`, `LC_MESSAGES`, `LANG`), if it names zh or en.
    pub fn of_locale() -> Option<Self> {
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|k| std::env::var(k).ok())
            .find(|v| !v.is_empty())
            .and_then(|v| Self::parse(&v))
    }

    /// The documented default: `explicit`, else the framework's language, else the locale, else English.
    pub fn resolve(explicit: Option<Self>, fw: Option<&Framework>) -> Self {
        explicit
            .or_else(|| fw.and_then(Self::of_framework))
            .or_else(Self::of_locale)
            .unwrap_or(Self::En)
    }

    /// `"zh"` or `"en"`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Zh => "zh",
            Self::En => "en",
        }
    }

    /// Pick the text of this language from a pair.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Self::Zh => zh,
            Self::En => en,
        }
    }

    /// A node's name in this language, falling back to the other language, then to its id.
    pub fn node_label(self, fw: &Framework, node: usize) -> String {
        let n = &fw.nodes()[node];
        let (first, second) = match self {
            Self::Zh => (&n.name.zh, &n.name.en),
            Self::En => (&n.name.en, &n.name.zh),
        };
        first.clone().or_else(|| second.clone()).unwrap_or_else(|| n.id.clone())
    }
}

impl std::str::FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s).ok_or_else(|| format!("unknown language `{s}` (use zh or en)"))
    }
}

/// Shared header words, so every writer and table says the same thing.
pub mod words {
    use super::Lang;

    /// `(id, 中文, English)`.
    const WORDS: &[(&str, &str, &str)] = &[
        ("rank", "排名", "Rank"),
        ("unit", "单位代码", "Unit"),
        ("name", "名称", "Name"),
        ("index", "指数", "Index"),
        ("grade", "等级", "Grade"),
        ("score", "得分", "Score"),
        ("node", "节点", "Node"),
        ("parent", "上级", "Parent"),
        ("weight", "权重", "Weight"),
        ("nominal_weight", "名义权重", "Nominal weight"),
        ("effective_weight", "有效权重", "Effective weight"),
        ("direction", "方向", "Direction"),
        ("level", "层级", "Level"),
        ("year", "年份", "Year"),
        ("step", "步骤", "Step"),
        ("action", "操作", "Action"),
        ("indicator", "指标", "Indicator"),
        ("detail", "说明", "Detail"),
        ("value", "数值", "Value"),
        ("log_level", "级别", "Level"),
        ("nominal_rank", "名义排名", "Nominal rank"),
        ("median_rank", "排名中位数", "Median rank"),
        ("mean_rank", "平均排名", "Mean rank"),
        ("q05", "5% 分位排名", "5th percentile rank"),
        ("q95", "95% 分位排名", "95th percentile rank"),
        ("mean_shift", "平均排名变动", "Mean absolute rank shift"),
    ];

    /// The word `id` in `lang`; the id itself when it is not in the list.
    pub fn get(id: &str, lang: Lang) -> &str {
        WORDS.iter().find(|(k, _, _)| *k == id).map_or(id, |(_, zh, en)| lang.pick(zh, en))
    }
}
