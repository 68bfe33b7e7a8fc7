// Exania in the browser (and in Node): the 20 sliding-window features, computed exactly as the C# kernel
// (src/Exania.Features/WindowFeatures.cs) and the incremental extractor (IncrementalWindowExtractor.cs) compute them,
// a tracker that turns a page's real interactions into events, and a predictor that scores the features with the
// exported ONNX click model through onnxruntime-web (or an injected onnxruntime module).
//
// No dependencies; an ES module that runs unchanged in browsers and in Node 20+.

/** Feature names, in the model's column order (WindowFeatures.Names). */
export const WINDOW_FEATURE_NAMES = Object.freeze([
  'time_since_last_action', 'avg_time_between_actions', 'session_duration',
  'scroll_down_count', 'scroll_up_count', 'click_count', 'hover_count',
  'blur_count', 'focus_count', 'wait_count', 'scroll_depth_max',
  'interaction_density', 'attention_score', 'action_entropy',
  'burstiness_score', 'engagement_rhythm', 'unique_action_types',
  'scroll_ratio', 'click_rate', 'total_actions',
]);

/** The nine interaction actions; an action's code is its index here (KnownActions). Other actions get 9, 10, ... */
export const KNOWN_ACTIONS = Object.freeze([
  'scroll_down', 'scroll_up', 'click', 'hover', 'wait', 'focus_window', 'blur_window', 'close_tab', 'click_ad',
]);

/** WindowOptions defaults: a window ending at t holds the events in (t - windowSeconds, t]. */
export const DEFAULT_WINDOW_OPTIONS = Object.freeze({ windowSeconds: 120, stepSeconds: 10, minActions: 5 });

const SCROLL_DOWN = 0;
const SCROLL_UP = 1;
const CLICK = 2;
const HOVER = 3;
const WAIT = 4;
const FOCUS_WINDOW = 5;
const BLUR_WINDOW = 6;

const KNOWN_CODES = new Map(KNOWN_ACTIONS.map((name, code) => [name, code]));

