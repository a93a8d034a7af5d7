#!/usr/bin/env node
// The themes as validators and browsers see them. Builds the repository's site and a fixture
// site with each theme, then checks every build:
//   - the Nu HTML Checker over every page, stylesheet and SVG image: no errors, no warnings;
//   - each kind of page in headless Chromium at 390 and 1280 px, light and dark: axe-core
//     (WCAG 2.1 A and AA, best practices) finds nothing, no console error, no failed request,
//     no request leaving the site, no horizontal overflow; screenshots of the article;
//   - the article's weight (HTML and CSS under 30 KB, one render-blocking request) and measure
//     (60-75 characters a line on a desktop);
//   - Lighthouse on the article, its French translation, and the fixture's article of shortcodes
//     and code: accessibility, best practices and SEO 100, performance >= 98; on the fixture's
//     article of 8 photos of 3000 x 2000: performance 100, and the bytes it sent; on the search
//     page, showing the results of a query: 100 in all four (the median of three runs);
//   - a video shortcode's player: no request leaves the site until its play button is reached
//     with Tab and pressed with Enter (or Space), and then the player comes from the
//     privacy-enhanced host.
// Ends with `N passed, M failed`; exits 1 on any failure.
//
// Needs: `cargo build --release`, `npm ci --prefix tests/quality`, Java, Chromium.
// Environment: SERUM_BIN (the serum binary), CHROME_PATH (default /usr/bin/chromium),
// SERUM_SCREENSHOTS (default target/screenshots), SERUM_KEEP=1 keeps the temporary folder.

import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { fixtureFiles, fixturePages, photoFiles } from './fixture.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '../..');
const SERUM = process.env.SERUM_BIN || path.join(REPO, 'target/release/serum');
const CHROME = process.env.CHROME_PATH || '/usr/bin/chromium';
const SCREENSHOTS = path.resolve(REPO, process.env.SERUM_SCREENSHOTS || 'target/screenshots');
const require = createRequire(import.meta.url);
const VNU_JAR = require.resolve('vnu-jar/build/dist/vnu.jar');
const AXE = require.resolve('axe-core/axe.min.js');
const LIGHTHOUSE = path.join(path.dirname(require.resolve('lighthouse/package.json')), 'cli/index.js');

const THEMES = ['default', 'mono'];
const WIDTHS = [390, 1280];
const SCHEMES = ['light', 'dark'];
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];
const MAX_WEIGHT = 30_000; // bytes of HTML and CSS on the article page
const MEASURE = [60, 75]; // characters in a line of the article's text on a desktop
const SCORES = { performance: 0.98, accessibility: 1, 'best-practices': 1, seo: 1 };
// The search page, its results shown: 100 in every category.
const SEARCH_SCORES = { performance: 1, accessibility: 1, 'best-practices': 1, seo: 1 };
// Chromium on a machine without a network: no background traffic, a fresh profile every run
// (Playwright makes a new temporary --user-data-dir for each launch; Lighthouse is given one).
const CHROME_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const REPO_PAGES = {
  home: '/',
  section: '/articles/',
  article: '/articles/microneedling/',
  author: '/authors/mike-rubini/',
  tags: '/tags/',
  tag: '/tags/skincare/',
  404: '/no-such-page/',
  search: '/search/?q=collagen',
  'French home': '/fr/',
  'French article': '/fr/articles/microneedling/',
  'French author': '/fr/authors/mike-rubini/',
  'French tag': '/fr/tags/soins-de-la-peau/',
  'French 404': '/fr/404.html',
  'French search': '/fr/search/?q=collag%C3%A8ne',
};

/** Every check's name and the problems it found (none: passed). */
const results = [];

/** Records a check and prints its outcome at once. */
function record(name, problems, detail = '') {
  results.push({ name, problems, detail });
  const mark = problems.length === 0 ? 'ok  ' : 'FAIL';
  console.log(`${mark} ${name}${detail ? ` (${detail})` : ''}`);
  const shown = problems.slice(0, 25);
  for (const problem of shown) console.log(`       ${problem.replaceAll('\n', '\n       ')}`);
  if (problems.length > shown.length) console.log(`       … and ${problems.length - shown.length} more`);
}

