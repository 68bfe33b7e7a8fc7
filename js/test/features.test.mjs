// Hand-computed kernel cases (the README's golden session), the incremental extractor's emission rules, and the
// validation errors. The golden vectors from C# are checked in golden.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  ActionVocabulary, DEFAULT_WINDOW_OPTIONS, IncrementalWindowExtractor, KNOWN_ACTIONS, WINDOW_FEATURE_NAMES,
  computeWindowFeatures, validateWindowOptions,
} from '../src/interaction_predictor.js';
import { assertFeaturesClose } from './helpers.mjs';

// t0 = 0; gaps 10,10,10,20,10,10,10,10.
const GOLDEN = [
  [0, 'scroll_down', 0.2], [10, 'scroll_down', 0.5], [20, 'click', null], [30, 'hover', null],
  [50, 'scroll_up', 0.4], [60, 'blur_window', null], [70, 'focus_window', null], [80, 'click_ad', null], [90, 'wait', null],
];
const col = (events, i) => events.map((e) => e[i]);
const F = Object.fromEntries(WINDOW_FEATURE_NAMES.map((n, i) => [n, i]));

function runAll(events, options) {
  const x = new IncrementalWindowExtractor(options);
  const out = [];
  for (const [t, a, d] of events) x.push(t, a, d, (end, f) => out.push({ end, f }));
  x.complete((end, f) => out.push({ end, f }));
  return { x, out };
}

test('constants', () => {
  assert.equal(WINDOW_FEATURE_NAMES.length, 20);
  assert.equal(WINDOW_FEATURE_NAMES[0], 'time_since_last_action');
  assert.equal(WINDOW_FEATURE_NAMES[19], 'total_actions');
  assert.deepEqual([...KNOWN_ACTIONS], ['scroll_down', 'scroll_up', 'click', 'hover', 'wait', 'focus_window', 'blur_window', 'close_tab', 'click_ad']);
  assert.deepEqual({ ...DEFAULT_WINDOW_OPTIONS }, { windowSeconds: 120, stepSeconds: 10, minActions: 5 });
  assert.ok(Object.isFrozen(WINDOW_FEATURE_NAMES) && Object.isFrozen(KNOWN_ACTIONS) && Object.isFrozen(DEFAULT_WINDOW_OPTIONS));
});

test('action vocabulary: known codes 0..8, unknown actions 9+ in order of first appearance', () => {
  const v = new ActionVocabulary();
  assert.equal(v.code('scroll_down'), 0);
  assert.equal(v.code('click_ad'), 8);
  assert.equal(v.code('pv'), 9);
  assert.equal(v.code('buy'), 10);
  assert.equal(v.code('pv'), 9);
  assert.equal(v.name(10), 'buy');
  assert.equal(v.code(4), 4);
  assert.throws(() => v.code(''), /not a non-empty string/);
  assert.throws(() => v.code(-1), /-1 is not a non-negative integer/);
});

test('README golden session: window ending at 90, computed by hand', () => {
  const f = computeWindowFeatures(col(GOLDEN, 0), col(GOLDEN, 1), col(GOLDEN, 2), 90, 0, 120);
  const mu = 11.25; // 90 / 8
  const sigma = Math.sqrt(10.9375); // deviations: seven of -1.25 and one of 8.75 -> variance 87.5 / 8
  assertFeaturesClose(f, [
    0, mu, 90,
    2, 1, 1, 1, 1, 1, 1,
    0.5, 9 / 120, 0.5,
    Math.log2(9) - 2 / 9, // eight action types: one twice, seven once
    (sigma - mu) / (sigma + mu), 1 / (1 + sigma / mu),
    8, 2 / 4, 1 / 9, 9,
  ], 1e-12, 'end 90');
});

test('README golden session: incremental ends 50..90, window at 50 by hand', () => {
  const { out } = runAll(GOLDEN);
  assert.deepEqual(out.map((w) => w.end), [50, 60, 70, 80, 90]);
  const mu = 12.5;
  const sigma = Math.sqrt(75 / 4);
  assertFeaturesClose(out[0].f, [
    0, mu, 50,
    2, 1, 1, 1, 0, 0, 0,
    0.5, 5 / 120, 0.5,
    -(0.4 * Math.log2(0.4) + 3 * 0.2 * Math.log2(0.2)),
    (sigma - mu) / (sigma + mu), 1 / (1 + sigma / mu),
    4, 2 / 4, 0.2, 5,
  ], 1e-12, 'end 50');
  const at90 = computeWindowFeatures(col(GOLDEN, 0), col(GOLDEN, 1), col(GOLDEN, 2), 90, 0, 120);
  assert.deepEqual(out[4].f, at90);
});

