//! The language people read: every table header, sheet, chart label and report uses one
//! [`Lang`], chosen by `--lang zh|en` (Python `lang=`), else the framework's own language,
//! else the system locale, else English.

use zhili_core::framework::Name;
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

    /// The framework's own language: its document's `lang` when it says one, else Chinese when
    /// most nodes have a Chinese name, English when they have only English names, `None` when
    /// the names do not decide.
    pub fn of_framework(fw: &Framework) -> Option<Self> {
        if let Some(l) = fw.spec().lang.as_deref().and_then(Self::parse) {
            return Some(l);
        }
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

    /// A bilingual name in this language, else in the other language (`None` when it has none).
    pub fn name(self, name: &Name) -> Option<&str> {
        let (first, second) = match self {
            Self::Zh => (&name.zh, &name.en),
            Self::En => (&name.en, &name.zh),
        };
        first.as_deref().or(second.as_deref())
    }

    /// A node's name in this language, falling back to the other language, then to its id.
    pub fn node_label(self, fw: &Framework, node: usize) -> String {
        let n = &fw.nodes()[node];
        self.name(&n.name).unwrap_or(&n.id).to_owned()
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
        ("none", "（无）", "(none)"),
        ("kept", "保留原值", "kept"),
        ("weight_in_group", "组内权重", "Weight (in group)"),
        ("problem", "问题", "Problem"),
        ("message", "说明", "Message"),
        ("description", "说明", "Description"),
        ("indicators", "指标数", "Indicators"),
        ("sample_data", "样例数据", "Sample data"),
        ("factor", "因素", "Factor"),
        ("first_order", "一阶指数 S", "S (first order)"),
        ("total_order", "总效应指数 ST", "ST (total)"),
        ("ci", "置信区间", "CI"),
        ("available", "可用率", "Available"),
        ("non_zero", "非零率", "Non-zero"),
        ("unique", "唯一值率", "Unique"),
        ("skew", "偏度", "Skew"),
        ("kurtosis", "峰度", "Kurtosis"),
        ("flags", "标记", "Flags"),
        ("low_availability", "可用率低", "low availability"),
        ("many_zeros", "零值多", "many zeros"),
        ("few_unique", "唯一值少", "few unique"),
        ("outliers", "有离群值", "outliers"),
        ("kind", "类型", "Kind"),
        ("element_a", "元素 A", "A"),
        ("element_b", "元素 B", "B"),
        ("r", "相关系数 r", "r"),
        ("children", "下级数", "Children"),
        ("cronbach_alpha", "Cronbach α", "Cronbach α"),
        ("pc1_variance", "第一主成分方差占比", "PC1 variance"),
        ("r2_parent", "与上级 r²", "r² parent"),
        ("r2_index_share", "与指数 r² 占比", "r² index share"),
        ("eta2_index_share", "与指数 η² 占比", "η² index share"),
        ("remove_one_shift", "剔除后平均 |Δ排名|", "Mean |Δrank| without it"),
        (
            "audit_adequacy",
            "数据充分性（{stage} 阶段）：有标记的指标",
            "Data adequacy ({stage} stage): indicators with a flag",
        ),
        ("audit_flags", "相关性标记", "Correlation flags"),
        ("audit_structure", "各聚合节点的结构", "Structure of each aggregate"),
        (
            "audit_importance",
            "有效权重与重要性（与指数的 r² 和相关比 η²，层内占比）及剔除单项后的排名变动",
            "Effective weight vs importance (r² and correlation ratio η² with the index, share within level), and remove-one rank shifts",
        ),
    ];

    /// Headings and labels of the HTML report (`zhili report`, `Results.to_html_report`).
    pub const REPORT: &[(&str, &str, &str)] = &[
        ("report_title", "综合指数评价报告", "Composite index report"),
        ("contents", "目录", "Contents"),
        ("summary", "概要", "Summary"),
        ("units", "评价单位", "Units"),
        ("indicators", "指标", "Indicators"),
        ("framework", "指标体系", "Framework"),
        ("framework_note", "扇区大小为有效权重(各级同级权重份额之积)。", "Sector sizes are effective weights (product of sibling shares up to the index)."),
        ("ranking", "排名", "Ranking"),
        ("ranking_note", "条形颜色表示等级。", "Bar colours show the grade."),
        ("heatmap", "各单位各维度得分", "Scores by unit and dimension"),
        ("profile", "单位维度剖面", "Unit profile by dimension"),
        ("profile_note", "所选单位与全部单位平均值的比较。", "The chosen unit against the mean of all units."),
        ("mean_of_units", "单位平均", "Mean of units"),
        ("choose_unit", "选择单位", "Choose a unit"),
        ("audit", "统计审核", "Statistical audit"),
        ("audit_stats", "指标统计与标记", "Indicator statistics and flags"),
        ("audit_stage", "统计所用阶段", "Stage described"),
        ("correlations", "指标相关系数(Pearson)", "Correlations between indicators (Pearson)"),
        ("corr_flags", "相关性标记", "Correlation flags"),
        ("no_flags", "无", "None"),
        ("alpha", "内部一致性(Cronbach α)", "Internal consistency (Cronbach's α)"),
        ("children", "下级数", "Children"),
        ("min", "最小值", "Min"),
        ("max", "最大值", "Max"),
        ("mean", "均值", "Mean"),
        ("sd", "标准差", "SD"),
        ("skew", "偏度", "Skew"),
        ("kurtosis", "峰度", "Kurtosis"),
        ("available", "可用率", "Available"),
        ("flags", "标记", "Flags"),
        ("low_avail", "可用率低", "low availability"),
        ("low_nonzero", "零值多", "many zeros"),
        ("low_unique", "唯一值少", "few unique values"),
        ("outlier", "离群值", "outliers"),
        ("collinear", "共线", "collinear"),
        ("negative_with_parent", "与上级负相关", "negative with parent"),
        ("denominator", "与分母相关", "correlated with a denominator"),
        ("uncertainty", "不确定性分析", "Uncertainty analysis"),
        ("uncertainty_note", "每个单位排名的 5%–95% 区间(蒙特卡洛)、名义排名与中位数。", "Each unit's 5–95 % rank interval (Monte Carlo), nominal and median rank."),
        ("rank_interval", "排名区间 5%–95%", "Rank interval 5–95 %"),
        ("sensitivity", "敏感性分析(Sobol 指数)", "Sensitivity analysis (Sobol indices)"),
        ("sensitivity_note", "输出为各单位排名相对名义排名的平均绝对变动;误差线为自助法置信区间。未指定因素时:权重扰动 ±25% 与剔除一个指标。", "Output: mean absolute rank shift from the nominal ranks; whiskers are bootstrap confidence intervals. Default factors: weights ±25 % and one indicator excluded."),
        ("factor", "因素", "Factor"),
        ("first_order", "一阶指数 S", "First order S"),
        ("total_order", "总效应指数 ST", "Total ST"),
        ("ci", "置信区间", "Confidence interval"),
        ("weights_of_level", "权重扰动:第 {} 层", "Weights of level {}"),
        ("weights_all", "权重扰动(全部层级)", "Weights (all levels)"),
        ("exclude_one", "剔除一个指标", "One indicator excluded"),
        ("method", "方法说明", "Method"),
        ("method_note", "以下信息足以复现本报告中的全部数字。", "Everything needed to reproduce every number in this report."),
        ("pipeline_steps", "计算步骤", "Pipeline steps"),
        ("parameters", "参数", "Parameters"),
        ("weights_source", "权重来源", "Weights and their source"),
        ("fingerprint", "数据指纹", "Data fingerprint"),
        ("fingerprint_note", "SHA-256,对 `zhili score --stage raw --format csv` 的输出计算。", "SHA-256 of the output of `zhili score --stage raw --format csv`."),
        ("version", "zhili 版本", "zhili version"),
        ("command", "命令行", "Command line"),
        ("analysis_settings", "分析设置", "Analysis settings"),
        ("runs", "运行次数", "Runs"),
        ("seed", "随机种子", "Seed"),
        ("spread", "权重扰动幅度", "Weight noise"),
        ("ties", "并列规则", "Tie rule"),
        ("log", "步骤记录", "Step log"),
        ("count", "次数", "Count"),
        ("framework_source", "指标体系来源", "Framework source"),
        ("data_source", "数据来源", "Data source"),
        ("generated", "由 zhili 生成", "Generated by zhili"),
        ("benefit", "正向", "benefit"),
        ("cost", "逆向", "cost"),
        ("missing", "缺失", "missing"),
    ];

    /// A heading or label of the report: [`REPORT`]'s word for `id`, else [`get`]'s.
    pub fn report(id: &str, lang: Lang) -> &str {
        REPORT
            .iter()
            .find(|(k, _, _)| *k == id)
            .map_or_else(|| get(id, lang), |(_, zh, en)| lang.pick(zh, en))
    }

    /// The word `id` in `lang`; the id itself when it is not in the list.
    ///
    /// ```
    /// use zhili_io::{lang::words, Lang};
    /// assert_eq!(words::get("rank", Lang::Zh), "排名");
    /// assert_eq!(words::get("none", Lang::En), "(none)");
    /// ```
    pub fn get(id: &str, lang: Lang) -> &str {
        WORDS.iter().find(|(k, _, _)| *k == id).map_or(id, |(_, zh, en)| lang.pick(zh, en))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_has_both_languages_and_ids_are_unique() {
        let ids = [
            "rank",
            "unit",
            "name",
            "none",
            "weight_in_group",
            "problem",
            "factor",
            "first_order",
            "available",
            "audit_adequacy",
            "audit_importance",
            "mean_shift",
            "q05",
        ];
        for id in ids {
            let (zh, en) = (words::get(id, Lang::Zh), words::get(id, Lang::En));
            assert!(zh != id && en != id, "`{id}` is not in the word list");
            assert!(!zh.is_ascii(), "`{id}` has no Chinese: {zh}");
        }
    }
}
