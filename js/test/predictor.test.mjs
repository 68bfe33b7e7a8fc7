// InteractionPredictor: input validation (before any onnxruntime call, so it runs without a model), scoring with an
// injected onnxruntime-node on a small logistic ONNX model written by onnx_builder.mjs, the exported model fixture
// when there is one (EXANIA_ONNX_FIXTURE or js/test/fixtures/*.onnx), and the error messages when onnxruntime fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  InteractionPredictor, WINDOW_FEATURE_NAMES, computeWindowFeatures, describeOrtError, failingOperator, featureRow,
  summarizeOnnxModel,
} from '../src/interaction_predictor.js';
import { logisticModel } from './onnx_builder.mjs';

let ort = null;
try {
  ort = await import('onnxruntime-node');
} catch {
  ort = null;
}
const noOrt = ort ? false : 'onnxruntime-node is not installed (npm ci --ignore-scripts)';

const ROW = WINDOW_FEATURE_NAMES.map((_, i) => i / 10);
const asObject = (row) => Object.fromEntries(WINDOW_FEATURE_NAMES.map((n, i) => [n, row[i]]));
const WEIGHTS = WINDOW_FEATURE_NAMES.map((_, i) => ((i % 5) - 2) * 0.05);
const BIAS = -0.5;
const expectedProbability = (row) => {
  // float32 inputs and weights, as the model sees them
  const f = Math.fround;
  let z = f(BIAS);
  for (let i = 0; i < row.length; i++) z += f(row[i]) * f(WEIGHTS[i]);
  return 1 / (1 + Math.exp(-z));
};

/** An onnxruntime stand-in that records calls: validation must fail before any of them. */
function spyOrt() {
  const calls = [];
  return {
    calls,
    Tensor: class { constructor(...a) { calls.push(['Tensor', a]); } },
    InferenceSession: { create: async (...a) => { calls.push(['create', a]); throw new Error('should not be called'); } },
  };
}

test('validation: wrong length, missing feature, non-number and non-finite values name the feature and the value', async () => {
  const spy = spyOrt();
  const p = new InteractionPredictor({ modelUrl: 'nowhere.onnx', ort: spy });
  await assert.rejects(p.predictClickProbability(ROW.slice(0, 19)), /Expected 20 features \(time_since_last_action, .*total_actions\), got 19 values/);
  const missing = asObject(ROW);
  delete missing.scroll_depth_max;
  await assert.rejects(p.predictClickProbability(missing), { message: 'Feature "scroll_depth_max" (index 10) is missing; got undefined.' });
  await assert.rejects(p.predictClickProbability({ ...asObject(ROW), click_count: '3' }),
    { message: 'Feature "click_count" (index 5) must be a finite number, got "3" (a string).' });
  await assert.rejects(p.predictClickProbability({ ...asObject(ROW), click_count: null }), /"click_count" \(index 5\) must be a finite number, got null/);
  const nan = ROW.slice();
  nan[13] = NaN;
  await assert.rejects(p.predictClickProbability(nan), { message: 'Feature "action_entropy" (index 13) must be a finite number, got NaN.' });
  nan[13] = -Infinity;
  await assert.rejects(p.predictClickProbability(nan), /"action_entropy" \(index 13\) must be a finite number, got -Infinity/);
  nan[13] = 1e39;
  await assert.rejects(p.predictClickProbability(nan), /"action_entropy" \(index 13\) is 1e\+39, outside the float32 range/);
  await assert.rejects(p.predictClickProbability({ ...asObject(ROW), clicks: 1 }), /Unknown feature "clicks" \(value 1\)/);
  await assert.rejects(p.predictClickProbability(null), /array of 20 numbers or an object keyed by feature name, got null/);
  await assert.rejects(p.predictClickProbability(42), /got 42/);
  await assert.rejects(p.predictBatch([ROW, { ...asObject(ROW), wait_count: Infinity }]),
    { message: 'Feature "wait_count" (index 9) in row 1 must be a finite number, got Infinity.' });
  await assert.rejects(p.predictBatch(ROW.slice(0, 3).map(String)), /Features in row 0 must be an array of 20 numbers/);
  await assert.rejects(p.predictBatch('rows'), /predictBatch needs an array of rows/);
  assert.deepEqual(spy.calls, [], 'no onnxruntime call before validation passes');
  assert.deepEqual(await p.predictBatch([]), []);
  assert.deepEqual(featureRow(new Float64Array(ROW)), ROW);
  assert.deepEqual(featureRow(asObject(ROW)), ROW);
});