test('short window excludes the event on its start: (30, 60] with W = 30', () => {
  const { out } = runAll(GOLDEN, { windowSeconds: 30, minActions: 1 });
  const f = out.find((w) => w.end === 60).f;
  assert.equal(f[F.total_actions], 2);
  assert.equal(f[F.hover_count], 0);
  assert.equal(f[F.avg_time_between_actions], 10);
  assert.equal(f[F.burstiness_score], -1);
  assert.equal(f[F.engagement_rhythm], 1);
  assert.equal(f[F.action_entropy], 1);
  assert.equal(f[F.scroll_depth_max], 0.4);
  assert.equal(f[F.attention_score], 1 / 3);
  assert.equal(f[F.session_duration], 60);
});

test('one-event window: mu = sigma = 0, entropy +0, depth 0 when absent', () => {
  const { out } = runAll([[0, 'click', null], [100, 'hover', undefined]], { windowSeconds: 5, minActions: 1 });
  const f = out.find((w) => w.end === 100).f;
  assert.equal(f[F.avg_time_between_actions], 0);
  assert.equal(f[F.burstiness_score], 0);
  assert.equal(f[F.engagement_rhythm], 1);
  assert.ok(Object.is(f[F.action_entropy], 0));
  assert.equal(f[F.scroll_depth_max], 0);
  assert.equal(f[F.time_since_last_action], 0);
  assert.equal(f[F.total_actions], 1);
});

test('kernel: absent depths (null, undefined, NaN, or no array) are ignored; 0 depth counts', () => {
  const f = (depths) => computeWindowFeatures([1, 2, 3], ['click', 'click', 'click'], depths, 3, 0, 120)[F.scroll_depth_max];
  assert.equal(f([null, 0.3, NaN]), 0.3);
  assert.equal(f([undefined, null, NaN]), 0);
  assert.equal(f(null), 0);
  assert.equal(f([0, null, null]), 0);
  // a depth of null must not be read as 0 over a negative depth (the kernel does not validate the range)
  assert.equal(f([-0.5, null, null]), -0.5);
});

test('kernel: entropy over distinct action strings, unknown actions included; codes and strings agree', () => {
  const byName = computeWindowFeatures([1, 2, 3, 4], ['pv', 'buy', 'pv', 'click'], null, 4, 0, 120);
  assert.equal(byName[F.unique_action_types], 3);
  assert.equal(byName[F.total_actions], 4);
  assert.equal(byName[F.click_count], 1);
  assertFeaturesClose([byName[F.action_entropy]], [1.5], 1e-15, 'entropy');
  const byCode = computeWindowFeatures([1, 2, 3, 4], [9, 10, 9, 2], null, 4, 0, 120);
  assert.deepEqual(byCode, byName);
  const mixed = computeWindowFeatures([1, 2], ['click', 2], null, 2, 0, 120);
  assert.equal(mixed[F.unique_action_types], 1);
  assert.equal(mixed[F.click_count], 2);
  // near-uniform windows never give a negative entropy
  const uniform = computeWindowFeatures([1, 2, 3], ['click', 'click', 'click'], null, 3, 0, 120);
  assert.ok(Object.is(uniform[F.action_entropy], 0));
});

test('kernel: click_ad is not a click; close_tab and unknown actions count in total_actions only', () => {
  const f = computeWindowFeatures([1, 2, 3, 4], ['click_ad', 'close_tab', 'x', 'click'], null, 5, 0, 120);
  assert.equal(f[F.click_count], 1);
  assert.equal(f[F.click_rate], 0.25);
  assert.equal(f[F.total_actions], 4);
  assert.equal(f[F.time_since_last_action], 1);
  assert.equal(f[F.session_duration], 5);
});

test('kernel: errors for empty windows, mismatched lengths and bad actions', () => {
  assert.throws(() => computeWindowFeatures([], [], [], 1, 0, 120), /at least one event/);
  assert.throws(() => computeWindowFeatures([1, 2], ['click'], null, 2, 0, 120), /same length.*times has 2, actions 1/);
  assert.throws(() => computeWindowFeatures([1], ['click'], [0.1, 0.2], 2, 0, 120), /depths 2/);
  assert.throws(() => computeWindowFeatures([1], [{}], null, 2, 0, 120), /Action an object at index 0/);
});

