/**
 * The facts about an audited client that cited texts make conditions (RFC 9700 2.1.1 treats public
 * and confidential clients differently; 4.4 requires mix-up defence only of clients of several
 * providers), established from what its manifest declares.
 */
import type { TargetFact } from '../check.js';
import type { ResolvedTarget } from '../types.js';

/** What the facts are read from: the manifest's client, and how many providers it is configured for. */
export interface FactSource {
  client: Pick<ResolvedTarget['client'], 'secret' | 'authMethod'>;
  /** `providers` of the manifest (TARGETS.md §1.1); absent means one. */
  providers?: number;
}

/** The facts that hold for a client. */
export function targetFacts(source: FactSource): Set<TargetFact> {
  const facts = new Set<TargetFact>();
  // A confidential client authenticates to the token endpoint (RFC 6749 2.1): with a secret or a key.
  const confidential = source.client.authMethod !== 'none' || source.client.secret !== undefined;
  facts.add(confidential ? 'confidential-client' : 'public-client');
  facts.add((source.providers ?? 1) >= 2 ? 'several-providers' : 'single-provider');
  return facts;
}
