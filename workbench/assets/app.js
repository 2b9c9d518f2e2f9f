// zhili workbench page. Vanilla JS, no build step; talks only to the /api/v1 HTTP API.
// Every text that comes from data or a person (names, notes, unit names) is set with
// textContent (the el() helper below); no HTML is ever built from strings.
'use strict';

const API = '/api/v1';

// ---------- words (中文 / English) ----------
const WORDS = {
  workbench: ['工作台', 'Workbench'], weights: ['权重', 'Weights'], reset: ['恢复框架权重', 'Reset to framework weights'],
  expand: ['全部展开', 'Expand all'], collapse: ['全部收起', 'Collapse all'], methods: ['方法', 'Methods'],
  normalisation: ['标准化', 'Normalisation'], aggregation: ['聚合', 'Aggregation'], level: ['层级', 'level'],
  ahp: ['层次分析法(AHP)', 'AHP'], ahp_hint: ['每格:行指标相对列指标的重要程度(1–9 标度)。', 'Each cell: how much more important the row is than the column (Saaty 1–9).'],
  apply_weights: ['采用这些权重', 'Use these weights'], close: ['关闭', 'Close'],
  tab_ranking: ['排名', 'Ranking'], tab_unit: ['单位', 'Unit'], tab_robust: ['稳健性', 'Robustness'],
  tab_scenarios: ['情景', 'Scenarios'], tab_compare: ['对比', 'Compare'], tab_data: ['数据', 'Data'],
  baseline: ['对照基准', 'Baseline'], framework_weights: ['框架原始权重', 'Framework weights'],
  unit: ['单位', 'Unit'], obstacles: ['障碍度(前五)', 'Obstacle degree (top 5)'], node_scores: ['各节点得分', 'Scores at every node'],
  robust_hint: ['每次运行把每个权重乘以 U(1−幅度, 1+幅度) 的随机数,统计每个单位排名的 5%–95% 区间。', 'Each run multiplies every weight by U(1 − spread, 1 + spread); each unit\'s 5–95 % rank interval is shown.'],
  spread: ['幅度', 'Spread'], runs: ['运行次数', 'Runs'], run: ['运行', 'Run'], cancel: ['取消', 'Cancel'],
  scenario_name: ['情景名称', 'Scenario name'], author: ['保存人', 'Saved by'], note: ['备注', 'Note'],
  save_new: ['另存为新情景', 'Save as a new scenario'], save_version: ['保存为当前情景的新版本', 'Save as a new version of the open scenario'],
  saved_scenarios: ['已保存的情景', 'Saved scenarios'], versions: ['历史版本', 'Versions'], deleted_scenarios: ['已删除(可撤销)', 'Deleted (can be undone)'],
  compare: ['对比', 'Compare'], data_hint: ['上传 CSV(UTF-8 或 GBK)或 Excel 工作簿。先显示校验报告,确认后才替换当前数据。', 'Upload a CSV (UTF-8 or GBK) or an Excel workbook. The validation report is shown first; the data is replaced only when you confirm.'],
  validate: ['校验', 'Validate'], replace_data: ['使用这份数据', 'Use this data'],
  footer: ['离线运行:所有脚本与样式均内置于 zhili。图表:Apache ECharts。', 'Runs offline: every script and style is built into zhili. Charts: Apache ECharts.'],
  rank: ['排名', 'Rank'], change: ['变化', 'Change'], name: ['名称', 'Name'], score: ['得分', 'Score'], grade: ['等级', 'Grade'],
  index: ['指数', 'Index'], median: ['中位数', 'Median'], degree: ['障碍度', 'Obstacle degree'], node: ['节点', 'Node'],
  year: ['年份', 'Year'], nominal_rank: ['名义排名', 'Nominal rank'], interval: ['5%–95% 排名区间', '5–95 % rank interval'],
  median_rank: ['排名中位数', 'Median rank'], saved_at: ['保存时间', 'Saved at'], version: ['版本', 'Version'],
  actions: ['操作', 'Actions'], open: ['打开', 'Open'], duplicate: ['复制', 'Duplicate'], rename: ['重命名', 'Rename'],
  delete: ['删除', 'Delete'], undo: ['撤销删除', 'Undo delete'], export: ['导出', 'Export'], report: ['打印报告', 'Printable report'],
  manual: ['手动', 'manual'], same_as_pipeline: ['与流程相同', 'as in the pipeline'], shift: ['名次变化', 'Rank shift'],
  share: ['组内权重', 'Weight in group'], effective: ['有效权重', 'Effective weight'], diff: ['差值', 'Difference'],
  saved: ['已保存', 'Saved'], opened: ['已打开', 'Opened'], deleted: ['已删除', 'Deleted'], restored: ['已恢复', 'Restored'],
  rename_prompt: ['新名称', 'New name'], moved: ['个单位名次变化', 'units change rank'], problems: ['问题', 'Problems'],
  file_ok: ['校验通过', 'Validation passed'], file_bad: ['校验未通过:数据未替换', 'Validation failed: the data was not replaced'],
  missing: ['缺失值', 'Missing values'], rows: ['行数', 'Rows'], data_replaced: ['数据已替换', 'Data replaced'],
  scoring: ['计算中…', 'Scoring…'], units_count: ['个单位', 'units'], consistent: ['一致性可接受', 'acceptably consistent'],
  inconsistent: ['不一致(CR > 0.1)', 'inconsistent (CR > 0.1)'], most_inconsistent: ['最不一致的判断', 'Most inconsistent judgement'],
  implied: ['权重隐含值', 'implied by the weights'], lock: ['锁定', 'Lock'], open_scenario: ['当前情景', 'Open scenario'],
  copy: ['副本', 'copy'], other_data: ['(基于另一份数据保存)', '(saved on other data)'], cancelled: ['已取消', 'Cancelled'],
};
let LANG = 'zh';
const t = (k) => (WORDS[k] ? WORDS[k][LANG === 'zh' ? 0 : 1] : k);

