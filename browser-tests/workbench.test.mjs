// The workbench page in headless Chromium: move a weight and see the ranking change to the
// API's numbers (and the CLI's), save a scenario, reload and open it, compare two scenarios,
// export the workbook and read it back, switch to English, an XSS-named scenario shows as
// text, no console errors, no request leaving the server's origin.
import { launch, watchedPage, screenshot, serve, assert, close, ZHILI, ARTEFACTS } from './lib.mjs';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import os from 'node:os';
import path from 'node:path';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'zhili-wb-'));
const { url, proc } = await serve(['--db', path.join(tmp, 'wb.sqlite')]);
const browser = await launch();
const XSS = '<script>alert(1)</script><img src=x onerror=alert(2)>';
let failed = false;

async function apiPost(p, body) {
  const r = await fetch(url + p, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const text = await r.text();
  assert(r.ok, `${p}: ${r.status} ${text}`);
  return JSON.parse(text);
}

/** The ranking table as { unit: score } (full precision, from data-score). */
async function tableScores(page) {
  return page.$$eval('#ranking tbody tr', (rows) => Object.fromEntries(rows.map((r) => [r.dataset.unit, parseFloat(r.querySelector('td.score').dataset.score)])));
}

/** Entries of a zip (central directory), inflated. */
function unzip(buf) {
  const out = {};
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  assert(eocd >= 0, 'export is a zip file');
  let p = buf.readUInt32LE(eocd + 16);
  const n = buf.readUInt16LE(eocd + 10);
  for (let k = 0; k < n; k++) {
    const method = buf.readUInt16LE(p + 10); const size = buf.readUInt32LE(p + 20);
    const nlen = buf.readUInt16LE(p + 28); const xlen = buf.readUInt16LE(p + 30); const clen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42); const name = buf.toString('utf8', p + 46, p + 46 + nlen);
    const lstart = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(lstart, lstart + size);
    out[name] = method === 8 ? inflateRawSync(data).toString('utf8') : data.toString('utf8');
    p += 46 + nlen + xlen + clen;
  }
  return out;
}

