// Latency of one click prediction in Node: InteractionPredictor (feature checks, tensor, session.run, output read)
// against a bare onnxruntime-node session.run on the same model, row and thread count, in the same run. The ratio is
// what the predictor's own work costs on top of ONNX Runtime.
//
//   node bench/predict_latency.mjs --model ../run/web/interaction_predictor.onnx [--n 5000] [--json]
import * as ort from 'onnxruntime-node';
import { readFileSync } from 'node:fs';
import { InteractionPredictor, WINDOW_FEATURE_NAMES } from '../src/interaction_predictor.js';

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const modelPath = option('model', null);
if (!modelPath) {
  console.error('usage: node bench/predict_latency.mjs --model interaction_predictor.onnx [--n 5000] [--json]');
  process.exit(2);
}
const n = Number(option('n', '5000'));
if (!Number.isInteger(n) || n < 100) {
  console.error(`--n must be an integer of at least 100, got ${option('n')}`);
  process.exit(2);
}

// A plausible window: 60 s into a session, a mix of counts and rates.
const features = WINDOW_FEATURE_NAMES.map((_, i) => (i === 2 ? 60 : (i % 3) + 0.5));
const sessionOptions = { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' };

function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

// The two are timed in alternating rounds, so that JIT warm-up, caches and machine noise fall on both alike.
async function timeInterleaved(a, b, rounds = 10) {
  for (let i = 0; i < 200; i++) { await a(); await b(); } // warm-up
  const per = Math.ceil(n / rounds);
  const samples = [new Float64Array(per * rounds), new Float64Array(per * rounds)];
  for (let r = 0; r < rounds; r++) {
    for (const [k, call] of [[0, a], [1, b]]) {
      for (let i = 0; i < per; i++) {
        const start = process.hrtime.bigint();
        await call();
        samples[k][r * per + i] = Number(process.hrtime.bigint() - start) / 1e6;
      }
    }
  }
  return samples.map((s) => {
    s.sort();
    return { median_ms: quantile(s, 0.5), p99_ms: quantile(s, 0.99) };
  });
}

const raw = await ort.InferenceSession.create(readFileSync(modelPath), sessionOptions);
const input = new ort.Tensor('float32', Float32Array.from(features), [1, features.length]);
const predictor = new InteractionPredictor({ modelUrl: modelPath, ort, sessionOptions });
await predictor.initialize();
const [ours, bare] = await timeInterleaved(() => predictor.predictClickProbability(features), () => raw.run({ features: input }));

const result = {
  command: 'js bench predict_latency',
  model: modelPath,
  calls: Math.ceil(n / 10) * 10,
  node: process.version,
  onnxruntime_node: ort.env.versions?.common ?? 'unknown',
  interaction_predictor: ours,
  bare_session_run: bare,
  median_ratio_vs_bare: Number((ours.median_ms / bare.median_ms).toFixed(3)),
};
if (process.argv.includes('--json')) {
  console.log(JSON.stringify(result));
} else {
  console.log(`one prediction over ${n} calls (1 thread): InteractionPredictor median ${ours.median_ms.toFixed(4)} ms, ` +
    `p99 ${ours.p99_ms.toFixed(4)} ms; bare session.run median ${bare.median_ms.toFixed(4)} ms, ` +
    `p99 ${bare.p99_ms.toFixed(4)} ms; ratio ${result.median_ratio_vs_bare}`);
}