/** Runs a command (killed after five minutes); resolves with its exit code and output, never rejects. */
function run(command, args, options = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000, ...options });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', (error) => resolve({ code: -1, stdout, stderr: `${stderr}${error.message}` }));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Writes a set of files, creating folders. */
async function writeFiles(root, files) {
  for (const [relative, text] of Object.entries(files)) {
    const file = path.join(root, relative);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, text);
  }
}

/** Every file under a folder, as paths relative to it. */
async function listFiles(root) {
  const entries = await fs.readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(root, path.join(e.parentPath ?? e.path, e.name)))
    .sort();
}

/** The sites to build: the repository's own (copied, so the build leaves no trace) and the fixture. */
async function prepareSites(work) {
  const repoSite = path.join(work, 'sites/repository');
  await fs.mkdir(repoSite, { recursive: true });
  for (const entry of ['serum.toml', 'content', 'themes', 'templates', 'static']) {
    const from = path.join(REPO, entry);
    if (await fs.stat(from).catch(() => null)) await fs.cp(from, path.join(repoSite, entry), { recursive: true });
  }
  const fixture = path.join(work, 'sites/fixture');
  await writeFiles(fixture, fixtureFiles);
  await writeFiles(fixture, photoFiles());
  await fs.cp(path.join(REPO, 'themes'), path.join(fixture, 'themes'), { recursive: true });
  return [
    { name: 'repository', root: repoSite, pages: REPO_PAGES, args: [] },
    { name: 'fixture', root: fixture, pages: fixturePages, args: ['--drafts'] },
  ];
}

/** Builds each site with each theme; returns the builds that succeeded. */
async function buildAll(sites, work) {
  const builds = [];
  for (const site of sites) {
    for (const theme of THEMES) {
      const name = `${site.name}/${theme}`;
      const output = path.join(work, 'public', site.name, theme);
      const args = ['build', '--root', site.root, '--output', output, '--theme', theme, ...site.args];
      const { code, stdout, stderr } = await run(SERUM, args);
      const problems = code === 0 ? [] : [`serum ${args.join(' ')} exited ${code}`, stderr.trim()];
      if (code === 0 && stderr.trim()) problems.push(`unexpected warnings:\n${stderr.trim()}`);
      record(`build ${name}`, problems, stdout.trim());
      if (code === 0) builds.push({ ...site, name, theme, output });
    }
  }
  return builds;
}

/** The Nu HTML Checker over every page, stylesheet and SVG image of every build, in one Java run. */
async function validateAll(builds) {
  const filesOf = new Map();
  for (const build of builds) {
    const files = (await listFiles(build.output))
      .filter((f) => /\.(html|css|svg)$/.test(f))
      .map((f) => path.join(build.output, f));
    filesOf.set(build, files);
  }
  const all = [...filesOf.values()].flat();
  const { code, stdout, stderr } = await run('java', [
    '-jar', VNU_JAR, '--format', 'json', '--stdout', '--exit-zero-always', '--also-check-css', '--also-check-svg', ...all,
  ]);
  let messages;
  try {
    messages = JSON.parse(stdout).messages;
  } catch {
    record('Nu HTML Checker runs', [`java exited ${code}: ${stderr.trim() || stdout.slice(0, 2000)}`]);
    return;
  }
  for (const [build, files] of filesOf) {
    const problems = [];
    const notes = new Map();
    for (const m of messages) {
      const file = m.url ? fileURLToPath(m.url) : '';
      if (!files.includes(file)) continue;
      // Errors and warnings fail; plain information ("info" without subType) is only counted.
      if (m.type === 'info' && m.subType !== 'warning') {
        notes.set(m.message, (notes.get(m.message) ?? 0) + 1);
        continue;
      }
      const kind = m.type === 'info' ? 'warning' : m.subType || m.type;
      const where = `${path.relative(build.output, file)}:${m.lastLine ?? '?'}:${m.firstColumn ?? m.lastColumn ?? '?'}`;
      problems.push(`${where}: ${kind}: ${m.message}${m.extract ? `\n  ${JSON.stringify(m.extract)}` : ''}`);
    }
    const count = (extension, noun) => {
      const n = files.filter((f) => f.endsWith(extension)).length;
      return `${n} ${noun}${n === 1 ? '' : 's'}`;
    };
    const info = [...notes].map(([message, n]) => `; info ×${n}: ${message}`).join('');
    const checked = `${count('.html', 'page')}, ${count('.css', 'stylesheet')}, ${count('.svg', 'SVG image')}`;
    record(`Nu HTML Checker ${build.name}`, problems, `${checked}${info}`);
  }
}

