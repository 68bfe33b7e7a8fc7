// LiveScoringClient against a fake fetch (a stand-in for the live scoring endpoint of `exania serve`, with its
// time-order rule) and fake timers: batching, order and one request at a time, the exact request, the error classes
// of the contract (400/413/422 dropped, 429/503/network retried), complete() with keepalive, and the tracker's
// `server` option.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InteractionTracker, LiveScoringClient } from '../src/interaction_predictor.js';

/** Lets every promise chain that waits on nothing but other promises (and Response bodies) run to its end. */
async function settle() {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** setTimeout/clearTimeout on a virtual clock in milliseconds; advance(ms) runs the timers due, in time order. */
function fakeTimers() {
  let now = 0;
  let nextId = 1;
  let timers = [];
  return {
    setTimeout: (fn, ms) => {
      const id = nextId++;
      timers.push({ id, fn, at: now + ms });
      return id;
    },
    clearTimeout: (id) => { timers = timers.filter((x) => x.id !== id); },
    get now() { return now; },
    get pending() { return timers.length; },
    async advance(ms) {
      const end = now + ms;
      for (;;) {
        await settle();
        const due = timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
        if (!due) break;
        timers = timers.filter((x) => x !== due);
        now = due.at;
        due.fn();
      }
      now = end;
      await settle();
    },
  };
}

function json(status, body, headers = {}) {
  const type = status === 200 ? 'application/json' : 'application/problem+json';
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': type, ...headers } });
}

function problem(status, title, detail, errors) {
  return json(status, { type: 'about:blank', title, status, detail, ...(errors ? { errors } : {}) });
}

/**
 * A fake fetch. Every call is recorded ({url, init, body (parsed), at}); `respond(call, index)` answers it (a
 * Response, a promise of one, or a throw). Without `respond` it answers like the server: 200 with the scores, or 400
 * when an event is earlier than the session's last one. It also counts the requests in flight at once.
 */
function fakeServer(timers, respond = undefined) {
  const calls = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let eventCount = 0;
  let lastTime = -Infinity;
  const score = (call) => {
    for (const e of call.body.events) {
      if (e.timestamp < lastTime)
        return problem(400, 'Events out of order', `Event at ${e.timestamp} is earlier than the session's last (${lastTime}).`);
      lastTime = e.timestamp;
    }
    eventCount += call.body.events.length;
    return json(200, {
      session: 's1', accepted: call.body.events.length, eventCount, windows: [],
      current: eventCount >= 5 ? { end: lastTime, probability: 0.25, click: false } : null, modelVersion: 'test-1',
    });
  };
  const fetch = async (url, init) => {
    const call = { url, init, body: JSON.parse(init.body), at: timers?.now };
    calls.push(call);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      return await (respond ? respond(call, calls.length - 1, score) : score(call));
    } finally {
      inFlight--;
    }
  };
  return {
    fetch, calls, score,
    get maxInFlight() { return maxInFlight; },
    get timestamps() { return calls.flatMap((c) => c.body.events.map((e) => e.timestamp)); },
  };
}

const T0 = 1700000000;
const ev = (i, action = 'scroll_down', depth = i / 10) => ({ t: T0 + i, action, scroll_depth: depth });
const wire = (i, action = 'scroll_down', depth = i / 10) => ({ timestamp: T0 + i, action, scrollDepth: depth });

function makeClient(timers, server, options = {}) {
  const seen = { scores: [], errors: [] };
  const client = new LiveScoringClient({
    url: 'https://scoring.example.test',
    sessionId: 's1',
    fetch: server.fetch,
    setTimeout: timers.setTimeout,
    clearTimeout: timers.clearTimeout,
    onScore: (response, c) => { assert.equal(c, client); seen.scores.push(response); },
    onError: (error) => seen.errors.push(error),
    ...options,
  });
  return { client, seen };
}

