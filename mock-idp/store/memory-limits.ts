import { z } from 'zod';

/**
 * How much the provider remembers. The journal keeps each login tag's exchanges and artifacts in its
 * own bucket (least recently used tags are dropped first when there are too many, or too many bytes)
 * and untagged traffic in a ring; the grant store forgets codes and tokens some time after they expired
 * and, beyond a cap, the oldest grants. Defaults are generous: a harness run (one tag per check, each
 * check a handful of logins) never reaches them, while a provider left running all day stays bounded.
 */
export interface MemoryLimits {
  /** Login tags whose journal is kept; beyond, the least recently used tag is dropped whole. */
  maxTags: number;
  /** Journal entries kept per tag (oldest dropped first). */
  maxEntriesPerTag: number;
  /** Approximate bytes (characters) of journal kept per tag: entries and issued artifacts. */
  maxBytesPerTag: number;
  /** Approximate bytes kept for all tags together; beyond, least recently used tags are dropped. */
  maxTaggedBytes: number;
  /** Untagged journal entries kept, newest last (a ring). */
  untaggedEntries: number;
  /** Approximate bytes of untagged journal entries kept. */
  untaggedBytes: number;
  /** Untagged issued artifacts (codes, tokens) kept; client secrets are always kept. */
  untaggedArtifacts: number;
  /** Grants (token families) kept; beyond, the oldest grant is forgotten and its tokens stop working. */
  maxGrants: number;
  /** Authorization codes kept; beyond, the oldest code is forgotten (it can no longer be redeemed). */
  maxCodes: number;
  /** How long an expired code or token is still known (answered as expired, not as unknown), ms. */
  retainExpiredMs: number;
}

/** Defaults: a harness run never reaches them; a long-running provider levels off well below 1 GB. */
export const DEFAULT_MEMORY_LIMITS: MemoryLimits = {
  maxTags: 1000,
  maxEntriesPerTag: 10_000,
  maxBytesPerTag: 32 * 1024 * 1024,
  maxTaggedBytes: 128 * 1024 * 1024,
  untaggedEntries: 2000,
  untaggedBytes: 16 * 1024 * 1024,
  untaggedArtifacts: 2000,
  maxGrants: 10_000,
  maxCodes: 10_000,
  retainExpiredMs: 60 * 60 * 1000,
};

const count = z.number().int().positive();

/** Partial limits as callers pass them (`MockIdpOptions.memory`, `login-harness idp --journal-tags`). */
export const memoryLimitsSchema = z
  .object({
    maxTags: count,
    maxEntriesPerTag: count,
    maxBytesPerTag: count,
    maxTaggedBytes: count,
    untaggedEntries: count,
    untaggedBytes: count,
    untaggedArtifacts: count,
    maxGrants: count,
    maxCodes: count,
    retainExpiredMs: z.number().int().nonnegative(),
  })
  .partial()
  .strict();

/** Limits with defaults filled in. Errors name the path (`memory.maxTags: ...`). */
export function resolveMemoryLimits(input: unknown): MemoryLimits {
  const result = memoryLimitsSchema.safeParse(input ?? {});
  if (!result.success) {
    throw new Error(
      `invalid memory limits: ${result.error.issues.map((i) => `memory.${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return { ...DEFAULT_MEMORY_LIMITS, ...result.data };
}
