// Exania in the browser (and in Node): the 20 sliding-window features, computed exactly as the C# kernel
// (src/Exania.Features/WindowFeatures.cs) and the incremental extractor (IncrementalWindowExtractor.cs) compute them,
// a tracker that turns a page's real interactions into events, and a predictor that scores the features with the
// exported ONNX click model through onnxruntime-web (or an injected onnxruntime module), or a client that sends the
// events to the live scoring endpoint of `exania serve` instead.
//
// This is the entry file: the code lives in the modules beside it (see js/README.md), and this file re-exports their
// public API so that every `import ... from './interaction_predictor.js'` keeps working. The names are listed one by
// one rather than with `export *`, so that the helpers the modules share (describe, isAbsentDepth) stay private.
//
// No dependencies; ES modules with relative imports only, so the folder runs unchanged from any static server and in
// Node 20+.

export {
  WINDOW_FEATURE_NAMES, KNOWN_ACTIONS, DEFAULT_WINDOW_OPTIONS, ActionVocabulary, computeWindowFeatures,
  validateWindowOptions,
} from './window_features.js';
export { IncrementalWindowExtractor } from './incremental_extractor.js';
export { InteractionTracker } from './interaction_tracker.js';
export { LiveScoringClient } from './live_scoring_client.js';
export { summarizeOnnxModel, failingOperator, describeOrtError } from './onnx_errors.js';
export { featureRow, InteractionPredictor } from './click_predictor.js';
