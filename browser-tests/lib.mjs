// Shared helpers for the browser tests: launch Debian's Chromium through playwright-core,
// fail on console errors, keep screenshots as artefacts, start `zhili serve`.
import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

export const ZHILI = process.env.ZHILI_BIN || path.resolve('../target/release/zhili');
export const ARTEFACTS = process.env.ARTEFACTS || path.resolve('../target/browser-artefacts');
mkdirSync(ARTEFACTS, { recursive: true });

/** Launch headless Chromium (the system one; Playwright's download is not available here). */
export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A new page that records console errors, page errors and any request leaving `allowedOrigin`. */
export async function watchedPage(browser, { allowedOrigin = null, viewport = { width: 1400, height: 1000 } } = {}) {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => {
    const u = r.url();
    if (u.startsWith('data:') || u.startsWith('blob:') || u === 'about:blank') return;
    if (allowedOrigin === null ? !u.startsWith('file:') : !u.startsWith(allowedOrigin)) {
      problems.push(`request left the page's origin: ${u}`);
    }
  });
  return { context, page, problems };
}

export async function screenshot(page, name) {
  const file = path.join(ARTEFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Start `zhili serve --port 0 ...args`; resolves with { url, proc } once it prints its address. */
export function serve(args = []) {
  return new Promise((resolve, reject) => {
    const proc = spawn(ZHILI, ['serve', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`zhili serve did not start: ${out}`)), 30000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/\S+?)\/?\s/);
      if (m) { clearTimeout(timer); resolve({ url: m[1], proc }); }
    });
    proc.stderr.on('data', (d) => process.stderr.write(d));
    proc.on('exit', (c) => reject(new Error(`zhili serve exited with ${c}: ${out}`)));
  });
}

export function assert(cond, msg) {
  if (!cond) throw new Error(`assertion failed: ${msg}`);
}

export function close(a, b, tol, msg) {
  assert(Math.abs(a - b) <= tol, `${msg}: ${a} vs ${b} (tol ${tol})`);
}
