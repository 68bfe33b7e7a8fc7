// InteractionTracker on a minimal fake DOM (EventTarget-based window and document, element stand-ins with
// getAttribute/parentElement), an injected clock and injected timers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IncrementalWindowExtractor, InteractionTracker, computeWindowFeatures } from '../src/interaction_predictor.js';

class FakeElement {
  constructor(tagName, attributes = {}, parent = null) {
    this.tagName = tagName.toUpperCase();
    this.attributes = attributes;
    this.parentElement = parent;
  }
  getAttribute(name) {
    return Object.prototype.hasOwnProperty.call(this.attributes, name) ? this.attributes[name] : null;
  }
  hasAttribute(name) {
    return Object.prototype.hasOwnProperty.call(this.attributes, name);
  }
}

function fakePage({ start = 1000 } = {}) {
  let now = start;
  let timers = [];
  let nextId = 1;
  const win = new EventTarget();
  const doc = new EventTarget();
  win.document = doc;
  doc.visibilityState = 'visible';
  doc.focused = true;
  doc.hasFocus = () => doc.focused;
  doc.scrollingElement = { scrollTop: 0, scrollHeight: 3000, clientHeight: 1000 };
  const body = new FakeElement('body');
  const fire = (target, type, props = {}) => {
    const e = new Event(type);
    for (const [k, v] of Object.entries(props)) Object.defineProperty(e, k, { value: v });
    target.dispatchEvent(e);
  };
  const page = {
    win, doc, body,
    clock: () => now,
    setClock: (t) => { now = t; },
    setTimeout: (fn, ms) => { const id = nextId++; timers.push({ id, fn, at: now + ms / 1000 }); return id; },
    clearTimeout: (id) => { timers = timers.filter((x) => x.id !== id); },
    pendingTimers: () => timers.length,
    /** Moves the clock to t, running the timers due on the way at their own times. */
    advanceTo(t) {
      for (;;) {
        const due = timers.filter((x) => x.at <= t).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        timers = timers.filter((x) => x !== due);
        now = Math.max(now, due.at);
        due.fn();
      }
      now = t;
    },
    scrollTo(t, top) { page.advanceTo(t); doc.scrollingElement.scrollTop = top; fire(win, 'scroll'); },
    click(t, el) { page.advanceTo(t); fire(doc, 'click', { target: el }); },
    over(t, el, relatedTarget = null) { page.advanceTo(t); fire(doc, 'mouseover', { target: el, relatedTarget }); },
    out(t, el, relatedTarget) { page.advanceTo(t); fire(doc, 'mouseout', { target: el, relatedTarget }); },
    blur(t) { page.advanceTo(t); doc.focused = false; fire(win, 'blur'); },
    focus(t) { page.advanceTo(t); doc.focused = true; fire(win, 'focus'); },
    visibility(t, state) { page.advanceTo(t); doc.visibilityState = state; fire(doc, 'visibilitychange'); },
    pagehide(t) { page.advanceTo(t); fire(win, 'pagehide'); },
  };
  return page;
}

function makeTracker(page, options = {}) {
  const seen = { events: [], windows: [] };
  const tracker = new InteractionTracker({
    target: page.win,
    clock: page.clock,
    setTimeout: page.setTimeout,
    clearTimeout: page.clearTimeout,
    idleSeconds: 5,
    onEvent: (e) => seen.events.push(e),
    onWindow: (end, features) => seen.windows.push({ end, features }),
    ...options,
  });
  return { tracker, seen };
}

const actions = (log) => log.map((e) => e.action);

