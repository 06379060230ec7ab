/** The reports package: result model, builders, writers, gate, baseline, shards, merge and diff. */
export * from './model.js';
export * from './severity.js';
export * from './errors.js';
export * from './build.js';
export * from './output.js';
export * from './console.js';
export * from './gate.js';
export * from './baseline.js';
export * from './shard.js';
export * from './merge.js';
export * from './diff.js';
export * from './load.js';
export * from './cli.js';
export { renderJson } from './writers/json.js';
export { renderJunit } from './writers/junit.js';
export { renderSarif, toSarifLog, SARIF_LEVEL, SECURITY_SEVERITY, type SarifOptions } from './writers/sarif.js';
export { renderHtml, HTML_CSP } from './writers/html.js';
export { renderMarkdown, MARKDOWN_MARKER, type MarkdownOptions } from './writers/md.js';