// ---------- DOM helpers (text only) ----------
function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'style') Object.assign(e.style, v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of kids.flat(Infinity)) {
    if (c === null || c === undefined) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}
const $ = (s) => document.querySelector(s);
const fmt = (v, d = 2) => (v === null || v === undefined || Number.isNaN(v) ? '–' : Number(v).toFixed(d));
const fmtRank = (v) => (v === null || v === undefined ? '–' : String(Math.round(v * 100) / 100));

function status(msg, isError = false) {
  const s = $('#status');
  s.textContent = msg || '';
  s.classList.toggle('error', !!isError);
}

async function api(method, path, body, raw) {
  const opts = { method, headers: {}, credentials: 'same-origin' };
  if (raw !== undefined) { opts.body = raw; opts.headers['Content-Type'] = 'application/octet-stream'; }
  else if (body !== undefined) { opts.body = JSON.stringify(body); opts.headers['Content-Type'] = 'application/json'; }
  const r = await fetch(API + path, opts);
  const text = await r.text();
  let j = null;
  try { j = text ? JSON.parse(text) : null; } catch (_) { j = null; }
  if (!r.ok) {
    const e = new Error((j && j.error) || `${r.status} ${r.statusText}`);
    e.body = j; e.status = r.status;
    throw e;
  }
  return j;
}

// ---------- state ----------
const S = {
  fw: null, nodes: {}, order: [], shares: {}, locked: new Set(), collapsed: new Set(),
  pipeline: null, basePipeline: null, groupMethod: {}, baseline: null, baselineRanks: {},
  last: null, scenario: null, seq: 0, unit: null, charts: {}, ahp: null, upload: null, job: null,
};
window.__zhili = S; // for tests and the curious

function label(id) {
  const n = S.nodes[id];
  if (!n) return id;
  const nm = n.name || {};
  return (LANG === 'zh' ? (nm.zh || nm.en) : (nm.en || nm.zh)) || id;
}
function bandName(b) { return (LANG === 'zh' ? (b.name.zh || b.name.en) : (b.name.en || b.name.zh)) || b.id; }
function band(id) { return S.fw.grading.bands.find((b) => b.id === id); }

function frameworkShares() {
  const out = {};
  for (const n of S.fw.nodes) {
    if (!n.children.length) continue;
    const tot = n.children.reduce((a, c) => a + S.nodes[c].weight, 0);
    for (const c of n.children) out[c] = tot > 0 ? S.nodes[c].weight / tot : 1 / n.children.length;
  }
  return out;
}

function effective() {
  const eff = {}; const root = S.fw.root; eff[root] = 1;
  const walk = (id) => { for (const c of S.nodes[id].children) { eff[c] = eff[id] * (S.shares[c] || 0); walk(c); } };
  walk(root);
  return eff;
}

// ---------- weights tree ----------
function setShare(id, value) {
  const parent = S.nodes[id].parent;
  const sibs = S.nodes[parent].children;
  const lockedSum = sibs.filter((s) => s !== id && S.locked.has(s)).reduce((a, s) => a + S.shares[s], 0);
  const free = sibs.filter((s) => s !== id && !S.locked.has(s));
  let v = Math.max(0, Math.min(value, 1 - lockedSum));
  if (!free.length) v = 1 - lockedSum;
  const rest = Math.max(0, 1 - lockedSum - v);
  const freeSum = free.reduce((a, s) => a + S.shares[s], 0);
  S.shares[id] = v;
  for (const s of free) S.shares[s] = freeSum > 1e-12 ? (S.shares[s] / freeSum) * rest : rest / free.length;
  S.groupMethod[parent] = 'manual';
}

function renderTree() {
  const tree = $('#tree');
  tree.replaceChildren(renderNode(S.fw.root, true));
}

function renderNode(id, isRoot) {
  const n = S.nodes[id];
  const wrap = el('div', { class: 'tnode', 'data-node': id, role: 'treeitem' });
  const isAgg = n.children.length > 0;
  if (!isRoot) {
    const share = S.shares[id] || 0;
    const slider = el('input', { type: 'range', min: 0, max: 1000, step: 1, value: Math.round(share * 1000), 'data-node': id, 'aria-label': label(id) });
    const box = el('input', { type: 'number', min: 0, max: 100, step: 0.1, value: (share * 100).toFixed(1), 'data-node': id, class: 'pct', 'aria-label': label(id) + ' %' });
    slider.addEventListener('input', () => { setShare(id, slider.value / 1000); syncTree(); scheduleScore(); });
    box.addEventListener('change', () => { const v = parseFloat(box.value); if (!Number.isNaN(v)) { setShare(id, v / 100); syncTree(); scheduleScore(); } });
    const lock = el('input', { type: 'checkbox', class: 'lock', title: t('lock'), 'aria-label': t('lock'), 'data-node': id });
    lock.checked = S.locked.has(id);
    lock.addEventListener('change', () => { if (lock.checked) S.locked.add(id); else S.locked.delete(id); });
    const toggle = isAgg ? el('button', { type: 'button', class: 'toggle', text: S.collapsed.has(id) ? '▸' : '▾', onclick: () => { if (S.collapsed.has(id)) S.collapsed.delete(id); else S.collapsed.add(id); renderTree(); } }) : el('span');
    const row = el('div', { class: 'node' + (isAgg ? ' agg' : '') }, toggle, el('span', { class: 'label', title: id, text: label(id) }), slider, box, lock);
    wrap.append(row);
  } else {
    wrap.append(el('div', { class: 'node agg' }, el('span'), el('span', { class: 'label', text: label(id) })));
  }
  if (isAgg) {
    if (n.children.length > 1) {
      const sel = el('select', { class: 'method', 'data-group': id, 'aria-label': t('weights') });
      for (const m of ['manual', ...S.fw.presets.weighting]) sel.append(el('option', { value: m, text: m === 'manual' ? t('manual') : methodName(m) }));
      sel.value = S.groupMethod[id] || 'manual';
      sel.addEventListener('change', () => groupMethod(id, sel.value));
      wrap.append(el('div', { class: 'node' }, el('span'), sel));
    }
    const kids = el('div', { class: 'children' + (S.collapsed.has(id) ? ' collapsed' : '') });
    for (const c of n.children) kids.append(renderNode(c, false));
    wrap.append(kids);
  }
  return wrap;
}

