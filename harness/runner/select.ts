/**
 * Which checks a run executes: `--only`/`--skip` by id or prefix. A name that matches
 * no check is a configuration error, so a typo in CI never silently audits nothing.
 */
import type { Requirement } from '../check.js';
import { controlsOf } from '../verdicts/judge.js';
import { ConfigurationError } from './errors.js';

/**
 * Whether `selector` names `id`: the exact id, a prefix ending in `.` (`state.`), or a family name
 * without the dot (`pkce` names `pkce.s256`, not `pkcefoo`).
 */
export function selectorMatches(id: string, selector: string): boolean {
  if (id === selector) return true;
  if (selector.endsWith('.')) return id.startsWith(selector);
  return id.startsWith(`${selector}.`);
}

/** Selection of checks by id or prefix. */
export interface Selection {
  /** Ids or prefixes (`state.`, `pkce`) to keep; empty or absent keeps all. */
  only?: string[];
  /** Ids or prefixes to drop (applied after `only`). */
  skip?: string[];
}

/** Applies a selection, keeping the catalog order. Throws {@link ConfigurationError} for unknown names. */
export function selectChecks<T extends { id: string }>(checks: readonly T[], selection: Selection): T[] {
  const known = (flag: string, patterns: string[] | undefined): string[] => {
    const list = patterns ?? [];
    for (const p of list) {
      if (!checks.some((c) => selectorMatches(c.id, p))) {
        const near = suggest(checks, p);
        throw new ConfigurationError(
          `${flag}: no check has the id or prefix ${JSON.stringify(p)}${near ? ` (did you mean ${JSON.stringify(near)}?)` : ''}`,
        );
      }
    }
    return list;
  };
  const only = known('--only', selection.only);
  const skip = known('--skip', selection.skip);
  return checks.filter(
    (c) =>
      (only.length === 0 || only.some((p) => selectorMatches(c.id, p))) && !skip.some((p) => selectorMatches(c.id, p)),
  );
}

/**
 * Adds to `selected` the checks their verdicts depend on (the compensating controls their
 * requirements name, transitively), in catalog order. A control the run skips by name stays out:
 * a verdict that depends on it then says that it did not run.
 */
export function withControls<T extends { id: string; requirement?: Requirement }>(
  selected: readonly T[],
  catalog: readonly T[],
  skip: readonly string[] = [],
): T[] {
  const ids = new Set(selected.map((c) => c.id));
  const queue = [...selected];
  for (let check = queue.shift(); check; check = queue.shift()) {
    for (const id of controlsOf(check.requirement)) {
      const control = catalog.find((c) => c.id === id);
      if (!control || ids.has(id) || skip.some((p) => selectorMatches(id, p))) continue;
      ids.add(id);
      queue.push(control);
    }
  }
  return catalog.filter((c) => ids.has(c.id));
}

/** The id most like `name`, for "did you mean" hints (shared prefix, then edit distance). */
export function suggest(checks: readonly { id: string }[], name: string): string | undefined {
  let best: { id: string; d: number } | undefined;
  for (const { id } of checks) {
    const d = distance(id, name);
    if (!best || d < best.d) best = { id, d };
  }
  return best && best.d <= Math.max(2, Math.floor(name.length / 3)) ? best.id : undefined;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}