try {
  const { page, problems } = await watchedPage(browser, { allowedOrigin: url });
  page.on('dialog', (d) => { problems.push(`a dialog opened: ${d.message()}`); d.dismiss(); });
  await page.goto(url + '/');
  await page.waitForSelector('body[data-ready="1"]', { timeout: 30000 });
  const fw = await (await fetch(url + '/api/v1/framework')).json();
  assert(await page.$eval('#tabs button[data-tab="ranking"]', (b) => b.textContent) === '排名', 'Chinese by default');
  const before = await tableScores(page);
  assert(Object.keys(before).length === fw.data.units, 'every unit in the table');

  // Move a weight: the table changes to the API's numbers for the page's weights.
  const scored = await page.evaluate(() => document.body.dataset.scored);
  await page.locator('#tree input[type=range][data-node="public_safety"]').fill('800');
  await page.waitForFunction((s) => document.body.dataset.scored !== s, scored);
  const state = await page.evaluate(() => ({ weights: Object.fromEntries(Object.entries(window.__zhili.shares)), pipeline: window.__zhili.pipeline }));
  close(state.weights.public_safety, 0.8, 1e-12, 'slider share');
  const siblings = fw.nodes.find((n) => n.id === fw.root).children;
  close(siblings.reduce((a, c) => a + state.weights[c], 0), 1, 1e-12, 'siblings re-normalised');
  const after = await tableScores(page);
  const api = await apiPost('/api/v1/score', state);
  let changed = 0;
  for (const u of api.units) { close(after[u.unit], u.score, 1e-9, `table vs API ${u.unit}`); if (after[u.unit] !== before[u.unit]) changed++; }
  assert(changed > 0, 'the ranking changed');
  const order = await page.$$eval('#ranking tbody tr', (rows) => rows.map((r) => r.dataset.unit));
  assert(order.join() === api.units.map((u) => u.unit).join(), 'table order = API ranking');

  // ... and the API's numbers are the CLI's (`zhili score --weights`, JSON output).
  const wfile = path.join(tmp, 'w.toml');
  writeFileSync(wfile, Object.entries(state.weights).map(([k, v]) => `${k} = ${v}`).join('\n') + '\n');
  const cli = JSON.parse(execFileSync(ZHILI, ['score', '--weights', wfile, '--format', 'json'], { encoding: 'utf8' }));
  cli.units.forEach((u, i) => close(cli.scores[cli.index][i], after[u], 1e-9, `CLI vs page ${u}`));
  await screenshot(page, 'workbench');

  // Save scenario A with an XSS name.
  await page.click('#tabs button[data-tab="scenarios"]');
  await page.fill('#sc-name', XSS);
  await page.fill('#sc-author', '张三');
  await page.fill('#sc-note', '公共安全权重 0.8');
  await page.click('#sc-save-new');
  await page.waitForSelector('#sc-list tbody tr');
  const saved = await (await fetch(url + '/api/v1/scenarios')).json();
  const a = saved.scenarios.find((s) => s.name === XSS);
  assert(a && a.weights.public_safety === 0.8, 'scenario A stored with its weights');

  // Reload, open A again: the same numbers.
  await page.reload();
  await page.waitForSelector('body[data-ready="1"]');
  await page.click('#tabs button[data-tab="scenarios"]');
  await page.waitForSelector(`#sc-list tbody tr[data-id="${a.id}"]`);
  const shown = await page.$eval(`#sc-list tbody tr[data-id="${a.id}"] td.sc-name`, (td) => ({ text: td.textContent, kids: td.children.length }));
  assert(shown.text === XSS && shown.kids === 0, 'the XSS name is shown as text');
  assert(await page.$$eval('#sc-list img', (x) => x.length) === 0, 'no injected element');
  const s2 = await page.evaluate(() => document.body.dataset.scored);
  await page.click(`#sc-list tbody tr[data-id="${a.id}"] button.open`);
  await page.waitForFunction((s) => document.body.dataset.scored !== s, s2);
  const reopened = await tableScores(page);
  for (const u of api.units) close(reopened[u.unit], u.score, 1e-9, `reopened ${u.unit}`);
  assert((await page.textContent('#scenario-label')).includes(XSS), 'open scenario named as text');

  // Scenario B: another weight.
  const s3 = await page.evaluate(() => document.body.dataset.scored);
  await page.locator('#tree input[type=range][data-node="grassroots_base"]').fill('600');
  await page.waitForFunction((s) => document.body.dataset.scored !== s, s3);
  await page.click('#tabs button[data-tab="scenarios"]');
  await page.fill('#sc-name', 'B 基层优先');
  await page.click('#sc-save-new');
  await page.waitForFunction(() => [...document.querySelectorAll('#sc-list td.sc-name')].some((td) => td.textContent === 'B 基层优先'));
  const list = await (await fetch(url + '/api/v1/scenarios')).json();
  const b = list.scenarios.find((s) => s.name === 'B 基层优先');
  await screenshot(page, 'workbench-scenarios');

  // Compare A and B.
  await page.click('#tabs button[data-tab="compare"]');
  await page.selectOption('#cmp-a', String(a.id));
  await page.selectOption('#cmp-b', String(b.id));
  await page.click('#cmp-run');
  await page.waitForSelector('#cmp-units tbody tr');
  const cmp = await (await fetch(`${url}/api/v1/compare?a=${a.id}&b=${b.id}`)).json();
  const shifts = await page.$$eval('#cmp-units tbody tr', (rows) => rows.map((r) => [r.dataset.unit, r.querySelector('td.shift').textContent]));
  assert(shifts.length === cmp.units.length, 'every unit compared');
  shifts.forEach(([u, txt], i) => {
    const s = cmp.units[i].shift;
    assert(cmp.units[i].unit === u && txt === (s > 0 ? `▲${s}` : s < 0 ? `▼${-s}` : '='), `shift of ${u}`);
  });
  assert(await page.$$eval('#cmp-nodes tbody tr', (r) => r.length) > 0, 'weight differences listed');
  await screenshot(page, 'workbench-compare');

  // Export the workbook and read it back.
  const xr = await fetch(`${url}/api/v1/scenarios/${a.id}/export/xlsx`);
  const xbytes = Buffer.from(await xr.arrayBuffer());
  assert(xr.ok, `xlsx export: ${xr.status} ${xbytes.toString('utf8', 0, 300)}`);
  const files = unzip(xbytes);
  const wb = files['xl/workbook.xml'];
  assert(wb, 'a workbook');
  const sheets = [...wb.matchAll(/<sheet [^>]*name="([^"]+)"/g)].map((m) => m[1]);
  assert(sheets.length >= 3, `sheets: ${sheets}`);
  const strings = files['xl/sharedStrings.xml'] || '';
  const top = api.units[0];
  assert(strings.includes(top.unit) || Object.values(files).some((f) => f.includes(top.unit)), 'the top unit is in the workbook');
  const sheet1 = files['xl/worksheets/sheet1.xml'];
  const nums = [...sheet1.matchAll(/<v>([-0-9.eE+]+)<\/v>/g)].map((m) => parseFloat(m[1]));
  assert(nums.some((v) => Math.abs(v - top.score) <= 1e-9), 'the top score is stored as a number');
  // The documents reproduce the scenario through the CLI.
  const fwDoc = path.join(tmp, 'framework.toml'); const pDoc = path.join(tmp, 'pipeline.toml');
  writeFileSync(fwDoc, await (await fetch(`${url}/api/v1/scenarios/${a.id}/export/framework.toml`)).text());
  writeFileSync(pDoc, await (await fetch(`${url}/api/v1/scenarios/${a.id}/export/pipeline.toml`)).text());
  const rep = JSON.parse(execFileSync(ZHILI, ['score', '-f', fwDoc, '--data', path.resolve('../indicators/data/kunming-14.csv'), '-p', pDoc, '--format', 'json'], { encoding: 'utf8' }));
  rep.units.forEach((u, i) => close(rep.scores[rep.index][i], after[u], 1e-9, `exported documents reproduce ${u}`));

  // The printable report (A4 PDF kept as an artefact).
  const rp = await browser.newPage();
  await rp.goto(`${url}/api/v1/scenarios/${a.id}/export/report`);
  assert((await rp.textContent('h2')) === XSS, 'report shows the name as text');
  await rp.pdf({ path: path.join(ARTEFACTS, 'workbench-report.pdf'), format: 'A4' });
  await rp.screenshot({ path: path.join(ARTEFACTS, 'workbench-report.png'), fullPage: true });
  await rp.close();

  // A unit's page.
  await page.click('#tabs button[data-tab="ranking"]');
  await page.click(`#ranking tbody tr[data-unit="${api.units[0].unit}"]`);
  await page.waitForFunction(() => document.querySelectorAll('#unit-obstacles tbody tr').length === 5);
  assert((await page.textContent('#unit-title')).length > 0, 'unit title');
  await screenshot(page, 'workbench-unit');

  // Robustness with progress.
  await page.click('#tabs button[data-tab="robust"]');
  await page.fill('#ua-runs', '300');
  await page.click('#ua-run');
  await page.waitForSelector('#ua-table tbody tr', { timeout: 60000 });
  assert(await page.$eval('#ua-progress', (p) => p.value) === 300, 'progress reached the end');
  await screenshot(page, 'workbench-robustness');

  // AHP on a group of three: λmax, CI, CR live, the most inconsistent judgement marked.
  await page.click('#tabs button[data-tab="ranking"]');
  await page.selectOption('#tree select.method[data-group="public_safety"]', 'ahp');
  await page.waitForSelector('#ahp-cr');
  await page.selectOption('#ahp-grid select[data-i="0"][data-j="1"]', String(9));
  await page.selectOption('#ahp-grid select[data-i="1"][data-j="2"]', String(9));
  await page.selectOption('#ahp-grid select[data-i="0"][data-j="2"]', String(1 / 9));
  const kids = fw.nodes.find((n) => n.id === 'public_safety').children;
  const m = [[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]];
  const ahp = await apiPost('/api/v1/weights/ahp', { node: 'public_safety', matrix: m });
  // the page's answer to the last judgement (earlier answers may still be arriving)
  await page.waitForFunction((cr) => (document.querySelector('#ahp-stats')?.textContent || '').includes(`CR = ${cr}`), ahp.cr.toFixed(4));
  assert(await page.$eval('#ahp-cr', (x) => x.classList.contains('bad')), 'an inconsistent matrix is flagged');
  assert(await page.$$eval('#ahp-grid td.worst', (x) => x.length) === 1, 'the most inconsistent judgement is marked');
  await screenshot(page, 'workbench-ahp');
  const s4 = await page.evaluate(() => document.body.dataset.scored);
  await page.click('#ahp-apply');
  await page.waitForFunction((s) => document.body.dataset.scored !== s, s4);
  const shares = await page.evaluate(() => window.__zhili.shares);
  kids.forEach((k) => close(shares[k], ahp.weights[k], 1e-12, `AHP weight of ${k}`));

  // English.
  await page.click('#lang-toggle');
  assert(await page.$eval('#tabs button[data-tab="ranking"]', (b) => b.textContent) === 'Ranking', 'English tabs');
  const en = fw.nodes.find((n) => n.id === 'public_safety').name.en;
  assert(await page.$eval('#tree .tnode[data-node="public_safety"] .label', (l) => l.textContent) === en, 'English node names');
  await page.click('#tabs button[data-tab="ranking"]');
  await screenshot(page, 'workbench-en');

  assert(problems.length === 0, problems.join('\n'));
  console.log('workbench: ok');
} catch (e) {
  failed = true;
  console.error(e);
} finally {
  await browser.close();
  proc.kill('SIGINT');
}
process.exit(failed ? 1 : 0);