function methodName(m) {
  const names = { equal: ['等权', 'equal'], entropy: ['熵值法', 'entropy'], critic: ['CRITIC', 'CRITIC'], cv: ['变异系数法', 'coefficient of variation'], sd: ['标准差法', 'standard deviation'], pca: ['主成分法', 'PCA'], ahp: ['层次分析法', 'AHP'] };
  return names[m] ? names[m][LANG === 'zh' ? 0 : 1] : m;
}

function syncTree() {
  for (const inp of document.querySelectorAll('#tree input[type=range]')) {
    const v = S.shares[inp.dataset.node] || 0;
    if (document.activeElement !== inp) inp.value = Math.round(v * 1000);
  }
  for (const inp of document.querySelectorAll('#tree input.pct')) {
    if (document.activeElement !== inp) inp.value = ((S.shares[inp.dataset.node] || 0) * 100).toFixed(1);
  }
  for (const sel of document.querySelectorAll('#tree select.method')) sel.value = S.groupMethod[sel.dataset.group] || 'manual';
}

async function groupMethod(group, m) {
  S.groupMethod[group] = m;
  if (m === 'manual') return;
  if (m === 'ahp') { openAhp(group); return; }
  try {
    const r = await api('POST', '/weights/method', { method: m, node: group, pipeline: S.pipeline });
    for (const [id, w] of Object.entries(r.weights)) S.shares[id] = w;
    syncTree(); scheduleScore();
  } catch (e) { status(e.message, true); S.groupMethod[group] = 'manual'; syncTree(); }
}

// ---------- AHP ----------
const SAATY = [1 / 9, 1 / 8, 1 / 7, 1 / 6, 1 / 5, 1 / 4, 1 / 3, 1 / 2, 1, 2, 3, 4, 5, 6, 7, 8, 9];
const saatyLabel = (v) => (v >= 1 ? String(Math.round(v)) : '1/' + Math.round(1 / v));

function openAhp(group) {
  const kids = S.nodes[group].children;
  const n = kids.length;
  // Start from the current weights' ratios, snapped to the scale.
  const m = kids.map((a) => kids.map((b) => {
    const r = (S.shares[a] || 1) / (S.shares[b] || 1);
    return SAATY.reduce((best, v) => (Math.abs(Math.log(v / r)) < Math.abs(Math.log(best / r)) ? v : best), 1);
  }));
  for (let i = 0; i < n; i++) { m[i][i] = 1; for (let j = 0; j < i; j++) m[i][j] = 1 / m[j][i]; }
  S.ahp = { group, kids, m, result: null };
  $('#ahp-panel').hidden = false;
  $('#ahp-node').textContent = label(group);
  renderAhp();
  ahpCompute();
}

function renderAhp() {
  const { kids, m } = S.ahp;
  const tbl = $('#ahp-grid');
  tbl.replaceChildren();
  tbl.append(el('tr', {}, el('th'), kids.map((k) => el('th', { text: label(k), title: k }))));
  kids.forEach((a, i) => {
    const tr = el('tr', {}, el('th', { text: label(a), title: a }));
    kids.forEach((b, j) => {
      if (i === j) { tr.append(el('td', { text: '1' })); return; }
      if (j < i) { tr.append(el('td', { class: 'recip', 'data-i': i, 'data-j': j, text: saatyLabel(m[i][j]) })); return; }
      const sel = el('select', { 'data-i': i, 'data-j': j });
      for (const v of SAATY) sel.append(el('option', { value: v, text: saatyLabel(v) }));
      sel.value = String(SAATY.find((v) => Math.abs(v - m[i][j]) < 1e-9) || 1);
      sel.addEventListener('change', () => { m[i][j] = parseFloat(sel.value); m[j][i] = 1 / m[i][j]; renderAhp(); ahpCompute(); });
      tr.append(el('td', { 'data-i': i, 'data-j': j }, sel));
    });
    tbl.append(tr);
  });
}

async function ahpCompute() {
  const a = S.ahp;
  // answers can arrive out of order when judgements change quickly: show the latest request's only
  const seq = (a.seq = (a.seq || 0) + 1);
  try {
    const r = await api('POST', '/weights/ahp', { node: a.group, matrix: a.m });
    if (seq !== a.seq || S.ahp !== a) return;
    a.result = r;
    const stats = $('#ahp-stats');
    stats.replaceChildren(
      el('div', {}, `λmax = ${r.lambda_max.toFixed(4)}   CI = ${r.ci.toFixed(4)}   CR = ${r.cr.toFixed(4)} `,
        el('span', { class: r.consistent ? 'good' : 'bad', id: 'ahp-cr', text: r.consistent ? t('consistent') : t('inconsistent') })),
      el('div', {}, a.kids.map((k) => `${label(k)} ${(r.weights[k] * 100).toFixed(1)}%`).join(' · ')),
    );
    for (const td of document.querySelectorAll('#ahp-grid td')) td.classList.remove('worst');
    if (r.most_inconsistent) {
      const i = a.kids.indexOf(r.most_inconsistent.row); const j = a.kids.indexOf(r.most_inconsistent.column);
      const td = document.querySelector(`#ahp-grid td[data-i="${i}"][data-j="${j}"]`);
      if (td) td.classList.add('worst');
      stats.append(el('div', {}, `${t('most_inconsistent')}: ${label(r.most_inconsistent.row)} / ${label(r.most_inconsistent.column)} = ${saatyLabel(r.most_inconsistent.judgement)} (${t('implied')} ${r.most_inconsistent.implied.toFixed(2)})`));
    }
  } catch (e) { status(e.message, true); }
}

function applyAhp() {
  const a = S.ahp;
  if (!a || !a.result) return;
  for (const k of a.kids) S.shares[k] = a.result.weights[k];
  S.groupMethod[a.group] = 'ahp';
  syncTree(); scheduleScore();
}

