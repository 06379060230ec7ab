/**
 * The import table of docs/ARCHITECTURE.md as an ESLint rule: a module may import only from its own
 * layer and the layers listed for it. Layers are folders; an import is resolved against the importing
 * file, so relative paths are judged by where they lead, whatever their spelling.
 *
 * Test files (`*.test.ts`) and test support (`testing/` folders) compose the layers the way the CLI
 * does and are not held to the table. Folders outside the table (examples, scripts, bench, e2e) are
 * applications of the package and may import any layer.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/** The layers, each with the folders (relative to the repository root) it owns; first match wins. */
export const LAYERS = [
  { name: 'core', folders: ['core/'] },
  { name: 'reports', folders: ['reports/'] },
  { name: 'mock-idp', folders: ['mock-idp/'] },
  { name: 'cli', folders: ['harness/cli/'] },
  { name: 'engine', folders: ['harness/'] },
  { name: 'catalog', folders: ['scenarios/'] },
  { name: 'api', folders: ['api/'] },
];

/** Which layers each layer may import (besides itself). Nothing else may be imported. */
export const MAY_IMPORT = {
  core: [],
  reports: ['core'],
  'mock-idp': ['core'],
  engine: ['core', 'reports', 'mock-idp'],
  catalog: ['core', 'reports', 'mock-idp', 'engine'],
  cli: ['core', 'reports', 'mock-idp', 'engine', 'catalog'],
  api: ['core', 'reports', 'mock-idp', 'engine', 'catalog', 'cli'],
};

/** The layer of a path relative to the repository root, or undefined outside the table. */
export function layerOf(relative) {
  const p = relative.split(path.sep).join('/');
  return LAYERS.find((l) => l.folders.some((f) => p.startsWith(f)))?.name;
}

function exempt(relative) {
  const p = relative.split(path.sep).join('/');
  return /\.test\.[cm]?[jt]sx?$/.test(p) || p.split('/').includes('testing');
}

/** @type {import('eslint').Rule.RuleModule} */
const importTable = {
  meta: {
    type: 'problem',
    docs: { description: 'enforce the import table of docs/ARCHITECTURE.md' },
    schema: [],
    messages: {
      upward:
        "{{from}} may not import {{to}} ('{{source}}'): {{from}} imports only {{allowed}} (docs/ARCHITECTURE.md, import table)",
    },
  },
  create(context) {
    const file = path.relative(ROOT, context.filename);
    const from = layerOf(file);
    if (!from || exempt(file)) return {};
    const check = (node, source) => {
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const target = path.relative(ROOT, path.resolve(path.dirname(context.filename), source));
      const to = layerOf(target);
      if (!to || to === from || MAY_IMPORT[from].includes(to)) return;
      context.report({
        node,
        messageId: 'upward',
        data: { from, to, source, allowed: MAY_IMPORT[from].join(', ') || 'nothing of the project' },
      });
    };
    const fromSource = (node) => check(node.source ?? node, node.source?.value);
    return {
      ImportDeclaration: fromSource,
      ExportNamedDeclaration: (node) => node.source && fromSource(node),
      ExportAllDeclaration: fromSource,
      ImportExpression: (node) => node.source.type === 'Literal' && check(node.source, node.source.value),
      TSImportType: (node) => {
        const arg = node.argument?.literal ?? node.argument;
        if (arg?.type === 'Literal') check(arg, arg.value);
      },
    };
  },
};

/** The plugin registering the rule as `layers/import-table`. */
export default { rules: { 'import-table': importTable } };
