#!/usr/bin/env node
// Headless-browser check of a dossier HTML report.
//
//   cd tests/browser && npm ci
//   node tests/browser/check-report.mjs /path/to/package/index.html [--screenshot DIR]
//   node tests/browser/check-report.mjs --diff /path/to/diff-output/diff.html
//
// Opens the report from file:// in Debian's Chromium ($CHROMIUM, default /usr/bin/chromium)
// and fails, with exit 1 and a one-line reason, when the page logs an error, throws,
// makes any request other than the file itself, has any <script> but its one inline
// script, sets window.__pwned, carries inline event handlers or javascript: URLs, or
// when the traceability matrix filters (status, framework, search, reset) misbehave.
// A second context with JavaScript disabled must show every matrix row.
// With --diff the page is a `dossier diff` report: it must carry no script at all, every
// part of the comparison, and tables laid out so that no cell is squeezed unreadable.
// With --screenshot DIR it saves report-overview.png and report-matrix.png (1280x900).

import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const SECTIONS = [
  'cover', 'contents', 'summary', 'conformity', 'annex-iv', 'matrix', 'data', 'performance',
  'robustness', 'oversight', 'findings', 'waivers', 'model-card', 'inventory', 'verify',
];
const DIFF_SECTIONS = [
  'cover', 'changes', 'changes-overview', 'changes-requirements', 'changes-catalogs', 'changes-measures',
  'changes-artifacts', 'changes-findings', 'changes-decisions',
];
const STATUSES = ['satisfied', 'partial', 'missing', 'stale', 'failed', 'waived', 'not-applicable', 'not-yet-applicable'];
const VIEWPORT = { width: 1280, height: 900 };
const LAUNCH_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

class CheckFailure extends Error {}

let checks = 0;
function check(condition, reason) {
  if (!condition) {
    throw new CheckFailure(reason);
  }
  checks += 1;
}

function oneLine(text) {
  return String(text).replace(/\s+/g, ' ').trim().slice(0, 400);
}

function usage(message) {
  if (message) {
    console.error(`error: ${message}`);
  }
  console.error('usage: node check-report.mjs <index.html> [--screenshot DIR]');
  process.exit(2);
}

function parseArgs(argv) {
  let file = null;
  let screenshots = null;
  let diff = false;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--screenshot') {
      screenshots = argv[i + 1];
      if (!screenshots) {
        usage('--screenshot needs a directory');
      }
      i += 1;
    } else if (arg.startsWith('--screenshot=')) {
      screenshots = arg.slice('--screenshot='.length);
    } else if (arg === '--diff') {
      diff = true;
    } else if (arg === '-h' || arg === '--help') {
      usage();
    } else if (arg.startsWith('-')) {
      usage(`unknown option ${arg}`);
    } else if (file === null) {
      file = arg;
    } else {
      usage('only one report at a time');
    }
  }
  if (file === null) {
    usage('no report given');
  }
  return { file: path.resolve(file), screenshots, diff };
}

