//! The Yuxi-style grid-event taxonomy: 4 categories, 27 event items.
//!
//! Modelled on public descriptions of Yuxi's grid system (four classes of events, 27 items);
//! the item list is ours, not an official one.

/// One of the four event categories.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Category {
    /// Id used in logs and options, e.g. `policing`.
    pub id: &'static str,
    /// Chinese name, e.g. `警务`.
    pub zh: &'static str,
    /// English name.
    pub en: &'static str,
    /// Indicator id of "events per 10k residents" of this category.
    pub rate_indicator: &'static str,
    /// Default closure deadline in hours (see [`super::DeriveOptions::deadline_hours`]).
    pub default_deadline_hours: f64,
}

/// One of the 27 event items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Item {
    /// Id, e.g. `P03` (letter = category: P policing, S social management, D disputes, F services).
    pub id: &'static str,
    /// Index into [`CATEGORIES`].
    pub category: usize,
    /// Chinese name.
    pub zh: &'static str,
    /// English name.
    pub en: &'static str,
}

/// The four categories, in indicator order.
pub const CATEGORIES: [Category; 4] = [
    Category {
        id: "policing",
        zh: "警务",
        en: "policing",
        rate_indicator: "policing_events_per_10k",
        default_deadline_hours: 24.0,
    },
    Category {
        id: "social",
        zh: "社会管理",
        en: "social management",
        rate_indicator: "social_events_per_10k",
        default_deadline_hours: 72.0,
    },
    Category {
        id: "dispute",
        zh: "矛盾纠纷",
        en: "conflicts and disputes",
        rate_indicator: "dispute_events_per_10k",
        default_deadline_hours: 168.0,
    },
    Category {
        id: "service",
        zh: "为民服务",
        en: "services for the people",
        rate_indicator: "service_events_per_10k",
        default_deadline_hours: 72.0,
    },
];

const fn item(id: &'static str, category: usize, zh: &'static str, en: &'static str) -> Item {
    Item { id, category, zh, en }
}

/// The 27 event items.
pub const ITEMS: [Item; 27] = [
    item("P01", 0, "治安隐患", "public-order hazard"),
    item("P02", 0, "可疑人员和线索", "suspicious persons and leads"),
    item("P03", 0, "涉诈线索", "fraud leads"),
    item("P04", 0, "涉毒线索", "drug-related leads"),
    item("P05", 0, "交通安全隐患", "road-safety hazard"),
    item("P06", 0, "消防安全隐患", "fire hazard"),
    item("P07", 0, "寄递物流安全隐患", "parcel and logistics safety hazard"),
    item("S01", 1, "流动人口信息采集", "migrant-population registration"),
    item("S02", 1, "出租房屋管理", "rental-housing management"),
    item(
        "S03",
        1,
        "特殊人群服务管理",
        "special populations (community corrections, released prisoners)",
    ),
    item("S04", 1, "严重精神障碍患者服务管理", "persons with severe mental disorders"),
    item("S05", 1, "重点青少年关爱", "at-risk youth"),
    item("S06", 1, "安全生产隐患", "work-safety hazard"),
    item("S07", 1, "环境卫生与市容", "sanitation and townscape"),
    item("S08", 1, "违法建设", "illegal construction"),
    item("D01", 2, "婚姻家庭纠纷", "marriage and family dispute"),
    item("D02", 2, "邻里纠纷", "neighbour dispute"),
    item("D03", 2, "土地山林权属纠纷", "land and forest rights dispute"),
    item("D04", 2, "劳动争议", "labour dispute"),
    item("D05", 2, "物业纠纷", "property-management dispute"),
    item("D06", 2, "征地拆迁纠纷", "land-acquisition and demolition dispute"),
    item("F01", 3, "政策咨询", "policy enquiry"),
    item("F02", 3, "代办服务", "errands and proxy services"),
    item("F03", 3, "困难群众帮扶", "help for people in difficulty"),
    item("F04", 3, "就业创业服务", "employment services"),
    item("F05", 3, "社会保障办理", "social-security procedures"),
    item("F06", 3, "公共设施报修", "public-facility repair"),
];

/// A category by id, Chinese name or English name (case-insensitive).
pub fn category(label: &str) -> Option<usize> {
    let l = label.trim();
    CATEGORIES
        .iter()
        .position(|c| c.id.eq_ignore_ascii_case(l) || c.zh == l || c.en.eq_ignore_ascii_case(l))
}

/// An item by id (case-insensitive), Chinese name or English name (case-insensitive).
pub fn item_index(label: &str) -> Option<usize> {
    let l = label.trim();
    ITEMS
        .iter()
        .position(|i| i.id.eq_ignore_ascii_case(l) || i.zh == l || i.en.eq_ignore_ascii_case(l))
}
