//! The results workbook (rust_xlsxwriter): sheets `ranking`, `scores`, `weights`, one per
//! stage (when asked), `log`, `framework` (an iMeta-style table) and `uncertainty` (when an
//! analysis ran). Headers in the export's language, header row frozen, auto-filter on,
//! columns fitted, numbers stored as numbers (the same `f64` the CSV writer prints), text
//! stored as text (never a formula).

use std::io::{Seek, Write};

use rust_xlsxwriter::{Color, Format, Workbook, Worksheet, XlsxError};
use zhili_core::{Direction, Error, NodeKind, Result};

use super::colour::band_colour;
use super::csv::rank_stats_row;
use super::table::band_label;
use super::{Columns, ResultsExport};
use crate::lang::words;
use crate::Lang;

/// Sheet ids with their names `(id, 中文, English)`, in workbook order; stage sheets
/// (`stage:<name>`) come after `weights`.
pub const SHEETS: [(&str, &str, &str); 6] = [
    ("ranking", "排名", "ranking"),
    ("scores", "得分", "scores"),
    ("weights", "权重", "weights"),
    ("log", "日志", "log"),
    ("framework", "框架", "framework"),
    ("uncertainty", "不确定性", "uncertainty"),
];

/// Excel's last row (1,048,576 rows, one for the header).
const MAX_ROWS: usize = 1_048_575;

fn sheet_name(id: &str, lang: Lang) -> &'static str {
    SHEETS
        .iter()
        .find(|(k, _, _)| *k == id)
        .map_or("sheet", |(_, zh, en)| lang.pick(zh, en))
}

fn stage_sheet_name(stage: &str, lang: Lang) -> String {
    let zh = match stage {
        "raw" => "原始值",
        "denominated" => "分母化",
        "imputed" => "插补后",
        "screened" => "筛选后",
        "treated" => "处理后",
        "normalised" => "标准化",
        other => other,
    };
    let name = match lang {
        Lang::Zh => format!("阶段 {zh}"),
        Lang::En => format!("stage {stage}"),
    };
    // Excel: at most 31 characters, none of []:*?/\.
    name.chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .take(31)
        .collect()
}

fn xerr(e: XlsxError) -> Error {
    Error::spec("output", format!("cannot write the workbook: {e}"))
}

fn too_many(sheet: &str, n: usize) -> Error {
    Error::spec(
        "output",
        format!("sheet `{sheet}` would need {n} rows; Excel holds at most {MAX_ROWS} below the header (use --top or CSV)"),
    )
}

/// A sheet being filled: header written, cells by row and column.
struct Sheet<'w> {
    ws: &'w mut Worksheet,
    cols: u16,
    rows: u32,
}

impl<'w> Sheet<'w> {
    fn new(wb: &'w mut Workbook, name: &str, header: &[String], bold: &Format) -> Result<Self> {
        let ws = wb.add_worksheet();
        ws.set_name(name).map_err(xerr)?;
        for (c, h) in header.iter().enumerate() {
            ws.write_string_with_format(0, col(c)?, h, bold).map_err(xerr)?;
        }
        ws.set_freeze_panes(1, 0).map_err(xerr)?;
        Ok(Sheet {
            ws,
            cols: col(header.len())?,
            rows: 0,
        })
    }
    fn text(&mut self, r: u32, c: usize, s: &str) -> Result<()> {
        if s.is_empty() {
            return Ok(());
        }
        self.ws.write_string(r, col(c)?, s).map_err(xerr)?;
        Ok(())
    }
    /// A number; NaN leaves the cell empty, ±∞ (which a workbook cannot hold) is text.
    fn num(&mut self, r: u32, c: usize, v: f64) -> Result<()> {
        if v.is_nan() {
            return Ok(());
        }
        if v.is_infinite() {
            return self.text(r, c, if v > 0.0 { "inf" } else { "-inf" });
        }
        self.ws.write_number(r, col(c)?, v).map_err(xerr)?;
        Ok(())
    }
    fn row_done(&mut self, r: u32) {
        self.rows = self.rows.max(r);
    }
    fn finish(self) -> Result<()> {
        if self.cols > 0 {
            self.ws.autofilter(0, 0, self.rows, self.cols - 1).map_err(xerr)?;
        }
        self.ws.autofit();
        Ok(())
    }
}

