// LiveScoringClient: sends one session's events to the live scoring endpoint of `exania serve`
// (POST {url}/api/v1/sessions/{sessionId}/events) and hands back the server's scores. It is the server-side
// alternative to scoring in the page with the ONNX model (InteractionPredictor); InteractionTracker feeds it when
// given its `server` option.
//
// The server refuses an event earlier than the session's last one, so the requests of a session go out one at a time
// and in order: never two in flight, never reordered, and a retried batch is sent again as it was.

import { describe, isAbsentDepth } from './window_features.js';

/** The most events the server takes in one request. */
const MAX_EVENTS_PER_REQUEST = 1000;

// Browsers refuse a keepalive request once the bodies of the keepalive requests in flight exceed 64 KiB; complete()'s
// requests (sent as the page goes away) are kept under this, with room to spare.
const KEEPALIVE_BODY_BYTES = 60 * 1024;

const encoder = new TextEncoder();

function deferred() {
  let resolve;
  const promise = new Promise((r) => { resolve = r; });
  return { promise, resolve };
}

/** Throws a callback's exception where the page's error reporting sees it, without stopping the client. */
function rethrowLater(error) {
  queueMicrotask(() => { throw error; });
}

/** Milliseconds a Retry-After header asks for (delay-seconds or an HTTP date); null when absent or unreadable. */
function retryAfterMs(value) {
  if (value == null) return null;
  const text = String(value).trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

function liveScoringError(message, fields) {
  const error = new Error(message, fields.cause !== undefined ? { cause: fields.cause } : undefined);
  error.name = 'LiveScoringError';
  delete fields.cause;
  return Object.assign(error, fields);
}

/**
 * One session's events, posted to the live scoring endpoint in batches: a batch goes out when batchSize events are
 * queued, or flushMs after the first event queued since the last batch, or on flush()/complete(). Each 200 response
 * goes to onScore(response, client); each batch refused (400/413/422 and other 4xx but 429) or given up after
 * maxRetries retries (429, 5xx, network errors) goes to onError(error, client) and is dropped.
 */
export class LiveScoringClient {
  constructor({
    url,
    sessionId,
    siteKey = undefined,
    user = undefined,
    batchSize = 10,
    flushMs = 1000,
    maxRetries = 3,
    retryBaseMs = 200,
    fetch: fetchFn = globalThis.fetch,
    setTimeout: setTimer = (f, ms) => globalThis.setTimeout(f, ms),
    clearTimeout: clearTimer = (id) => globalThis.clearTimeout(id),
    onScore = undefined,
    onError = undefined,
  } = {}) {
    if (typeof url !== 'string' || url.length === 0)
      throw new Error(`url ${describe(url)} is invalid: it must be the service's address as a non-empty string, e.g. "https://scoring.example.com".`);
    if (typeof sessionId !== 'string' || sessionId.length === 0)
      throw new Error(`sessionId ${describe(sessionId)} is invalid: it must be a non-empty string.`);
    if (siteKey != null && (typeof siteKey !== 'string' || siteKey.length === 0))
      throw new Error(`siteKey ${describe(siteKey)} is invalid: it must be a non-empty string, or left out.`);
    if (user != null && (typeof user !== 'string' || user.length === 0))
      throw new Error(`user ${describe(user)} is invalid: it must be a non-empty string, or left out.`);
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_EVENTS_PER_REQUEST)
      throw new Error(`batchSize ${describe(batchSize)} is invalid: it must be an integer from 1 to ${MAX_EVENTS_PER_REQUEST} (events per request).`);
    if (typeof flushMs !== 'number' || !Number.isFinite(flushMs) || flushMs < 0)
      throw new Error(`flushMs ${describe(flushMs)} is invalid: it must be a finite number of milliseconds, 0 or more.`);
    if (!Number.isInteger(maxRetries) || maxRetries < 0)
      throw new Error(`maxRetries ${describe(maxRetries)} is invalid: it must be an integer of at least 0.`);
    if (typeof retryBaseMs !== 'number' || !Number.isFinite(retryBaseMs) || retryBaseMs < 0)
      throw new Error(`retryBaseMs ${describe(retryBaseMs)} is invalid: it must be a finite number of milliseconds, 0 or more.`);
    if (typeof fetchFn !== 'function')
      throw new Error(`fetch must be a function, got ${describe(fetchFn)}${fetchFn === undefined ? ' (this runtime has no global fetch: pass one)' : ''}.`);
    if (typeof setTimer !== 'function' || typeof clearTimer !== 'function')
      throw new Error('setTimeout and clearTimeout must be functions.');
    if (onScore != null && typeof onScore !== 'function') throw new Error(`onScore must be a function, got ${describe(onScore)}.`);
    if (onError != null && typeof onError !== 'function') throw new Error(`onError must be a function, got ${describe(onError)}.`);

    this.url = url.replace(/\/+$/, '');
    this.sessionId = sessionId;
    this.siteKey = siteKey ?? undefined;
    this.user = user ?? undefined;
    this.batchSize = batchSize;
    this.flushMs = flushMs;
    this.maxRetries = maxRetries;
    this.retryBaseMs = retryBaseMs;
    this.onScore = onScore;
    this.onError = onError;
    /** The address every request of this session goes to. */
    this.endpoint = `${this.url}/api/v1/sessions/${encodeURIComponent(sessionId)}/events`;
    this._fetch = fetchFn;
    this._setTimer = setTimer;
    this._clearTimer = clearTimer;

    this._queue = []; // events not yet in a request, in time order
    this._inFlight = []; // the events of the request being sent (or waiting to be retried)
    this._lastT = -Infinity;
    this._added = 0; // events queued since the start
    this._settled = 0; // events whose request is over: acknowledged or dropped
    this._sent = 0;
    this._dropped = 0;
    this._lastScore = null;
    this._lastError = null;
    this._timer = null;
    this._due = false; // the queue is to be sent as soon as the request in flight (if any) is over
    this._busy = false; // a send loop is running
    this._waiters = []; // flush() promises: {target, resolve}
    this._completed = null; // complete()'s promise, once called
    this._completeDone = null;
    this._completeSent = false;
  }

  /** Events queued or in flight. */
  get pending() {
    return this._queue.length + this._inFlight.length;
  }

  /** Events the server acknowledged (sent in a request answered with 200). */
  get sent() {
    return this._sent;
  }

  /** Events dropped: refused by the server, or given up after the retries. */
  get dropped() {
    return this._dropped;
  }

  /** The last 200 response ({session, accepted, eventCount, windows, current, modelVersion}); null before any. */
  get lastScore() {
    return this._lastScore;
  }

  /** The last error passed to onError; null before any. */
  get lastError() {
    return this._lastError;
  }

  /** True once complete() was called (add() then throws). */
  get completed() {
    return this._completed !== null;
  }

  /**
   * Queues one event, in the tracker's shape {t, action, scroll_depth}; t must not be before the previous event.
   * Sends the queue when it holds batchSize events, and otherwise flushMs after the first queued event.
   */
  add(event) {
    if (this._completed !== null)
      throw new Error(`The live scoring session ${JSON.stringify(this.sessionId)} is complete: add() after complete() is not allowed.`);
    if (event === null || typeof event !== 'object')
      throw new Error(`An event must be an object {t, action, scroll_depth}, got ${describe(event)}.`);
    const { t, action } = event;
    const depth = event.scroll_depth;
    if (typeof t !== 'number' || !Number.isFinite(t))
      throw new Error(`Event time ${describe(t)} is not a finite number of seconds.`);
    if (t < this._lastT)
      throw new Error(`Events must arrive in time order: ${t} comes after ${this._lastT}.`);
    if (typeof action !== 'string' || action.length === 0)
      throw new Error(`Action ${describe(action)} is not a non-empty string.`);
    if (!isAbsentDepth(depth) && typeof depth !== 'number')
      throw new Error(`Scroll depth ${describe(depth)} is not a number (use null when absent).`);
    this._lastT = t;
    this._queue.push({ timestamp: t, action, scrollDepth: isAbsentDepth(depth) ? null : depth });
    this._added++;
    if (this._queue.length >= this.batchSize) {
      this._due = true;
      this._pump();
    } else if (this._timer === null) {
      this._timer = this._setTimer(() => {
        this._timer = null;
        this._due = true;
        this._pump();
      }, this.flushMs);
    }
  }

  /** Sends what is queued now; resolves once every event queued so far has been acknowledged or dropped. */
  flush() {
    const target = this._added;
    if (this._settled >= target) return Promise.resolve();
    const { promise, resolve } = deferred();
    this._waiters.push({ target, resolve });
    if (this._queue.length > 0) {
      this._due = true;
      this._pump();
    }
    return promise;
  }

  /**
   * Ends the session: sends what is queued with "complete": true (one request even when nothing is queued), with
   * fetch's keepalive so that it survives the page's unload. Later add() calls throw. Resolves when that last request
   * is over; calling it again returns the same promise.
   */
  complete() {
    if (this._completed !== null) return this._completed;
    this._completeDone = deferred();
    this._completed = this._completeDone.promise;
    this._cancelTimer();
    this._due = true;
    this._pump();
    return this._completed;
  }

  _cancelTimer() {
    if (this._timer !== null) {
      this._clearTimer(this._timer);
      this._timer = null;
    }
  }

  _hasWork() {
    return (this._due && this._queue.length > 0) || (this._completed !== null && !this._completeSent);
  }

  /** Starts the send loop unless it runs: it sends one request at a time until nothing is due. */
  _pump() {
    if (this._busy) return;
    this._busy = true;
    (async () => {
      try {
        while (this._hasWork()) await this._sendNext();
      } finally {
        this._busy = false;
      }
    })().catch(rethrowLater);
  }

  /** The next request's body: up to 1000 queued events (and, when keepalive, at most KEEPALIVE_BODY_BYTES). */
  _nextBody(keepalive) {
    let n = Math.min(this._queue.length, MAX_EVENTS_PER_REQUEST);
    for (;;) {
      const complete = this._completed !== null && n === this._queue.length;
      const body = JSON.stringify({
        ...(this.user !== undefined ? { user: this.user } : {}),
        events: this._queue.slice(0, n),
        complete,
      });
      if (!keepalive || n <= 1) return { n, body, complete };
      const bytes = encoder.encode(body).length;
      if (bytes <= KEEPALIVE_BODY_BYTES) return { n, body, complete };
      n = Math.max(1, Math.min(n - 1, Math.floor((n * KEEPALIVE_BODY_BYTES) / bytes)));
    }
  }

  async _sendNext() {
    const keepalive = this._completed !== null;
    const { n, body, complete } = this._nextBody(keepalive);
    const events = this._queue.splice(0, n);
    if (this._queue.length === 0) {
      this._due = false;
      this._cancelTimer();
    }
    if (complete) this._completeSent = true;
    this._inFlight = events;
    let ok = false;
    try {
      ok = await this._post(events, body, keepalive);
    } catch (error) {
      // _post handles every failure it expects; anything else still must not stop the session's later events
      this._report(liveScoringError(`Live scoring failed on ${events.length} events of session ${JSON.stringify(this.sessionId)}: ${error?.message ?? error}`,
        { status: null, events, attempts: 1, transient: false, cause: error }));
    }
    this._inFlight = [];
    this._settled += events.length;
    if (ok) this._sent += events.length;
    else this._dropped += events.length;
    this._waiters = this._waiters.filter((w) => {
      if (w.target > this._settled) return true;
      w.resolve();
      return false;
    });
    if (complete) this._completeDone.resolve();
  }

  _report(error) {
    this._lastError = error;
    if (!this.onError) return;
    try {
      this.onError(error, this);
    } catch (thrown) {
      rethrowLater(thrown);
    }
  }

  _sleep(ms) {
    return new Promise((resolve) => this._setTimer(resolve, ms));
  }

  /** Posts one batch, retrying transient failures; true when the server acknowledged it. */
  async _post(events, body, keepalive) {
    const headers = { 'Content-Type': 'application/json' };
    if (this.siteKey !== undefined) headers['X-Api-Key'] = this.siteKey;
    const what = `${events.length} event${events.length === 1 ? '' : 's'} of session ${JSON.stringify(this.sessionId)}`;
    for (let attempt = 0; ; attempt++) {
      let response = null;
      let failure;
      try {
        const fetchFn = this._fetch;
        response = await fetchFn(this.endpoint, { method: 'POST', headers, body, keepalive });
      } catch (error) {
        failure = { status: null, reason: `network error: ${error?.message ?? error}`, cause: error, wait: null };
      }
      if (response !== null) {
        const status = response.status;
        let text = '';
        try {
          text = await response.text();
        } catch (error) {
          if (status >= 200 && status < 300) failure = { status, reason: `reading the response failed: ${error?.message ?? error}`, cause: error, wait: null };
        }
        let json;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        if (failure === undefined && status >= 200 && status < 300) {
          if (json === null || typeof json !== 'object' || Array.isArray(json)) {
            // The events were taken (200), but there is no score to pass on.
            this._report(liveScoringError(`Live scoring acknowledged ${what} with a response that is not a JSON object (status ${status}).`,
              { status, events, attempts: attempt + 1, transient: false, body: text }));
            return true;
          }
          this._lastScore = json;
          if (this.onScore) {
            try {
              this.onScore(json, this);
            } catch (thrown) {
              rethrowLater(thrown);
            }
          }
          return true;
        }
        if (failure === undefined) {
          const problem = json !== null && typeof json === 'object' && !Array.isArray(json) ? json : null;
          const title = typeof problem?.title === 'string' ? problem.title : response.statusText || undefined;
          const detail = typeof problem?.detail === 'string' ? problem.detail : undefined;
          const fields = {
            status, type: problem?.type, title, detail, errors: problem?.errors, problem,
          };
          const reason = `${status}${title ? ' ' + title : ''}${detail ? ': ' + detail : ''}`;
          const transient = status === 429 || status >= 500;
          if (!transient) {
            this._report(liveScoringError(`Live scoring refused ${what}: ${reason}`,
              { ...fields, events, attempts: attempt + 1, transient: false }));
            return false;
          }
          failure = { ...fields, reason, wait: retryAfterMs(response.headers?.get?.('Retry-After')) };
        }
      }
      if (attempt >= this.maxRetries) {
        const { reason, wait, ...fields } = failure;
        this._report(liveScoringError(`Live scoring gave up on ${what} after ${attempt + 1} attempt${attempt === 0 ? '' : 's'}: ${reason}`,
          { ...fields, events, attempts: attempt + 1, transient: true }));
        return false;
      }
      await this._sleep(failure.wait ?? this.retryBaseMs * 2 ** attempt);
    }
  }
}