test('constructor: featureNames must be strings', () => {
  assert.throws(() => new InteractionPredictor({ featureNames: [] }), /featureNames must be a non-empty array of strings/);
  assert.throws(() => new InteractionPredictor({ featureNames: 'abc' }), /featureNames must be a non-empty array of strings, got "abc"/);
});

test('scores one row, an object row and a batch with injected onnxruntime-node', { skip: noOrt }, async () => {
  const bytes = logisticModel({ weights: WEIGHTS, bias: BIAS, metadata: { op_types: 'MatMul,Add,Sigmoid' } });
  const p = new InteractionPredictor({ modelUrl: bytes, ort });
  await p.initialize();
  assert.ok(p.ready);
  const one = await p.predictClickProbability(ROW);
  assert.ok(Math.abs(one - expectedProbability(ROW)) < 1e-6, `${one} vs ${expectedProbability(ROW)}`);
  assert.equal(await p.predictClickProbability(asObject(ROW)), one);
  const rows = [ROW, ROW.map((v) => v * 2), ROW.map(() => 0)];
  const batch = await p.predictBatch(rows);
  assert.equal(batch.length, 3);
  batch.forEach((v, i) => assert.ok(Math.abs(v - expectedProbability(rows[i])) < 1e-6, `row ${i}`));
  assert.equal(batch[0], one);
  // real features from the kernel
  const f = computeWindowFeatures([0, 10, 20, 30, 50], ['scroll_down', 'scroll_down', 'click', 'hover', 'scroll_up'], [0.2, 0.5, null, null, 0.4], 50, 0, 120);
  const pf = await p.predictClickProbability(f);
  assert.ok(pf > 0 && pf < 1);
  await p.dispose();
});

