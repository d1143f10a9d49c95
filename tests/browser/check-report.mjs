// Opens an SgNarrower HTML report in the system Chromium and reports what a reader sees, as JSON on stdout:
// the summary's counts and, for each, how many rows the matching filter shows; text filtering; sorting by mouse
// and keyboard; paging; console errors and any network request the page tried; screenshots at desktop and phone
// widths. The Pester tests assert on the JSON.
//   node check-report.mjs <report.html> <screenshot-folder> [--needle text]... [--name prefix]
import { chromium } from 'playwright-core';
import { pathToFileURL } from 'node:url';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
const report = args[0], shots = args[1];
const needles = [];
let name = 'report';
for (let i = 2; i < args.length; i++) {
  if (args[i] === '--needle') needles.push(args[++i]);
  if (args[i] === '--name') name = args[++i];
}
mkdirSync(shots, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
});
const result = { consoleErrors: [], pageErrors: [], requests: [] };
try {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  // The report must need nothing but itself: any request other than the file is recorded and refused.
  await context.route('**/*', route => {
    const url = route.request().url();
    if (url === pathToFileURL(report).href) return route.continue();
    result.requests.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  page.on('console', m => { if (m.type() === 'error') result.consoleErrors.push(m.text()); });
  page.on('pageerror', e => result.pageErrors.push(String(e)));

  const started = Date.now();
  await page.goto(pathToFileURL(report).href);
  await page.waitForSelector('body[data-ready=true]', { timeout: 120000 });
  result.readyMs = Date.now() - started;

  const count = () => page.$eval('#match-count', e => Number(e.getAttribute('data-count')));
  const firstColumn = (i) => page.$$eval(`#rules-table tbody tr td:nth-child(${i + 1})`, tds => tds.map(td => td.firstChild ? td.firstChild.textContent : ''));
  result.facts = await page.$$eval('[data-fact]', ds => Object.fromEntries(ds.map(d => [d.getAttribute('data-fact'), d.textContent])));
  result.total = await count();
  result.domRows = await page.$$eval('#rules-table tbody tr', rs => rs.length);
  result.pageStatus = await page.textContent('#page-status');
  result.headers = await page.$$eval('#rules-table thead th', ths => ths.map(th => ({ text: th.textContent, sort: th.getAttribute('aria-sort'), button: !!th.querySelector('button') })));
  result.charts = await page.$$eval('svg.chart', svgs => svgs.map(s => ({ id: s.id, title: s.querySelector('title').textContent,
    bars: [...s.querySelectorAll('g.bar')].map(g => ({ label: g.getAttribute('data-label'), count: Number(g.getAttribute('data-count')), marked: g.classList.contains('marked') })) })));
  result.runsTable = await page.$$eval('#runs-table tbody tr', rs => rs.length).catch(() => 0);

  // Every count in the summary, against the rows its filter shows.
  result.tallies = [];
  const tallies = await page.$$eval('table.tally', ts => ts.map(t => ({ facet: t.getAttribute('data-facet'),
    values: [...t.querySelectorAll('tr')].map(r => ({ value: r.getAttribute('data-value'), count: Number(r.getAttribute('data-count')) })) })));
  for (const t of tallies) {
    for (const v of t.values) {
      const select = `select[data-facet="${t.facet}"]`;
      const has = await page.$eval(select, (s, v) => [...s.options].some(o => o.value === v), v.value);
      let shown = 0;
      if (has) {
        await page.selectOption(select, v.value);
        shown = await count();
        await page.selectOption(select, '');
      }
      result.tallies.push({ facet: t.facet, value: v.value, count: v.count, shown });
    }
  }

  // Text filter.
  result.needles = [];
  for (const n of needles) {
    await page.fill('#filter', n);
    await page.waitForTimeout(400);   // the filter waits 120 ms for typing to stop
    result.needles.push({ needle: n, shown: await count() });
  }
  await page.fill('#filter', '');
  await page.waitForTimeout(300);

  // Sorting: by mouse (Account ascending, then descending) and by keyboard (Enter on the Region heading).
  const headerIndex = async (name) => (await page.$$eval('#rules-table thead th', ths => ths.map(t => t.textContent))).indexOf(name);
  // (A report of no rules has no Account and Region columns: nothing is in them.)
  const account = await headerIndex('Account');
  if (account >= 0) {
    await page.click(`#rules-table thead th:nth-child(${account + 1}) button`);
    result.accountAscending = await firstColumn(account);
    result.accountSortState = await page.getAttribute(`#rules-table thead th:nth-child(${account + 1})`, 'aria-sort');
    await page.click(`#rules-table thead th:nth-child(${account + 1}) button`);
    result.accountDescending = await firstColumn(account);
  }
  const region = await headerIndex('Region');
  if (region >= 0) {
    await page.focus(`#rules-table thead th:nth-child(${region + 1}) button`);
    await page.keyboard.press('Enter');
    result.regionSortStateByKeyboard = await page.getAttribute(`#rules-table thead th:nth-child(${region + 1})`, 'aria-sort');
  }
  // Observed sources: a column only where evidence was measured.
  const observed = await headerIndex('Observed sources');
  if (observed >= 0) {
    await page.click(`#rules-table thead th:nth-child(${observed + 1}) button`);
    result.observedDescending = await firstColumn(observed);
  }
  const severity = await headerIndex('Severity');
  await page.click(`#rules-table thead th:nth-child(${severity + 1}) button`);
  result.severitySortState = await page.getAttribute(`#rules-table thead th:nth-child(${severity + 1})`, 'aria-sort');
  result.severityDescending = await firstColumn(severity);

  // Paging.
  const press = async (id) => { if (await page.isEnabled(id)) await page.click(id); };
  await press('#page-next');
  result.secondPage = { status: await page.textContent('#page-status'), rows: await page.$$eval('#rules-table tbody tr', rs => rs.length) };
  await press('#page-last');
  result.lastPage = { status: await page.textContent('#page-status'), rows: await page.$$eval('#rules-table tbody tr', rs => rs.length) };
  await press('#page-first');
  const scrollStart = Date.now();
  await page.mouse.wheel(0, 5000);
  await page.evaluate(() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r))));
  result.scrollMs = Date.now() - scrollStart;

  await page.screenshot({ path: join(shots, `${name}-desktop.png`), fullPage: true });

  // The widths people use: how far the page runs past the window, and the tallest row of the rule table (closed).
  // Then the first rule's detail row is opened: what it says, and the page at that width with it open.
  result.widths = [];
  for (const [label, width, height] of [['1280', 1280, 900], ['1920', 1920, 1080], ['phone', 390, 844]]) {
    await page.setViewportSize({ width, height });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.evaluate(() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r))));
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    const tableOverflow = await page.$eval('#rules-table', t => t.scrollWidth - t.parentElement.clientWidth);
    const tallestRow = await page.$$eval('#rules-table tbody tr:not(.detail)', rs => Math.max(0, ...rs.map(r => r.getBoundingClientRect().height)));
    const rowHeight = await page.$$eval('#rules-table tbody tr:not(.detail)', rs => rs.length ? Math.min(...rs.map(r => r.getBoundingClientRect().height)) : 0);
    await page.screenshot({ path: join(shots, `${name}-${label}.png`), fullPage: true });
    result.widths.push({ label, width, overflow, tableOverflow, tallestRow, rowHeight });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
  const toggle = await page.$('#rules-table tbody tr:first-child button.more');
  if (toggle) {
    await toggle.click();
    result.detail = await page.$eval('#rules-table tbody tr.detail', tr => ({
      terms: [...tr.querySelectorAll('dt')].map(d => d.textContent), text: tr.textContent,
      history: [...tr.querySelectorAll('dt')].filter(d => d.textContent === 'History').map(d => [...d.nextElementSibling.querySelectorAll('div')].map(x => x.textContent))[0] || [] }));
    result.detailExpanded = await page.getAttribute('#rules-table tbody tr:first-child button.more', 'aria-expanded');
    await page.screenshot({ path: join(shots, `${name}-1280-open.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 390, height: 844 });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(shots, `${name}-phone.png`), fullPage: false });
  result.phoneOverflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  await page.emulateMedia({ media: 'print' });
  result.printHidesControls = await page.$eval('.controls', e => getComputedStyle(e).display === 'none');
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(result));