const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
};

/** Serves a built site as a static host would, on 127.0.0.1 and a free port: the missing
 * get 404.html, and fingerprinted files (`style.0123456789.css`) may be cached for a year. */
async function serve(root) {
  const send = async (res, status, file) => {
    const body = await fs.readFile(file);
    const fingerprinted = /\.[0-9a-f]{10}\.[a-z]+$/.test(file);
    res.writeHead(status, {
      'Content-Type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
      'Content-Length': body.length,
      'Cache-Control': fingerprinted ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
    res.end(body);
  };
  const server = http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url, 'http://127.0.0.1');
      const wanted = path.join(root, decodeURIComponent(url.pathname));
      const stat = wanted.startsWith(root) ? await fs.stat(wanted).catch(() => null) : null;
      if (stat?.isDirectory() && !url.pathname.endsWith('/')) {
        res.writeHead(301, { Location: `${url.pathname}/${url.search}` });
        res.end();
      } else if (stat?.isDirectory() && (await fs.stat(path.join(wanted, 'index.html')).catch(() => null))) {
        await send(res, 200, path.join(wanted, 'index.html'));
      } else if (stat?.isFile()) {
        await send(res, 200, wanted);
      } else {
        await send(res, 404, path.join(root, '404.html'));
      }
    } catch (error) {
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(String(error));
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${server.address().port}` };
}

/** Opens one page in a new context and checks it as a reader's browser would. */
async function checkPage(browser, origin, pagePath, { width, scheme, expectStatus, screenshot }) {
  const problems = [];
  const context = await browser.newContext({
    viewport: { width, height: width < 600 ? 844 : 900 },
    colorScheme: scheme,
    reducedMotion: 'reduce',
  });
  // Nothing may leave the site: such requests are refused and reported.
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (new URL(url).origin === origin || url.startsWith('data:')) return route.continue();
    problems.push(`request outside the site: ${url}`);
    return route.abort();
  });
  const page = await context.newPage();
  const target = origin + pagePath;
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    // Chromium reports the status of the 404 page itself as a console error.
    if (expectStatus === 404 && message.location().url === target && /404/.test(message.text())) return;
    problems.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`script error: ${error.message}`));
  page.on('requestfailed', (request) => {
    if (new URL(request.url()).origin === origin) {
      problems.push(`failed request: ${request.url()} (${request.failure()?.errorText})`);
    }
  });
  page.on('response', (response) => {
    const expected = response.url() === target ? expectStatus : 200;
    if (response.status() !== expected && response.status() !== 304) {
      problems.push(`${response.url()} answered ${response.status()}, not ${expected}`);
    }
  });
  try {
    await page.goto(target, { waitUntil: 'load', timeout: 30_000 });
    await page.evaluate(() => document.fonts.ready.then(() => true));
    // The search page shows its results after loading the index: check it with them.
    await page.waitForFunction(() => document.querySelector('.search-status')?.textContent !== '', null, {
      timeout: 10_000,
    });
    const overflow = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
      widest: [...document.querySelectorAll('body *')]
        .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5)
        .slice(0, 3)
        .map((e) => `${e.tagName.toLowerCase()}${e.className ? `.${String(e.className).split(' ').join('.')}` : ''}`),
    }));
    if (overflow.scrollWidth > overflow.innerWidth) {
      problems.push(
        `horizontal overflow: ${overflow.scrollWidth}px wide in a ${overflow.innerWidth}px window (${overflow.widest.join(', ')})`,
      );
    }
    await page.addScriptTag({ path: AXE });
    const violations = await page.evaluate(
      (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags } }).then((r) => r.violations),
      AXE_TAGS,
    );
    for (const v of violations) {
      // The first reason axe gives for each of the first few elements.
      const nodes = v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')}: ${n.failureSummary?.split('\n')[1]?.trim()}`);
      problems.push(`axe ${v.id} (${v.impact}): ${v.help}\n  ${nodes.join('\n  ')}`);
    }
    if (screenshot) {
      // A full-page picture shows the images further down too, so load the lazy ones now.
      await page.evaluate(() =>
        Promise.all(
          [...document.images].map((img) => {
            img.loading = 'eager';
            return img.decode().catch(() => {});
          }),
        ),
      );
      await fs.mkdir(path.dirname(screenshot), { recursive: true });
      await page.screenshot({ path: screenshot, fullPage: true });
    }
  } catch (error) {
    problems.push(`could not check the page: ${error.message.split('\n')[0]}`);
  } finally {
    await context.close();
  }
  return problems;
}

