import assert from 'node:assert/strict';
import { WINDOW_FEATURE_NAMES } from '../src/interaction_predictor.js';

/** Every feature within `relative` · max(1, |expected|), with the feature's name in the failure. */
export function assertFeaturesClose(actual, expected, relative, label = '') {
  assert.ok(Array.isArray(actual) || ArrayBuffer.isView(actual), `${label}: expected features, got ${actual}`);
  assert.equal(actual.length, expected.length, `${label}: feature count`);
  for (let i = 0; i < expected.length; i++) {
    const tolerance = relative * Math.max(1, Math.abs(expected[i]));
    if (!(Math.abs(expected[i] - actual[i]) <= tolerance))
      assert.fail(`${label}: ${WINDOW_FEATURE_NAMES[i]} expected ${expected[i]}, got ${actual[i]} (tolerance ${tolerance})`);
  }
}