test('loads the model from a path (initialize() on first predict)', { skip: noOrt }, async () => {
  const dir = fileURLToPath(new URL('./', import.meta.url));
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const tmp = mkdtempSync(dir + '.tmp-');
  try {
    const path = tmp + '/m.onnx';
    writeFileSync(path, logisticModel({ weights: WEIGHTS, bias: BIAS }));
    for (const modelUrl of [path, new URL('file://' + path).href]) {
      const p = new InteractionPredictor({ modelUrl, ort });
      const v = await p.predictClickProbability(ROW); // initializes
      assert.ok(Math.abs(v - expectedProbability(ROW)) < 1e-6);
    }
    const missing = new InteractionPredictor({ modelUrl: tmp + '/absent.onnx', ort });
    await assert.rejects(missing.initialize(), (e) => e.message.startsWith(`Could not load the model ${tmp}/absent.onnx: `) && /ENOENT/.test(e.message));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('an unknown operator: the error names the model, the operator, the metadata op_types and the graph', { skip: noOrt }, async () => {
  const bytes = logisticModel({ weights: WEIGHTS, sigmoidOp: 'NotAnOp', metadata: { op_types: '["MatMul","Add","NotAnOp"]' } });
  const p = new InteractionPredictor({ modelUrl: bytes, ort });
  await assert.rejects(p.initialize(), (e) => {
    assert.match(e.message, /^The model <\d+ model bytes> could not be loaded by onnxruntime: /);
    assert.match(e.message, /Failing operator: NotAnOp \(opset 13\)\./);
    assert.match(e.message, /metadata \(op_types\): MatMul, Add, NotAnOp\./); // the exporter writes a JSON array
    assert.match(e.message, /Operators in the graph: MatMul, Add, NotAnOp\./);
    assert.match(e.message, /Opsets: ai\.onnx 13\./);
    return true;
  });
  // a later initialize() tries again rather than caching the failure
  await assert.rejects(p.initialize(), /could not be loaded/);
});

test('garbage bytes: the message names the model and is not a bare number', { skip: noOrt }, async () => {
  const p = new InteractionPredictor({ modelUrl: new Uint8Array([1, 2, 3, 4]), ort });
  await assert.rejects(p.initialize(), (e) => /^The model <4 model bytes> could not be loaded by onnxruntime: \S/.test(e.message));
});

test('run failures and bare numeric codes become sentences naming the model', async () => {
  const fake = {
    Tensor: class { constructor(type, data, dims) { Object.assign(this, { type, data, dims }); } },
    InferenceSession: {
      create: async () => ({
        inputNames: ['features'], outputNames: ['click_probability'],
        run: async () => { throw 12345678; }, // what an uncaught C++ exception looks like from the wasm build
      }),
    },
  };
  const p = new InteractionPredictor({ modelUrl: logisticModel({ weights: WEIGHTS, metadata: { op_types: 'MatMul,Add,Sigmoid' } }), ort: fake });
  await assert.rejects(p.predictClickProbability(ROW), (e) => {
    assert.match(e.message, /^The model <\d+ model bytes> failed to run: onnxruntime failed with the bare error code 12345678, without a message\. /);
    assert.match(e.message, /operator, type or opset this build does not support/);
    assert.match(e.message, /op_types\): MatMul,Add,Sigmoid/);
    return true;
  });
  const wrongOutput = {
    ...fake,
    InferenceSession: { create: async () => ({ inputNames: ['features'], outputNames: ['probabilities'] }) },
  };
  await assert.rejects(new InteractionPredictor({ modelUrl: 'm.onnx', ort: { ...wrongOutput } }).initialize(), /Could not load the model m\.onnx/);
  await assert.rejects(new InteractionPredictor({ modelUrl: new Uint8Array(4), ort: wrongOutput }).initialize(),
    { message: 'The model <4 model bytes> has no output "click_probability" (its outputs: probabilities).' });
  await assert.rejects(new InteractionPredictor({ modelUrl: new Uint8Array(4), ort: {} }).initialize(),
    /onnxruntime module given for the model <4 model bytes> has no InferenceSession or Tensor/);
});

test('describeOrtError and failingOperator', () => {
  assert.match(describeOrtError(42), /bare error code 42/);
  assert.match(describeOrtError(new Error('987654')), /bare error code 987654/);
  assert.match(describeOrtError(''), /without a message/);
  assert.equal(describeOrtError(new Error('Failed to create session, ERROR_CODE: 9, ERROR_MESSAGE: x')),
    'Failed to create session, ERROR_CODE: 9 = NOT_IMPLEMENTED (an operator or type is not implemented by this build), ERROR_MESSAGE: x');
  assert.equal(failingOperator("Could not find an implementation for ArgMax(13) node with name 'a'"), 'ArgMax (opset 13)');
  assert.equal(failingOperator("Non-zero status code returned while running Mul node. Name:'mul'"), 'Mul');
  assert.equal(failingOperator('No Op registered for Foo with domain_version of 17'), 'Foo (opset 17)');
  assert.equal(failingOperator('something else'), null);
  assert.equal(summarizeOnnxModel(new Uint8Array([0xff, 0xff])), null);
});

// The model the C# exporter writes, when there is one.
const fixturesDir = fileURLToPath(new URL('./fixtures/', import.meta.url));
const fixtures = [
  ...(process.env.EXANIA_ONNX_FIXTURE ? [process.env.EXANIA_ONNX_FIXTURE] : []),
  ...(existsSync(fixturesDir) ? readdirSync(fixturesDir).filter((f) => f.endsWith('.onnx')).map((f) => fixturesDir + f) : []),
];
for (const path of fixtures) {
  test(`exported model ${path}: loads, has features [N,20] → click_probability, gives probabilities`, { skip: noOrt }, async () => {
    const p = new InteractionPredictor({ modelUrl: path, ort });
    await p.initialize();
    const summary = summarizeOnnxModel(readFileSync(path));
    assert.ok(summary && summary.opTypes.length > 0, 'an ONNX graph');
    const rows = [ROW, ROW.map(() => 0), computeWindowFeatures([0, 10, 20, 30, 50], ['scroll_down', 'scroll_down', 'click', 'hover', 'scroll_up'], [0.2, 0.5, null, null, 0.4], 50, 0, 120)];
    const out = await p.predictBatch(rows);
    assert.equal(out.length, 3);
    for (const v of out) assert.ok(v >= 0 && v <= 1 && Number.isFinite(v), `probability ${v}`);
    assert.equal(await p.predictClickProbability(rows[2]), out[2]);
  });
}
if (fixtures.length === 0)
  test('exported model fixture', { skip: 'no EXANIA_ONNX_FIXTURE and no js/test/fixtures/*.onnx yet (the C# exporter writes it)' }, () => {});

// The layout `exania export web` writes: every module of js/src (interaction_predictor.js and the modules it imports)
// beside ort.wasm.min.mjs, ort-wasm-simd-threaded.mjs and .wasm. Without an injected ort, initialize() imports
// onnxruntime-web from there (the plain wasm build, 1 thread).
const webDist = fileURLToPath(new URL('../node_modules/onnxruntime-web/dist/', import.meta.url));
const noWeb = existsSync(webDist + 'ort.wasm.min.mjs') ? false : 'onnxruntime-web is not installed (npm ci --ignore-scripts)';
test('without an injected ort: onnxruntime-web from the module\'s folder, one thread', { skip: noWeb }, async () => {
  const { mkdtempSync, copyFileSync, writeFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const src = fileURLToPath(new URL('../src/', import.meta.url));
  const copyModules = (to) => {
    for (const f of readdirSync(src).filter((name) => name.endsWith('.js'))) copyFileSync(src + f, to + '/' + f);
  };
  const dir = mkdtempSync(tmpdir() + '/exania-web-');
  const bare = mkdtempSync(tmpdir() + '/exania-web-');
  try {
    copyModules(dir);
    for (const f of ['ort.wasm.min.mjs', 'ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm']) copyFileSync(webDist + f, dir + '/' + f);
    writeFileSync(dir + '/interaction_predictor.onnx', logisticModel({ weights: WEIGHTS, bias: BIAS }));
    const m = await import(new URL('file://' + dir + '/interaction_predictor.js').href);
    const p = new m.InteractionPredictor({ modelUrl: dir + '/interaction_predictor.onnx' });
    const [v] = await p.predictBatch([ROW]);
    assert.ok(Math.abs(v - expectedProbability(ROW)) < 1e-6, `${v}`);
    assert.equal(p.ort.env.wasm.numThreads, 1);
    assert.equal(p.ort.env.wasm.wasmPaths, new URL('file://' + dir + '/').href);
    const bad = new m.InteractionPredictor({ modelUrl: logisticModel({ weights: WEIGHTS, sigmoidOp: 'NotAnOp' }) });
    await assert.rejects(bad.initialize(), (e) => {
      assert.match(e.message, /could not be loaded by onnxruntime: .*No Op registered for NotAnOp/);
      assert.match(e.message, /Failing operator: NotAnOp \(opset 13\)\./);
      assert.doesNotMatch(e.message, /: \d+\.?$/);
      return true;
    });
    // no ort.wasm.min.mjs beside the modules: the error says where it looked and what must be there. A second folder,
    // not the first one with the file removed: Node caches the predictor module (which the entry only re-exports) and
    // the onnxruntime module it imported, so only a predictor loaded from elsewhere looks for the file again.
    copyModules(bare);
    const m2 = await import(new URL('file://' + bare + '/interaction_predictor.js').href);
    await assert.rejects(new m2.InteractionPredictor({ modelUrl: 'x.onnx' }).initialize(),
      /Could not load onnxruntime-web from file:.*ort\.wasm\.min\.mjs for the model x\.onnx: .*must sit beside interaction_predictor\.js/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(bare, { recursive: true, force: true });
  }
});