/** The article's bytes (everything but images) and its render-blocking requests. */
async function checkWeight(browser, origin, build) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  const problems = [];
  let detail = '';
  try {
    await page.goto(origin + build.pages.article, { waitUntil: 'load' });
    const entries = await page.evaluate(() =>
      [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')].map((e) => ({
        url: e.name,
        type: e.initiatorType,
        bytes: e.decodedBodySize,
        blocking: e.renderBlockingStatus,
      })),
    );
    const counted = entries.filter((e) => e.type !== 'img' && !/\.(svg|png|jpe?g|webp|avif|gif)$/.test(e.url));
    const bytes = counted.reduce((sum, e) => sum + e.bytes, 0);
    const blocking = entries.filter((e) => e.blocking === 'blocking');
    detail = `${(bytes / 1000).toFixed(1)} KB: ${counted.map((e) => `${path.basename(new URL(e.url).pathname) || 'index.html'} ${(e.bytes / 1000).toFixed(1)} KB`).join(' + ')}; ${blocking.length} render-blocking`;
    if (bytes > MAX_WEIGHT) problems.push(`${bytes} bytes of HTML and CSS, more than ${MAX_WEIGHT}`);
    const notCss = blocking.filter((e) => e.type !== 'link' || !/\.css$/.test(new URL(e.url).pathname));
    if (blocking.length !== 1 || notCss.length > 0) {
      problems.push(`render-blocking requests: ${blocking.map((e) => e.url).join(', ') || 'none'}; expected one stylesheet`);
    }
  } catch (error) {
    problems.push(`could not load the article: ${error.message.split('\n')[0]}`);
  } finally {
    await context.close();
  }
  record(`weight ${build.name} article`, problems, detail);
}

/** The median number of characters in a full line of the article's paragraphs at 1280 px. */
async function checkMeasure(browser, origin, build) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems = [];
  let detail = '';
  try {
    await page.goto(origin + build.pages.article, { waitUntil: 'load' });
    const lengths = await page.evaluate(() => {
      const lengths = [];
      for (const paragraph of document.querySelectorAll('.page-content > p')) {
        // Characters grouped by the line they sit on; a paragraph's last line is not full.
        const lines = new Map();
        const walker = document.createTreeWalker(paragraph, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          for (let i = 0; i < node.length; i++) {
            const range = document.createRange();
            range.setStart(node, i);
            range.setEnd(node, i + 1);
            const box = range.getBoundingClientRect();
            if (box.height === 0) continue;
            const line = Math.round(box.bottom);
            lines.set(line, (lines.get(line) ?? 0) + 1);
          }
        }
        lengths.push(...[...lines.values()].slice(0, -1));
      }
      return lengths.sort((a, b) => a - b);
    });
    if (lengths.length < 5) {
      problems.push(`only ${lengths.length} full lines of text to measure`);
    } else {
      const median = lengths[lengths.length >> 1];
      detail = `${median} characters a line, median of ${lengths.length} lines`;
      if (median < MEASURE[0] || median > MEASURE[1]) {
        problems.push(`${median} characters a line; a comfortable measure is ${MEASURE[0]}-${MEASURE[1]}`);
      }
    }
  } catch (error) {
    problems.push(`could not load the article: ${error.message.split('\n')[0]}`);
  } finally {
    await context.close();
  }
  record(`measure ${build.name} article`, problems, detail);
}

/** Reaches each video's play button with Tab, presses it with Enter, then Space: nothing may
 * leave the site before, and each press must load its player from the privacy-enhanced host. */