// ---------- pipeline choices ----------
function presetKey(p) { return JSON.stringify(p); }
function aggStep(p) { return p.steps[p.steps.length - 1]; }

function renderMethods() {
  const ns = $('#norm-select');
  ns.replaceChildren();
  const cur = S.pipeline.steps.find((s) => s.type === 'normalise');
  for (const p of S.fw.presets.normalise) {
    const o = el('option', { value: presetKey(p), text: p.method });
    ns.append(o);
  }
  if (cur) {
    const { type, ...rest } = cur;
    const key = presetKey(rest);
    if (![...ns.options].some((o) => o.value === key)) ns.append(el('option', { value: key, text: rest.method }));
    ns.value = key;
  }
  const box = $('#agg-levels');
  box.replaceChildren();
  const levels = [...new Set(S.fw.nodes.filter((n) => n.children.length).map((n) => n.level))].sort();
  const agg = aggStep(S.pipeline);
  for (const lv of levels) {
    const sel = el('select', { 'data-level': lv });
    sel.append(el('option', { value: '', text: `${t('same_as_pipeline')} (${agg.method})` }));
    for (const p of S.fw.presets.aggregate) sel.append(el('option', { value: presetKey(p), text: p.method }));
    const ov = (agg.overrides || []).find((o) => o.level === lv && !o.node);
    if (ov) { const { level, ...m } = ov; const k = presetKey(m); if (![...sel.options].some((o) => o.value === k)) sel.append(el('option', { value: k, text: m.method })); sel.value = k; }
    sel.addEventListener('change', () => setAggLevel(lv, sel.value));
    box.append(el('label', { class: 'row' }, `${t('aggregation')} · ${t('level')} ${lv}`, sel));
  }
  ns.onchange = () => {
    const p = JSON.parse(ns.value);
    const i = S.pipeline.steps.findIndex((s) => s.type === 'normalise');
    const step = { type: 'normalise', ...p };
    if (i >= 0) S.pipeline.steps[i] = step; else S.pipeline.steps.splice(S.pipeline.steps.length - 1, 0, step);
    scheduleScore();
  };
}

function setAggLevel(lv, key) {
  const agg = aggStep(S.pipeline);
  agg.overrides = (agg.overrides || []).filter((o) => !(o.level === lv && !o.node));
  if (key) agg.overrides.push({ level: lv, ...JSON.parse(key) });
  if (!agg.overrides.length) delete agg.overrides;
  scheduleScore();
}

// ---------- scoring ----------
let timer = null;
function scheduleScore() { clearTimeout(timer); timer = setTimeout(score, 40); }

function weightsDoc() {
  const w = {};
  for (const n of S.fw.nodes) if (n.parent !== null) w[n.id] = S.shares[n.id];
  return w;
}

async function score() {
  const seq = ++S.seq;
  const body = { weights: weightsDoc(), pipeline: S.pipeline };
  try {
    const r = await api('POST', '/score', body);
    if (seq !== S.seq) return; // a newer request is on its way
    S.last = r;
    renderRanking();
    renderSunburst();
    status('');
    document.body.dataset.scored = String(seq);
    if (!$('#tab-unit').hidden) loadUnit();
  } catch (e) { if (seq === S.seq) status(e.message, true); }
}

async function loadBaseline() {
  const v = $('#baseline-select').value;
  let body = { weights: {} };
  if (v !== '0') {
    const sc = await api('GET', `/scenarios/${v}`);
    body = { weights: sc.weights, pipeline: sc.pipeline };
  }
  const r = await api('POST', '/score', body);
  S.baselineRanks = Object.fromEntries(r.units.map((u) => [u.unit, u.rank]));
}

function renderRanking() {
  const r = S.last;
  const thead = $('#ranking thead');
  thead.replaceChildren(el('tr', {}, el('th', { class: 'n', text: t('rank') }), el('th', { text: t('change') }), el('th', { text: t('unit') }),
    el('th', { text: t('name') }), el('th', { class: 'n', text: t('index') }), el('th', { text: t('grade') }),
    r.dims.map((d) => el('th', { class: 'n', text: label(d), title: d }))));
  const tbody = $('#ranking tbody');
  const rows = r.units.map((u) => {
    const b = u.grade_id ? band(u.grade_id) : null;
    const base = S.baselineRanks[u.unit];
    let arrow = el('span', { class: 'same', text: '–' });
    if (base !== undefined && u.rank !== null) {
      const d = base - u.rank;
      arrow = d > 0 ? el('span', { class: 'up', text: `▲${d}` }) : d < 0 ? el('span', { class: 'down', text: `▼${-d}` }) : el('span', { class: 'same', text: '=' });
    }
    return el('tr', { class: 'clickable', 'data-unit': u.unit, onclick: () => { S.unit = u.unit; showTab('unit'); } },
      el('td', { class: 'n rank', text: fmtRank(u.rank) }), el('td', { class: 'change' }, arrow), el('td', { text: u.unit }),
      el('td', { class: 'uname', text: u.name || '' }), el('td', { class: 'n score', 'data-score': u.score === null ? '' : String(u.score), text: fmt(u.score) }),
      el('td', { class: 'grade' }, b ? el('span', { class: 'chip', style: { background: b.colour } }) : null, b ? bandName(b) : '–'),
      u.dims.map((v) => el('td', { class: 'n', text: fmt(v) })));
  });
  tbody.replaceChildren(...rows);
  const w = r.warnings.length;
  $('#warnings').textContent = w ? `${w} ⚠ ${r.warnings.slice(0, 2).map((x) => x.detail).join('; ')}` : '';
  renderBar();
}

function chart(id) {
  if (typeof echarts === 'undefined') return null;
  const node = document.getElementById(id);
  if (!node || node.offsetParent === null) return null;
  if (!S.charts[id]) S.charts[id] = echarts.init(node, null, { renderer: 'canvas' });
  return S.charts[id];
}