test('scroll: direction, depth clamped to 0..1, one event per 250 ms unless the direction changes', () => {
  const page = fakePage();
  const { tracker } = makeTracker(page);
  tracker.start();
  page.scrollTo(1000.1, 200); // depth 200 / (3000 - 1000)
  page.scrollTo(1000.2, 400); // throttled: same direction within 250 ms
  page.scrollTo(1000.4, 600);
  page.scrollTo(1000.45, 500); // direction change: not throttled
  page.scrollTo(1000.5, 400); // throttled
  page.scrollTo(1000.55, 400); // no movement
  page.scrollTo(1001, 5000); // overscroll: depth clamped to 1
  page.scrollTo(1002, -50); // rubber band above the top: depth 0
  assert.deepEqual(tracker.eventLog(), [
    { t: 1000.1, action: 'scroll_down', scroll_depth: 0.1 },
    { t: 1000.4, action: 'scroll_down', scroll_depth: 0.3 },
    { t: 1000.45, action: 'scroll_up', scroll_depth: 0.25 },
    { t: 1001, action: 'scroll_down', scroll_depth: 1 },
    { t: 1002, action: 'scroll_up', scroll_depth: 0 },
  ]);
  page.doc.scrollingElement.scrollHeight = 1000; // a page that does not scroll is seen whole
  page.scrollTo(1003, 10);
  assert.equal(tracker.eventLog().at(-1).scroll_depth, 1);
  tracker.stop();
});

test('clicks, ad clicks and hovers on tracked elements (throttled, once per entry)', () => {
  const page = fakePage();
  const { tracker } = makeTracker(page);
  const article = new FakeElement('article', {}, page.body);
  const para = new FakeElement('p', {}, article);
  const link = new FakeElement('a', { href: '#x' }, para);
  const linkText = new FakeElement('span', {}, link);
  const linkIcon = new FakeElement('i', {}, link);
  const img = new FakeElement('img', {}, article);
  const card = new FakeElement('div', { 'data-track': 'card' }, article);
  const ad = new FakeElement('div', { 'data-track': 'ad' }, article);
  const adButton = new FakeElement('button', {}, ad);
  tracker.start();
  page.click(1001, para);
  page.click(1001.5, adButton);
  page.over(1002, linkText); // hover on the link
  page.over(1002.5, linkIcon); // same link: not a new hover
  page.over(1002.6, para); // not tracked
  page.over(1002.7, img); // another tracked element, 0.7 s later
  page.over(1002.8, card); // within 300 ms of the last hover: throttled
  page.out(1003, card, para);
  page.over(1003.5, card); // re-entry counts
  page.out(1003.6, card, article);
  page.over(1003.7, new FakeElement('span', {}, card)); // throttled (200 ms after the last hover)
  assert.deepEqual(actions(tracker.eventLog()), ['click', 'click_ad', 'hover', 'hover', 'hover']);
  assert.deepEqual(tracker.eventLog().map((e) => e.t), [1001, 1001.5, 1002, 1002.7, 1003.5]);
  assert.ok(tracker.eventLog().every((e) => e.scroll_depth === null));
  tracker.stop();
});

test('idle: one wait after idleSeconds without interaction, none while blurred; blur/focus/visibility/pagehide', () => {
  const page = fakePage();
  const { tracker, seen } = makeTracker(page);
  tracker.start();
  page.click(1001, page.body);
  page.advanceTo(1005.9);
  assert.deepEqual(actions(tracker.eventLog()), ['click']);
  page.advanceTo(1030); // one wait at 1006, then nothing more until another interaction
  assert.deepEqual(tracker.eventLog().slice(1), [{ t: 1006, action: 'wait', scroll_depth: null }]);
  page.click(1031, page.body);
  page.blur(1032);
  page.blur(1032.5); // already blurred
  page.visibility(1033, 'hidden'); // already blurred
  page.advanceTo(1060); // no wait while away
  page.focus(1061);
  page.focus(1061.5); // already focused
  page.visibility(1062, 'hidden');
  page.visibility(1063, 'visible');
  page.advanceTo(1068.5); // a wait 5 s after the focus at 1063
  page.pagehide(1070);
  assert.deepEqual(tracker.eventLog().slice(2).map((e) => [e.t, e.action]), [
    [1031, 'click'], [1032, 'blur_window'], [1061, 'focus_window'], [1062, 'blur_window'], [1063, 'focus_window'],
    [1068, 'wait'], [1070, 'close_tab'],
  ]);
  assert.deepEqual(seen.events, tracker.eventLog(), 'onEvent saw every event');
  tracker.stop();
  assert.equal(page.pendingTimers(), 0, 'stop() clears the idle timer');
  page.click(1080, page.body);
  page.advanceTo(1100);
  assert.equal(tracker.eventCount, 9, 'no events after stop()');
});

