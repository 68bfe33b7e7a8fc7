// The JavaScript port against the golden vectors the C# extractor writes (js/test/golden_windows.json, rebuilt and
// checked by tests/Exania.Features.Tests/GoldenWindowsTests.cs): every emitted window and every "now" query, each feature
// within 1e-9 relative (scaled by max(1, |expected|)).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { IncrementalWindowExtractor, WINDOW_FEATURE_NAMES, computeWindowFeatures } from '../src/interaction_predictor.js';
import { assertFeaturesClose } from './helpers.mjs';

const goldenPath = fileURLToPath(new URL('./golden_windows.json', import.meta.url));
const golden = existsSync(goldenPath) ? JSON.parse(readFileSync(goldenPath, 'utf8')) : null;
const skip = golden ? false : 'js/test/golden_windows.json is not there yet (the C# GoldenWindowsTests writes it)';

test('golden file: format, version and feature names', { skip }, () => {
  assert.equal(golden.format, 'exania.golden-windows');
  assert.equal(golden.version, 1);
  assert.deepEqual(golden.feature_names, [...WINDOW_FEATURE_NAMES]);
  const windows = golden.cases.flatMap((c) => c.sessions).reduce((s, x) => s + x.windows.length, 0);
  assert.ok(windows > 200, `${windows} golden windows`);
});

for (const c of golden?.cases ?? []) {
  const options = { windowSeconds: c.window.window_seconds, stepSeconds: c.window.step_seconds, minActions: c.window.min_actions };
  test(`golden case ${c.name}: incremental windows and "now" queries match C#`, () => {
    let checked = 0;
    for (const s of c.sessions) {
      const extractor = new IncrementalWindowExtractor(options);
      const emitted = [];
      const collect = (end, features) => emitted.push({ end, features });
      for (const e of s.events) extractor.push(e.t, e.action, e.scroll_depth, collect);
      for (const q of s.now) {
        const got = extractor.computeAt(q.end);
        const label = `${c.name}/${s.name} now ${q.end}`;
        if (q.features === null) assert.equal(got, null, label);
        else assertFeaturesClose(got, q.features, 1e-9, label);
        checked++;
      }
      extractor.complete(collect);
      assert.deepEqual(emitted.map((w) => w.end), s.windows.map((w) => w.end), `${c.name}/${s.name}: window ends`);
      s.windows.forEach((w, i) => assertFeaturesClose(emitted[i].features, w.features, 1e-9, `${c.name}/${s.name} window ${w.end}`));
      checked += s.windows.length;
    }
    assert.ok(checked > 0);
  });

  test(`golden case ${c.name}: the kernel on each window's events equals the emitted features`, () => {
    for (const s of c.sessions) {
      const t0 = s.events[0].t;
      for (const w of s.windows) {
        const inWindow = s.events.filter((e) => e.t > w.end - options.windowSeconds && e.t <= w.end);
        const f = computeWindowFeatures(inWindow.map((e) => e.t), inWindow.map((e) => e.action),
          inWindow.map((e) => e.scroll_depth), w.end, t0, options.windowSeconds);
        assertFeaturesClose(f, w.features, 1e-9, `${c.name}/${s.name} kernel ${w.end}`);
      }
    }
  });
}