function renderBar() {
  const c = chart('bar-chart'); if (!c) return;
  const units = S.last.units;
  c.setOption({
    animation: false, grid: { left: 40, right: 10, top: 20, bottom: 70 },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', data: units.map((u) => u.name || u.unit), axisLabel: { rotate: 60, fontSize: 10 } },
    yAxis: { type: 'value', name: t('index') },
    series: [{ type: 'bar', data: units.map((u) => ({ value: u.score, itemStyle: { color: (u.grade_id && band(u.grade_id).colour) || '#999' } })) }],
  }, true);
}

function renderSunburst() {
  const c = chart('sunburst'); if (!c) return;
  const eff = effective();
  const build = (id) => {
    const n = S.nodes[id];
    const item = { name: label(id), value: eff[id] };
    if (n.children.length) item.children = n.children.map(build);
    return item;
  };
  c.setOption({
    animation: false,
    tooltip: { formatter: (p) => `${p.name}: ${(p.value * 100).toFixed(2)}%` },
    series: [{ type: 'sunburst', data: S.nodes[S.fw.root].children.map(build), radius: ['10%', '95%'], label: { show: false }, sort: null }],
  }, true);
}

// ---------- unit page ----------
async function loadUnit() {
  const sel = $('#unit-select');
  if (!sel.options.length || !S.last) return;
  if (S.unit) sel.value = S.unit; else S.unit = sel.value;
  try {
    const r = await api('POST', `/units/${encodeURIComponent(S.unit)}`, { weights: weightsDoc(), pipeline: S.pipeline });
    $('#unit-title').textContent = `${r.name || r.unit} — ${t('index')} ${fmt(r.score)} · ${t('rank')} ${fmtRank(r.rank)} / ${r.units}`;
    const byId = Object.fromEntries(r.nodes.map((n) => [n.id, n]));
    const dims = S.nodes[S.fw.root].children;
    const c = chart('unit-radar');
    if (c) {
      c.setOption({
        animation: false, legend: { bottom: 0, data: [r.name || r.unit, t('median')] }, tooltip: {},
        radar: { indicator: dims.map((d) => ({ name: label(d), max: Math.max(100, ...r.nodes.map((n) => n.score || 0)) })) },
        series: [{ type: 'radar', data: [{ name: r.name || r.unit, value: dims.map((d) => byId[d].score) }, { name: t('median'), value: dims.map((d) => byId[d].median) }] }],
      }, true);
    }
    const cy = chart('unit-years');
    if (cy) {
      cy.setOption({
        animation: false, title: { text: t('rank'), textStyle: { fontSize: 12 } }, tooltip: { trigger: 'axis' }, grid: { left: 40, right: 10, top: 30, bottom: 30 },
        xAxis: { type: 'category', data: r.years.map((y) => String(y.year)) },
        yAxis: { type: 'value', inverse: true, minInterval: 1, min: 1 },
        series: [{ type: 'line', data: r.years.map((y) => y.rank), label: { show: true } }],
      }, true);
    }
    $('#unit-obstacles thead').replaceChildren(el('tr', {}, el('th', { text: t('node') }), el('th', { class: 'n', text: t('degree') }), el('th', { class: 'n', text: t('score') })));
    $('#unit-obstacles tbody').replaceChildren(...r.obstacles.map((o) => el('tr', { 'data-node': o.id }, el('td', { text: label(o.id), title: o.id }), el('td', { class: 'n', text: (o.degree * 100).toFixed(1) + '%' }), el('td', { class: 'n', text: fmt(o.score) }))));
    $('#unit-obstacle-note').textContent = r.obstacle_note || '';
    $('#unit-nodes thead').replaceChildren(el('tr', {}, el('th', { text: t('node') }), el('th', { class: 'n', text: t('score') }), el('th', { class: 'n', text: t('median') }), el('th', { class: 'n', text: t('rank') })));
    $('#unit-nodes tbody').replaceChildren(...r.nodes.map((n) => el('tr', {}, el('td', { text: '\u00a0'.repeat(2 * (S.fw.nodes.find((x) => x.id === S.fw.root).level - S.nodes[n.id].level)) + label(n.id), title: n.id }),
      el('td', { class: 'n', text: fmt(n.score) }), el('td', { class: 'n', text: fmt(n.median) }), el('td', { class: 'n', text: fmtRank(n.rank) }))));
    if (r.years.length) $('#unit-years').dataset.ranks = JSON.stringify(r.years.map((y) => y.rank));
  } catch (e) { status(e.message, true); }
}

function fillUnitSelect() {
  const sel = $('#unit-select');
  const cur = sel.value;
  sel.replaceChildren(...(S.last ? S.last.units : []).map((u) => el('option', { value: u.unit, text: `${u.name || u.unit} (${u.unit})` })));
  if (S.unit) sel.value = S.unit; else if (cur) sel.value = cur;
}

// ---------- robustness ----------
async function runUncertainty() {
  const spread = parseFloat($('#ua-spread').value); const runs = parseInt($('#ua-runs').value, 10);
  try {
    const r = await api('POST', '/uncertainty', { weights: weightsDoc(), pipeline: S.pipeline, spread, runs });
    S.job = r.job;
    $('#ua-run').disabled = true; $('#ua-cancel').disabled = false;
    $('#ua-progress').max = r.runs; $('#ua-progress').value = 0;
    pollJob(r.job);
  } catch (e) { status(e.message, true); }
}

async function pollJob(id) {
  try {
    const r = await api('GET', `/uncertainty/${id}`);
    $('#ua-progress').value = r.done; $('#ua-text').textContent = `${r.done} / ${r.total}`;
    if (r.state === 'running') { setTimeout(() => pollJob(id), 150); return; }
    $('#ua-run').disabled = false; $('#ua-cancel').disabled = true;
    if (r.state === 'done') renderUncertainty(r.result);
    else status(r.state === 'cancelled' ? t('cancelled') : r.error, r.state !== 'cancelled');
  } catch (e) { status(e.message, true); $('#ua-run').disabled = false; }
}

