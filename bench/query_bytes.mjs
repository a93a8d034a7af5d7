#!/usr/bin/env node
// What a reader downloads for one query on serum's search page: serves a built site's folder,
// opens /search/?q=QUERY in headless Chromium, waits for the results, and prints as JSON the
// bytes received by kind, the number of requests, and the results found and shown.
//
//   node bench/query_bytes.mjs public retinol
//
// Needs tests/quality's packages (npm ci --prefix tests/quality) and /usr/bin/chromium.

import fs from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const { chromium } = await import(path.join(HERE, '../tests/quality/node_modules/playwright-core/index.mjs'));
const [root, query] = process.argv.slice(2);
const TYPES = { '.html': 'text/html', '.css': 'text/css', '.js': 'text/javascript', '.json': 'application/json' };

const server = http.createServer(async (request, response) => {
  let file = path.join(root, decodeURIComponent(new URL(request.url, 'http://x').pathname));
  if (file.endsWith('/')) file += 'index.html';
  try {
    const body = await fs.readFile(file);
    response.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream' });
    response.end(body);
  } catch {
    response.writeHead(404).end();
  }
});
await new Promise((done) => server.listen(0, '127.0.0.1', done));
const base = `http://127.0.0.1:${server.address().port}`;

const browser = await chromium.launch({
  executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu'],
});
const page = await browser.newPage();
const bytes = {};
let requests = 0;
page.on('response', async (response) => {
  const url = new URL(response.url());
  const body = await response.body().catch(() => Buffer.alloc(0));
  const kind = url.pathname.includes('/pagefind/')
    ? `pagefind ${path.extname(url.pathname).slice(1) || 'other'}`
    : 'page, css and js';
  bytes[kind] = (bytes[kind] || 0) + body.length;
  requests += 1;
});
await page.goto(`${base}/search/?q=${encodeURIComponent(query)}`);
await page.waitForFunction(() => document.querySelector('.search-status')?.textContent !== '', null, { timeout: 60_000 });
await page.waitForLoadState('networkidle');
const results = await page.evaluate(() => document.querySelector('.search-status').textContent);
const shown = await page.evaluate(() => document.querySelectorAll('.search-results > li').length);
await browser.close();
server.close();
console.log(JSON.stringify({ bytes, requests, results: parseInt(results, 10) || 0, shown }));