test('batches by size: the exact request (URL, method, headers with the site key, body), then onScore', async () => {
  const timers = fakeTimers();
  const server = fakeServer(timers);
  const { client, seen } = makeClient(timers, server, {
    url: 'https://scoring.example.test/', sessionId: 'visit 1/ä', siteKey: 'pk_site', user: 'u-9', batchSize: 3,
  });
  client.add(ev(0));
  client.add({ t: T0 + 1.5, action: 'click', scroll_depth: null });
  assert.equal(server.calls.length, 0);
  assert.equal(client.pending, 2);
  client.add({ t: T0 + 2, action: 'hover' }); // scroll_depth missing: null
  await settle();
  assert.equal(server.calls.length, 1);
  const [call] = server.calls;
  assert.equal(call.url, 'https://scoring.example.test/api/v1/sessions/visit%201%2F%C3%A4/events');
  assert.deepEqual(call.init, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Api-Key': 'pk_site' },
    body: '{"user":"u-9","events":[' +
      '{"timestamp":1700000000,"action":"scroll_down","scrollDepth":0},' +
      '{"timestamp":1700000001.5,"action":"click","scrollDepth":null},' +
      '{"timestamp":1700000002,"action":"hover","scrollDepth":null}],"complete":false}',
    keepalive: false,
  });
  assert.equal(client.pending, 0);
  assert.equal(client.sent, 3);
  assert.deepEqual(seen.scores, [{
    session: 's1', accepted: 3, eventCount: 3, windows: [], current: null, modelVersion: 'test-1',
  }]);
  assert.equal(client.lastScore, seen.scores[0]);
  assert.deepEqual(seen.errors, []);
  assert.equal(timers.pending, 0, 'the flush timer is cancelled once its events are sent');
});

test('batches by time: flushMs after the first queued event; no site key, no user: neither header nor field', async () => {
  const timers = fakeTimers();
  const server = fakeServer(timers);
  const { client } = makeClient(timers, server, { batchSize: 10, flushMs: 1000 });
  client.add(ev(0));
  await timers.advance(600);
  client.add(ev(1)); // does not push the flush back
  await timers.advance(399);
  assert.equal(server.calls.length, 0);
  await timers.advance(1);
  assert.equal(server.calls.length, 1);
  assert.equal(server.calls[0].at, 1000);
  assert.deepEqual(server.calls[0].init.headers, { 'Content-Type': 'application/json' });
  assert.equal(server.calls[0].init.body,
    '{"events":[{"timestamp":1700000000,"action":"scroll_down","scrollDepth":0},' +
    '{"timestamp":1700000001,"action":"scroll_down","scrollDepth":0.1}],"complete":false}');
  // the next event starts a new timer
  await timers.advance(5000);
  client.add(ev(2));
  await timers.advance(1000);
  assert.deepEqual(server.calls.map((c) => c.at), [1000, 7000]);
  assert.deepEqual(server.calls[1].body.events, [wire(2)]);
  assert.equal(client.sent, 3);
});

test('slow responses: one request in flight, in order; the backlog goes in the next request, at most 1000 events', async () => {
  const timers = fakeTimers();
  const gates = [];
  const server = fakeServer(timers, (call, i, score) => new Promise((resolve) => gates.push(() => resolve(score(call)))));
  const { client, seen } = makeClient(timers, server, { batchSize: 2 });
  for (let i = 0; i < 2503; i++) client.add(ev(i, i % 3 ? 'scroll_down' : 'click', null));
  await settle();
  assert.equal(server.calls.length, 1, 'the first batch is in flight; everything else waits');
  assert.equal(client.pending, 2503);
  let flushed = false;
  const flushing = client.flush().then(() => { flushed = true; });
  await timers.advance(10_000); // no timer sends a second request while the first is in flight
  assert.equal(server.calls.length, 1);
  while (gates.length) {
    assert.equal(flushed, false);
    gates.shift()();
    await settle();
  }
  await flushing;
  assert.equal(flushed, true);
  assert.deepEqual(server.calls.map((c) => c.body.events.length), [2, 1000, 1000, 501]);
  assert.equal(server.maxInFlight, 1);
  assert.deepEqual(server.timestamps, Array.from({ length: 2503 }, (_, i) => T0 + i));
  assert.deepEqual(server.calls.flatMap((c) => c.body.events),
    Array.from({ length: 2503 }, (_, i) => wire(i, i % 3 ? 'scroll_down' : 'click', null)));
  assert.equal(client.sent, 2503);
  assert.equal(client.pending, 0);
  assert.deepEqual(seen.scores.map((s) => s.eventCount), [2, 1002, 2002, 2503]);
  assert.deepEqual(seen.errors, []);
});