function describe(value) {
  if (typeof value === 'string') return JSON.stringify(value) + ' (a string)';
  if (typeof value === 'number') return String(value);
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'bigint') return value + 'n (a bigint)';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${String(value)} (a ${typeof value})`;
}

/**
 * Action strings to integer codes, as ActionVocabulary does in C#: the nine known actions are 0..8 always, any other
 * string gets the next code from 9 upwards in order of first appearance.
 */
export class ActionVocabulary {
  constructor() {
    this._codes = new Map(KNOWN_CODES);
    this._names = KNOWN_ACTIONS.slice();
  }

  /** Code of an action string (added when new) or a non-negative integer code, returned as is. */
  code(action) {
    if (typeof action === 'number') {
      if (!Number.isInteger(action) || action < 0)
        throw new Error(`Action code ${describe(action)} is not a non-negative integer.`);
      return action;
    }
    if (typeof action !== 'string' || action.length === 0)
      throw new Error(`Action ${describe(action)} is not a non-empty string or an integer action code.`);
    let code = this._codes.get(action);
    if (code === undefined) {
      code = this._names.length;
      this._codes.set(action, code);
      this._names.push(action);
    }
    return code;
  }

  /** Name of a code; undefined when the code was never given out. */
  name(code) {
    return this._names[code];
  }

  get size() {
    return this._names.length;
  }
}

function isAbsentDepth(d) {
  return d === null || d === undefined || Number.isNaN(d);
}

/**
 * The 20 features of one window (WindowFeatures.Compute).
 *
 * @param {ArrayLike<number>} times event times in the window, non-decreasing, all in (windowEnd - windowSeconds, windowEnd]
 * @param {ArrayLike<string|number>} actions action strings, or codes (0..8 known, see KNOWN_ACTIONS; 9+ other actions)
 * @param {ArrayLike<number|null>|null} depths scroll depths; null, undefined or NaN when absent (the whole array may be null)
 * @param {number} windowEnd t, the window's end
 * @param {number} sessionStart t0, the session's first event time
 * @param {number} windowSeconds W
 * @returns {number[]} the 20 features in WINDOW_FEATURE_NAMES order
 */
export function computeWindowFeatures(times, actions, depths, windowEnd, sessionStart, windowSeconds) {
  const n = times ? times.length : 0;
  if (n === 0) throw new Error('A window needs at least one event (times is empty).');
  if (!actions || actions.length !== n || (depths != null && depths.length !== n))
    throw new Error(`times, actions and depths must have the same length (times has ${n}, actions ${actions ? actions.length : describe(actions)}` +
      `${depths != null ? ', depths ' + depths.length : ''}).`);

  // Counts per distinct action, in order of first appearance. Strings and codes are unified: a known action string
  // and its code are the same action; another string is told apart from every integer code.
  const counts = new Map();
  const order = [];
  let depthMax = -Infinity;
  for (let i = 0; i < n; i++) {
    const a = actions[i];
    let key = a;
    if (typeof a === 'string') {
      const known = KNOWN_CODES.get(a);
      key = known === undefined ? 's:' + a : known;
    } else if (typeof a !== 'number' || !Number.isInteger(a) || a < 0) {
      throw new Error(`Action ${describe(a)} at index ${i} is not an action string or a non-negative integer code.`);
    }
    const c = counts.get(key);
    if (c === undefined) {
      counts.set(key, 1);
      order.push(key);
    } else {
      counts.set(key, c + 1);
    }
    if (depths != null) {
      const d = depths[i];
      if (!isAbsentDepth(d) && d > depthMax) depthMax = d; // absent depths are ignored
    }
  }
  const count = (code) => counts.get(code) ?? 0;
  const down = count(SCROLL_DOWN);
  const up = count(SCROLL_UP);
  const click = count(CLICK);
  const hover = count(HOVER);
  const blur = count(BLUR_WINDOW);
  const focus = count(FOCUS_WINDOW);
  const wait = count(WAIT);

  // H = log2 n - (1/n) Σ c log2 c, summed in order of first appearance as the C# kernel does.
  const total = n;
  let sumCLogC = 0;
  for (const key of order) {
    const c = counts.get(key);
    sumCLogC += c * Math.log2(c);
  }
  const unique = order.length;
  const entropy = unique <= 1 ? 0 : Math.log2(n) - sumCLogC / total;

  let mu = 0;
  let sigma = 0;
  if (n > 1) {
    mu = (times[n - 1] - times[0]) / (n - 1);
    let sum = 0;
    for (let i = 1; i < n; i++) {
      const dev = times[i] - times[i - 1] - mu;
      sum += dev * dev;
    }
    sigma = Math.sqrt(sum / (n - 1));
  }

  return [
    windowEnd - times[n - 1],
    mu,
    windowEnd - sessionStart,
    down,
    up,
    click,
    hover,
    blur,
    focus,
    wait,
    depthMax === -Infinity ? 0 : depthMax,
    total / windowSeconds,
    (focus + 1) / (focus + blur + 2),
    Math.max(entropy, 0), // rounding must not make a near-uniform window negative
    sigma + mu > 0 ? (sigma - mu) / (sigma + mu) : 0,
    mu > 0 ? 1 / (1 + sigma / mu) : 1,
    unique,
    down / (down + up + 1),
    click / total,
    total,
  ];
}

/** Checks window options and fills in defaults; errors name the setting and the valid range. */
export function validateWindowOptions(options) {
  const o = { ...DEFAULT_WINDOW_OPTIONS, ...(options ?? {}) };
  if (typeof o.windowSeconds !== 'number' || !(o.windowSeconds > 0) || !Number.isFinite(o.windowSeconds))
    throw new Error(`windowSeconds ${describe(o.windowSeconds)} is invalid: the window must be a positive, finite number of seconds.`);
  if (typeof o.stepSeconds !== 'number' || !(o.stepSeconds > 0) || !Number.isFinite(o.stepSeconds))
    throw new Error(`stepSeconds ${describe(o.stepSeconds)} is invalid: the step must be a positive, finite number of seconds.`);
  if (!Number.isInteger(o.minActions) || o.minActions < 1)
    throw new Error(`minActions ${describe(o.minActions)} is invalid: minimum actions per window must be an integer of at least 1.`);
  return Object.freeze({ windowSeconds: o.windowSeconds, stepSeconds: o.stepSeconds, minActions: o.minActions });
}

/**
 * Sliding-window extraction for one session, one event at a time (IncrementalWindowExtractor). It emits exactly the
 * windows, with exactly the features, of the C# batch extractor: window ends are t0 + k*step (k = 1, 2, ...), a window
 * is emitted as soon as an event after its end arrives, and complete() emits the one ending on the last event, if due.
 * Windows with fewer than minActions events are skipped.
 */
export class IncrementalWindowExtractor {
  constructor(options = {}) {
    this.options = validateWindowOptions(options);
    this.vocabulary = new ActionVocabulary();
    this.reset();
  }

  /** Starts a new session. */
  reset() {
    this._times = [];
    this._actions = [];
    this._depths = [];
    this._head = 0;
    this._sessionStart = NaN;
    this._lastTime = -Infinity;
    this._nextWindow = 1;
    this._eventCount = 0;
  }

  /** Events pushed since the last reset(). */
  get eventCount() {
    return this._eventCount;
  }

  /** Events held (those that can still fall into a future window). */
  get bufferedEvents() {
    return this._times.length - this._head;
  }

  /** Time of the session's first event; NaN before any. */
  get sessionStart() {
    return this._sessionStart;
  }

  /** Time of the last event; -Infinity before any. */
  get lastTime() {
    return this._lastTime;
  }

  /**
   * Adds the next event of the session and emits every window it completes, as onWindow(windowEnd, features).
   * @param {number} t event time in seconds; finite and not before the previous event
   * @param {string|number} action action string or code
   * @param {number|null} [scrollDepth] 0..1, or null/undefined/NaN when absent
   * @param {(windowEnd: number, features: number[]) => void} [onWindow]
   */
  push(t, action, scrollDepth = null, onWindow = undefined) {
    if (typeof t !== 'number' || !Number.isFinite(t))
      throw new Error(`Event time ${describe(t)} is not a finite number of seconds.`);
    if (t < this._lastTime)
      throw new Error(`Events must arrive in time order: ${t} comes after ${this._lastTime}.`);
    const code = this.vocabulary.code(action);
    if (!isAbsentDepth(scrollDepth) && typeof scrollDepth !== 'number')
      throw new Error(`Scroll depth ${describe(scrollDepth)} is not a number (use null when absent).`);
    if (onWindow != null && typeof onWindow !== 'function')
      throw new Error(`onWindow must be a function, got ${describe(onWindow)}.`);
    if (this._eventCount === 0) this._sessionStart = t;
    else this._emitDue(t, false, onWindow);

    if (this._head > 1024 && this._head * 2 > this._times.length) this._compact();
    this._times.push(t);
    this._actions.push(code);
    this._depths.push(isAbsentDepth(scrollDepth) ? NaN : scrollDepth);
    this._lastTime = t;
    this._eventCount++;
  }

  /** Ends the session: emits the window that ends exactly on the last event, if due. */
  complete(onWindow = undefined) {
    if (this._eventCount > 0) this._emitDue(this._lastTime, true, onWindow);
  }

  /**
   * Features of the window ending at windowEnd (not before the last event), as a live scorer asks "now"; null when
   * there is no event yet or that window holds fewer than minActions events. Does not emit or evict anything.
   */
  computeAt(windowEnd) {
    if (typeof windowEnd !== 'number' || !Number.isFinite(windowEnd))
      throw new Error(`Window end ${describe(windowEnd)} is not a finite number of seconds.`);
    if (this._eventCount === 0) return null;
    if (windowEnd < this._lastTime)
      throw new Error(`The window must end at or after the last event (${this._lastTime}), got ${windowEnd}.`);
    return this._computeWindow(windowEnd, false);
  }

  _emitDue(now, inclusive, onWindow) {
    const step = this.options.stepSeconds;
    const lastDue = Math.floor((now - this._sessionStart) / step);
    while (this._nextWindow <= lastDue) {
      const end = this._sessionStart + this._nextWindow * step;
      if (inclusive ? end > now : end >= now) break;
      this._nextWindow++;
      const features = this._computeWindow(end, true);
      if (features !== null && onWindow) onWindow(end, features);
    }
  }

  _computeWindow(end, evict) {
    const times = this._times;
    const start = end - this.options.windowSeconds;
    let lo = this._head;
    const tail = times.length;
    while (lo < tail && times[lo] <= start) lo++;
    // Emitted windows come in increasing end order, so events at or before this one's start are never needed again;
    // a live query ("now") may be followed by emissions of earlier ends, so it must not evict.
    if (evict) this._head = lo;
    let hi = tail;
    while (hi > lo && times[hi - 1] > end) hi--;
    if (hi - lo < this.options.minActions) return null;
    return computeWindowFeatures(times.slice(lo, hi), this._actions.slice(lo, hi), this._depths.slice(lo, hi),
      end, this._sessionStart, this.options.windowSeconds);
  }

  _compact() {
    this._times = this._times.slice(this._head);
    this._actions = this._actions.slice(this._head);
    this._depths = this._depths.slice(this._head);
    this._head = 0;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// InteractionTracker: the page's real interactions as events.

function clamp01(x) {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}

function isElementLike(node) {
  return node != null && typeof node === 'object' && typeof node.getAttribute === 'function';
}

function parentOf(node) {
  return node.parentElement ?? node.parentNode ?? null;
}

function hasAttr(el, name) {
  return typeof el.hasAttribute === 'function' ? el.hasAttribute(name) : el.getAttribute(name) != null;
}

function tagOf(el) {
  return typeof el.tagName === 'string' ? el.tagName.toUpperCase() : '';
}

const HOVER_TAGS = new Set(['A', 'IMG', 'BUTTON']);

/** The nearest element at or above node that is tracked for hovers: data-track, or a link, image or button. */
function trackedAncestor(node) {
  for (let el = node; el != null; el = parentOf(el)) {
    if (!isElementLike(el)) continue;
    if (hasAttr(el, 'data-track') || HOVER_TAGS.has(tagOf(el))) return el;
  }
  return null;
}

/** True when a click at node hits an ad (an element, or its ancestor, with data-ad or data-track="ad"). */
function isAdTarget(node) {
  for (let el = node; el != null; el = parentOf(el)) {
    if (!isElementLike(el)) continue;
    if (hasAttr(el, 'data-ad') || el.getAttribute('data-track') === 'ad') return true;
  }
  return false;
}

/**
 * Records a page's interactions as events {t, action, scroll_depth} (t in seconds) and keeps the sliding windows
 * over them:
 * - scroll → scroll_down / scroll_up with scroll_depth = scrollTop / (scrollHeight - clientHeight), clamped to 0..1
 *   (1 when the page does not scroll); at most one per scrollThrottleMs unless the direction changes;
 * - click → click (click_ad on elements inside [data-ad] or [data-track="ad"]);
 * - mouseover on [data-track] elements, links, images and buttons → hover, once per element entry and at most one
 *   per hoverThrottleMs;
 * - idleSeconds without any interaction while the page has focus → one wait;
 * - window blur / focus and visibilitychange → blur_window / focus_window (only on a change of state);
 * - pagehide → close_tab.
 * Times come from clock() (seconds) and never go backwards, so events are pushed in time order.
 */
export class InteractionTracker {
  constructor({
    windowOptions = DEFAULT_WINDOW_OPTIONS,
    idleSeconds = 5,
    target = typeof window !== 'undefined' ? window : undefined,
    document: doc = undefined,
    clock = () => Date.now() / 1000,
    onEvent = undefined,
    onWindow = undefined,
    scrollThrottleMs = 250,
    hoverThrottleMs = 300,
    setTimeout: setTimer = (f, ms) => globalThis.setTimeout(f, ms),
    clearTimeout: clearTimer = (id) => globalThis.clearTimeout(id),
  } = {}) {
    if (typeof idleSeconds !== 'number' || !(idleSeconds > 0) || !Number.isFinite(idleSeconds))
      throw new Error(`idleSeconds ${describe(idleSeconds)} is invalid: it must be a positive, finite number of seconds.`);
    if (typeof clock !== 'function') throw new Error(`clock must be a function returning seconds, got ${describe(clock)}.`);
    this.extractor = new IncrementalWindowExtractor(windowOptions);
    this.windowOptions = this.extractor.options;
    this.idleSeconds = idleSeconds;
    this.target = target;
    this.document = doc ?? target?.document;
    this.clock = clock;
    this.onEvent = onEvent;
    this.onWindow = onWindow;
    this.scrollThrottleSeconds = scrollThrottleMs / 1000;
    this.hoverThrottleSeconds = hoverThrottleMs / 1000;
    this._setTimer = setTimer;
    this._clearTimer = clearTimer;
    this._events = [];
    this._listeners = [];
    this._idleTimer = null;
    this._running = false;
    this._lastT = -Infinity;
    this._resetPageState();
  }

  _resetPageState() {
    this._lastScrollTop = null;
    this._lastScrollT = -Infinity;
    this._lastScrollDirection = null;
    this._lastHoverEl = null;
    this._lastHoverT = -Infinity;
    this._focused = true;
  }

  /** True between start() and stop(). */
  get running() {
    return this._running;
  }

  /** Seconds now, from the clock, never before the last recorded event. */
  now() {
    const t = this.clock();
    if (typeof t !== 'number' || !Number.isFinite(t))
      throw new Error(`The tracker's clock returned ${describe(t)}, not a finite number of seconds.`);
    return t < this._lastT ? this._lastT : t;
  }

  /** Attaches the listeners to the page. */
  start() {
    if (this._running) return this;
    if (!this.target || typeof this.target.addEventListener !== 'function')
      throw new Error('InteractionTracker needs a target with addEventListener (window in a browser).');
    const win = this.target;
    const doc = this.document;
    const on = (obj, type, fn, options) => {
      if (!obj || typeof obj.addEventListener !== 'function') return;
      obj.addEventListener(type, fn, options);
      this._listeners.push([obj, type, fn, options]);
    };
    this._focused = this._pageHasFocus();
    const scrollEl = this._scrollElement();
    this._lastScrollTop = scrollEl ? Number(scrollEl.scrollTop) || 0 : null;
    on(win, 'scroll', () => this._onScroll(), { passive: true }); // the page's scroll; inner scrollers' events do not bubble
    on(doc ?? win, 'click', (e) => this._onClick(e), { capture: true, passive: true });
    on(doc ?? win, 'mouseover', (e) => this._onMouseOver(e), { capture: true, passive: true });
    on(doc ?? win, 'mouseout', (e) => this._onMouseOut(e), { capture: true, passive: true });
    on(win, 'focus', () => this._setFocused(true));
    on(win, 'blur', () => this._setFocused(false));
    on(doc, 'visibilitychange', () => this._setFocused(doc.visibilityState !== 'hidden' && this._pageHasFocus(true)));
    on(win, 'pagehide', () => this.record('close_tab'));
    this._running = true;
    this._armIdle();
    return this;
  }

  /** Detaches every listener and stops the idle timer. Recorded events and windows are kept. */
  stop() {
    for (const [obj, type, fn, options] of this._listeners) obj.removeEventListener(type, fn, options);
    this._listeners = [];
    this._disarmIdle();
    this._running = false;
    return this;
  }

  /** Forgets every event and window (a new session); listeners stay attached. */
  reset() {
    this.extractor.reset();
    this._events = [];
    this._lastT = -Infinity;
    const running = this._running;
    this._resetPageState();
    if (running) {
      this._focused = this._pageHasFocus();
      const scrollEl = this._scrollElement();
      this._lastScrollTop = scrollEl ? Number(scrollEl.scrollTop) || 0 : null;
      this._armIdle();
    }
  }

  /** A copy of the recorded events, {t, action, scroll_depth}, in time order. */
  eventLog() {
    return this._events.map((e) => ({ ...e }));
  }

  /** Number of recorded events. */
  get eventCount() {
    return this._events.length;
  }

  /** The 20 features of the window ending at now (default: the clock), or null with fewer than minActions events. */
  features(now = undefined) {
    const end = now === undefined ? this.now() : now;
    return this.extractor.computeAt(end);
  }

  /** Emits the window ending on the last event, if due (the session is over). */
  complete() {
    this.extractor.complete(this.onWindow ? (end, f) => this.onWindow(end, f, this) : undefined);
  }

  /**
   * Records one event now (or at time t, which must not be before the last event) and returns it. Used by the
   * listeners, and usable for actions the page knows about itself (e.g. record('click_ad')).
   */
  record(action, scrollDepth = null, t = undefined) {
    const time = t === undefined ? this.now() : t;
    const depth = isAbsentDepth(scrollDepth) ? null : scrollDepth;
    this.extractor.push(time, action, depth, this.onWindow ? (end, f) => this.onWindow(end, f, this) : undefined);
    this._lastT = time;
    const event = { t: time, action, scroll_depth: depth };
    this._events.push(event);
    if (action !== 'wait') this._armIdle();
    else this._disarmIdle();
    if (this.onEvent) this.onEvent({ ...event }, this);
    return { ...event };
  }

  _scrollElement() {
    const doc = this.document;
    if (!doc) return null;
    return doc.scrollingElement ?? doc.documentElement ?? doc.body ?? null;
  }

  _pageHasFocus(fallback = true) {
    const doc = this.document;
    if (doc && doc.visibilityState === 'hidden') return false;
    if (doc && typeof doc.hasFocus === 'function') return !!doc.hasFocus();
    return fallback;
  }

  _onScroll() {
    const el = this._scrollElement();
    if (!el) return;
    const top = Number(el.scrollTop) || 0;
    const previous = this._lastScrollTop;
    this._lastScrollTop = top;
    if (previous === null || top === previous) return;
    const direction = top > previous ? 'scroll_down' : 'scroll_up';
    const t = this.now();
    if (direction === this._lastScrollDirection && t - this._lastScrollT < this.scrollThrottleSeconds) return;
    const range = (Number(el.scrollHeight) || 0) - (Number(el.clientHeight) || 0);
    const depth = range > 0 ? clamp01(top / range) : 1;
    this._lastScrollDirection = direction;
    this._lastScrollT = t;
    this.record(direction, depth, t);
  }

  _onClick(e) {
    this.record(isAdTarget(e?.target) ? 'click_ad' : 'click');
  }

  _onMouseOver(e) {
    const el = trackedAncestor(e?.target);
    if (!el || el === this._lastHoverEl) return;
    const t = this.now();
    if (t - this._lastHoverT < this.hoverThrottleSeconds) return;
    this._lastHoverEl = el;
    this._lastHoverT = t;
    this.record('hover', null, t);
  }

  _onMouseOut(e) {
    const el = this._lastHoverEl;
    if (!el) return;
    const to = e?.relatedTarget ?? null;
    // Leaving the element (not just moving between its children) lets the next entry count as a new hover.
    if (trackedAncestor(to) !== el) this._lastHoverEl = null;
  }

  _setFocused(focused) {
    if (focused === this._focused) return;
    this._focused = focused;
    this.record(focused ? 'focus_window' : 'blur_window');
    if (!focused) this._disarmIdle();
  }

  _armIdle() {
    this._disarmIdle();
    if (!this._running || !this._focused) return;
    this._idleTimer = this._setTimer(() => {
      this._idleTimer = null;
      if (this._running && this._focused) this.record('wait');
    }, this.idleSeconds * 1000);
  }

  _disarmIdle() {
    if (this._idleTimer !== null) {
      this._clearTimer(this._idleTimer);
      this._idleTimer = null;
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// ONNX model summary (a minimal protobuf reader) for error messages.

function readVarint(bytes, pos) {
  let result = 0;
  let shift = 0;
  for (;;) {
    if (pos >= bytes.length) throw new Error('truncated varint');
    const b = bytes[pos++];
    result += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return [result, pos];
    shift += 7;
    if (shift > 63) throw new Error('varint too long');
  }
}

function* protoFields(bytes, start = 0, end = bytes.length) {
  let pos = start;
  while (pos < end) {
    let key;
    [key, pos] = readVarint(bytes, pos);
    const field = Math.floor(key / 8);
    const wire = key & 7;
    if (wire === 0) {
      let v;
      [v, pos] = readVarint(bytes, pos);
      yield { field, wire, value: v };
    } else if (wire === 1) {
      pos += 8;
    } else if (wire === 2) {
      let len;
      [len, pos] = readVarint(bytes, pos);
      if (pos + len > end) throw new Error('truncated field');
      yield { field, wire, start: pos, end: pos + len };
      pos += len;
    } else if (wire === 5) {
      pos += 4;
    } else {
      throw new Error(`unsupported wire type ${wire}`);
    }
  }
}

const utf8 = typeof TextDecoder !== 'undefined' ? new TextDecoder() : null;
function protoString(bytes, f) {
  return utf8 ? utf8.decode(bytes.subarray(f.start, f.end)) : String.fromCharCode(...bytes.subarray(f.start, f.end));
}

function collectOps(bytes, start, end, ops, depth) {
  if (depth > 16) return;
  for (const f of protoFields(bytes, start, end)) {
    if (f.field !== 1 || f.wire !== 2) continue; // GraphProto.node
    let opType = null;
    let domain = '';
    for (const nf of protoFields(bytes, f.start, f.end)) {
      if (nf.wire !== 2) continue;
      if (nf.field === 4) opType = protoString(bytes, nf); // NodeProto.op_type
      else if (nf.field === 7) domain = protoString(bytes, nf); // NodeProto.domain
      else if (nf.field === 5) {
        // AttributeProto: g = 6, graphs = 11 (subgraphs of If / Loop / Scan)
        for (const af of protoFields(bytes, nf.start, nf.end))
          if (af.wire === 2 && (af.field === 6 || af.field === 11)) collectOps(bytes, af.start, af.end, ops, depth + 1);
      }
    }
    if (opType) ops.add(domain && domain !== 'ai.onnx' ? `${domain}.${opType}` : opType);
  }
}

/**
 * Reads what an error message needs from ONNX model bytes: the distinct operator types of the graph, the opset
 * imports and the metadata properties (ModelProto.metadata_props). Returns null when the bytes are not a model.
 */
export function summarizeOnnxModel(bytes) {
  try {
    const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
    const ops = new Set();
    const opsets = [];
    const metadata = {};
    let sawGraph = false;
    for (const f of protoFields(b)) {
      if (f.wire !== 2) continue;
      if (f.field === 7) {
        sawGraph = true;
        collectOps(b, f.start, f.end, ops, 0);
      } else if (f.field === 8) {
        let domain = '';
        let version = null;
        for (const of of protoFields(b, f.start, f.end)) {
          if (of.field === 1 && of.wire === 2) domain = protoString(b, of);
          else if (of.field === 2 && of.wire === 0) version = of.value;
        }
        opsets.push({ domain: domain || 'ai.onnx', version });
      } else if (f.field === 14) {
        let key = null;
        let value = '';
        for (const kf of protoFields(b, f.start, f.end)) {
          if (kf.field === 1 && kf.wire === 2) key = protoString(b, kf);
          else if (kf.field === 2 && kf.wire === 2) value = protoString(b, kf);
        }
        if (key !== null) metadata[key] = value;
      }
    }
    if (!sawGraph) return null;
    return { opTypes: [...ops], opsets, metadata };
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// InteractionPredictor: the exported click model, scored through onnxruntime.

const ORT_STATUS = {
  1: 'FAIL (a generic failure inside onnxruntime)',
  2: 'INVALID_ARGUMENT (an input has the wrong name, type or shape)',
  3: 'NO_SUCHFILE (the model file was not found)',
  4: 'NO_MODEL (no model was loaded)',
  5: 'ENGINE_ERROR (the execution engine failed)',
  6: 'RUNTIME_EXCEPTION (an exception inside onnxruntime, e.g. while loading the graph or running an operator)',
  7: 'INVALID_PROTOBUF (the file is not a valid ONNX protobuf)',
  8: 'MODEL_LOADED (a model was already loaded)',
  9: 'NOT_IMPLEMENTED (an operator or type is not implemented by this build)',
  10: 'INVALID_GRAPH (the graph is malformed)',
  11: 'EP_FAIL (the execution provider failed)',
};

const OPERATOR_PATTERNS = [
  /implementation for (\S+?)\((\d+)\) node/,
  /No Op registered for (\S+?) with domain_version of (\d+)/,
  /while running (\S+?) node/,
  /Op type not registered '([^']+)'/,
  /\(\s*"[^"]*",\s*([A-Za-z0-9_]+),\s*"[^"]*",\s*-?\d+\s*\)/,
  /[Oo]perator[: ]+'?([A-Za-z][A-Za-z0-9_]*)'?/,
];

/** The operator a message of onnxruntime names as failing, with its opset when given; null when it names none. */
export function failingOperator(message) {
  for (const pattern of OPERATOR_PATTERNS) {
    const m = pattern.exec(message);
    if (m) return m[2] ? `${m[1]} (opset ${m[2]})` : m[1];
  }
  return null;
}

/** A sentence for what onnxruntime threw: never a bare number. */
export function describeOrtError(error) {
  let message;
  if (typeof error === 'number' || typeof error === 'bigint') message = String(error);
  else if (error && typeof error.message === 'string') message = error.message;
  else message = String(error);
  message = message.trim();
  if (/^-?\d+$/.test(message)) {
    return `onnxruntime failed with the bare error code ${message}, without a message. In the WebAssembly build such a ` +
      'number is usually the address of a C++ exception: the model uses an operator, type or opset this build does ' +
      'not support, or the WebAssembly file could not be loaded or ran out of memory.';
  }
  if (message === '') return 'onnxruntime failed without a message.';
  return message.replace(/ERROR_CODE: (\d+)/g, (all, code) => ORT_STATUS[code] ? `${all} = ${ORT_STATUS[code]}` : all);
}

/** A metadata list as text: a JSON array of strings becomes "a, b, c"; anything else is shown as it is. */
function listText(value) {
  try {
    const parsed = JSON.parse(value);
    if (Array.isArray(parsed)) return parsed.join(', ');
  } catch {
    // not JSON: a plain list
  }
  return value;
}

/** Turns one row (an array of numbers or an object keyed by feature name) into validated numbers. */
export function featureRow(features, featureNames = WINDOW_FEATURE_NAMES, rowLabel = '') {
  const where = rowLabel ? ` in ${rowLabel}` : '';
  const k = featureNames.length;
  const out = new Array(k);
  const check = (value, i) => {
    const name = featureNames[i];
    if (typeof value !== 'number')
      throw new Error(`Feature "${name}" (index ${i})${where} must be a finite number, got ${describe(value)}.`);
    if (!Number.isFinite(value))
      throw new Error(`Feature "${name}" (index ${i})${where} must be a finite number, got ${value}.`);
    if (Math.abs(value) > 3.4028234663852886e38)
      throw new Error(`Feature "${name}" (index ${i})${where} is ${value}, outside the float32 range of the model input.`);
    out[i] = value;
  };
  if (Array.isArray(features) || ArrayBuffer.isView(features)) {
    if (features.length !== k)
      throw new Error(`Expected ${k} features${where} (${featureNames.join(', ')}), got ${features.length} values.`);
    for (let i = 0; i < k; i++) check(features[i], i);
    return out;
  }
  if (features === null || typeof features !== 'object')
    throw new Error(`Features${where} must be an array of ${k} numbers or an object keyed by feature name, got ${describe(features)}.`);
  for (let i = 0; i < k; i++) {
    const name = featureNames[i];
    if (!Object.prototype.hasOwnProperty.call(features, name))
      throw new Error(`Feature "${name}" (index ${i}) is missing${where}; got ${describe(features[name])}.`);
    check(features[name], i);
  }
  const known = new Set(featureNames);
  for (const key of Object.keys(features))
    if (!known.has(key))
      throw new Error(`Unknown feature "${key}"${where} (value ${describe(features[key])}); expected only ${featureNames.join(', ')}.`);
  return out;
}

const isNode = typeof process !== 'undefined' && process.versions != null && process.versions.node != null;

async function loadModelBytes(modelUrl) {
  if (modelUrl instanceof Uint8Array) return modelUrl;
  if (modelUrl instanceof ArrayBuffer) return new Uint8Array(modelUrl);
  const href = String(modelUrl);
  const isFileUrl = href.startsWith('file:');
  const isHttp = /^(https?|blob|data):/i.test(href);
  if (isNode && (isFileUrl || !isHttp) && !(typeof window !== 'undefined')) {
    const { readFile } = await import('node:fs/promises');
    const path = isFileUrl ? new URL(href) : href;
    return new Uint8Array(await readFile(path));
  }
  const response = await fetch(href);
  if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText} while fetching the model`);
  return new Uint8Array(await response.arrayBuffer());
}

/**
 * Scores windows with the exported ONNX click model: input "features" [N, 20] float32, output "click_probability"
 * [N, 1] float. Without an injected onnxruntime module, initialize() imports ./ort.wasm.min.mjs next to this file
 * (the plain WebAssembly build, one thread).
 */
export class InteractionPredictor {
  constructor({
    modelUrl = './interaction_predictor.onnx',
    ort = null,
    featureNames = WINDOW_FEATURE_NAMES,
    inputName = 'features',
    outputName = 'click_probability',
    sessionOptions = undefined,
  } = {}) {
    if (!Array.isArray(featureNames) || featureNames.length === 0 || featureNames.some((n) => typeof n !== 'string'))
      throw new Error(`featureNames must be a non-empty array of strings, got ${describe(featureNames)}.`);
    this.modelUrl = modelUrl;
    this.ort = ort;
    this.featureNames = Object.freeze(featureNames.slice());
    this.inputName = inputName;
    this.outputName = outputName;
    this.sessionOptions = sessionOptions;
    this.session = null;
    this.modelSummary = null;
    this._initializing = null;
  }

  /** A name for the model in messages. */
  get modelName() {
    const m = this.modelUrl;
    if (m instanceof Uint8Array || m instanceof ArrayBuffer) return `<${m.byteLength} model bytes>`;
    return String(m);
  }

  /** True once initialize() has created the session. */
  get ready() {
    return this.session !== null;
  }

  /** Loads onnxruntime (unless injected) and the model. Safe to call more than once. */
  initialize() {
    if (!this._initializing) {
      this._initializing = this._initialize().catch((error) => {
        this._initializing = null;
        throw error;
      });
    }
    return this._initializing;
  }

  async _initialize() {
    let ort = this.ort;
    if (!ort) {
      const moduleUrl = new URL('./ort.wasm.min.mjs', import.meta.url);
      let mod;
      try {
        mod = await import(moduleUrl.href);
      } catch (error) {
        throw new Error(`Could not load onnxruntime-web from ${moduleUrl.href} for the model ${this.modelName}: ` +
          `${describeOrtError(error)} (ort.wasm.min.mjs, ort-wasm-simd-threaded.mjs and ort-wasm-simd-threaded.wasm must sit beside interaction_predictor.js).`,
        { cause: error });
      }
      ort = mod.InferenceSession ? mod : mod.default;
      if (ort?.env?.wasm) {
        ort.env.wasm.numThreads = 1;
        ort.env.wasm.wasmPaths = new URL('./', import.meta.url).href;
      }
      this.ort = ort;
    }
    if (!ort || !ort.InferenceSession || !ort.Tensor)
      throw new Error(`The onnxruntime module given for the model ${this.modelName} has no InferenceSession or Tensor.`);

    let bytes;
    try {
      bytes = await loadModelBytes(this.modelUrl);
    } catch (error) {
      throw new Error(`Could not load the model ${this.modelName}: ${describeOrtError(error)}`, { cause: error });
    }
    this.modelSummary = summarizeOnnxModel(bytes);
    try {
      this.session = this.sessionOptions
        ? await ort.InferenceSession.create(bytes, this.sessionOptions)
        : await ort.InferenceSession.create(bytes);
    } catch (error) {
      throw this._ortError('could not be loaded by onnxruntime', error);
    }
    const inputs = this.session.inputNames ?? [];
    const outputs = this.session.outputNames ?? [];
    if (inputs.length && !inputs.includes(this.inputName))
      throw new Error(`The model ${this.modelName} has no input "${this.inputName}" (its inputs: ${inputs.join(', ')}).`);
    if (outputs.length && !outputs.includes(this.outputName))
      throw new Error(`The model ${this.modelName} has no output "${this.outputName}" (its outputs: ${outputs.join(', ')}).`);
    return this;
  }

  _ortError(what, error) {
    const text = describeOrtError(error);
    const parts = [`The model ${this.modelName} ${what}: ${text}${/[.!?]$/.test(text) ? '' : '.'}`];
    const op = failingOperator(text);
    if (op) parts.push(`Failing operator: ${op}.`);
    const s = this.modelSummary;
    if (s) {
      if (s.metadata && s.metadata.op_types) parts.push(`Operators listed in the model's metadata (op_types): ${listText(s.metadata.op_types)}.`);
      if (s.opTypes.length) parts.push(`Operators in the graph: ${s.opTypes.join(', ')}.`);
      if (s.opsets.length) parts.push(`Opsets: ${s.opsets.map((o) => `${o.domain} ${o.version}`).join(', ')}.`);
    }
    return new Error(parts.join(' '), { cause: error });
  }

  /** Click probability of one window: features is an array of 20 numbers or an object keyed by feature name. */
  async predictClickProbability(features) {
    const row = featureRow(features, this.featureNames);
    const [p] = await this._run([row]);
    return p;
  }

  /** Click probabilities of several windows, in order. */
  async predictBatch(rows) {
    if (!Array.isArray(rows)) throw new Error(`predictBatch needs an array of rows, got ${describe(rows)}.`);
    const checked = rows.map((r, i) => featureRow(r, this.featureNames, `row ${i}`));
    if (checked.length === 0) return [];
    return this._run(checked);
  }

  async _run(rows) {
    if (!this.session) await this.initialize();
    const k = this.featureNames.length;
    const data = new Float32Array(rows.length * k);
    for (let r = 0; r < rows.length; r++) data.set(rows[r], r * k);
    let results;
    try {
      const tensor = new this.ort.Tensor('float32', data, [rows.length, k]);
      results = await this.session.run({ [this.inputName]: tensor });
    } catch (error) {
      throw this._ortError('failed to run', error);
    }
    const output = results[this.outputName];
    if (!output)
      throw new Error(`The model ${this.modelName} returned no "${this.outputName}" (outputs: ${Object.keys(results).join(', ')}).`);
    const values = output.data;
    if (!values || values.length !== rows.length)
      throw new Error(`The model ${this.modelName} returned ${values ? values.length : 0} values of "${this.outputName}" for ${rows.length} rows; expected shape [${rows.length}, 1].`);
    return Array.from(values, Number);
  }

  /** Releases the onnxruntime session. */
  async dispose() {
    const s = this.session;
    this.session = null;
    this._initializing = null;
    if (s && typeof s.release === 'function') await s.release();
  }
}
