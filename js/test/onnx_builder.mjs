// A minimal ONNX (protobuf) writer for the tests: a logistic model features [N, k] → click_probability [N, 1]
// (MatMul, Add, Sigmoid), and variants with an operator onnxruntime does not know. Not a general ONNX library.

function varint(n) {
  const out = [];
  let v = BigInt(n);
  if (v < 0n) v += 1n << 64n;
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return out;
}
const enc = new TextEncoder();
const key = (field, wire) => varint(field * 8 + wire);
const vField = (field, n) => [...key(field, 0), ...varint(n)];
const bField = (field, bytes) => [...key(field, 2), ...varint(bytes.length), ...bytes];
const sField = (field, s) => bField(field, [...enc.encode(s)]);

function tensorType(dims) {
  const shape = dims.flatMap((d) => bField(1, typeof d === 'string' ? sField(2, d) : vField(1, d)));
  return bField(1, [...vField(1, 1), ...bField(2, shape)]); // TypeProto.tensor_type {elem_type FLOAT, shape}
}
const valueInfo = (name, dims) => [...sField(1, name), ...bField(2, tensorType(dims))];

function floatTensor(name, dims, values) {
  const raw = new Uint8Array(new Float32Array(values).buffer);
  return [...dims.flatMap((d) => vField(1, d)), ...vField(2, 1), ...sField(8, name), ...bField(9, [...raw])];
}
const node = (op, inputs, outputs, name, domain) => [
  ...inputs.flatMap((i) => sField(1, i)), ...outputs.flatMap((o) => sField(2, o)), ...sField(3, name), ...sField(4, op),
  ...(domain ? sField(7, domain) : []),
];

/**
 * p = sigmoid(features · weights + bias). opTypeOverride replaces Sigmoid's op type (e.g. an operator that does not
 * exist) to provoke a load error; metadata becomes ModelProto.metadata_props.
 */
export function logisticModel({ weights, bias = 0, sigmoidOp = 'Sigmoid', metadata = {}, inputName = 'features', outputName = 'click_probability' }) {
  const k = weights.length;
  const graph = [
    ...bField(1, node('MatMul', [inputName, 'W'], ['z'], 'matmul')),
    ...bField(1, node('Add', ['z', 'b'], ['logit'], 'add')),
    ...bField(1, node(sigmoidOp, ['logit'], [outputName], 'sigmoid')),
    ...sField(2, 'click_model'),
    ...bField(5, floatTensor('W', [k, 1], weights)),
    ...bField(5, floatTensor('b', [1], [bias])),
    ...bField(11, valueInfo(inputName, ['N', k])),
    ...bField(12, valueInfo(outputName, ['N', 1])),
  ];
  const model = [
    ...vField(1, 8), // ir_version
    ...sField(2, 'exania-js-test'),
    ...bField(7, graph),
    ...bField(8, [...sField(1, ''), ...vField(2, 13)]), // opset_import ai.onnx 13
    ...Object.entries(metadata).flatMap(([k2, v]) => bField(14, [...sField(1, k2), ...sField(2, v)])),
  ];
  return new Uint8Array(model);
}