test('400, 413 and 422: the batch is dropped without a retry, onError gets the problem; later events go on', async () => {
  for (const [status, title] of [[400, 'Bad Request'], [413, 'Payload Too Large'], [422, 'Unprocessable Entity']]) {
    const timers = fakeTimers();
    const server = fakeServer(timers, (call, i, score) => i === 0
      ? problem(status, title, 'events[1].action must not be empty.', { 'events[1].action': ['must not be empty'] })
      : score(call));
    const { client, seen } = makeClient(timers, server, { batchSize: 2 });
    client.add(ev(0));
    client.add(ev(1));
    await timers.advance(10_000);
    assert.equal(server.calls.length, 1, `${status}: never retried`);
    assert.equal(seen.errors.length, 1);
    const [error] = seen.errors;
    assert.ok(error instanceof Error);
    assert.equal(error.name, 'LiveScoringError');
    assert.equal(error.message,
      `Live scoring refused 2 events of session "s1": ${status} ${title}: events[1].action must not be empty.`);
    assert.equal(error.status, status);
    assert.equal(error.title, title);
    assert.equal(error.detail, 'events[1].action must not be empty.');
    assert.deepEqual(error.errors, { 'events[1].action': ['must not be empty'] });
    assert.equal(error.type, 'about:blank');
    assert.equal(error.transient, false);
    assert.equal(error.attempts, 1);
    assert.deepEqual(error.events, [wire(0), wire(1)]);
    assert.equal(client.lastError, error);
    assert.equal(client.dropped, 2);
    assert.equal(client.sent, 0);
    client.add(ev(2));
    client.add(ev(3));
    await settle();
    assert.equal(server.calls.length, 2);
    assert.deepEqual(server.calls[1].body.events, [wire(2), wire(3)]);
    assert.equal(client.sent, 2);
    assert.equal(seen.scores.length, 1);
  }
});

test('429 with Retry-After: the same batch again after that many seconds; 503 and 500: exponential backoff', async () => {
  const timers = fakeTimers();
  const server = fakeServer(timers, (call, i, score) => {
    if (i === 0) return json(429, { title: 'Too Many Requests', status: 429 }, { 'Retry-After': '2' });
    if (i === 1) return problem(503, 'Service Unavailable', 'Starting.');
    if (i === 2) return new Response('oops', { status: 500 });
    return score(call);
  });
  const { client, seen } = makeClient(timers, server, { batchSize: 3, retryBaseMs: 200, maxRetries: 3 });
  client.add(ev(0));
  client.add(ev(1));
  client.add(ev(2));
  await settle();
  assert.equal(server.calls.length, 1);
  await timers.advance(1999);
  assert.equal(server.calls.length, 1, 'Retry-After: 2 is 2000 ms, not the 200 ms backoff');
  await timers.advance(1);
  assert.equal(server.calls.length, 2);
  await timers.advance(399); // second retry: 200 * 2 ms
  assert.equal(server.calls.length, 2);
  await timers.advance(1);
  assert.equal(server.calls.length, 3);
  await timers.advance(800); // third: 200 * 4 ms
  assert.equal(server.calls.length, 4);
  assert.deepEqual(server.calls.map((c) => c.at), [0, 2000, 2400, 3200]);
  assert.ok(server.calls.every((c) => c.init.body === server.calls[0].init.body), 'the same batch each time');
  assert.deepEqual(seen.errors, []);
  assert.equal(client.sent, 3);
  assert.equal(seen.scores.length, 1);
});

test('network errors: retried maxRetries times with backoff, then onError and dropped; the next batch goes on', async () => {
  const timers = fakeTimers();
  let down = true;
  const server = fakeServer(timers, (call, i, score) => {
    if (down) throw new TypeError('fetch failed');
    return score(call);
  });
  const { client, seen } = makeClient(timers, server, { batchSize: 2, retryBaseMs: 100, maxRetries: 3 });
  client.add(ev(0));
  client.add(ev(1));
  client.add(ev(2)); // queued behind the failing batch
  const flushing = client.flush();
  await timers.advance(10_000);
  await flushing;
  // 100 * 2^k ms between the attempts of each batch; the queued batch goes once the first is given up
  assert.deepEqual(server.calls.map((c) => c.at), [0, 100, 300, 700, 700, 800, 1000, 1400]);
  assert.ok(server.calls.slice(0, 4).every((c) => c.init.body === server.calls[0].init.body));
  assert.equal(seen.errors.length, 2);
  const [error] = seen.errors;
  assert.equal(error.message, 'Live scoring gave up on 2 events of session "s1" after 4 attempts: network error: fetch failed');
  assert.equal(error.status, null);
  assert.equal(error.attempts, 4);
  assert.equal(error.transient, true);
  assert.ok(error.cause instanceof TypeError);
  assert.deepEqual(error.events, [wire(0), wire(1)]);
  assert.equal(seen.errors[1].message, 'Live scoring gave up on 1 event of session "s1" after 4 attempts: network error: fetch failed');
  assert.equal(client.dropped, 3);
  assert.equal(client.pending, 0);
  down = false;
  client.add(ev(3));
  await client.flush();
  assert.equal(seen.errors.length, 2);
  assert.equal(client.sent, 1);
  assert.deepEqual(server.calls.at(-1).body.events, [wire(3)]);
  assert.equal(server.maxInFlight, 1);
});

