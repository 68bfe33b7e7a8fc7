// Static checks of demo.html (the browser test that drives it lives with `exania export web`): the elements and the
// window.exaniaDemo API it promises, local files only (no CDN), and the module it imports exports what it uses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as mod from '../src/interaction_predictor.js';

const html = readFileSync(new URL('../src/demo.html', import.meta.url), 'utf8');

test('demo.html: panel elements, data attributes and the exaniaDemo API', () => {
  for (const id of ['probability', 'status', 'event-count', 'features'])
    assert.match(html, new RegExp(`id="${id}"`), `#${id}`);
  assert.match(html, /id="probability" data-window-end="" data-probability=""/);
  assert.match(html, /dataset\.windowEnd = String\(windowEnd\)/);
  assert.match(html, /dataset\.probability = probability === null \? '' : String\(probability\)/);
  for (const member of ['ready', 'tracker', 'predictor', 'eventLog', 'lastPrediction', 'benchmark'])
    assert.match(html, new RegExp(`\\b${member}\\b`), member);
  assert.match(html, /window\.exaniaDemo = demo/);
  assert.match(html, /median_ms: median, p99_ms: p99, n/);
  assert.match(html, /get\('idle'\)/);
});

test('demo.html: only local files, the module beside it, and data-track elements to hover and click', () => {
  assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//, 'no external scripts, styles or links');
  assert.doesNotMatch(html, /import\s*\(?\s*['"]https?:/);
  assert.match(html, /import\('\.\/interaction_predictor\.js'\)/);
  assert.match(html, /'\.\/interaction_predictor\.onnx'/);
  assert.ok((html.match(/data-track="/g) ?? []).length >= 8);
  assert.match(html, /<button[^>]*data-track=/);
  assert.match(html, /<a [^>]*data-track=/);
  assert.match(html, /data-track="ad"/);
  assert.ok((html.match(/<p>/g) ?? []).length >= 10, 'an article with long paragraphs');
  for (const name of ['InteractionTracker', 'InteractionPredictor', 'WINDOW_FEATURE_NAMES'])
    assert.ok(name in mod, name);
});
