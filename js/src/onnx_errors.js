// What an onnxruntime failure means, in words: a minimal protobuf reader that lists the operators, opsets and
// metadata of ONNX model bytes (summarizeOnnxModel), the operator a message names as failing (failingOperator), and
// onnxruntime's status codes and bare numeric errors spelled out (describeOrtError). Kept apart from the predictor so
// that the decoding can be tested on bytes and messages alone, without onnxruntime.
//
// No imports.

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
// onnxruntime's messages: status codes spelled out, the failing operator picked out.

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
