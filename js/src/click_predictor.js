// InteractionPredictor: the exported click model, scored through onnxruntime. It validates every feature row before
// onnxruntime sees it (featureRow), loads onnxruntime-web from this module's own folder unless one is injected, and
// turns onnxruntime's failures into messages that name the model, the failing operator and the graph's operators.

import { describeOrtError, failingOperator, summarizeOnnxModel } from './onnx_errors.js';
import { WINDOW_FEATURE_NAMES, describe } from './window_features.js';

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