test('extractor: window ends t0 + k*step, emitted only when a later event arrives; complete() emits the end on the last event', () => {
  const x = new IncrementalWindowExtractor({ windowSeconds: 120, stepSeconds: 10, minActions: 1 });
  const ends = [];
  const collect = (end) => ends.push(end);
  x.push(5, 'click', null, collect);
  x.push(15, 'click', null, collect); // end 15 is due only once an event after it arrives
  assert.deepEqual(ends, []);
  x.push(15, 'hover', null, collect); // equal time: still not after 15
  assert.deepEqual(ends, []);
  x.push(15.5, 'hover', null, collect);
  assert.deepEqual(ends, [15]);
  x.push(47, 'hover', null, collect);
  assert.deepEqual(ends, [15, 25, 35, 45]);
  x.complete(collect);
  assert.deepEqual(ends, [15, 25, 35, 45]); // 55 > 47: not due
  x.push(55, 'wait', null, collect);
  x.complete(collect);
  assert.deepEqual(ends, [15, 25, 35, 45, 55]);
  x.complete(collect);
  assert.deepEqual(ends, [15, 25, 35, 45, 55], 'complete() twice emits nothing new');
  assert.equal(x.eventCount, 6);
  assert.equal(x.sessionStart, 5);
});

test('extractor: minActions skips sparse windows; eviction keeps what pending windows and "now" need', () => {
  const x = new IncrementalWindowExtractor({ windowSeconds: 30, stepSeconds: 10, minActions: 2 });
  const got = [];
  const events = [[0, 'click'], [1, 'hover'], [2, 'click'], [100, 'click'], [101, 'wait'], [135, 'click']];
  for (const [t, a] of events) {
    x.push(t, a, null, (end, f) => got.push([end, f[F.total_actions]]));
    // a live query must not evict events earlier windows still need
    x.computeAt(t + 25);
  }
  x.complete((end, f) => got.push([end, f[F.total_actions]]));
  // ends 10, 20 hold 3 events; 30 holds (0,30] = 2; 40..90 none; 100 holds (70,100] = 1; 110 and 120 hold 2;
  // 130 holds (100,130] = 1
  assert.deepEqual(got, [[10, 3], [20, 3], [30, 2], [110, 2], [120, 2]]);
  assert.ok(x.bufferedEvents <= 3, `buffered ${x.bufferedEvents}`);
});

test('extractor: computeAt(end) = kernel on (end - W, end]; null below minActions, before any event, or on an empty window', () => {
  const x = new IncrementalWindowExtractor();
  assert.equal(x.computeAt(10), null);
  for (const [t, a, d] of GOLDEN) x.push(t, a, d);
  assert.deepEqual(x.computeAt(90), computeWindowFeatures(col(GOLDEN, 0), col(GOLDEN, 1), col(GOLDEN, 2), 90, 0, 120));
  const later = x.computeAt(150); // (30, 150]: 5 events
  const tail = GOLDEN.filter((e) => e[0] > 30);
  assert.deepEqual(later, computeWindowFeatures(col(tail, 0), col(tail, 1), col(tail, 2), 150, 0, 120));
  assert.equal(x.computeAt(171), null, '(51, 171] has 4 events < 5');
  assert.equal(x.computeAt(500), null);
  assert.throws(() => x.computeAt(85), /must end at or after the last event \(90\), got 85/);
  assert.throws(() => x.computeAt(NaN), /Window end NaN is not a finite number/);
  x.reset();
  assert.equal(x.eventCount, 0);
  assert.equal(x.computeAt(1000), null);
  x.push(3, 'click'); // after reset a new session starts: earlier times are fine
  assert.equal(x.sessionStart, 3);
});