// A context that lets through only the report itself and records everything else.
async function guardedContext(browser, fileUrl, options) {
  const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1, ...options });
  const state = { requests: [], errors: [] };
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url === fileUrl) {
      return route.continue();
    }
    state.requests.push(url);
    return route.abort('blockedbyclient');
  });
  context.on('request', (request) => {
    const url = request.url();
    if (url !== fileUrl && !url.startsWith('data:') && !state.requests.includes(url)) {
      state.requests.push(url);
    }
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  page.on('console', (message) => {
    if (message.type() === 'error') {
      state.errors.push(`console error: ${message.text()}`);
    }
  });
  page.on('pageerror', (error) => state.errors.push(`page error: ${error.message}`));
  return { context, page, state };
}

function checkQuiet(state, label) {
  check(state.requests.length === 0, `${label}: network request to ${state.requests[0]}`);
  check(state.errors.length === 0, `${label}: ${state.errors[0]}`);
}

// Visible matrix rows, as [{ id, status, fw, text }].
async function visibleRows(page) {
  return page.$$eval('#matrix tbody tr[data-status]', (trs) => trs
    .filter((tr) => tr.getClientRects().length > 0)
    .map((tr) => ({
      id: tr.id,
      status: tr.dataset.status,
      fw: tr.dataset.fw,
      text: (tr.id + ' ' + tr.textContent).toLowerCase().replace(/\s+/g, ' '),
    })));
}

async function countText(page) {
  return oneLine(await page.locator('#matrix-count').textContent());
}

function expectedCount(shown, total) {
  return `${shown} of ${total} requirement${total === 1 ? '' : 's'} shown`;
}

async function staticChecks(page, label, diff = false) {
  const sections = diff ? DIFF_SECTIONS : SECTIONS;
  const facts = await page.evaluate((sections) => {
    const all = Array.from(document.querySelectorAll('*'));
    const handlers = [];
    const scriptUrls = [];
    for (const el of all) {
      for (const attr of Array.from(el.attributes)) {
        const name = attr.name.toLowerCase();
        if (name.startsWith('on')) {
          handlers.push(`${el.localName}[${name}]`);
        }
        if (['href', 'src', 'xlink:href', 'action', 'formaction', 'data', 'poster', 'srcset'].includes(name)
            && /^\s*(javascript|vbscript):/i.test(attr.value)) {
          scriptUrls.push(`${el.localName}[${name}]`);
        }
      }
    }
    const loaders = Array.from(document.querySelectorAll(
      'iframe, frame, object, embed, link, base, form, audio, video, source, track, meta[http-equiv="refresh" i]'))
      .map((el) => el.localName);
    const remoteImages = Array.from(document.querySelectorAll('img, image'))
      .map((el) => el.getAttribute('src') || el.getAttribute('href') || el.getAttribute('xlink:href') || '')
      .filter((src) => !src.startsWith('data:'));
    const ids = sections.map((id) => document.getElementById(id));
    let ordered = ids.every(Boolean);
    for (let i = 1; ordered && i < ids.length; i += 1) {
      ordered = Boolean(ids[i - 1].compareDocumentPosition(ids[i]) & Node.DOCUMENT_POSITION_FOLLOWING);
    }
    const missingSections = sections.filter((id, i) => !ids[i]);
    const brokenLinks = Array.from(document.querySelectorAll('a[href^="#"]'))
      .map((a) => a.getAttribute('href').slice(1))
      .filter((id) => id && !document.getElementById(id));
    const scripts = Array.from(document.querySelectorAll('script'));
    const tocTargets = Array.from(document.querySelectorAll('#contents a[href^="#"]'))
      .map((a) => a.getAttribute('href').slice(1));
    return {
      handlers,
      scriptUrls,
      loaders,
      remoteImages,
      ordered,
      missingSections,
      brokenLinks,
      scripts: scripts.length,
      inlineScripts: scripts.filter((s) => !s.hasAttribute('src') && s.textContent.trim().length > 0).length,
      pwned: typeof window.__pwned !== 'undefined',
      digest: (document.getElementById('package-digest') || {}).textContent || '',
      tocTargets,
      title: document.title,
      lang: document.documentElement.lang,
    };
  }, sections);
  check(!facts.pwned, `${label}: window.__pwned is set: evidence ran as code`);
  if (diff) {
    check(facts.scripts === 0, `${label}: the diff page should have no <script>, found ${facts.scripts}`);
  } else {
    check(facts.scripts === 1 && facts.inlineScripts === 1,
      `${label}: expected exactly one inline <script>, found ${facts.scripts} script element(s)`);
  }
  check(facts.handlers.length === 0, `${label}: inline event handler attribute ${facts.handlers[0]}`);
  check(facts.scriptUrls.length === 0, `${label}: script URL in ${facts.scriptUrls[0]}`);
  check(facts.loaders.length === 0, `${label}: <${facts.loaders[0]}> element that could load or submit something`);
  check(facts.remoteImages.length === 0, `${label}: image that is not a data: URI: ${facts.remoteImages[0]}`);
  check(facts.missingSections.length === 0, `${label}: section #${facts.missingSections[0]} is missing`);
  check(facts.ordered, `${label}: sections are not in the order ${sections.join(', ')}`);
  check(facts.brokenLinks.length === 0, `${label}: link to #${facts.brokenLinks[0]}, which does not exist`);
  if (!diff) {
    check(facts.tocTargets.length >= SECTIONS.length - 2, `${label}: table of contents lists only ${facts.tocTargets.length} sections`);
    check(/^[0-9a-f]{64}$/.test(facts.digest.trim()), `${label}: package digest is not 64 hex digits: "${oneLine(facts.digest)}"`);
  }
  check(facts.title.trim().length > 0 && facts.lang === 'en', `${label}: page has no title or language`);
}

// Tables in the changes section: no cell with words in it squeezed to a sliver.
async function layoutChecks(page, label) {
  const squeezed = await page.$$eval('.changes td', (cells) => cells
    .filter((td) => {
      const box = td.getBoundingClientRect();
      return td.textContent.trim().length > 12 && (box.width < 60 || box.height > 1.5 * box.width);
    })
    .map((td) => td.textContent.replace(/\s+/g, ' ').trim().slice(0, 80))
    .slice(0, 1));
  check(squeezed.length === 0, `${label}: a table cell is squeezed too narrow to read: "${squeezed[0]}"`);
  const rows = await page.$$eval('.changes table', (tables) => tables.length);
  check(rows > 0, `${label}: the changes section has no table`);
}

async function matrixChecks(page) {
  const all = await page.$$eval('#matrix tbody tr[data-status]', (trs) => trs.map((tr) => ({
    id: tr.id,
    status: tr.dataset.status,
    fw: tr.dataset.fw,
    ref: (tr.querySelector('.ref') || tr.cells[0]).textContent.replace(/\s+/g, ' ').trim(),
  })));
  const total = all.length;
  if (total === 0) {
    check(await page.locator('#matrix .empty').count() > 0, 'matrix: no rows and no statement that nothing was assessed');
    return;
  }
  check(all.every((r) => STATUSES.includes(r.status)), 'matrix: a row has an unknown status');
  check(await page.locator('#matrix-controls').isVisible(), 'matrix: filter controls are hidden although JavaScript runs');
  check(await page.evaluate(() => document.documentElement.classList.contains('js')), 'script did not mark <html> with the js class');
  check(await page.locator('#matrix-controls label:has(input[name="status"])').count() === STATUSES.length,
    'matrix: expected one labelled checkbox per status');
  check(await page.locator('label:has(#matrix-framework)').count() === 1, 'matrix: framework selector has no label');
  check(await page.locator('label:has(#matrix-search)').count() === 1, 'matrix: search box has no label');

  let visible = await visibleRows(page);
  check(visible.length === total, `matrix: ${visible.length} of ${total} rows visible before filtering`);
  check(await countText(page) === expectedCount(total, total), `matrix: count reads "${await countText(page)}"`);

  // Status: only one status left checked.
  const byStatus = {};
  for (const r of all) {
    byStatus[r.status] = (byStatus[r.status] || 0) + 1;
  }
  const only = byStatus.satisfied ? 'satisfied' : Object.keys(byStatus).sort((a, b) => byStatus[b] - byStatus[a])[0];
  for (const status of STATUSES) {
    const box = page.locator(`#matrix-controls input[name="status"][value="${status}"]`);
    await box.setChecked(status === only);
  }
  visible = await visibleRows(page);
  check(visible.length === byStatus[only], `status filter: ${visible.length} rows visible, expected ${byStatus[only]} ${only}`);
  check(visible.every((r) => r.status === only), `status filter: a row that is not ${only} stays visible`);
  check(await countText(page) === expectedCount(byStatus[only], total),
    `status filter: count reads "${await countText(page)}", expected "${expectedCount(byStatus[only], total)}"`);

  await page.locator('#matrix-reset').click();
  visible = await visibleRows(page);
  check(visible.length === total, `reset: ${visible.length} of ${total} rows visible`);
  check(await countText(page) === expectedCount(total, total), `reset: count reads "${await countText(page)}"`);

  // Gaps only.
  const gapStatuses = ['partial', 'missing', 'stale', 'failed'];
  await page.locator('#matrix-gaps').click();
  visible = await visibleRows(page);
  const gapCount = all.filter((r) => gapStatuses.includes(r.status)).length;
  check(visible.length === gapCount && visible.every((r) => gapStatuses.includes(r.status)),
    `gaps only: ${visible.length} rows visible, expected ${gapCount}`);
  if (gapCount === 0) {
    check(await page.locator('#matrix-none').isVisible(), 'gaps only: no row matches and the page does not say so');
  }
  await page.locator('#matrix-reset').click();

  // Framework selector.
  const frameworks = await page.$$eval('#matrix-framework option', (options) => options.map((o) => o.value).filter(Boolean));
  const fwIds = [...new Set(all.map((r) => r.fw))];
  check(frameworks.length === fwIds.length && fwIds.every((f) => frameworks.includes(f)),
    'framework selector does not list every framework in the matrix');
  const fw = frameworks[frameworks.length > 1 ? 1 : 0];
  await page.locator('#matrix-framework').selectOption(fw);
  visible = await visibleRows(page);
  const fwCount = all.filter((r) => r.fw === fw).length;
  check(visible.length === fwCount && visible.every((r) => r.fw === fw),
    `framework filter: ${visible.length} rows visible, expected the ${fwCount} rows of ${fw}`);
  const otherBlocks = await page.$$eval('#matrix .fw-block', (blocks, id) => blocks
    .filter((b) => b.dataset.fw !== id && b.getClientRects().length > 0).length, fw);
  check(otherBlocks === 0, `framework filter: ${otherBlocks} other framework block(s) still shown`);
  check(await countText(page) === expectedCount(fwCount, total), `framework filter: count reads "${await countText(page)}"`);
  await page.locator('#matrix-reset').click();

  // Search for a requirement reference read from the page: the rarest one, from the middle.
  const refCounts = {};
  for (const r of all) {
    refCounts[r.ref.toLowerCase()] = (refCounts[r.ref.toLowerCase()] || 0) + 1;
  }
  const candidates = all.filter((r) => r.ref && refCounts[r.ref.toLowerCase()] === 1);
  const target = (candidates.length ? candidates : all)[Math.floor((candidates.length || total) / 2)];
  await page.locator('#matrix-search').fill(target.ref);
  visible = await visibleRows(page);
  const query = target.ref.toLowerCase().replace(/\s+/g, ' ');
  check(visible.some((r) => r.id === target.id), `search "${target.ref}": the matching row ${target.id} is hidden`);
  check(visible.every((r) => r.text.includes(query)), `search "${target.ref}": a row without that text stays visible`);
  check(visible.length < total, `search "${target.ref}": nothing was hidden`);
  check(await countText(page) === expectedCount(visible.length, total), `search: count reads "${await countText(page)}"`);

  await page.locator('#matrix-search').fill('no requirement says this \u2603 zz9');
  check((await visibleRows(page)).length === 0, 'search for nonsense: rows stay visible');
  check(await page.locator('#matrix-none').isVisible(), 'search for nonsense: the page does not say that nothing matches');
  check(await countText(page) === expectedCount(0, total), `search for nonsense: count reads "${await countText(page)}"`);

  await page.locator('#matrix-reset').click();
  visible = await visibleRows(page);
  check(visible.length === total, `final reset: ${visible.length} of ${total} rows visible`);
  check(await page.locator('#matrix-search').inputValue() === '', 'reset did not clear the search box');
  check(await page.locator('#matrix-framework').inputValue() === '', 'reset did not clear the framework');
  check(await countText(page) === expectedCount(total, total), `final reset: count reads "${await countText(page)}"`);
}

async function screenshots(page, dir) {
  fs.mkdirSync(dir, { recursive: true });
  await page.setViewportSize(VIEWPORT);
  await page.evaluate(() => window.scrollTo({ top: 0, behavior: 'instant' }));
  await page.screenshot({ path: path.join(dir, 'report-overview.png'), animations: 'disabled' });
  await page.evaluate(() => {
    const matrix = document.getElementById('matrix');
    window.scrollTo({ top: matrix.getBoundingClientRect().top + window.scrollY - 8, behavior: 'instant' });
  });
  // Blocks off screen skip rendering (content-visibility) until a frame after they scroll in.
  await page.evaluate(() => new Promise((resolve) => {
    requestAnimationFrame(() => requestAnimationFrame(() => resolve()));
  }));
  await page.waitForTimeout(150);
  await page.screenshot({ path: path.join(dir, 'report-matrix.png'), animations: 'disabled' });
}

async function main() {
  const { file, screenshots: shotDir, diff } = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(file)) {
    usage(`${file} does not exist`);
  }
  const fileUrl = pathToFileURL(file).href;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: LAUNCH_ARGS,
  });
  try {
    // With JavaScript.
    const js = await guardedContext(browser, fileUrl, {});
    const response = await js.page.goto(fileUrl, { waitUntil: 'load' });
    check(response === null || response.ok(), `could not open ${fileUrl}`);
    // Give late handlers (image errors, timers) a moment to fire.
    await js.page.waitForTimeout(300);
    checkQuiet(js.state, 'with JavaScript');
    await staticChecks(js.page, 'with JavaScript', diff);
    if (diff || (await js.page.locator('#changes').count()) > 0) {
      await layoutChecks(js.page, 'changes');
    }
    if (diff) {
      await js.context.close();
      console.log(`ok: ${checks} checks`);
      return;
    }
    await matrixChecks(js.page);
    if (shotDir) {
      await screenshots(js.page, shotDir);
    }
    await js.page.waitForTimeout(100);
    checkQuiet(js.state, 'after filtering');
    check(!(await js.page.evaluate(() => typeof window.__pwned !== 'undefined')), 'window.__pwned is set after filtering');
    await js.context.close();

    // Without JavaScript: everything readable, controls out of the way.
    const nojs = await guardedContext(browser, fileUrl, { javaScriptEnabled: false });
    await nojs.page.goto(fileUrl, { waitUntil: 'load' });
    await nojs.page.waitForTimeout(200);
    checkQuiet(nojs.state, 'without JavaScript');
    const rows = await nojs.page.$$eval('#matrix tbody tr[data-status]', (trs) => [
      trs.length, trs.filter((tr) => tr.getClientRects().length > 0).length,
    ]);
    check(rows[0] === rows[1], `without JavaScript: only ${rows[1]} of ${rows[0]} matrix rows are visible`);
    const controls = nojs.page.locator('#matrix-controls');
    check(await controls.count() === 0 || !(await controls.isVisible()), 'without JavaScript: filter controls are shown but cannot work');
    const hiddenSections = await nojs.page.$$eval('main > section', (sections) => sections
      .filter((s) => s.getClientRects().length === 0).map((s) => s.id));
    check(hiddenSections.length === 0, `without JavaScript: section #${hiddenSections[0]} is hidden`);
    await nojs.context.close();
  } finally {
    await browser.close();
  }
  console.log(`ok: ${checks} checks`);
}

main().catch((error) => {
  if (error instanceof CheckFailure) {
    console.error(`FAIL: ${oneLine(error.message)}`);
  } else {
    console.error(`FAIL: ${oneLine(error && error.stack ? error.message : error)}`);
  }
  process.exit(1);
});