fn col(c: usize) -> Result<u16> {
    u16::try_from(c)
        .ok()
        .filter(|&c| c < 16_384)
        .ok_or_else(|| Error::spec("output", format!("{c} columns: Excel holds at most 16,384")))
}

fn row(r: usize) -> u32 {
    u32::try_from(r + 1).unwrap_or(u32::MAX)
}

impl ResultsExport<'_> {
    /// The workbook as bytes (what a web server sends).
    ///
    /// # Errors
    /// [`Error::Spec`] (`output`) when a sheet would exceed Excel's limits (1,048,576 rows,
    /// 16,384 columns) or the workbook cannot be assembled.
    pub fn xlsx_bytes(&self) -> Result<Vec<u8>> {
        self.workbook()?.save_to_buffer().map_err(xerr)
    }

    /// Write the workbook to `w`.
    ///
    /// # Errors
    /// As [`ResultsExport::xlsx_bytes`]; [`Error::Spec`] (`output`) if `w` fails.
    pub fn write_xlsx<W: Write + Seek + Send>(&self, w: W) -> Result<()> {
        self.workbook()?.save_to_writer(w).map_err(xerr)
    }

    fn workbook(&self) -> Result<Workbook> {
        let mut wb = Workbook::new();
        let bold = Format::new().set_bold();
        self.ranking_sheet(&mut wb, &bold)?;
        self.scores_sheet(&mut wb, &bold)?;
        self.weights_sheet(&mut wb, &bold)?;
        self.stage_sheets(&mut wb, &bold)?;
        self.log_sheet(&mut wb, &bold)?;
        self.framework_sheet(&mut wb, &bold)?;
        self.uncertainty_sheet(&mut wb, &bold)?;
        Ok(wb)
    }

    fn w(&self, id: &str) -> String {
        words::get(id, self.lang).to_owned()
    }

    fn ranking_sheet(&self, wb: &mut Workbook, bold: &Format) -> Result<()> {
        let t = self.table();
        let name = sheet_name("ranking", self.lang);
        if t.order.len() > MAX_ROWS {
            return Err(too_many(name, t.order.len()));
        }
        let res = self.results;
        let index = t.columns.first().copied().unwrap_or(0);
        let mut header = vec![self.w("rank"), self.w("unit")];
        if self.unit_names.is_some() {
            header.push(self.w("name"));
        }
        header.push(self.node_label(index));
        if self.grading.is_some() {
            header.push(self.w("grade"));
        }
        let mut s = Sheet::new(wb, name, &header, bold)?;
        let fills: Vec<Format> = self.grading.map_or_else(Vec::new, |g| {
            (0..g.bands.len())
                .map(|k| Format::new().set_background_color(Color::RGB(band_colour(g, k))))
                .collect()
        });
        for (k, &i) in t.order.iter().enumerate() {
            let r = row(k);
            let mut c = 0;
            s.num(r, c, t.ranks[i])?;
            s.text(r, c + 1, &res.unit_ids()[i])?;
            c += 2;
            if let Some(n) = self.name(i) {
                s.text(r, c, n)?;
                c += 1;
            }
            s.num(r, c, res.scores()[[i, index]])?;
            c += 1;
            if let Some((b, band)) = t.band(self.grading, i) {
                let label = band_label(band, self.lang);
                match fills.get(b) {
                    Some(f) => {
                        s.ws.write_string_with_format(r, col(c)?, label, f).map_err(xerr)?;
                    }
                    None => s.text(r, c, label)?,
                }
            }
            s.row_done(r);
        }
        s.finish()
    }

    fn scores_sheet(&self, wb: &mut Workbook, bold: &Format) -> Result<()> {
        let all = ResultsExport {
            columns: Columns::All,
            ..self.clone()
        };
        let t = all.table();
        let name = sheet_name("scores", self.lang);
        if t.order.len() > MAX_ROWS {
            return Err(too_many(name, t.order.len()));
        }
        let mut header = vec![self.w("unit")];
        if self.unit_names.is_some() {
            header.push(self.w("name"));
        }
        header.extend(t.columns.iter().map(|&j| self.node_label(j)));
        let mut s = Sheet::new(wb, name, &header, bold)?;
        let scores = self.results.scores();
        for (k, &i) in t.order.iter().enumerate() {
            let r = row(k);
            s.text(r, 0, &self.results.unit_ids()[i])?;
            let mut c = 1;
            if let Some(n) = self.name(i) {
                s.text(r, 1, n)?;
                c = 2;
            }
            for (m, &j) in t.columns.iter().enumerate() {
                s.num(r, c + m, scores[[i, j]])?;
            }
            s.row_done(r);
        }
        s.finish()
    }

    fn weights_sheet(&self, wb: &mut Workbook, bold: &Format) -> Result<()> {
        let fw = self.framework;
        let header: Vec<String> = ["node", "name", "parent", "level", "nominal_weight", "effective_weight"]
            .iter()
            .map(|w| self.w(w))
            .collect();
        let mut s = Sheet::new(wb, sheet_name("weights", self.lang), &header, bold)?;
        let eff = fw.effective_weights();
        for (k, n) in fw.nodes().iter().enumerate() {
            let r = row(k);
            s.text(r, 0, &n.id)?;
            s.text(r, 1, &self.lang.node_label(fw, k))?;
            s.text(r, 2, n.parent.map_or("", |p| fw.nodes()[p].id.as_str()))?;
            s.num(r, 3, n.level as f64)?;
            s.num(r, 4, n.weight)?;
            s.num(r, 5, eff[k])?;
            s.row_done(r);
        }
        s.finish()
    }

    fn stage_sheets(&self, wb: &mut Workbook, bold: &Format) -> Result<()> {
        let Some(st) = &self.stages else { return Ok(()) };
        let fw = self.framework;
        for stage in st.stages {
            let name = stage_sheet_name(&stage.name, self.lang);
            if stage.data.units.len() > MAX_ROWS {
                return Err(too_many(&name, stage.data.units.len()));
            }
            let mut header = vec![self.w("unit")];
            if st.unit_names.is_some() {
                header.push(self.w("name"));
            }
            header.extend(fw.indicators().iter().map(|&i| self.lang.node_label(fw, i)));
            let mut s = Sheet::new(wb, &name, &header, bold)?;
            for (k, &u) in stage.data.units.iter().enumerate() {
                let r = row(k);
                s.text(r, 0, st.unit_ids.get(u).map_or("", String::as_str))?;
                let mut c = 1;
                if let Some(n) = st.unit_names {
                    s.text(r, 1, n.get(u).map_or("", String::as_str))?;
                    c = 2;
                }
                for (m, &v) in stage.data.values.row(k).iter().enumerate() {
                    s.num(r, c + m, v)?;
                }
                s.row_done(r);
            }
            s.finish()?;
        }
        Ok(())
    }

    fn log_sheet(&self, wb: &mut Workbook, bold: &Format) -> Result<()> {
        let header: Vec<String> = ["step", "action", "log_level", "unit", "indicator", "value", "detail"]
            .iter()
            .map(|w| self.w(w))
            .collect();
        let mut s = Sheet::new(wb, sheet_name("log", self.lang), &header, bold)?;
        let shown = self.log.len().min(MAX_ROWS - 1);
        for (k, e) in self.log.iter().take(shown).enumerate() {
            let r = row(k);
            s.text(r, 0, &e.step)?;
            s.text(r, 1, &e.action)?;
            s.text(
                r,
                2,
                match e.level {
                    zhili_core::Level::Info => "info",
                    zhili_core::Level::Warning => "warning",
                },
            )?;
            s.text(r, 3, e.unit.as_deref().unwrap_or(""))?;
            s.text(r, 4, e.indicator.as_deref().unwrap_or(""))?;
            if let Some(v) = e.value {
                s.num(r, 5, v)?;
            }
            s.text(r, 6, &e.detail)?;
            s.row_done(r);
        }
        if shown < self.log.len() {
            let r = row(shown);
            let more = self.log.len() - shown;
            let note = match self.lang {
                Lang::Zh => format!("…另有 {more} 条记录未列出(超出 Excel 行数上限)"),
                Lang::En => format!("… {more} more entries not shown (Excel's row limit)"),
            };
            s.text(r, 6, &note)?;
            s.row_done(r);
        }
        s.finish()
    }

    fn framework_sheet(&self, wb: &mut Workbook, bold: &Format) -> Result<()> {
        let fw = self.framework;
        // COINr's iMeta columns, so the sheet reads back as a framework.
        let header: Vec<String> = [
            "iCode",
            "iName",
            "Level",
            "Parent",
            "Direction",
            "Weight",
            "Type",
            "Unit",
            "Target",
            "Denominator",
        ]
        .iter()
        .map(|h| (*h).to_owned())
        .collect();
        let mut s = Sheet::new(wb, sheet_name("framework", self.lang), &header, bold)?;
        for (k, n) in fw.nodes().iter().enumerate() {
            let r = row(k);
            s.text(r, 0, &n.id)?;
            s.text(r, 1, &self.lang.node_label(fw, k))?;
            s.num(r, 2, n.level as f64)?;
            s.text(r, 3, n.parent.map_or("", |p| fw.nodes()[p].id.as_str()))?;
            s.num(
                r,
                4,
                match n.direction {
                    Direction::Benefit => 1.0,
                    Direction::Cost => -1.0,
                },
            )?;
            s.num(r, 5, n.weight)?;
            s.text(
                r,
                6,
                match n.kind {
                    NodeKind::Indicator => "Indicator",
                    NodeKind::Aggregate => "Aggregate",
                },
            )?;
            s.text(r, 7, n.unit.as_deref().unwrap_or(""))?;
            if let Some(t) = n.target {
                s.num(r, 8, t)?;
            }
            s.text(r, 9, n.denominator.as_deref().unwrap_or(""))?;
            s.row_done(r);
        }
        s.finish()
    }

    fn uncertainty_sheet(&self, wb: &mut Workbook, bold: &Format) -> Result<()> {
        let Some(u) = &self.uncertainty else { return Ok(()) };
        let name = sheet_name("uncertainty", self.lang);
        if u.unit_ids.len() > MAX_ROWS {
            return Err(too_many(name, u.unit_ids.len()));
        }
        let names: Option<std::collections::HashMap<&str, &str>> = self
            .unit_names
            .as_ref()
            .map(|n| self.results.unit_ids().iter().map(String::as_str).zip(n.iter().copied()).collect());
        let cols = ["score", "nominal_rank", "mean_rank", "median_rank", "q05", "q95", "mean_shift"];
        let mut header = vec![self.w("unit")];
        if names.is_some() {
            header.push(self.w("name"));
        }
        for st in &u.stats {
            let prefix = if u.stats.len() > 1 {
                let label = self
                    .framework
                    .index_of(&st.node)
                    .map_or_else(|| st.node.clone(), |i| self.lang.node_label(self.framework, i));
                format!("{label}: ")
            } else {
                String::new()
            };
            header.extend(cols.iter().map(|c| format!("{prefix}{}", self.w(c))));
        }
        let mut s = Sheet::new(wb, name, &header, bold)?;
        // best nominal rank first, as the ranking sheet
        let mut order: Vec<usize> = (0..u.unit_ids.len()).collect();
        if let Some(ix) = u.stats.first() {
            order.sort_by(|&a, &b| {
                let (x, y) = (ix.nominal_rank.get(a).copied(), ix.nominal_rank.get(b).copied());
                x.unwrap_or(f64::NAN).total_cmp(&y.unwrap_or(f64::NAN))
            });
        }
        for (k, &i) in order.iter().enumerate() {
            let r = row(k);
            let id = u.unit_ids[i].as_str();
            s.text(r, 0, id)?;
            let mut c = 1;
            if let Some(m) = &names {
                s.text(r, 1, m.get(id).copied().unwrap_or(""))?;
                c = 2;
            }
            for st in &u.stats {
                for v in rank_stats_row(st, i) {
                    s.num(r, c, v)?;
                    c += 1;
                }
            }
            s.row_done(r);
        }
        s.finish()
    }
}
