/**
 * Seed-derived values of a run: login tags and each check's random stream. Same seed and check id,
 * same values, whatever order the checks run in (so concurrency never changes a verdict).
 */

/** FNV-1a over the text: a small, stable 32-bit hash (not for security). */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: a fast seeded generator in [0, 1). Deterministic for a given seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The login tag of one check in one run: the check id plus a seed-derived suffix (`state.mismatch-1a2b3c4d`). */
export function loginTag(checkId: string, seed: number): string {
  return `${checkId}-${hash32(`${seed}:${checkId}`).toString(16).padStart(8, '0')}`;
}

/** The random stream of one check in one run. */
export function checkRandom(checkId: string, seed: number): () => number {
  return seededRandom(hash32(`random:${seed}:${checkId}`));
}
