// InteractionTracker: the page's real interactions (scroll, click, hover, idle, focus, close) as events, and the
// sliding windows over them through the incremental extractor. Every DOM access goes through the target and
// document it is given, so the tests drive it with a fake DOM in Node.

import { IncrementalWindowExtractor } from './incremental_extractor.js';
import { LiveScoringClient } from './live_scoring_client.js';
import { DEFAULT_WINDOW_OPTIONS, describe, isAbsentDepth } from './window_features.js';

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
 *
 * With the `server` option (a LiveScoringClient, or its options) every recorded event is also sent to the live
 * scoring endpoint of `exania serve`; complete() and pagehide complete the server session too.
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
    server = undefined,
  } = {}) {
    if (typeof idleSeconds !== 'number' || !(idleSeconds > 0) || !Number.isFinite(idleSeconds))
      throw new Error(`idleSeconds ${describe(idleSeconds)} is invalid: it must be a positive, finite number of seconds.`);
    if (typeof clock !== 'function') throw new Error(`clock must be a function returning seconds, got ${describe(clock)}.`);
    if (server != null && (typeof server !== 'object' || Array.isArray(server)))
      throw new Error(`server must be a LiveScoringClient or its options ({url, sessionId, ...}), got ${describe(server)}.`);
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
    // The LiveScoringClient the events also go to; null when scoring stays in the browser. A client is told from its
    // options by its methods (not instanceof), so that one from another copy of the module is used as it is.
    this.server = server == null ? null : typeof server.add === 'function' && typeof server.complete === 'function'
      ? server : new LiveScoringClient({ setTimeout: setTimer, clearTimeout: clearTimer, ...server });
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
    on(win, 'pagehide', () => {
      this.record('close_tab');
      this.server?.complete();
    });
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

  /**
   * Forgets every event and window (a new session); listeners stay attached. The server client is not touched: to
   * score the new session on the server too, complete the old client and set tracker.server to a new one.
   */
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

  /**
   * Emits the window ending on the last event, if due (the session is over). With a server, it also completes the
   * server session and returns the client's complete() promise.
   */
  complete() {
    this.extractor.complete(this.onWindow ? (end, f) => this.onWindow(end, f, this) : undefined);
    return this.server ? this.server.complete() : undefined;
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
    // Once the server session is complete (complete(), pagehide), later events stay in the page only.
    if (this.server && !this.server.completed)
      this.server.add({ ...event, action: typeof action === 'number' ? this.extractor.vocabulary.name(action) ?? action : action });
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