test('complete(): what is queued, with complete: true and keepalive; then add() throws', async () => {
  const timers = fakeTimers();
  const server = fakeServer(timers);
  const { client, seen } = makeClient(timers, server, { batchSize: 10, siteKey: 'pk' });
  client.add(ev(0));
  client.add(ev(1, 'close_tab', null));
  const completing = client.complete();
  assert.equal(client.complete(), completing, 'complete() twice: the same promise, one request');
  assert.equal(client.completed, true);
  await completing;
  assert.equal(server.calls.length, 1);
  assert.deepEqual(server.calls[0].init, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Api-Key': 'pk' },
    body: '{"events":[{"timestamp":1700000000,"action":"scroll_down","scrollDepth":0},' +
      '{"timestamp":1700000001,"action":"close_tab","scrollDepth":null}],"complete":true}',
    keepalive: true,
  });
  assert.equal(client.sent, 2);
  assert.equal(seen.scores.length, 1);
  assert.equal(timers.pending, 0, 'no flush timer is left');
  assert.throws(() => client.add(ev(2)), /^Error: The live scoring session "s1" is complete: add\(\) after complete\(\) is not allowed\.$/);
  await timers.advance(5000);
  assert.equal(server.calls.length, 1);
});

test('complete() with nothing queued sends one empty request; it waits for the request in flight', async () => {
  const timers = fakeTimers();
  const empty = fakeServer(timers);
  const { client: idle } = makeClient(timers, empty, { user: 'u1' });
  await idle.complete();
  assert.equal(empty.calls.length, 1);
  assert.equal(empty.calls[0].init.body, '{"user":"u1","events":[],"complete":true}');
  assert.equal(empty.calls[0].init.keepalive, true);

  const gates = [];
  const server = fakeServer(timers, (call, i, score) => new Promise((resolve) => gates.push(() => resolve(score(call)))));
  const { client } = makeClient(timers, server, { batchSize: 2 });
  client.add(ev(0));
  client.add(ev(1));
  client.add(ev(2));
  let done = false;
  const completing = client.complete().then(() => { done = true; });
  await settle();
  assert.equal(server.calls.length, 1, 'never two in flight, even on complete()');
  gates.shift()();
  await settle();
  assert.equal(server.calls.length, 2);
  assert.equal(done, false);
  assert.deepEqual(server.calls[1].body, { events: [wire(2)], complete: true });
  assert.equal(server.calls[1].init.keepalive, true);
  assert.equal(server.calls[0].init.keepalive, false);
  gates.shift()();
  await completing;
  assert.equal(server.maxInFlight, 1);
  assert.equal(client.sent, 3);
  assert.equal(client.pending, 0);
});

test('complete() keeps each keepalive body under the browsers\' 64 KiB; only the last request says complete', async () => {
  const timers = fakeTimers();
  const server = fakeServer(timers);
  const { client } = makeClient(timers, server, { batchSize: 1000, flushMs: 60_000 });
  for (let i = 0; i < 999; i++) client.add({ t: T0 + i + 0.123, action: 'scroll_down', scroll_depth: 0.123456789 });
  await client.complete();
  assert.ok(server.calls.length >= 2);
  for (const c of server.calls) {
    assert.ok(new TextEncoder().encode(c.init.body).length <= 60 * 1024, `${c.init.body.length} bytes`);
    assert.equal(c.init.keepalive, true);
  }
  assert.deepEqual(server.calls.map((c) => c.body.complete), [...server.calls.slice(1).map(() => false), true]);
  assert.equal(server.timestamps.length, 999);
  assert.equal(client.sent, 999);
});

test('a 200 that is not JSON: the events count as sent, and onError says there is no score', async () => {
  const timers = fakeTimers();
  const server = fakeServer(timers, () => new Response('<html>proxy</html>', { status: 200 }));
  const { client, seen } = makeClient(timers, server, { batchSize: 1 });
  client.add(ev(0));
  await client.flush();
  assert.equal(client.sent, 1);
  assert.equal(client.lastScore, null);
  assert.deepEqual(seen.scores, []);
  assert.equal(seen.errors[0].message,
    'Live scoring acknowledged 1 event of session "s1" with a response that is not a JSON object (status 200).');
});

