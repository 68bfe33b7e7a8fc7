// The 20 sliding-window features of one window, ported line by line from the C# kernel
// (src/Exania.Features/WindowFeatures.cs and WindowOptions.cs; action codes as src/Exania.Events/KnownActions.cs and
// ActionVocabulary.cs give them). test/golden_windows.json, which the C# tests write and check, keeps the two in
// lockstep: a change here needs the same change there, or the golden tests fail on one side.
//
// No imports: the kernel stands alone, and the extractor, the tracker and the predictor build on it.

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

/**
 * A value as error messages show it: strings quoted, with their type, so that "3" and 3 are told apart. Shared with
 * the sibling modules (their messages describe values the same way); the entry file does not re-export it.
 */
export function describe(value) {
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

/** True for a scroll depth that is absent (null, undefined or NaN); shared with the extractor and the tracker. */
export function isAbsentDepth(d) {
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
/** Most windows one event can fall into (windowSeconds / stepSeconds), as C#'s WindowOptions.MaxWindowsPerEvent. */
const MAX_WINDOWS_PER_EVENT = 10000;

export function validateWindowOptions(options) {
  const o = { ...DEFAULT_WINDOW_OPTIONS, ...(options ?? {}) };
  if (typeof o.windowSeconds !== 'number' || !(o.windowSeconds > 0) || !Number.isFinite(o.windowSeconds))
    throw new Error(`windowSeconds ${describe(o.windowSeconds)} is invalid: the window must be a positive, finite number of seconds.`);
  if (typeof o.stepSeconds !== 'number' || !(o.stepSeconds > 0) || !Number.isFinite(o.stepSeconds))
    throw new Error(`stepSeconds ${describe(o.stepSeconds)} is invalid: the step must be a positive, finite number of seconds.`);
  if (!(o.stepSeconds >= o.windowSeconds / MAX_WINDOWS_PER_EVENT))
    throw new Error(`stepSeconds ${describe(o.stepSeconds)} is invalid: the step must be at least windowSeconds / ${MAX_WINDOWS_PER_EVENT}, so that one event falls into at most ${MAX_WINDOWS_PER_EVENT} windows.`);
  if (!Number.isInteger(o.minActions) || o.minActions < 1)
    throw new Error(`minActions ${describe(o.minActions)} is invalid: minimum actions per window must be an integer of at least 1.`);
  return Object.freeze({ windowSeconds: o.windowSeconds, stepSeconds: o.stepSeconds, minActions: o.minActions });
}