function renderUncertainty(res) {
  const units = [...res.units].sort((a, b) => a.nominal_rank - b.nominal_rank);
  $('#ua-table thead').replaceChildren(el('tr', {}, el('th', { class: 'n', text: t('nominal_rank') }), el('th', { text: t('unit') }), el('th', { text: t('name') }), el('th', { class: 'n', text: t('interval') }), el('th', { class: 'n', text: t('median_rank') })));
  $('#ua-table tbody').replaceChildren(...units.map((u) => el('tr', { 'data-unit': u.unit }, el('td', { class: 'n', text: fmtRank(u.nominal_rank) }), el('td', { text: u.unit }), el('td', { text: u.name || '' }),
    el('td', { class: 'n interval', text: `${fmtRank(u.p5)} – ${fmtRank(u.p95)}` }), el('td', { class: 'n', text: fmtRank(u.median) }))));
  $('#ua-text').textContent = `${res.runs} ${t('runs')}`;
  const c = chart('ua-chart'); if (!c) return;
  c.setOption({
    animation: false, grid: { left: 40, right: 10, top: 20, bottom: 70 }, tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', data: units.map((u) => u.name || u.unit), axisLabel: { rotate: 60, fontSize: 10 } },
    yAxis: { type: 'value', inverse: true, name: t('rank'), min: 1 },
    series: [
      { type: 'bar', stack: 'r', itemStyle: { color: 'transparent' }, data: units.map((u) => u.p5), tooltip: { show: false } },
      { type: 'bar', stack: 'r', name: t('interval'), itemStyle: { color: '#9ecae1' }, data: units.map((u) => u.p95 - u.p5) },
      { type: 'scatter', name: t('nominal_rank'), data: units.map((u) => u.nominal_rank), itemStyle: { color: '#0b5cab' } },
    ],
  }, true);
}

// ---------- scenarios ----------
function scenarioBody() {
  return { name: $('#sc-name').value, author: $('#sc-author').value, note: $('#sc-note').value, weights: weightsDoc(), pipeline: S.pipeline };
}

async function saveNew(ev) {
  if (ev) ev.preventDefault();
  try {
    const r = await api('POST', '/scenarios', scenarioBody());
    S.scenario = { id: r.id, version: r.version, name: $('#sc-name').value };
    status(`${t('saved')}: ${S.scenario.name} (v${r.version})`);
    await refreshScenarios();
  } catch (e) { status(e.message, true); }
}

async function saveVersion() {
  if (!S.scenario) return;
  try {
    const r = await api('PUT', `/scenarios/${S.scenario.id}`, scenarioBody());
    S.scenario.version = r.version; S.scenario.name = $('#sc-name').value;
    status(`${t('saved')}: ${S.scenario.name} (v${r.version})`);
    await refreshScenarios();
  } catch (e) { status(e.message, true); }
}

async function openScenario(id, version) {
  try {
    const sc = await api('GET', `/scenarios/${id}` + (version ? `?version=${version}` : ''));
    const base = frameworkShares();
    S.shares = { ...base };
    // Stored weights are relative to siblings: re-normalise each group to shares.
    const w = { ...Object.fromEntries(S.fw.nodes.map((n) => [n.id, n.weight])), ...sc.weights };
    for (const n of S.fw.nodes) {
      if (!n.children.length) continue;
      const tot = n.children.reduce((a, c) => a + (w[c] || 0), 0);
      for (const c of n.children) S.shares[c] = tot > 0 ? (w[c] || 0) / tot : 1 / n.children.length;
    }
    S.pipeline = JSON.parse(JSON.stringify(sc.pipeline));
    S.groupMethod = {};
    S.scenario = { id: sc.id, version: sc.version, name: sc.name };
    $('#sc-name').value = sc.name; $('#sc-author').value = sc.author; $('#sc-note').value = sc.note;
    renderTree(); renderMethods(); updateScenarioLabel();
    status(`${t('opened')}: ${sc.name} v${sc.version}${sc.same_data ? '' : ' ' + t('other_data')}`);
    showTab('ranking');
    await score();
  } catch (e) { status(e.message, true); }
}

function updateScenarioLabel() {
  $('#scenario-label').textContent = S.scenario ? `${t('open_scenario')}: ${S.scenario.name} · v${S.scenario.version}` : '';
  $('#sc-save-version').disabled = !S.scenario;
}

function exportLinks(id) {
  const f = [['csv', 'CSV'], ['xlsx', 'Excel'], ['report', t('report')], ['framework.toml', 'framework.toml'], ['pipeline.toml', 'pipeline.toml'], ['weights.toml', 'weights.toml'], ['framework.json', 'framework.json'], ['pipeline.json', 'pipeline.json']];
  return el('span', { class: 'exports' }, f.map(([k, txt]) => [el('a', { href: `${API}/scenarios/${id}/export/${k}?lang=${LANG}`, target: k === 'report' ? '_blank' : null, rel: 'noopener', 'data-format': k, text: txt }), ' ']));
}