test('flush() resolves at once when nothing is pending, and after the retries of what is', async () => {
  const timers = fakeTimers();
  const server = fakeServer(timers, (call, i, score) => (i === 0 ? new Response('', { status: 503 }) : score(call)));
  const { client } = makeClient(timers, server, { retryBaseMs: 50 });
  await client.flush();
  client.add(ev(0));
  let flushed = false;
  const flushing = client.flush().then(() => { flushed = true; });
  await settle();
  assert.equal(server.calls.length, 1);
  assert.equal(flushed, false);
  await timers.advance(50);
  await flushing;
  assert.equal(server.calls.length, 2);
  assert.equal(client.sent, 1);
});

test('options and events are checked, with messages that show the value', () => {
  const timers = fakeTimers();
  const base = { url: 'https://s.test', sessionId: 's1', fetch: () => {}, setTimeout: timers.setTimeout, clearTimeout: timers.clearTimeout };
  const bad = (options, pattern) => assert.throws(() => new LiveScoringClient({ ...base, ...options }), pattern);
  bad({ url: undefined }, /^Error: url undefined is invalid: it must be the service's address as a non-empty string/);
  bad({ url: '' }, /url "" \(a string\) is invalid/);
  bad({ sessionId: 7 }, /^Error: sessionId 7 is invalid: it must be a non-empty string\.$/);
  bad({ siteKey: 12 }, /siteKey 12 is invalid/);
  bad({ user: '' }, /user "" \(a string\) is invalid/);
  bad({ batchSize: 0 }, /^Error: batchSize 0 is invalid: it must be an integer from 1 to 1000 \(events per request\)\.$/);
  bad({ batchSize: 1001 }, /batchSize 1001 is invalid/);
  bad({ batchSize: '10' }, /batchSize "10" \(a string\) is invalid/);
  bad({ flushMs: -1 }, /flushMs -1 is invalid/);
  bad({ flushMs: Infinity }, /flushMs Infinity is invalid/);
  bad({ maxRetries: 1.5 }, /maxRetries 1.5 is invalid/);
  bad({ retryBaseMs: NaN }, /retryBaseMs NaN is invalid/);
  bad({ fetch: 'fetch' }, /^Error: fetch must be a function, got "fetch" \(a string\)\.$/);
  bad({ onScore: 1 }, /onScore must be a function, got 1/);
  bad({ onError: {} }, /onError must be a function, got an object/);
  assert.throws(() => new LiveScoringClient(), /url undefined is invalid/);

  const client = new LiveScoringClient(base);
  assert.equal(client.endpoint, 'https://s.test/api/v1/sessions/s1/events');
  assert.throws(() => client.add(null), /An event must be an object \{t, action, scroll_depth\}, got null/);
  assert.throws(() => client.add({ t: '1', action: 'click' }), /Event time "1" \(a string\) is not a finite number/);
  assert.throws(() => client.add({ t: 1, action: '' }), /Action "" \(a string\) is not a non-empty string/);
  assert.throws(() => client.add({ t: 1, action: 'click', scroll_depth: '0.5' }), /Scroll depth "0.5" \(a string\) is not a number/);
  client.add({ t: 10, action: 'click' });
  assert.throws(() => client.add({ t: 9, action: 'click' }), /^Error: Events must arrive in time order: 9 comes after 10\.$/);
  assert.equal(client.pending, 1, 'refused events are not queued');
});

/** A window and document on EventTargets, with a clock in seconds and timers on that clock, for the tracker. */
function fakePage(start = T0) {
  const timers = fakeTimers();
  const win = new EventTarget();
  const doc = new EventTarget();
  win.document = doc;
  doc.visibilityState = 'visible';
  doc.hasFocus = () => true;
  doc.scrollingElement = { scrollTop: 0, scrollHeight: 3000, clientHeight: 1000 };
  const fire = (target, type, props = {}) => {
    const e = new Event(type);
    for (const [k, v] of Object.entries(props)) Object.defineProperty(e, k, { value: v });
    target.dispatchEvent(e);
  };
  return {
    win, doc, timers,
    clock: () => start + timers.now / 1000,
    async at(seconds) { await timers.advance((seconds - start) * 1000 - timers.now); },
    click() { fire(doc, 'click', { target: null }); },
    scrollTo(top) { doc.scrollingElement.scrollTop = top; fire(win, 'scroll'); },
    pagehide() { fire(win, 'pagehide'); },
  };
}

test('tracker with the server option: its recorded events are posted; pagehide sends close_tab and completes', async () => {
  const page = fakePage();
  const server = fakeServer(page.timers);
  const scores = [];
  const tracker = new InteractionTracker({
    target: page.win, clock: page.clock, setTimeout: page.timers.setTimeout, clearTimeout: page.timers.clearTimeout,
    idleSeconds: 100,
    server: {
      url: 'https://s.test', sessionId: 'page-1', siteKey: 'pk', batchSize: 3, flushMs: 5000, fetch: server.fetch,
      onScore: (r) => scores.push(r),
    },
  });
  assert.ok(tracker.server instanceof LiveScoringClient);
  assert.equal(tracker.server.sessionId, 'page-1');
  tracker.start();
  await page.at(T0 + 1);
  page.click();
  await page.at(T0 + 2);
  page.scrollTo(500);
  await page.at(T0 + 3);
  page.click();
  await settle();
  assert.equal(server.calls.length, 1);
  assert.equal(server.calls[0].url, 'https://s.test/api/v1/sessions/page-1/events');
  assert.equal(server.calls[0].init.headers['X-Api-Key'], 'pk');
  assert.equal(server.calls[0].init.body,
    '{"events":[{"timestamp":1700000001,"action":"click","scrollDepth":null},' +
    '{"timestamp":1700000002,"action":"scroll_down","scrollDepth":0.25},' +
    '{"timestamp":1700000003,"action":"click","scrollDepth":null}],"complete":false}');
  await page.at(T0 + 4);
  tracker.record('click_ad');
  await page.at(T0 + 8.5); // the client's 5 s flush runs on the tracker's timers
  assert.equal(server.calls.length, 1);
  await page.at(T0 + 9);
  assert.equal(server.calls.length, 2);
  assert.deepEqual(server.calls[1].body, { events: [{ timestamp: T0 + 4, action: 'click_ad', scrollDepth: null }], complete: false });
  await page.at(T0 + 10);
  page.click();
  page.pagehide();
  await settle();
  assert.equal(server.calls.length, 3);
  assert.equal(server.calls[2].init.keepalive, true);
  assert.equal(server.calls[2].init.body,
    '{"events":[{"timestamp":1700000010,"action":"click","scrollDepth":null},' +
    '{"timestamp":1700000010,"action":"close_tab","scrollDepth":null}],"complete":true}');
  assert.deepEqual(server.timestamps, tracker.eventLog().map((e) => e.t), 'every recorded event was posted, in order');
  assert.equal(tracker.server.sent, 6);
  assert.equal(scores.at(-1).eventCount, 6);
  // After the server session is complete, the page goes on recording in the browser only (e.g. back from bfcache).
  page.click();
  await page.at(T0 + 20);
  assert.equal(tracker.eventCount, 7);
  assert.equal(server.calls.length, 3);
  tracker.stop();
});

test('tracker: a LiveScoringClient instance is used as is; complete() completes it; no server option → null', async () => {
  const page = fakePage();
  const server = fakeServer(page.timers);
  const client = new LiveScoringClient({
    url: 'https://s.test', sessionId: 'page-2', fetch: server.fetch, setTimeout: page.timers.setTimeout,
    clearTimeout: page.timers.clearTimeout,
  });
  const tracker = new InteractionTracker({ target: page.win, clock: page.clock, server: client });
  assert.equal(tracker.server, client);
  tracker.record('scroll_down', 0.5, T0 + 1);
  tracker.record('wait', null, T0 + 2);
  await tracker.complete();
  assert.deepEqual(server.calls.map((c) => c.body), [{
    events: [{ timestamp: T0 + 1, action: 'scroll_down', scrollDepth: 0.5 }, { timestamp: T0 + 2, action: 'wait', scrollDepth: null }],
    complete: true,
  }]);
  assert.equal(client.completed, true);

  const local = new InteractionTracker({ target: page.win, clock: page.clock });
  assert.equal(local.server, null);
  assert.equal(local.complete(), undefined);
  assert.throws(() => new InteractionTracker({ target: page.win, server: 'https://s.test' }),
    /^Error: server must be a LiveScoringClient or its options \(\{url, sessionId, \.\.\.\}\), got "https:\/\/s.test" \(a string\)\.$/);
  assert.throws(() => new InteractionTracker({ target: page.win, server: { url: 'https://s.test' } }), /sessionId undefined is invalid/);
});
