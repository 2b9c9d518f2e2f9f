//! JSON, written as a stream: one pass, no document tree of every value in memory.

use std::io::Write;

use zhili_core::{rank, Result};

use super::atomic::io_err;
use super::number::push_f64;
use super::table::band_label;
use super::ResultsExport;

/// A small streaming JSON emitter over a buffered writer.
struct Out<W: Write> {
    w: std::io::BufWriter<W>,
    ryu: ryu::Buffer,
    num: Vec<u8>,
}

impl<W: Write> Out<W> {
    fn raw(&mut self, s: &str) -> Result<()> {
        self.w.write_all(s.as_bytes()).map_err(|e| io_err("JSON", &e))
    }
    fn string(&mut self, s: &str) -> Result<()> {
        serde_json::to_writer(&mut self.w, s).map_err(|e| zhili_core::Error::spec("output", format!("cannot write JSON: {e}")))
    }
    /// A number, `null` for NaN and ±∞ (JSON has neither).
    fn num(&mut self, v: f64) -> Result<()> {
        if !v.is_finite() {
            return self.raw("null");
        }
        self.num.clear();
        push_f64(&mut self.num, &mut self.ryu, v);
        self.w.write_all(&self.num).map_err(|e| io_err("JSON", &e))
    }
    fn key(&mut self, k: &str, first: bool) -> Result<()> {
        self.raw(if first { "\n  " } else { ",\n  " })?;
        self.string(k)?;
        self.raw(": ")
    }
    fn strings<'s>(&mut self, items: impl IntoIterator<Item = &'s str>) -> Result<()> {
        self.raw("[")?;
        for (k, s) in items.into_iter().enumerate() {
            if k > 0 {
                self.raw(", ")?;
            }
            self.string(s)?;
        }
        self.raw("]")
    }
    fn numbers(&mut self, items: impl IntoIterator<Item = f64>) -> Result<()> {
        self.raw("[")?;
        for (k, v) in items.into_iter().enumerate() {
            if k > 0 {
                self.raw(", ")?;
            }
            self.num(v)?;
        }
        self.raw("]")
    }
}

impl ResultsExport<'_> {
    /// The results as one JSON object, units best first (cut to `top`):
    ///
    /// ```text
    /// { "index", "ties", "lang", "units", "names"?, "rank", "grade"?, "grading"?,
    ///   "nodes", "labels", "effective_weights",
    ///   "scores": { node: [...] }, "ranks": { node: [...] } }
    /// ```
    ///
    /// Arrays under `scores` / `ranks` follow `units`; a missing value is `null`.
    ///
    /// # Errors
    /// [`zhili_core::Error::Spec`] (`output`) if `w` fails.
    pub fn write_json<W: Write>(&self, w: W) -> Result<()> {
        let t = self.table();
        let res = self.results;
        let mut o = Out {
            w: std::io::BufWriter::with_capacity(1 << 16, w),
            ryu: ryu::Buffer::new(),
            num: Vec::with_capacity(32),
        };
        o.raw("{")?;
        o.key("index", true)?;
        o.string(res.index_id())?;
        o.key("ties", false)?;
        serde_json::to_writer(&mut o.w, &res.ties()).map_err(|e| zhili_core::Error::spec("output", e.to_string()))?;
        o.key("lang", false)?;
        o.string(self.lang.code())?;
        o.key("units", false)?;
        o.strings(t.order.iter().map(|&i| res.unit_ids()[i].as_str()))?;
        if self.unit_names.is_some() {
            o.key("names", false)?;
            o.strings(t.order.iter().map(|&i| self.name(i).unwrap_or("")))?;
        }
        o.key("rank", false)?;
        o.numbers(t.order.iter().map(|&i| t.ranks[i]))?;
        if let Some(g) = self.grading {
            o.key("grade", false)?;
            o.raw("[")?;
            for (k, &i) in t.order.iter().enumerate() {
                if k > 0 {
                    o.raw(", ")?;
                }
                match t.band(Some(g), i) {
                    Some((_, b)) => o.string(band_label(b, self.lang))?,
                    None => o.raw("null")?,
                }
            }
            o.raw("]")?;
            o.key("grading", false)?;
            o.strings(g.bands.iter().map(|b| band_label(b, self.lang)))?;
        }
        o.key("nodes", false)?;
        o.strings(t.columns.iter().map(|&j| res.node_ids()[j].as_str()))?;
        o.key("labels", false)?;
        let labels: Vec<String> = t.columns.iter().map(|&j| self.node_label(j)).collect();
        o.strings(labels.iter().map(String::as_str))?;
        o.key("effective_weights", false)?;
        o.numbers(t.columns.iter().map(|&j| res.effective_weights()[j]))?;
        for (key, ranks) in [("scores", false), ("ranks", true)] {
            o.key(key, false)?;
            o.raw("{")?;
            for (k, &j) in t.columns.iter().enumerate() {
                o.raw(if k == 0 { "\n    " } else { ",\n    " })?;
                o.string(&res.node_ids()[j])?;
                o.raw(": ")?;
                let col = res.scores().column(j);
                if ranks {
                    let r = rank(col, res.ties());
                    o.numbers(t.order.iter().map(|&i| r[i]))?;
                } else {
                    o.numbers(t.order.iter().map(|&i| col[i]))?;
                }
            }
            o.raw("\n  }")?;
        }
        o.raw("\n}\n")?;
        o.w.flush().map_err(|e| io_err("JSON", &e))
    }

    /// The display label of result column `j` (node name in the export's language).
    pub(crate) fn node_label(&self, j: usize) -> String {
        let id = &self.results.node_ids()[j];
        match self.framework.index_of(id) {
            Some(i) => self.lang.node_label(self.framework, i),
            None => id.clone(),
        }
    }
}