async function refreshScenarios() {
  const [live, gone] = await Promise.all([api('GET', '/scenarios'), api('GET', '/scenarios?deleted=true')]);
  S.scenarios = live.scenarios;
  const head = () => el('tr', {}, el('th', { text: t('scenario_name') }), el('th', { text: t('author') }), el('th', { text: t('saved_at') }), el('th', { class: 'n', text: t('version') }), el('th', { text: t('actions') }));
  $('#sc-list thead').replaceChildren(head());
  $('#sc-list tbody').replaceChildren(...live.scenarios.map((s) => el('tr', { 'data-id': s.id },
    el('td', { class: 'sc-name', text: s.name, title: s.note }), el('td', { text: s.author }), el('td', { text: s.saved_at.replace('T', ' ').slice(0, 19) }), el('td', { class: 'n', text: `v${s.version} (${s.versions})` }),
    el('td', {},
      el('button', { type: 'button', class: 'open', text: t('open'), onclick: () => openScenario(s.id) }), ' ',
      el('button', { type: 'button', class: 'versions', text: t('versions'), onclick: () => showVersions(s) }), ' ',
      el('button', { type: 'button', class: 'dup', text: t('duplicate'), onclick: async () => { await api('POST', `/scenarios/${s.id}/duplicate`, { name: `${s.name} (${t('copy')})` }); refreshScenarios(); } }), ' ',
      el('button', { type: 'button', class: 'rename', text: t('rename'), onclick: async () => { const n = prompt(t('rename_prompt'), s.name); if (n) { try { await api('PATCH', `/scenarios/${s.id}`, { name: n }); refreshScenarios(); } catch (e) { status(e.message, true); } } } }), ' ',
      el('button', { type: 'button', class: 'del', text: t('delete'), onclick: async () => { await api('DELETE', `/scenarios/${s.id}`); status(`${t('deleted')}: ${s.name}`); refreshScenarios(); } }), ' ',
      exportLinks(s.id)))));
  $('#sc-deleted thead').replaceChildren(head());
  $('#sc-deleted tbody').replaceChildren(...gone.scenarios.map((s) => el('tr', { 'data-id': s.id },
    el('td', { text: s.name }), el('td', { text: s.author }), el('td', { text: s.saved_at.replace('T', ' ').slice(0, 19) }), el('td', { class: 'n', text: `v${s.version}` }),
    el('td', {}, el('button', { type: 'button', class: 'undo', text: t('undo'), onclick: async () => { await api('POST', `/scenarios/${s.id}/restore`); status(`${t('restored')}: ${s.name}`); refreshScenarios(); } })))));
  // Baseline and compare choices.
  for (const sel of [$('#baseline-select'), $('#cmp-a'), $('#cmp-b')]) {
    const cur = sel.value;
    sel.replaceChildren(el('option', { value: '0', text: t('framework_weights') }), ...live.scenarios.map((s) => el('option', { value: String(s.id), text: `${s.name} · v${s.version}` })));
    if ([...sel.options].some((o) => o.value === cur)) sel.value = cur;
  }
  if ($('#cmp-b').value === '0' && live.scenarios.length) $('#cmp-b').value = String(live.scenarios[0].id);
}

async function showVersions(s) {
  const r = await api('GET', `/scenarios/${s.id}/versions`);
  const box = $('#sc-versions'); box.hidden = false;
  $('#sc-versions-name').textContent = s.name;
  box.querySelector('thead').replaceChildren(el('tr', {}, el('th', { class: 'n', text: t('version') }), el('th', { text: t('scenario_name') }), el('th', { text: t('author') }), el('th', { text: t('saved_at') }), el('th', { text: t('note') }), el('th', { text: t('actions') })));
  box.querySelector('tbody').replaceChildren(...r.versions.map((v) => el('tr', { 'data-version': v.version },
    el('td', { class: 'n', text: `v${v.version}` }), el('td', { text: v.name }), el('td', { text: v.author }), el('td', { text: v.saved_at.replace('T', ' ').slice(0, 19) }), el('td', { text: `${v.note} [${v.origin}]` }),
    el('td', {}, el('button', { type: 'button', text: t('open'), onclick: () => openScenario(s.id, v.version) })))));
}

// ---------- compare ----------
async function runCompare() {
  const a = $('#cmp-a').value; const b = $('#cmp-b').value;
  try {
    const r = await api('GET', `/compare?a=${a}&b=${b}`);
    S.compare = r;
    $('#cmp-summary').textContent = `${r.units_moved} ${t('moved')}`;
    $('#cmp-units thead').replaceChildren(el('tr', {}, el('th', { text: t('unit') }), el('th', { text: t('name') }), el('th', { class: 'n', text: 'A' }), el('th', { class: 'n', text: 'B' }), el('th', { class: 'n', text: t('shift') })));
    $('#cmp-units tbody').replaceChildren(...r.units.map((u) => el('tr', { 'data-unit': u.unit }, el('td', { text: u.unit }), el('td', { text: u.name || '' }), el('td', { class: 'n', text: fmtRank(u.rank_a) }), el('td', { class: 'n', text: fmtRank(u.rank_b) }),
      el('td', { class: 'n shift ' + (u.shift > 0 ? 'up' : u.shift < 0 ? 'down' : 'same'), text: u.shift > 0 ? `▲${u.shift}` : u.shift < 0 ? `▼${-u.shift}` : '=' }))));
    $('#cmp-nodes thead').replaceChildren(el('tr', {}, el('th', { text: t('node') }), el('th', { class: 'n', text: `${t('share')} A` }), el('th', { class: 'n', text: `${t('share')} B` }), el('th', { class: 'n', text: `${t('effective')} ${t('diff')}` })));
    $('#cmp-nodes tbody').replaceChildren(...r.nodes.filter((n) => Math.abs(n.share_diff) > 1e-12 || Math.abs(n.effective_diff) > 1e-12).map((n) => el('tr', { 'data-node': n.id }, el('td', { text: label(n.id), title: n.id }),
      el('td', { class: 'n', text: (n.share_a * 100).toFixed(1) + '%' }), el('td', { class: 'n', text: (n.share_b * 100).toFixed(1) + '%' }), el('td', { class: 'n', text: (n.effective_diff * 100).toFixed(2) + ' pp' }))));
    const c = chart('cmp-chart');
    if (c) {
      c.setOption({
        animation: false, grid: { left: 40, right: 10, top: 20, bottom: 70 }, tooltip: { trigger: 'axis' },
        xAxis: { type: 'category', data: r.units.map((u) => u.name || u.unit), axisLabel: { rotate: 60, fontSize: 10 } },
        yAxis: { type: 'value', name: t('shift') },
        series: [{ type: 'bar', data: r.units.map((u) => ({ value: u.shift, itemStyle: { color: u.shift >= 0 ? '#1a9850' : '#d73027' } })) }],
      }, true);
    }
  } catch (e) { status(e.message, true); }
}

