// Runs an ONNX model with onnxruntime-node and writes every output as JSON.
//
//   node js/tools/onnx_run.mjs model.onnx input.json output.json
//
// input.json:  {"inputs": {"features": {"dims": [N, 20], "data": [...], "type": "float32"}}}   (type optional, default float32)
// output.json: {"outputs": {"name": {"type", "dims", "data"}}, "metadata": {key: value}, "op_types": [...],
//               "opsets": {domain: version}, "ir_version", "producer_name", "producer_version", "inputs", "seconds"}
//
// Metadata, op types and opsets are read from the file with a small protobuf reader below (onnxruntime does not
// expose them), using the field numbers of the public onnx.proto; this is an independent check of the C# writer.
// Exits non-zero with a message on stderr on any failure.

import { readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const usage = 'usage: node onnx_run.mjs model.onnx input.json output.json';

function fail(message) {
  process.stderr.write(`onnx_run: ${message}\n`);
  process.exit(1);
}

// ---- minimal protobuf wire reader -------------------------------------------------------------------------------

function* fields(bytes, start = 0, end = bytes.length) {
  let pos = start;
  const varint = () => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= end) throw new Error('truncated varint');
      const b = bytes[pos++];
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
    }
  };
  while (pos < end) {
    const key = Number(varint());
    const field = key >>> 3;
    const wire = key & 7;
    if (wire === 0) {
      yield { field, wire, value: varint() };
    } else if (wire === 2) {
      const length = Number(varint());
      if (pos + length > end) throw new Error(`field ${field} runs past its message`);
      yield { field, wire, start: pos, end: pos + length };
      pos += length;
    } else if (wire === 1) {
      pos += 8;
    } else if (wire === 5) {
      pos += 4;
    } else {
      throw new Error(`unsupported wire type ${wire} (field ${field})`);
    }
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const text = (bytes, f) => utf8.decode(bytes.subarray(f.start, f.end));

// ModelProto: ir_version 1, producer_name 2, producer_version 3, graph 7, opset_import 8, metadata_props 14.
// GraphProto: node 1. NodeProto: op_type 4, domain 7. OperatorSetIdProto: domain 1, version 2.
// StringStringEntryProto: key 1, value 2.
function describeModel(bytes) {
  const info = { ir_version: null, producer_name: '', producer_version: '', opsets: {}, metadata: {}, op_types: [] };
  for (const f of fields(bytes)) {
    if (f.field === 1 && f.wire === 0) info.ir_version = Number(f.value);
    else if (f.field === 2 && f.wire === 2) info.producer_name = text(bytes, f);
    else if (f.field === 3 && f.wire === 2) info.producer_version = text(bytes, f);
    else if (f.field === 8 && f.wire === 2) {
      let domain = '';
      let version = null;
      for (const g of fields(bytes, f.start, f.end)) {
        if (g.field === 1 && g.wire === 2) domain = text(bytes, g);
        else if (g.field === 2 && g.wire === 0) version = Number(g.value);
      }
      info.opsets[domain] = version;
    } else if (f.field === 14 && f.wire === 2) {
      let key = '';
      let value = '';
      for (const g of fields(bytes, f.start, f.end)) {
        if (g.field === 1 && g.wire === 2) key = text(bytes, g);
        else if (g.field === 2 && g.wire === 2) value = text(bytes, g);
      }
      info.metadata[key] = value;
    } else if (f.field === 7 && f.wire === 2) {
      for (const n of fields(bytes, f.start, f.end)) {
        if (n.field !== 1 || n.wire !== 2) continue;
        let op = '';
        let domain = '';
        for (const g of fields(bytes, n.start, n.end)) {
          if (g.field === 4 && g.wire === 2) op = text(bytes, g);
          else if (g.field === 7 && g.wire === 2) domain = text(bytes, g);
        }
        const name = domain ? `${domain}.${op}` : op;
        if (!info.op_types.includes(name)) info.op_types.push(name);
      }
    }
  }
  return info;
}

// ---- main -------------------------------------------------------------------------------------------------------

const typed = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  int64: BigInt64Array,
  uint8: Uint8Array,
  int8: Int8Array,
  bool: Uint8Array,
};

function toTensor(ort, name, spec) {
  if (!spec || !Array.isArray(spec.dims) || !Array.isArray(spec.data))
    throw new Error(`input '${name}' needs "dims" (array) and "data" (array)`);
  const type = spec.type ?? 'float32';
  const Kind = typed[type];
  if (!Kind) throw new Error(`input '${name}' has unsupported type '${type}'`);
  const count = spec.dims.reduce((a, b) => a * b, 1);
  if (count !== spec.data.length)
    throw new Error(`input '${name}' has dims [${spec.dims}] (${count} values) but ${spec.data.length} values`);
  const data = type === 'int64' ? BigInt64Array.from(spec.data, (v) => BigInt(v)) : Kind.from(spec.data);
  return new ort.Tensor(type, data, spec.dims);
}

function fromTensor(tensor) {
  const data = Array.from(tensor.data, (v) => (typeof v === 'bigint' ? Number(v) : v));
  return { type: tensor.type, dims: Array.from(tensor.dims), data };
}

async function main() {
  const [modelPath, inputPath, outputPath] = process.argv.slice(2);
  if (!modelPath || !inputPath || !outputPath) fail(usage);

  let ort;
  try {
    ort = await import('onnxruntime-node');
  } catch (e) {
    fail(`cannot load onnxruntime-node (run \`npm ci --ignore-scripts\` in js/): ${e.message}`);
  }

  let bytes;
  try {
    bytes = readFileSync(modelPath);
  } catch (e) {
    fail(`cannot read model '${modelPath}': ${e.message}`);
  }
  let info;
  try {
    info = describeModel(bytes);
  } catch (e) {
    fail(`'${modelPath}' is not a readable ONNX protobuf: ${e.message}`);
  }

  let request;
  try {
    request = JSON.parse(readFileSync(inputPath, 'utf8'));
  } catch (e) {
    fail(`cannot read input JSON '${inputPath}': ${e.message}`);
  }
  if (!request || typeof request.inputs !== 'object' || request.inputs === null)
    fail(`'${inputPath}' must hold {"inputs": {name: {"dims": [...], "data": [...]}}}`);

  let session;
  try {
    session = await ort.InferenceSession.create(bytes);
  } catch (e) {
    fail(`onnxruntime rejected '${modelPath}': ${e.message}`);
  }

  const feeds = {};
  try {
    for (const name of session.inputNames) {
      if (!(name in request.inputs)) throw new Error(`the model needs input '${name}', which ${inputPath} does not give`);
      feeds[name] = toTensor(ort, name, request.inputs[name]);
    }
  } catch (e) {
    fail(e.message);
  }

  let results;
  const started = performance.now();
  try {
    results = await session.run(feeds);
  } catch (e) {
    fail(`running '${modelPath}' failed: ${e.message}`);
  }
  const seconds = (performance.now() - started) / 1000;

  const outputs = {};
  for (const name of session.outputNames) outputs[name] = fromTensor(results[name]);
  const report = { outputs, ...info, inputs: session.inputNames, seconds };
  try {
    writeFileSync(outputPath, JSON.stringify(report));
  } catch (e) {
    fail(`cannot write '${outputPath}': ${e.message}`);
  }
}

await main();
