// The module layout of js/src: the entry file's public API is exactly the 13 names it had as one file plus
// LiveScoringClient, each defined in one module only, and the modules import nothing but each other by relative
// './x.js' specifiers, so the folder that `exania export web` writes (every js/src/*.js side by side) loads from any
// static server and in Node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as entry from '../src/interaction_predictor.js';

const src = fileURLToPath(new URL('../src/', import.meta.url));
const moduleFiles = readdirSync(src).filter((name) => name.endsWith('.js')).sort();
const ENTRY = 'interaction_predictor.js';

const PUBLIC_NAMES = [
  'ActionVocabulary', 'DEFAULT_WINDOW_OPTIONS', 'IncrementalWindowExtractor', 'InteractionPredictor',
  'InteractionTracker', 'KNOWN_ACTIONS', 'LiveScoringClient', 'WINDOW_FEATURE_NAMES', 'computeWindowFeatures',
  'describeOrtError', 'failingOperator', 'featureRow', 'summarizeOnnxModel', 'validateWindowOptions',
];

// Static imports and re-exports at the top level ("import {a} from './x.js';", "export * from './y.js';"); the code
// style puts them at the start of a line, and the check below makes sure no other import or re-export line slips by.
const STATIC_FROM = /^(?:import|export)\s*(?:\{[^}]*\}|\*(?:\s+as\s+\w+)?|\w+(?:\s*,\s*\{[^}]*\})?)\s*from\s*'([^']+)';/gm;
const SIDE_EFFECT_IMPORT = /^import\s*'([^']+)';/gm;
const IMPORT_OR_REEXPORT_LINE = /^(?:import\b|export\s*[{*])/gm;
const DYNAMIC_IMPORT = /\bimport\s*\(\s*([^)]*?)\s*\)/g;

function staticSpecifiers(text) {
  return [...text.matchAll(STATIC_FROM), ...text.matchAll(SIDE_EFFECT_IMPORT)].map((m) => m[1]);
}

test('the entry file exports exactly the public names: the 13 it had as one file, and LiveScoringClient', () => {
  assert.deepEqual(Object.keys(entry).sort(), PUBLIC_NAMES);
});

test('every public name is defined in exactly one module, and the entry re-exports that binding', async () => {
  const owners = new Map(PUBLIC_NAMES.map((name) => [name, []]));
  for (const file of moduleFiles.filter((f) => f !== ENTRY)) {
    const mod = await import(new URL(file, new URL('../src/', import.meta.url)).href);
    for (const name of Object.keys(mod)) {
      if (!owners.has(name)) continue;
      owners.get(name).push(file);
      assert.equal(mod[name], entry[name], `${name}: the entry re-exports the binding of ${file}`);
    }
  }
  for (const [name, files] of owners)
    assert.equal(files.length, 1, `${name} is defined in ${files.join(', ') || 'no module'}`);
});

test('modules import only sibling modules by relative ./x.js specifiers, and the entry reaches every one', () => {
  const imports = new Map();
  for (const file of moduleFiles) {
    const text = readFileSync(src + file, 'utf8');
    const specifiers = staticSpecifiers(text);
    assert.equal(specifiers.length, (text.match(IMPORT_OR_REEXPORT_LINE) ?? []).length,
      `${file}: every import or re-export line is one the check can read`);
    for (const s of specifiers) {
      assert.match(s, /^\.\/[a-z_]+\.js$/, `${file} imports '${s}': only sibling modules, as './name.js'`);
      assert.ok(existsSync(src + s.slice(2)), `${file} imports '${s}', which is not in js/src`);
    }
    imports.set(file, specifiers.map((s) => s.slice(2)));
  }
  const reached = new Set();
  const visit = (file) => {
    if (reached.has(file)) return;
    reached.add(file);
    for (const next of imports.get(file)) visit(next);
  };
  visit(ENTRY);
  assert.deepEqual([...reached].sort(), moduleFiles, 'export web ships every js/src/*.js, so the entry must use each');
});

test('dynamic imports: only the predictor\'s loaders, onnxruntime-web beside the module and node:fs in Node', () => {
  const found = {};
  for (const file of moduleFiles) {
    const text = readFileSync(src + file, 'utf8');
    const args = [...text.matchAll(DYNAMIC_IMPORT)].map((m) => m[1]);
    if (args.length) found[file] = args;
  }
  // onnxruntime-web is not a bare specifier: it is imported from this module's own folder (moduleUrl below), where
  // export web puts it; node:fs/promises is imported only when running in Node, to read a model path.
  assert.deepEqual(found, { 'click_predictor.js': ["'node:fs/promises'", 'moduleUrl.href'] });
  assert.match(readFileSync(src + 'click_predictor.js', 'utf8'),
    /const moduleUrl = new URL\('\.\/ort\.wasm\.min\.mjs', import\.meta\.url\);/);
});
