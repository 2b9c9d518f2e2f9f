// The HTML report (`zhili report`) in headless Chromium, zh and en: no console error, no request
// leaves the file, every chart container rendered (non-empty SVG), the ranking table's numbers
// equal `zhili score --format json`. Screenshots go to target/browser-artefacts/.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ZHILI, ARTEFACTS, launch, watchedPage, screenshot, assert, close } from './lib.mjs';

const dir = mkdtempSync(path.join(tmpdir(), 'zhili-report-'));
const score = JSON.parse(execFileSync(ZHILI, ['score', '--format', 'json'], { encoding: 'utf8' }));
const index = score.index;

const browser = await launch();
try {
  for (const lang of ['zh', 'en']) {
    const file = path.join(dir, `report-${lang}.html`);
    execFileSync(ZHILI, ['report', '--uncertainty', '200', '--sensitivity', '64', '--lang', lang, '--out', file], { stdio: 'inherit' });
    const { context, page, problems } = await watchedPage(browser);
    await page.goto(pathToFileURL(file).href);
    await page.waitForFunction(() => document.documentElement.getAttribute('data-rendered') !== null);

    // every chart container holds a non-empty SVG
    const charts = await page.$$eval('.chart', (els) => els.map((e) => ({
      id: e.id,
      svg: !!e.querySelector('svg'),
      shapes: e.querySelectorAll('svg path, svg rect, svg text, svg circle, svg polygon, svg line').length,
      w: e.getBoundingClientRect().width,
      h: e.getBoundingClientRect().height,
    })));
    const want = ['chart-ranking', 'chart-framework', 'chart-heatmap', 'chart-profile', 'chart-corr', 'chart-uncertainty', 'chart-sensitivity'];
    for (const id of want) {
      const c = charts.find((x) => x.id === id);
      assert(c, `${lang}: chart ${id} exists (have ${charts.map((x) => x.id).join(', ')})`);
      assert(c.svg && c.shapes > 5 && c.w > 100 && c.h > 100, `${lang}: chart ${id} rendered: ${JSON.stringify(c)}`);
    }

    // the ranking table equals zhili score --format json
    const rows = await page.$$eval('#ranking-table tbody tr', (trs) => trs.map((tr) => ({
      unit: tr.getAttribute('data-unit'),
      score: tr.getAttribute('data-score'),
      rank: tr.getAttribute('data-rank'),
      cells: Array.from(tr.cells).map((td) => td.textContent),
    })));
    assert(rows.length === score.units.length, `${lang}: ${rows.length} rows vs ${score.units.length} units`);
    for (const r of rows) {
      const i = score.units.indexOf(r.unit);
      assert(i >= 0, `${lang}: unit ${r.unit} in zhili score`);
      const s = score.scores[index][i];
      assert(Number(r.score) === s, `${lang}: ${r.unit} score ${r.score} vs ${s}`);
      assert(Number(r.rank) === score.ranks[index][i], `${lang}: ${r.unit} rank`);
      assert(r.cells[0] === String(score.ranks[index][i]), `${lang}: ${r.unit} shown rank ${r.cells[0]}`);
      close(Number(r.cells[3]), s, 0.005, `${lang}: ${r.unit} shown score`);
      assert(r.cells[3] === s.toFixed(2), `${lang}: ${r.unit} shown score ${r.cells[3]} vs ${s.toFixed(2)}`);
    }

    // headings in the language
    const h2 = await page.$$eval('h2', (hs) => hs.map((h) => h.textContent));
    const expect = lang === 'zh' ? ['排名', '指标体系', '统计审核', '不确定性分析', '方法说明'] : ['Ranking', 'Framework', 'Statistical audit', 'Uncertainty analysis', 'Method'];
    for (const e of expect) assert(h2.some((h) => h.startsWith(e)), `${lang}: heading ${e} in ${h2.join(' | ')}`);

    // the profile follows the chosen unit
    await page.selectOption('#profile-unit', '1');
    const title = await page.$eval('#chart-profile', (e) => e.textContent);
    const second = rows[1].cells[2] || rows[1].unit;
    assert(title.includes(second), `${lang}: profile shows ${second}`);

    const shot = await screenshot(page, `report-${lang}`);
    if (lang === (process.env.REPORT_SHOT_LANG || 'zh')) {
      await page.setViewportSize({ width: 1200, height: 1500 });
      await page.screenshot({ path: path.join(ARTEFACTS, 'report-top.png') });
    }

    // print layout: charts narrow to the A4 text width, the PDF renders, back to screen width after
    await page.emulateMedia({ media: 'print' });
    const svgW = () => page.$eval('#chart-ranking svg', (s) => s.getBoundingClientRect().width);
    await page.waitForFunction(() => document.querySelector('#chart-ranking svg').getBoundingClientRect().width <= 700, null, { timeout: 5000 })
      .catch(() => {});
    const printW = await svgW();
    assert(printW <= 700, `${lang}: chart sized for paper (${printW}px)`);
    const pdf = await page.pdf({ format: 'A4', printBackground: true });
    assert(pdf.length > 50000, `${lang}: PDF has content (${pdf.length} bytes)`);
    await page.emulateMedia({ media: 'screen' });
    // headless printing fires afterprint while print is still emulated; a window resize re-fits
    await page.evaluate(() => window.dispatchEvent(new Event('resize')));
    await page.waitForFunction(() => document.querySelector('#chart-ranking svg').getBoundingClientRect().width > 800, null, { timeout: 5000 })
      .catch(() => {});
    const screenW = await svgW();
    assert(screenW > 800, `${lang}: chart back to screen width (${screenW}px)`);
    assert(problems.length === 0, `${lang}: ${problems.join('\n')}`);
    await context.close();
    console.log(`ok report ${lang}: ${charts.length} charts, ${rows.length} units, ${shot}`);
  }
} finally {
  await browser.close();
}