test('extractor: validation errors are clear', () => {
  const x = new IncrementalWindowExtractor();
  x.push(10, 'click');
  assert.throws(() => x.push(9, 'click'), { message: 'Events must arrive in time order: 9 comes after 10.' });
  assert.throws(() => x.push(NaN, 'click'), { message: 'Event time NaN is not a finite number of seconds.' });
  assert.throws(() => x.push(Infinity, 'click'), /Event time Infinity is not a finite number/);
  assert.throws(() => x.push('11', 'click'), /Event time "11" \(a string\) is not a finite number/);
  assert.throws(() => x.push(11, undefined), /Action undefined is not a non-empty string/);
  assert.throws(() => x.push(11, 'click', 'deep'), /Scroll depth "deep" \(a string\) is not a number/);
  assert.throws(() => x.push(11, 'click', null, 42), /onWindow must be a function/);
  assert.equal(x.eventCount, 1, 'rejected events are not recorded');
  assert.throws(() => new IncrementalWindowExtractor({ stepSeconds: 0 }), /stepSeconds 0 is invalid/);
  assert.throws(() => new IncrementalWindowExtractor({ windowSeconds: Infinity }), /windowSeconds Infinity is invalid/);
  assert.throws(() => new IncrementalWindowExtractor({ minActions: 0 }), /minActions 0 is invalid/);
  assert.throws(() => validateWindowOptions({ minActions: 2.5 }), /minActions 2.5 is invalid/);
  assert.deepEqual({ ...validateWindowOptions({ stepSeconds: 7 }) }, { windowSeconds: 120, stepSeconds: 7, minActions: 5 });
});

// The Python peer's windows on the C# test data (tests/Shared/Data, MinActions = 3): the same comparison the
// C# test makes, row by row, 1e-9 relative. Skipped when the C# test data is not beside this package.
const dataDir = fileURLToPath(new URL('../../tests/Shared/Data/', import.meta.url));
const peerSkip = existsSync(dataDir + 'peer_windows.csv') ? false : 'tests/Shared/Data is not there';

function readCsv(path) {
  const lines = readFileSync(path, 'utf8').split(/\r?\n/).filter((l) => l.length > 0);
  const header = lines[0].split(',');
  return lines.slice(1).map((l) => Object.fromEntries(l.split(',').map((v, i) => [header[i], v])));
}

test('the Python peer\'s windows on peer_events.csv, row by row', { skip: peerSkip }, () => {
  const events = readCsv(dataDir + 'peer_events.csv');
  const peer = readCsv(dataDir + 'peer_windows.csv');
  const sessions = new Map();
  events.forEach((e, i) => {
    if (!sessions.has(e.session_id)) sessions.set(e.session_id, []);
    sessions.get(e.session_id).push({ t: Number(e.timestamp), action: e.action, depth: e.scroll_depth === '' ? null : Number(e.scroll_depth), i });
  });
  const rows = [];
  for (const [id, list] of sessions) { // sessions in order of first appearance, as the peer writes them
    list.sort((a, b) => a.t - b.t || a.i - b.i); // by time, file order for ties
    const x = new IncrementalWindowExtractor({ minActions: 3 });
    const collect = (end, f) => rows.push({ id, end, f });
    for (const e of list) x.push(e.t, e.action, e.depth, collect);
    x.complete(collect);
  }
  assert.equal(rows.length, peer.length);
  assert.ok(rows.length > 800);
  peer.forEach((p, r) => {
    assert.equal(rows[r].id, p.session_id, `row ${r}`);
    assert.equal(rows[r].end, Number(p.window_end), `row ${r}`);
    assertFeaturesClose(rows[r].f, WINDOW_FEATURE_NAMES.map((n) => Number(p[n])), 1e-9, `${p.session_id}@${p.window_end}`);
  });
});

// Issue #15, class 1: a far-off timestamp costs nothing (the extractor jumps over windows that cannot hold minActions
// events, as the C# extractors do), and a step that would put one event into more than 10,000 windows is refused.
test('extractor: a timestamp of 1e300 after a session finishes, with the same windows as without it', () => {
  const run = (times) => {
    const x = new IncrementalWindowExtractor({ windowSeconds: 60, stepSeconds: 7, minActions: 1 });
    const ends = [];
    for (const t of times) x.push(t, 'click', null, (end) => ends.push(end));
    x.complete((end) => ends.push(end));
    return ends;
  };
  const near = run([0, 1, 2, 3]);
  const far = run([0, 1, 2, 3, 1e300]);
  assert.deepEqual(far.slice(0, 8), [7, 14, 21, 28, 35, 42, 49, 56]);
  assert.ok(far.length <= 9, `${far.length} windows`);
  assert.deepEqual(near, []); // the session ends at 3: no window end is due before it
});

test('validateWindowOptions: a step below window / 10000 is refused', () => {
  assert.throws(() => validateWindowOptions({ windowSeconds: 120, stepSeconds: 1e-300 }), /at least windowSeconds \/ 10000/);
  assert.equal(validateWindowOptions({ windowSeconds: 120, stepSeconds: 0.012 }).stepSeconds, 0.012);
});
