// zhili report page: builds every section from the embedded JSON. Names are inserted as
// text (textContent) or escaped before ECharts sees them in rich tooltips.
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('zhili-data').textContent);
  var L = D.labels;
  var charts = [];
  var main = document.getElementById('report');
  var PRINT_WIDTH = 680; // 180 mm at 96 dpi

  function t(key) { return Object.prototype.hasOwnProperty.call(L, key) ? L[key] : key; }
  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }
  function fmt(v, d) { return v === null || v === undefined ? '–' : Number(v).toFixed(d); }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function section(id, title, note) {
    var s = el('section', { id: id, 'class': 'report-section' });
    s.appendChild(el('h2', null, title));
    if (note) s.appendChild(el('p', { 'class': 'note' }, note));
    main.appendChild(s);
    var a = el('a', { href: '#' + id }, title);
    document.getElementById('toc').appendChild(a);
    return s;
  }
  function table(parent, headers, rows, opts) {
    opts = opts || {};
    var tb = el('table', opts.id ? { id: opts.id } : null);
    var tr = el('tr');
    headers.forEach(function (h, j) { tr.appendChild(el('th', opts.num && opts.num[j] ? { 'class': 'num' } : null, h)); });
    var thead = el('thead'); thead.appendChild(tr); tb.appendChild(thead);
    var body = el('tbody');
    rows.forEach(function (r) {
      var row = el('tr');
      r.forEach(function (c, j) {
        var attrs = opts.num && opts.num[j] ? { 'class': 'num' } : {};
        if (c instanceof Node) { var td = el('td', attrs); td.appendChild(c); row.appendChild(td); }
        else row.appendChild(el('td', attrs, c));
      });
      body.appendChild(row);
    });
    tb.appendChild(body);
    parent.appendChild(tb);
    return tb;
  }
  function chart(parent, id, height, option) {
    var div = el('div', { id: id, 'class': 'chart' });
    div.style.height = height + 'px';
    parent.appendChild(div);
    var c = echarts.init(div, null, { renderer: 'svg' });
    option.animation = false;
    option.textStyle = { fontFamily: getComputedStyle(document.body).fontFamily };
    c.setOption(option);
    charts.push(c);
    return c;
  }
  function unitLabel(u) { return u.name ? u.name : u.id; }
  function bandOf(u) { return D.grading && u.grade !== null ? D.grading.bands[u.grade] : null; }

  // ---- header -------------------------------------------------------------------------
  document.getElementById('subtitle').textContent =
    t('units') + ': ' + D.meta.n_units + ' · ' + t('indicators') + ': ' + D.meta.n_indicators +
    ' · zhili ' + D.meta.version;

  // ---- summary and ranking ------------------------------------------------------------
  var s = section('ranking', t('ranking'), D.grading ? t('ranking_note') : null);
  var head = [t('rank'), t('unit'), t('name'), D.index_label];
  if (D.grading) head.push(D.grading.name);
  var rows = D.units.map(function (u) {
    var r = [fmt(u.rank, 0), u.id, u.name || '', fmt(u.score, 2)];
    if (D.grading) {
      var b = bandOf(u);
      if (b) {
        var span = el('span');
        var sw = el('span', { 'class': 'swatch' }); sw.style.background = b.color;
        span.appendChild(sw); span.appendChild(document.createTextNode(b.label));
        r.push(span);
      } else r.push('–');
    }
    return r;
  });
  var rt = table(s, head, rows, { id: 'ranking-table', num: [true, false, false, true, false] });
  // full-precision values for checks and copy-paste
  Array.prototype.forEach.call(rt.tBodies[0].rows, function (tr, i) {
    var u = D.units[i];
    tr.setAttribute('data-unit', u.id);
    tr.setAttribute('data-score', u.score === null ? '' : String(u.score));
    tr.setAttribute('data-rank', u.rank === null ? '' : String(u.rank));
  });
  var ranked = D.units.filter(function (u) { return u.score !== null; });
  var barH = Math.max(260, 22 * ranked.length + 80);
  chart(s, 'chart-ranking', barH, {
    grid: { left: 8, right: 48, top: 16, bottom: 24, containLabel: true },
    tooltip: { trigger: 'item', formatter: function (p) {
      var u = ranked[p.dataIndex];
      var b = bandOf(u);
      return esc(unitLabel(u)) + '<br>' + esc(D.index_label) + ': ' + fmt(u.score, 2) +
        '<br>' + esc(t('rank')) + ': ' + fmt(u.rank, 0) + (b ? '<br>' + esc(b.label) : '');
    } },
    xAxis: { type: 'value', name: D.index_label, nameLocation: 'middle', nameGap: 22 },
    yAxis: { type: 'category', inverse: true, data: ranked.map(unitLabel), axisLabel: { interval: 0 } },
    series: [{
      type: 'bar', name: D.index_label,
      data: ranked.map(function (u) {
        var b = bandOf(u);
        return { value: u.score, itemStyle: { color: b ? b.color : '#2f5d8a' } };
      }),
      label: { show: true, position: 'right', formatter: function (p) { return fmt(p.value, 1); } },
    }],
  });

  // ---- framework ----------------------------------------------------------------------
  s = section('framework', t('framework'), t('framework_note'));
  var byParent = {};
  D.framework.forEach(function (n) { var k = n.parent || ''; (byParent[k] = byParent[k] || []).push(n); });
  var root = D.framework.filter(function (n) { return n.parent === null; })[0];
  function tree(n) {
    var kids = (byParent[n.id] || []).map(tree);
    var node = { name: n.label, id: n.id, w: n.effective_weight };
    if (kids.length) node.children = kids; else node.value = n.effective_weight;
    return node;
  }
  chart(s, 'chart-framework', 560, {
    tooltip: { formatter: function (p) {
      return esc(p.name) + '<br>' + esc(t('effective_weight')) + ': ' + fmt(100 * p.data.w, 2) + ' %';
    } },
    series: [{
      type: 'sunburst', radius: ['8%', '96%'], sort: null,
      data: (byParent[root.id] || []).map(tree),
      label: { rotate: 'radial', fontSize: 10, minAngle: 4,
        formatter: function (p) { var n = p.name; return n.length > 10 ? n.slice(0, 9) + '…' : n; } },
      levels: [{}, { r0: '8%', r: '38%', label: { rotate: 'tangential', fontSize: 12 } }, { r0: '38%', r: '70%' }, { r0: '70%', r: '96%' }],
    }],
  });
  var wrows = D.framework.map(function (n) {
    return [n.id, n.label, String(n.level), fmt(n.weight, 4), fmt(100 * n.effective_weight, 2) + ' %', n.direction || ''];
  });
  table(s, [t('node'), t('name'), t('level'), t('nominal_weight'), t('effective_weight'), t('direction')], wrows,
    { id: 'weights-table', num: [false, false, true, true, true, false] });

  // ---- heatmap and profile ------------------------------------------------------------
  if (D.dims.length) {
    s = section('heatmap', t('heatmap'));
    var cells = [];
    D.units.forEach(function (u, i) {
      u.dims.forEach(function (v, j) { cells.push([j, i, v === null ? '-' : v]); });
    });
    var vals = cells.map(function (c) { return c[2]; }).filter(function (v) { return v !== '-'; });
    chart(s, 'chart-heatmap', Math.max(300, 20 * D.units.length + 120), {
      tooltip: { formatter: function (p) {
        return esc(unitLabel(D.units[p.data[1]])) + '<br>' + esc(D.dims[p.data[0]][1]) + ': ' + fmt(p.data[2] === '-' ? null : p.data[2], 2);
      } },
      grid: { left: 8, right: 16, top: 8, bottom: 60, containLabel: true },
      xAxis: { type: 'category', data: D.dims.map(function (d) { return d[1]; }), position: 'top',
        axisLabel: { interval: 0, rotate: D.dims.length > 6 ? 30 : 0 } },
      yAxis: { type: 'category', inverse: true, data: D.units.map(unitLabel), axisLabel: { interval: 0 } },
      visualMap: { min: vals.length ? Math.min.apply(null, vals) : 0, max: vals.length ? Math.max.apply(null, vals) : 1,
        calculable: false, orient: 'horizontal', left: 'center', bottom: 4, itemHeight: 160,
        inRange: { color: ['#d73027', '#fee08b', '#1a9850'] } },
      series: [{ type: 'heatmap', data: cells, label: { show: D.dims.length <= 8, fontSize: 9,
        formatter: function (p) { return p.data[2] === '-' ? '' : fmt(p.data[2], 0); } } }],
    });

    s = section('profile', t('profile'), t('profile_note'));
    var pick = el('select', { id: 'profile-unit', 'class': 'no-print', 'aria-label': t('choose_unit') });
    D.units.forEach(function (u, i) { pick.appendChild(el('option', { value: String(i) }, unitLabel(u))); });
    var lab = el('label', { 'class': 'no-print' }, t('choose_unit') + ': ');
    lab.appendChild(pick);
    s.appendChild(lab);
    var means = D.dims.map(function (d, j) {
      var xs = D.units.map(function (u) { return u.dims[j]; }).filter(function (v) { return v !== null; });
      return xs.length ? xs.reduce(function (a, b) { return a + b; }, 0) / xs.length : null;
    });
    var allDims = [];
    D.units.forEach(function (u) { u.dims.forEach(function (v) { if (v !== null) allDims.push(v); }); });
    var hi = allDims.length ? Math.max.apply(null, allDims) : 1;
    var lo = allDims.length ? Math.min.apply(null, allDims) : 0;
    function profileOption(i) {
      var u = D.units[i];
      var title = { text: unitLabel(u) + (u.rank !== null ? ' (' + t('rank') + ' ' + fmt(u.rank, 0) + ')' : ''), left: 'center', textStyle: { fontSize: 14 } };
      var legend = { bottom: 0, data: [unitLabel(u), t('mean_of_units')] };
      if (D.dims.length >= 3) {
        return {
          title: title, legend: legend, tooltip: {},
          radar: { indicator: D.dims.map(function (d) { return { name: d[1], max: hi, min: Math.min(0, lo) }; }), radius: '62%' },
          series: [{ type: 'radar', data: [
            { name: unitLabel(u), value: u.dims.map(function (v) { return v === null ? 0 : v; }), areaStyle: { opacity: 0.2 } },
            { name: t('mean_of_units'), value: means, lineStyle: { type: 'dashed' } }] }],
        };
      }
      return {
        title: title, legend: legend, tooltip: {},
        grid: { left: 8, right: 16, top: 40, bottom: 40, containLabel: true },
        xAxis: { type: 'category', data: D.dims.map(function (d) { return d[1]; }) }, yAxis: { type: 'value' },
        series: [{ type: 'bar', name: unitLabel(u), data: u.dims }, { type: 'bar', name: t('mean_of_units'), data: means }],
      };
    }
    var prof = chart(s, 'chart-profile', 440, profileOption(0));
    pick.addEventListener('change', function () { prof.setOption(profileOption(Number(pick.value)), true); });
  }

  // ---- audit --------------------------------------------------------------------------
  if (D.audit) {
    var A = D.audit;
    s = section('audit', t('audit'), t('audit_stage') + ': ' + A.stage);
    s.appendChild(el('h3', null, t('audit_stats')));
    table(s, [t('indicator'), t('name'), t('min'), t('max'), t('mean'), t('sd'), t('skew'), t('kurtosis'), t('available'), t('flags')],
      A.stats.map(function (r) {
        var f = el('span', r.flags.length ? { 'class': 'flag' } : null, r.flags.join(', '));
        return [r.id, r.label, fmt(r.min, 3), fmt(r.max, 3), fmt(r.mean, 3), fmt(r.sd, 3), fmt(r.skew, 2), fmt(r.kurtosis, 2),
          fmt(r.available === null ? null : 100 * r.available, 0) + ' %', f];
      }), { id: 'stats-table', num: [false, false, true, true, true, true, true, true, true, false] });
    s.appendChild(el('h3', null, t('corr_flags')));
    if (A.flags.length) {
      table(s, [t('flags'), 'a', 'b', 'r'], A.flags.map(function (f) { return [f.kind, f.a, f.b, fmt(f.r, 3)]; }),
        { id: 'flags-table', num: [false, false, false, true] });
    } else s.appendChild(el('p', null, t('no_flags')));
    s.appendChild(el('h3', null, t('correlations')));
    var cc = [];
    A.corr.matrix.forEach(function (row, i) { row.forEach(function (v, j) { cc.push([j, i, v === null ? '-' : v]); }); });
    var n = A.corr.ids.length;
    chart(s, 'chart-corr', Math.max(360, 16 * n + 160), {
      tooltip: { formatter: function (p) {
        return esc(A.corr.labels[p.data[1]]) + ' × ' + esc(A.corr.labels[p.data[0]]) + '<br>r = ' + fmt(p.data[2] === '-' ? null : p.data[2], 3);
      } },
      grid: { left: 8, right: 16, top: 8, bottom: 70, containLabel: true },
      xAxis: { type: 'category', data: A.corr.ids, axisLabel: { interval: 0, rotate: 90, fontSize: 9 } },
      yAxis: { type: 'category', inverse: true, data: A.corr.ids, axisLabel: { interval: 0, fontSize: 9 } },
      visualMap: { min: -1, max: 1, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 160,
        inRange: { color: ['#2166ac', '#f7f7f7', '#b2182b'] } },
      series: [{ type: 'heatmap', data: cc }],
    });
    s.appendChild(el('h3', null, t('alpha')));
    table(s, [t('node'), t('name'), t('children'), 'α'], A.alpha.map(function (r) {
      return [r.node, r.label, String(r.children), fmt(r.alpha, 3)];
    }), { id: 'alpha-table', num: [false, false, true, true] });
  }

  // ---- uncertainty --------------------------------------------------------------------
  if (D.uncertainty) {
    var U = D.uncertainty;
    s = section('uncertainty', t('uncertainty'), t('uncertainty_note') + ' ' + t('runs') + ': ' + U.runs + ', ' + t('seed') + ': ' + U.seed);
    var byId = {};
    D.units.forEach(function (u) { byId[u.id] = u; });
    var us = U.units.filter(function (u) { return u.p5 !== null; });
    var names = us.map(function (u) { return byId[u.id] ? unitLabel(byId[u.id]) : u.id; });
    chart(s, 'chart-uncertainty', Math.max(280, 20 * us.length + 100), {
      legend: { top: 0, data: [t('rank_interval'), t('nominal_rank'), t('median_rank')] },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, formatter: function (ps) {
        var u = us[ps[0].dataIndex];
        return esc(names[ps[0].dataIndex]) + '<br>' + esc(t('nominal_rank')) + ': ' + fmt(u.nominal, 0) +
          '<br>' + esc(t('median_rank')) + ': ' + fmt(u.median, 1) + '<br>5–95 %: ' + fmt(u.p5, 1) + ' – ' + fmt(u.p95, 1);
      } },
      grid: { left: 8, right: 24, top: 30, bottom: 30, containLabel: true },
      xAxis: { type: 'value', name: t('rank'), nameLocation: 'middle', nameGap: 22, min: 1, inverse: false },
      yAxis: { type: 'category', inverse: true, data: names, axisLabel: { interval: 0 } },
      series: [
        { type: 'bar', stack: 'ci', silent: true, itemStyle: { color: 'transparent' }, data: us.map(function (u) { return u.p5; }) },
        { type: 'bar', stack: 'ci', name: t('rank_interval'), itemStyle: { color: '#9ecae1' }, barWidth: '55%',
          data: us.map(function (u) { return u.p95 - u.p5; }) },
        { type: 'scatter', name: t('nominal_rank'), symbol: 'diamond', symbolSize: 9, itemStyle: { color: '#d73027' },
          data: us.map(function (u) { return u.nominal; }) },
        { type: 'scatter', name: t('median_rank'), symbolSize: 6, itemStyle: { color: '#08306b' },
          data: us.map(function (u) { return u.median; }) },
      ],
    });
    table(s, [t('unit'), t('name'), t('nominal_rank'), t('median_rank'), '5 %', '95 %'], U.units.map(function (u) {
      var b = byId[u.id];
      return [u.id, b && b.name ? b.name : '', fmt(u.nominal, 0), fmt(u.median, 1), fmt(u.p5, 1), fmt(u.p95, 1)];
    }), { id: 'uncertainty-table', num: [false, false, true, true, true, true] });
  }

  // ---- sensitivity --------------------------------------------------------------------
  if (D.sensitivity) {
    var S = D.sensitivity;
    s = section('sensitivity', t('sensitivity'), t('sensitivity_note') + ' N = ' + S.n + ', ' + t('runs') + ': ' + S.runs +
      ', ' + t('seed') + ': ' + S.seed + ', ' + Math.round(100 * S.confidence) + ' %');
    var F = S.factors;
    var whisker = function (key) {
      return function (params, api) {
        var x = api.value(0), lo = api.value(1), hi = api.value(2);
        var a = api.coord([x, lo]), b = api.coord([x, hi]);
        var off = key === 'first' ? -1 : 1;
        var w = api.size([1, 0])[0] * 0.18;
        var cx = a[0] + off * w;
        var st = { stroke: '#333', lineWidth: 1.2 };
        return { type: 'group', children: [
          { type: 'line', shape: { x1: cx, y1: a[1], x2: cx, y2: b[1] }, style: st },
          { type: 'line', shape: { x1: cx - 4, y1: a[1], x2: cx + 4, y2: a[1] }, style: st },
          { type: 'line', shape: { x1: cx - 4, y1: b[1], x2: cx + 4, y2: b[1] }, style: st }] };
      };
    };
    chart(s, 'chart-sensitivity', 380, {
      legend: { top: 0, data: [t('first_order'), t('total_order')] },
      tooltip: { trigger: 'axis', formatter: function (ps) {
        var f = F[ps[0].dataIndex];
        return esc(f.label) + '<br>S = ' + fmt(f.first, 3) + ' [' + fmt(f.first_lo, 3) + ', ' + fmt(f.first_hi, 3) + ']' +
          '<br>ST = ' + fmt(f.total, 3) + ' [' + fmt(f.total_lo, 3) + ', ' + fmt(f.total_hi, 3) + ']';
      } },
      grid: { left: 8, right: 16, top: 36, bottom: 24, containLabel: true },
      xAxis: { type: 'category', data: F.map(function (f) { return f.label; }), axisLabel: { interval: 0 } },
      yAxis: { type: 'value' },
      series: [
        { type: 'bar', name: t('first_order'), itemStyle: { color: '#4292c6' }, barGap: '0%', barCategoryGap: '40%',
          data: F.map(function (f) { return f.first; }) },
        { type: 'bar', name: t('total_order'), itemStyle: { color: '#fd8d3c' }, data: F.map(function (f) { return f.total; }) },
        { type: 'custom', name: 'ci-first', silent: true, renderItem: whisker('first'), encode: { x: 0, y: [1, 2] },
          data: F.map(function (f, i) { return [i, f.first_lo, f.first_hi]; }), z: 10 },
        { type: 'custom', name: 'ci-total', silent: true, renderItem: whisker('total'), encode: { x: 0, y: [1, 2] },
          data: F.map(function (f, i) { return [i, f.total_lo, f.total_hi]; }), z: 10 },
      ],
    });
    table(s, [t('factor'), t('first_order'), t('ci'), t('total_order'), t('ci')], F.map(function (f) {
      return [f.label, fmt(f.first, 4), '[' + fmt(f.first_lo, 4) + ', ' + fmt(f.first_hi, 4) + ']',
        fmt(f.total, 4), '[' + fmt(f.total_lo, 4) + ', ' + fmt(f.total_hi, 4) + ']'];
    }), { id: 'sensitivity-table', num: [false, true, true, true, true] });
  }

  // ---- method -------------------------------------------------------------------------
  var M = D.method;
  s = section('method', t('method'), t('method_note'));
  s.appendChild(el('h3', null, t('pipeline_steps')));
  table(s, ['#', t('step'), t('parameters')], M.steps.map(function (st, i) {
    return [String(i + 1), st.step, el('code', null, st.parameters)];
  }), { id: 'steps-table', num: [true, false, false] });
  s.appendChild(el('pre', { id: 'pipeline-toml' }, M.pipeline_toml));
  var dl = el('dl', { 'class': 'meta', id: 'method-meta' });
  function meta(k, v) { if (v === null || v === undefined || v === '') return; dl.appendChild(el('dt', null, k)); dl.appendChild(el('dd', null, v)); }
  meta(t('weights_source'), M.weights_source);
  meta(t('ties'), M.ties);
  meta(t('framework_source'), D.meta.framework_source);
  meta(t('data_source'), D.meta.data_source);
  meta(t('fingerprint'), D.meta.fingerprint);
  meta('', t('fingerprint_note'));
  meta(t('version'), D.meta.version + ' (ECharts ' + D.meta.echarts + ')');
  meta(t('command'), D.meta.command);
  if (D.uncertainty) meta(t('uncertainty'), t('runs') + ' ' + D.uncertainty.runs + ', ' + t('seed') + ' ' + D.uncertainty.seed + ': ' + D.uncertainty.factors.join('; '));
  if (D.sensitivity) meta(t('sensitivity'), 'N ' + D.sensitivity.n + ', ' + t('runs') + ' ' + D.sensitivity.runs + ', ' + t('seed') + ' ' + D.sensitivity.seed + ': ' +
    D.sensitivity.factors.map(function (f) { return f.document; }).join('; '));
  s.appendChild(dl);
  if (M.log.length) {
    s.appendChild(el('h3', null, t('log')));
    table(s, [t('step'), t('action'), t('count')], M.log.map(function (r) { return [r[0], r[1], String(r[2])]; }),
      { id: 'log-table', num: [false, false, true] });
  }
  document.getElementById('footer').textContent = t('generated') + ' ' + D.meta.version;

  // ---- print: charts sized for A4 ------------------------------------------------------
  // 'auto' clears a width set for printing (a bare resize() keeps it)
  function resizeAll(w) { charts.forEach(function (c) { c.resize({ width: w || 'auto' }); }); }
  var printing = window.matchMedia ? window.matchMedia('print') : null;
  function fit() { resizeAll(printing && printing.matches ? PRINT_WIDTH : null); }
  if (printing && printing.addEventListener) printing.addEventListener('change', fit);
  // a container that changes size (print CSS sets 180 mm) redraws its chart
  if (window.ResizeObserver) {
    var ro = new ResizeObserver(function (entries) {
      entries.forEach(function (e) {
        var c = echarts.getInstanceByDom(e.target);
        if (c && Math.abs(c.getWidth() - e.contentRect.width) > 1) c.resize({ width: 'auto' });
      });
    });
    charts.forEach(function (c) { ro.observe(c.getDom()); });
  }
  window.addEventListener('beforeprint', function () { resizeAll(PRINT_WIDTH); });
  window.addEventListener('afterprint', fit);
  window.addEventListener('resize', fit);
  document.documentElement.setAttribute('data-rendered', String(charts.length));
})();