test('features(now) equals computeWindowFeatures on the recorded log; onWindow equals a fresh extractor', () => {
  const page = fakePage({ start: 5000 });
  const { tracker, seen } = makeTracker(page, { windowOptions: { windowSeconds: 60, stepSeconds: 10, minActions: 3 } });
  tracker.start();
  const link = new FakeElement('a', {}, page.body);
  let top = 0;
  for (let i = 0; i < 40; i++) {
    const t = 5000 + i * 3.7;
    if (i % 4 === 0) page.click(t, page.body);
    else if (i % 4 === 1) page.scrollTo(t, (top += 150));
    else if (i % 4 === 2) { page.over(t, link); page.out(t + 0.5, link, page.body); }
    else page.scrollTo(t, (top -= 50));
  }
  page.advanceTo(5160); // one idle wait
  const log = tracker.eventLog();
  assert.ok(log.some((e) => e.action === 'wait'));
  const now = 5163.25;
  page.setClock(now);
  const inWindow = log.filter((e) => e.t > now - 60 && e.t <= now);
  const expected = computeWindowFeatures(inWindow.map((e) => e.t), inWindow.map((e) => e.action),
    inWindow.map((e) => e.scroll_depth), now, log[0].t, 60);
  assert.deepEqual(tracker.features(), expected);
  assert.deepEqual(tracker.features(now), expected);
  assert.equal(tracker.features(now + 1000), null, 'an empty window');

  const fresh = new IncrementalWindowExtractor({ windowSeconds: 60, stepSeconds: 10, minActions: 3 });
  const windows = [];
  for (const e of log) fresh.push(e.t, e.action, e.scroll_depth, (end, f) => windows.push({ end, features: f }));
  assert.ok(windows.length > 5);
  assert.deepEqual(seen.windows, windows);
  // eventLog() is a copy
  tracker.eventLog()[0].action = 'changed';
  assert.equal(tracker.eventLog()[0].action, log[0].action);
  tracker.stop();
});

test('a clock that goes backwards never gives out-of-order events; reset() starts a new session', () => {
  const page = fakePage();
  const { tracker } = makeTracker(page, { idleSeconds: 100 });
  tracker.start();
  page.click(1010, page.body);
  page.setClock(1005); // e.g. the system clock was set back
  page.click(1005, page.body);
  assert.deepEqual(tracker.eventLog().map((e) => e.t), [1010, 1010]);
  assert.equal(tracker.now(), 1010);
  assert.deepEqual(tracker.record('click_ad', null, 1012), { t: 1012, action: 'click_ad', scroll_depth: null });
  assert.throws(() => tracker.record('click', null, 1011), /Events must arrive in time order: 1011 comes after 1012/);
  tracker.reset();
  assert.equal(tracker.eventCount, 0);
  assert.equal(tracker.features(), null);
  page.click(1006, page.body);
  assert.deepEqual(tracker.eventLog(), [{ t: 1006, action: 'click', scroll_depth: null }]);
  tracker.stop();
});

test('tracker options are checked', () => {
  assert.throws(() => new InteractionTracker({ target: new EventTarget(), idleSeconds: 0 }), /idleSeconds 0 is invalid/);
  assert.throws(() => new InteractionTracker({ target: new EventTarget(), windowOptions: { stepSeconds: -1 } }), /stepSeconds -1 is invalid/);
  assert.throws(() => new InteractionTracker({ target: undefined }).start(), /needs a target with addEventListener/);
  const page = fakePage();
  const { tracker } = makeTracker(page, { clock: () => NaN });
  assert.throws(() => tracker.features(), /clock returned NaN/);
});