async function checkEmbeds(browser, origin, build) {
  const pagePath = build.pages['rich article'];
  if (!pagePath) return;
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const outside = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (new URL(url).origin === origin || url.startsWith('data:')) return route.continue();
    outside.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  const problems = [];
  const players = [];
  try {
    await page.goto(origin + pagePath, { waitUntil: 'load' });
    await page.waitForTimeout(500);
    if (outside.length > 0) problems.push(`requests left the site before any click: ${outside.join(', ')}`);
    const buttons = await page.locator('.embed-play').count();
    if (buttons !== 2) problems.push(`${buttons} play buttons, expected 2`);
    for (const [i, key] of ['Enter', ' '].entries()) {
      let reached = false;
      for (let tab = 0; tab < 80 && !reached; tab++) {
        await page.keyboard.press('Tab');
        reached = await page.evaluate(() => document.activeElement?.classList.contains('embed-play') ?? false);
      }
      if (!reached) {
        problems.push(`play button ${i + 1} is never reached with Tab`);
        break;
      }
      const before = outside.length;
      await page.keyboard.press(key);
      const iframe = page.locator('.embed iframe').nth(i);
      await iframe.waitFor({ timeout: 5000 });
      const src = await iframe.getAttribute('src');
      players.push(src);
      const focused = await page.evaluate(() => document.activeElement?.tagName === 'IFRAME');
      if (!focused) problems.push(`after ${key === ' ' ? 'Space' : key}, the focus is not on the player`);
      await page.waitForTimeout(300);
      const requested = outside.slice(before);
      if (!requested.some((url) => url.startsWith(src.split('?')[0]))) {
        problems.push(`pressing ${key === ' ' ? 'Space' : key} did not request ${src} (requests: ${requested.join(', ') || 'none'})`);
      }
    }
    const hosts = players.map((src) => new URL(src).host);
    if (hosts.join(' ') !== 'www.youtube-nocookie.com player.vimeo.com') problems.push(`players from ${hosts.join(', ')}`);
    if (players[1] && !players[1].includes('dnt=1')) problems.push(`the Vimeo player is not asked not to track: ${players[1]}`);
  } catch (error) {
    problems.push(`could not check the players: ${error.message.split('\n')[0]}`);
  } finally {
    await context.close();
  }
  record(`embeds ${build.name} ${pagePath}`, problems, players.join(', '));
}

/** One Lighthouse run (mobile preset) on a page: its JSON report, or why there is none. */
async function lighthouseReport(url, work, name) {
  const report = path.join(work, `lighthouse-${name}.json`);
  const profile = await fs.mkdtemp(path.join(work, 'lighthouse-profile-'));
  const flags = [...CHROME_FLAGS, `--user-data-dir=${profile}`].join(' ');
  const { code, stderr } = await run(
    process.execPath,
    [LIGHTHOUSE, url, '--output=json', `--output-path=${report}`, `--chrome-flags=${flags}`, '--quiet'],
    { env: { ...process.env, CHROME_PATH: CHROME } },
  );
  try {
    return { result: JSON.parse(await fs.readFile(report, 'utf8')) };
  } catch {
    return { error: `lighthouse exited ${code}: ${stderr.trim().slice(-2000)}` };
  }
}

/** Lighthouse (mobile preset) on one kind of page (the article, the search page with a query);
 * the scores come from its JSON report. With `runs` > 1, the run of median performance is the
 * one judged (Lighthouse's own advice for scores that vary from run to run), and every run's
 * performance is shown. */
async function checkLighthouse(origin, build, work, kind = 'article', minimums = SCORES, runs = 1) {
  const reports = [];
  for (let i = 0; i < runs; i++) {
    const name = `${build.name.replace('/', '-')}-${kind.replace(' ', '-')}-${i}`;
    const { result, error } = await lighthouseReport(origin + build.pages[kind], work, name);
    if (error) {
      record(`Lighthouse ${build.name} ${kind}`, [error]);
      return null;
    }
    reports.push(result);
  }
  const performance = (r) => r.categories.performance?.score ?? 0;
  const sorted = [...reports].sort((a, b) => performance(a) - performance(b));
  const result = sorted[Math.floor(sorted.length / 2)];
  const problems = [];
  const scores = {};
  for (const [id, minimum] of Object.entries(minimums)) {
    const category = result.categories[id];
    scores[id] = category?.score ?? null;
    if (scores[id] === null || scores[id] < minimum) {
      problems.push(`${id} ${scores[id] === null ? 'has no score' : Math.round(scores[id] * 100)}, needs ${minimum * 100}`);
      // Name the audits that cost points.
      for (const ref of category?.auditRefs ?? []) {
        const audit = result.audits[ref.id];
        if (ref.weight > 0 && audit.score !== null && audit.score < 1) {
          problems.push(`  ${ref.id}: ${audit.title} (score ${audit.score}${audit.displayValue ? `, ${audit.displayValue}` : ''})`);
        }
      }
    }
  }
  if (result.runtimeError) problems.push(`runtime error: ${result.runtimeError.message}`);
  let detail = Object.entries(scores).map(([id, s]) => `${id} ${s === null ? '-' : Math.round(s * 100)}`).join(', ');
  if (runs > 1) detail += ` (median of ${runs} runs' performance: ${reports.map((r) => Math.round(performance(r) * 100)).join(', ')})`;
  const sent = result.audits['total-byte-weight']?.numericValue;
  if (sent !== undefined) detail += `; ${(sent / 1000).toFixed(1)} KB transferred`;
  record(`Lighthouse ${build.name} ${kind}`, problems, detail);
  return scores;
}