// ---------- data upload ----------
async function uploadData() {
  const f = $('#data-file').files[0];
  if (!f) return;
  const rep = $('#data-report');
  rep.replaceChildren();
  try {
    const buf = await f.arrayBuffer();
    const r = await api('POST', `/data?name=${encodeURIComponent(f.name)}`, undefined, buf);
    S.upload = r.ok ? r.upload : null;
    $('#data-apply').disabled = !r.ok;
    rep.append(el('h3', { class: r.ok ? 'up' : 'down', text: `${r.ok ? t('file_ok') : t('file_bad')}: ${r.file}` }));
    if (r.ok) rep.append(el('p', {}, `${t('rows')}: ${r.rows}` + (r.years.length ? ` · ${t('year')}: ${r.years.join(', ')}` : '')));
    if (r.problems.length) {
      rep.append(el('h3', { text: t('problems') }), el('ul', { class: 'problems' }, r.problems.map((p) => el('li', { text: [p.message, p.node && `node ${p.node}`, p.unit && `unit ${p.unit}`].filter(Boolean).join(' — ') }))));
    }
    if (r.missing && r.missing.length) {
      rep.append(el('h3', { text: t('missing') }), el('ul', {}, r.missing.map((m) => el('li', { text: `${label(m.node)} (${m.node}): ${m.missing}` }))));
    }
  } catch (e) {
    rep.append(el('p', { class: 'down', text: e.message }));
    $('#data-apply').disabled = true;
  }
}

async function applyData() {
  if (!S.upload) return;
  try {
    await api('POST', `/data/${S.upload}/apply`);
    S.upload = null; $('#data-apply').disabled = true;
    await loadFramework(false);
    status(t('data_replaced'));
    await loadBaseline(); await score(); fillUnitSelect();
  } catch (e) { status(e.message, true); }
}

// ---------- tabs, language, start ----------
function showTab(name) {
  for (const b of document.querySelectorAll('#tabs button')) b.classList.toggle('active', b.dataset.tab === name);
  for (const tab of document.querySelectorAll('.tab')) tab.hidden = tab.id !== `tab-${name}`;
  if (name === 'unit') { fillUnitSelect(); loadUnit(); }
  if (name === 'scenarios' || name === 'compare') refreshScenarios().catch((e) => status(e.message, true));
  if (name === 'ranking' && S.last) { renderBar(); renderSunburst(); }
  for (const c of Object.values(S.charts)) c.resize();
}

function applyLang() {
  document.documentElement.lang = LANG === 'zh' ? 'zh' : 'en';
  for (const e of document.querySelectorAll('[data-i18n]')) e.textContent = t(e.dataset.i18n);
  $('#lang-toggle').textContent = LANG === 'zh' ? 'English' : '中文';
  const nm = S.fw.name || {};
  $('#fw-name').textContent = (LANG === 'zh' ? nm.zh || nm.en : nm.en || nm.zh) || S.fw.id;
  $('#data-label').textContent = `${S.fw.data.label} · ${S.fw.data.units} ${t('units_count')}` + (S.fw.data.year ? ` · ${S.fw.data.year}` : '');
  document.title = `zhili · ${$('#fw-name').textContent}`;
  renderTree(); renderMethods(); updateScenarioLabel();
  if (S.last) { renderRanking(); renderSunburst(); }
  fillUnitSelect();
  if (!$('#tab-unit').hidden) loadUnit();
  if (!$('#tab-scenarios').hidden || !$('#tab-compare').hidden) refreshScenarios();
  if (S.compare && !$('#tab-compare').hidden) runCompare();
}

async function loadFramework(resetWeights = true) {
  const fw = await api('GET', '/framework');
  S.fw = fw;
  S.nodes = Object.fromEntries(fw.nodes.map((n) => [n.id, n]));
  if (resetWeights || !Object.keys(S.shares).length) {
    S.shares = frameworkShares();
    S.pipeline = JSON.parse(JSON.stringify(fw.pipeline));
  }
  applyLang();
}

async function start() {
  try {
    const saved = localStorage.getItem('zhili.lang');
    await loadFramework();
    LANG = saved || S.fw.lang || 'zh';
    applyLang();
    for (const b of document.querySelectorAll('#tabs button')) b.addEventListener('click', () => showTab(b.dataset.tab));
    $('#lang-toggle').addEventListener('click', () => { LANG = LANG === 'zh' ? 'en' : 'zh'; localStorage.setItem('zhili.lang', LANG); applyLang(); });
    $('#reset').addEventListener('click', () => { S.shares = frameworkShares(); S.locked.clear(); S.groupMethod = {}; S.pipeline = JSON.parse(JSON.stringify(S.fw.pipeline)); renderTree(); renderMethods(); scheduleScore(); });
    $('#expand-all').addEventListener('click', () => { S.collapsed.clear(); renderTree(); });
    $('#collapse-all').addEventListener('click', () => { for (const n of S.fw.nodes) if (n.children.length && n.id !== S.fw.root) S.collapsed.add(n.id); renderTree(); });
    $('#ahp-apply').addEventListener('click', applyAhp);
    $('#ahp-close').addEventListener('click', () => { $('#ahp-panel').hidden = true; });
    $('#save-form').addEventListener('submit', saveNew);
    $('#sc-save-version').addEventListener('click', saveVersion);
    $('#baseline-select').addEventListener('change', async () => { await loadBaseline(); renderRanking(); });
    $('#unit-select').addEventListener('change', () => { S.unit = $('#unit-select').value; loadUnit(); });
    $('#ua-run').addEventListener('click', runUncertainty);
    $('#ua-cancel').addEventListener('click', () => { if (S.job) api('DELETE', `/uncertainty/${S.job}`); });
    $('#cmp-run').addEventListener('click', runCompare);
    $('#data-upload').addEventListener('click', uploadData);
    $('#data-apply').addEventListener('click', applyData);
    window.addEventListener('resize', () => { for (const c of Object.values(S.charts)) c.resize(); });
    await refreshScenarios();
    await loadBaseline();
    await score();
    fillUnitSelect();
    document.body.dataset.ready = '1';
  } catch (e) { status(e.message, true); }
}

document.addEventListener('DOMContentLoaded', start);
