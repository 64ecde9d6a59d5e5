// report.html in a real browser: headless Chromium through puppeteer-core. Chromium is required,
// not optional: without it this test fails with the command that installs it (CI installs it).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { buildReport } from '../src/build-report.js';
import {
  addEvidence,
  addPostSft,
  copyRun,
  DATA,
  EVIDENCE_CHARTS,
  FIXTURE_CHARTS,
} from './helpers.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const INJECTED = '<img src=x onerror="window.__pwned=1"></script><b>bold</b>';

describe('report.html in headless Chromium', () => {
  let browser: Browser | undefined;
  let page: Page;
  const problems: string[] = [];
  /** The logged prompt of tiny-diffllama's inf sample gsm8k-test-1 (GSM8K text stays in ../shared). */
  let infPrompt = '';
  /** evidence.json as addEvidence computed it. */
  let evidence: { dataset: string; measure: string; verdict: string }[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `Chromium not found at ${CHROMIUM}: install it (Debian/Ubuntu: sudo apt-get install chromium) or set CHROMIUM_PATH to a Chromium/Chrome binary`,
      );
    }
    const dir = copyRun();
    const log = path.join(dir, 'samples/tiny-llama/clean.jsonl');
    const lines = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    lines[0].completion = INJECTED;
    writeFileSync(log, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    infPrompt = readFileSync(path.join(dir, 'samples/tiny-diffllama/inf.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; prompt: string })
      .find((r) => r.id === 'gsm8k-test-1')!.prompt;
    addPostSft(dir);
    addEvidence(dir);
    evidence = JSON.parse(readFileSync(path.join(dir, 'evidence.json'), 'utf8')).rows;
    await buildReport(dir, { dataDir: DATA });

    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--headless=new'],
    });
    page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${String(e)}`));
    // Self-contained: the page may load itself and data: URIs, nothing else.
    page.on('request', (r) => {
      if (!/^(file|data):/.test(r.url())) problems.push(`request: ${r.url()}`);
    });
    await page.goto(pathToFileURL(path.join(dir, 'report.html')).href, { waitUntil: 'load' });
    await page.waitForSelector('body[data-charts="done"]', { timeout: 30_000 });
  });

  afterAll(async () => {
    await browser?.close();
  });

  test('no console errors, page errors or network requests', () => {
    expect(problems).toEqual([]);
  });

  test('every chart is drawn from its spec as an SVG of non-zero size', async () => {
    const charts = await page.$$eval('.chart-view', (els) =>
      els.map((el) => {
        const drawn = el.querySelector('svg, canvas');
        const box = drawn?.getBoundingClientRect();
        return {
          name: el.getAttribute('data-name'),
          drawn: el.classList.contains('drawn'),
          fallback: el.querySelector('img.fallback') !== null,
          width: box?.width ?? 0,
          height: box?.height ?? 0,
        };
      }),
    );
    expect(charts.map((c) => c.name)).toEqual([...EVIDENCE_CHARTS, ...FIXTURE_CHARTS]);
    for (const c of charts) {
      expect(c).toMatchObject({ drawn: true, fallback: false });
      expect(c.width).toBeGreaterThan(100);
      expect(c.height).toBeGreaterThan(100);
    }
    const title = await page.$eval('#chart-model_comparison svg', (svg) => svg.textContent);
    expect(title).toContain('Pass@1 by dataset and model');
  });

  test('the first section answers the question: its table and charts', async () => {
    const headings = await page.$$eval('h2', (hs) => hs.map((h) => h.textContent));
    expect(headings[0]).toBe('Does differential attention help?');
    const rows = await page.$$eval('#evidence table.evidence tbody tr', (trs) =>
      trs.map((tr) => [...tr.children].map((td) => td.textContent)),
    );
    // Pass@1 of 2 evaluations x 3 sets, then 4 likelihood measures x 3 sets
    expect(rows).toHaveLength(18);
    expect(rows.map((r) => [r[0], r[2], r[9]])).toEqual(
      evidence.map((e, i) => [
        e.dataset,
        i < 6 ? (i < 3 ? 'zero_shot' : 'post_sft') : 'likelihood',
        e.verdict,
      ]),
    );
    // every Pass@1 is 0 on each set zero-shot (1 of 4 post-SFT): nothing discordant, so no
    // interval and the rule-of-three MDE, (z + z) · √(3/4) / √4 = 1.213: inconclusive
    expect(rows[0]).toEqual([
      'inf',
      'Pass@1 (seed), points',
      'zero_shot',
      '4',
      '0.0',
      '-',
      '1.000',
      '1.000',
      '121.3',
      'inconclusive',
    ]);
    // tiny-llama loses 0.4 to 0.7 nats/token to each noise, tiny-diffllama 0.1: +0.45 on average
    const sftMean = rows.find((r) => r[0] === 'inf' && r[1] === 'sft_mean')!;
    expect(sftMean.slice(3, 5)).toEqual(['4', '+0.4500']);
    const pull = rows.find((r) => r[0] === 'inf' && r[1].startsWith('protocol_noise_mass'))!;
    expect(pull.slice(1, 6)).toEqual([
      'protocol_noise_mass (lower is better: sign flipped)',
      'likelihood',
      '4',
      '+0.2400',
      '[+0.2400, +0.2400]',
    ]);
    const drawn = await page.$$eval('#evidence .chart-view', (els) =>
      els.map((el) => [el.getAttribute('data-name'), el.classList.contains('drawn')]),
    );
    expect(drawn).toEqual(EVIDENCE_CHARTS.map((name) => [name, true]));
    // the per-layer curve shows both layers; the dose-response both sweep cells and the baseline
    const layers = await page.$eval('#chart-knockout_layers svg', (svg) => svg.textContent);
    expect(layers).toContain('first knocked layer L');
    expect(layers).toContain('inf · protocol_mean');
    const dose = await page.$eval('#chart-dose_response svg', (svg) => svg.textContent);
    expect(dose).toContain('inf, late');
    expect(dose).toContain('noise sentences');
    const slopes = await page.$$eval('#evidence table.dose-response tbody tr', (trs) =>
      trs.map((tr) => [...tr.children].map((td) => td.textContent)),
    );
    expect(slopes.map((r) => r.slice(0, 5))).toEqual([
      ['zero_shot', 'inf', 'late', 'tiny-llama', '0, 1, 2'],
      ['zero_shot', 'inf', 'late', 'tiny-diffllama', '0, 1, 2'],
      ['zero_shot', 'inf', 'late', 'tiny-diffllama − tiny-llama', '0, 1, 2'],
    ]);
    // Pass@1 0, 1/4, 0 at 0, 1, 2 sentences: slope 0 per sentence, pooled effect +12.5 points
    expect(slopes[0].slice(5).map((c) => c.split(' ')[0])).toEqual(['0.0', '+12.5']);
    expect(await page.$$eval('#evidence ul.gaps li', (lis) => lis.length)).toBe(0);
  });

  test('filters narrow the sample table', async () => {
    const count = () => page.$eval('#samples-count', (e) => e.textContent);
    // 32 zero-shot and 32 post-SFT samples (addPostSft: item 0 of each post-SFT set right)
    expect(await count()).toBe('showing 64 of 64 samples');
    await page.select('#filter-dataset', 'inf');
    await page.select('#filter-model', 'tiny-diffllama');
    expect(await count()).toBe('showing 8 of 64 samples');
    await page.select('#filter-correct', 'correct');
    expect(await count()).toBe('showing 1 of 64 samples');
    const header = await page.$$eval('#samples-table thead th', (ths) =>
      ths.map((th) => th.textContent),
    );
    expect(header).toEqual([
      'model',
      'evaluation',
      'dataset',
      'id',
      'gold',
      'answer (strict)',
      'correct (strict)',
      'correct (seed)',
      'stop',
      'new tokens',
      'maps',
    ]);
    const right = await page.$$eval('#samples-table tbody tr', (rows) =>
      rows.map((r) => [...r.children].map((c) => c.textContent)),
    );
    expect(right).toEqual([
      [
        'tiny-diffllama',
        'post_sft',
        'inf',
        'gsm8k-test-0',
        '18',
        '18',
        '✓ correct',
        '✓ correct',
        'max_new_tokens',
        '512',
        '0',
      ],
    ]);
    await page.select('#filter-correct', 'wrong');
    expect(await count()).toBe('showing 7 of 64 samples');
    await page.select('#filter-eval', 'zero_shot');
    expect(await count()).toBe('showing 4 of 64 samples');
    const ids = await page.$$eval('#samples-table tbody tr', (rows) =>
      rows.map((r) => r.children[3].textContent),
    );
    expect(ids).toEqual(['gsm8k-test-0', 'gsm8k-test-1', 'gsm8k-test-2', 'gsm8k-test-3']);
    // the answer column follows the extractor picked
    await page.select('#filter-extractor', 'seed');
    expect(await page.$eval('#answer-extractor', (e) => e.textContent)).toBe('seed');
    await page.select('#filter-extractor', 'strict');
  });

  test('clicking a sample shows its prompt with the noise marked, answers and heat maps', async () => {
    await page.select('#filter-dataset', 'inf');
    await page.select('#filter-model', 'tiny-diffllama');
    await page.select('#filter-correct', '');
    await page.click('#samples-table tbody tr:nth-child(2)');
    const detail = await page.$eval('#sample-detail', (el) => ({
      hidden: (el as unknown as { hidden: boolean }).hidden,
      title: el.querySelector('h3')?.textContent,
      facts: el.querySelector('p.facts')?.textContent,
      timing: el.querySelector('p.timing')?.textContent,
      marks: [...el.querySelectorAll('pre.prompt mark.noise')].map((m) => m.textContent),
      prompt: el.querySelector('pre.prompt')?.textContent,
      answers: [...el.querySelectorAll('table.answers tbody tr')].map((r) =>
        [...r.children].map((c) => c.textContent),
      ),
      maps: [...el.querySelectorAll('figure.map')].map((f) => ({
        caption: f.querySelector('figcaption')?.textContent,
        loaded: (f.querySelector('img') as unknown as { naturalWidth: number }).naturalWidth > 0,
      })),
    }));
    expect(detail.hidden).toBe(false);
    // tokens, and the logged ms for what it is: a 512-token sample finished 2 ms after the last
    expect(detail.facts).toBe('gold 3 · stop: max_new_tokens · 43 prompt tokens, 512 new tokens');
    expect(detail.timing).toBe(
      'logged 2 ms after the previous sample of this set finished (generation is batched: not this sample’s own generation time)',
    );
    expect(detail.title).toBe('tiny-diffllama · zero_shot · inf · gsm8k-test-1');
    expect(detail.marks).toEqual([
      'The apartment building on Maple Street has 10 floors and 152 windows.',
    ]);
    // the whole noisy prompt, its inserted sentence among the question's own
    expect(detail.prompt).toBe(infPrompt);
    expect(infPrompt).toContain(
      '.  The apartment building on Maple Street has 10 floors and 152 windows.  How many',
    );
    expect(detail.answers).toEqual([
      ['seed', '(none)', '✗ wrong'],
      ['strict', '(none)', '✗ wrong'],
    ]);
    expect(detail.maps).toEqual([
      {
        caption: 'inf: noisy prompt · differential-normalised map, layer 2, mean of heads',
        loaded: true,
      },
      {
        caption: 'inf: clean prompt · differential-normalised map, layer 2, mean of heads',
        loaded: true,
      },
    ]);
  });

  test('text from the run is shown as text, never run as markup', async () => {
    await page.select('#filter-dataset', 'clean');
    await page.select('#filter-model', 'tiny-llama');
    await page.select('#filter-eval', 'zero_shot');
    await page.click('#samples-table tbody tr:nth-child(1)');
    const shown = await page.$eval('#sample-detail pre.completion', (el) => ({
      text: el.textContent,
      elements: el.children.length,
    }));
    expect(shown).toEqual({ text: INJECTED, elements: 0 });
    expect(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();
  });

  test('linked images (--no-self-contained) load from the files beside the page', async () => {
    const dir = copyRun();
    await buildReport(dir, { dataDir: DATA, threads: 1, selfContained: false, headMaps: [] });
    const linked = await browser!.newPage();
    const requests: string[] = [];
    linked.on('request', (r) => requests.push(r.url()));
    await linked.goto(pathToFileURL(path.join(dir, 'report.html')).href, { waitUntil: 'load' });
    await linked.waitForSelector('body[data-charts="done"]', { timeout: 30_000 });
    await linked.select('#filter-dataset', 'inf');
    await linked.select('#filter-model', 'tiny-diffllama');
    await linked.click('#samples-table tbody tr:nth-child(2)');
    await linked.waitForSelector('#sample-detail figure.map img');
    // each map image decoded (naturalWidth > 0): its relative file was found and loaded
    await linked.waitForFunction(
      `[...document.querySelectorAll('#sample-detail figure.map img')].every((i) => i.complete && i.naturalWidth > 0)`,
      { timeout: 10_000 },
    );
    const maps = await linked.$$eval('#sample-detail figure.map img', (imgs) =>
      imgs.map((i) => i.getAttribute('src')),
    );
    expect(maps).toEqual([
      'attention_maps/inf_samples/tiny-diffllama_gsm8k-test-1_noisy.png',
      'attention_maps/inf_samples/tiny-diffllama_gsm8k-test-1_clean.png',
    ]);
    // only files of the run folder were requested
    const base = pathToFileURL(dir).href;
    expect(requests.filter((u) => !u.startsWith(base))).toEqual([]);
    await linked.close();
  });
});