async function main() {
  const started = Date.now();
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'serum-quality-'));
  const servers = [];
  let browser;
  try {
    if (!(await fs.stat(SERUM).catch(() => null))) {
      record('serum binary', [`${SERUM} is missing: run \`cargo build --release\` first`]);
      return;
    }
    const builds = await buildAll(await prepareSites(work), work);
    await validateAll(builds);

    browser = await chromium.launch({ executablePath: CHROME, headless: true, args: CHROME_FLAGS });
    for (const build of builds) {
      const { server, origin } = await serve(build.output);
      servers.push(server);
      build.origin = origin;
      for (const [kind, pagePath] of Object.entries(build.pages)) {
        for (const width of WIDTHS) {
          for (const scheme of SCHEMES) {
            const screenshot = ['article', 'rich article', 'search'].includes(kind)
              ? path.join(SCREENSHOTS, `${build.name.replace('/', '-')}-${kind.replace(' ', '-')}-${width}-${scheme}.png`)
              : null;
            const problems = await checkPage(browser, origin, pagePath, {
              width,
              scheme,
              expectStatus: kind === '404' ? 404 : 200,
              screenshot,
            });
            record(`browser ${build.name} ${kind} ${pagePath} at ${width}px ${scheme}`, problems);
          }
        }
      }
      await checkWeight(browser, origin, build);
      await checkMeasure(browser, origin, build);
      await checkEmbeds(browser, origin, build);
    }
    await browser.close();
    browser = null;

    for (const build of builds) {
      await checkLighthouse(build.origin, build, work);
      if (build.pages['rich article']) await checkLighthouse(build.origin, build, work, 'rich article');
      if (build.pages['French article']) await checkLighthouse(build.origin, build, work, 'French article');
      // A page of 8 full-size photos must be as fast as a page of text.
      if (build.pages.photos) await checkLighthouse(build.origin, build, work, 'photos', { ...SCORES, performance: 1 });
      // The search page's score rests on a worker and several round trips: three runs, the median judged.
      if (build.pages.search) await checkLighthouse(build.origin, build, work, 'search', SEARCH_SCORES, 3);
    }
    console.log(`\nScreenshots: ${SCREENSHOTS}`);
  } catch (error) {
    record('the check script itself', [error.stack ?? String(error)]);
  } finally {
    await browser?.close();
    for (const server of servers) server.close();
    if (process.env.SERUM_KEEP) console.log(`Kept ${work}`);
    else await fs.rm(work, { recursive: true, force: true });
    const failed = results.filter((r) => r.problems.length > 0);
    const figures = results.filter((r) => /^(weight|measure|Lighthouse) /.test(r.name) && r.detail);
    if (figures.length > 0) {
      console.log(`\nFigures:`);
      for (const r of figures) console.log(`  ${r.name}: ${r.detail}`);
    }
    if (failed.length > 0) {
      console.log(`\nFailed:`);
      for (const r of failed) console.log(`  ${r.name}`);
    }
    console.log(`\nTook ${((Date.now() - started) / 1000).toFixed(0)} s.`);
    console.log(`${results.length - failed.length} passed, ${failed.length} failed`);
    process.exitCode = failed.length > 0 ? 1 : 0;
  }
}

await main();
