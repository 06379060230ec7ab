import { afterEach, describe, expect, it } from 'vitest';
import { compileRedaction } from '../../core/redaction.js';
import { BASIC_CLIENT, login, startTestIdp } from '../testing/login-flow.js';
import type { RunningMockIdp } from '../types.js';

let running: RunningMockIdp | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

describe('idp.redact', () => {
  it('redacts what was issued after its first use, exactly as a redaction compiled from the journal does', async () => {
    // Two tags at most: the third login drops the first one's artifacts from the journal.
    running = await startTestIdp({ memory: { maxTags: 2 } });
    const { idp } = running;
    const first = await login(idp, BASIC_CLIENT, { tag: 'one' });
    expect(idp.redact(`x ${first.json.access_token as string}`)).toMatch(/^x \[redacted:access_token:eyJh…\]$/);
    const later = [await login(idp, BASIC_CLIENT, { tag: 'two' }), await login(idp, BASIC_CLIENT, { tag: 'three' })];
    expect(idp.journal.secrets().map((a) => a.value)).not.toContain(first.json.access_token);
    const text = [first, ...later]
      .flatMap((t) => [t.json.access_token, encodeURIComponent(String(t.json.refresh_token)), t.json.id_token])
      .join(' | ');
    expect(idp.redact(text)).toBe(compileRedaction(idp.journal.secrets())(text));
    for (const t of later) expect(idp.redact(text)).not.toContain(String(t.json.access_token));
  });
});
