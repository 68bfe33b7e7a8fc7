// The sliding windows of one session, computed one event at a time as the C# IncrementalWindowExtractor
// (src/Exania.Features/IncrementalWindowExtractor.cs) does, so a page gets the windows and features of the batch
// extractor without keeping the whole session.

import {
  ActionVocabulary, computeWindowFeatures, describe, isAbsentDepth, validateWindowOptions,
} from './window_features.js';

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
      if (features !== null) {
        if (onWindow) onWindow(end, features);
        continue;
      }
      // Too few events: no later window before `now` can reach minActions before the minActions-th buffered event,
      // so jump there (as the C# extractors do); empty stretches of time cost nothing.
      const needed = this._head + this.options.minActions - 1;
      if (needed >= this._times.length) break;
      this._nextWindow = Math.max(this._nextWindow, Math.ceil((this._times[needed] - this._sessionStart) / step));
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
