import { describe, expect, it } from 'vitest';
import { ProviderJournal } from '../journal/journal.js';
import {
  GrantStore,
  type CodeRecord,
  type GrantStoreLimits,
  type TokenFamily,
  type TokenRecord,
} from './grant-store.js';

const HOUR = 3600_000;

function setup(opts: { limits?: Partial<GrantStoreLimits> } = {}) {
  const clock = { now: 1_000_000 };
  const journal = new ProviderJournal();
  const store = new GrantStore(journal, { clock: () => clock.now, ...opts });
  return { clock, journal, store };
}

function family(store: GrantStore, id: string, tag?: string): TokenFamily {
  const f: TokenFamily = {
    id,
    clientId: 'c',
    sub: 's',
    scopes: ['openid'],
    authTime: 0,
    tag,
    accessTokens: new Set(),
    refreshTokens: new Set(),
    revoked: false,
  };
  store.families.set(id, f);
  return f;
}

function token(
  value: string,
  familyId: string,
  expiresAt: number,
  kind: TokenRecord['kind'] = 'access_token',
): TokenRecord {
  return { value, kind, clientId: 'c', sub: 's', scopes: ['openid'], issuedAt: 0, expiresAt, familyId, revoked: false };
}

function code(value: string, expiresAt: number, familyId?: string): CodeRecord {
  return {
    value,
    clientId: 'c',
    redirectUri: 'http://127.0.0.1/cb',
    scopes: ['openid'],
    sub: 's',
    authTime: 0,
    expiresAt,
    state: familyId ? 'redeemed' : 'active',
    ...(familyId ? { familyId } : {}),
  };
}

describe('grant store limits', () => {
  it('forgets tokens and codes only once they have been expired for the retention time', () => {
    const { clock, store } = setup({ limits: { retainExpiredMs: HOUR } });
    family(store, 'f1');
    store.addToken(token('at-1', 'f1', clock.now + 1000));
    store.codes.set('code-1', code('code-1', clock.now + 1000));
    clock.now += 1000 + HOUR - 1;
    store.sweep();
    // Expired but within the retention time: still known, so it is answered as expired.
    expect(store.tokens.has('at-1')).toBe(true);
    expect(store.codes.has('code-1')).toBe(true);
    expect(store.activeToken('at-1', clock.now)).toBeUndefined();
    clock.now += 1;
    store.sweep();
    expect(store.tokens.has('at-1')).toBe(false);
    expect(store.codes.has('code-1')).toBe(false);
    // A grant with no token left goes with its last token.
    expect(store.families.has('f1')).toBe(false);
  });

  it('keeps a redeemed code while its grant lives, so a late replay still revokes the grant', () => {
    const { clock, store } = setup({ limits: { retainExpiredMs: 0 } });
    family(store, 'f1');
    store.addToken(token('rt-1', 'f1', clock.now + 30 * 24 * HOUR, 'refresh_token'));
    store.codes.set('code-1', code('code-1', clock.now + 60_000, 'f1'));
    clock.now += 2 * 60_000;
    store.sweep();
    expect(store.codes.get('code-1')?.familyId).toBe('f1');
    expect(store.activeToken('rt-1', clock.now, 'refresh_token')).toBeDefined();
  });

  it('keeps a rotated refresh token while its grant lives, so its reuse is still detected', () => {
    const { clock, store } = setup({ limits: { retainExpiredMs: 0 } });
    family(store, 'f1');
    const old = token('rt-old', 'f1', clock.now + 30 * 24 * HOUR, 'refresh_token');
    old.rotated = true;
    store.addToken(old);
    store.addToken(token('rt-new', 'f1', clock.now + 30 * 24 * HOUR, 'refresh_token'));
    store.addToken(token('at-1', 'f1', clock.now + 1000));
    clock.now += 2000;
    store.sweep();
    expect(store.tokens.get('rt-old')?.rotated).toBe(true);
    expect(store.tokens.has('at-1')).toBe(false);
  });

  it('sweeps by itself after enough provider time has passed, without being called', () => {
    const { clock, store } = setup({ limits: { retainExpiredMs: 0 } });
    family(store, 'f1');
    store.addToken(token('at-1', 'f1', clock.now + 1000));
    clock.now += 31_000;
    family(store, 'f2');
    expect(store.tokens.has('at-1')).toBe(false);
    expect(store.stats().swept).toBeGreaterThan(0);
  });

  it('forgets the oldest grant beyond the cap, and its tokens stop working', () => {
    const { clock, store } = setup({ limits: { maxGrants: 2 } });
    for (const id of ['f1', 'f2', 'f3']) {
      family(store, id);
      store.addToken(token(`at-${id}`, id, clock.now + HOUR));
    }
    expect([...store.families.keys()]).toEqual(['f2', 'f3']);
    expect(store.activeToken('at-f1', clock.now)).toBeUndefined();
    expect(store.activeToken('at-f3', clock.now)).toBeDefined();
    expect(store.stats()).toMatchObject({ families: 2, tokens: 2, evicted: 1 });
  });

  it('forgets the oldest code beyond the cap', () => {
    const { clock, store } = setup({ limits: { maxCodes: 3 } });
    for (let i = 0; i < 5; i++) store.codes.set(`code-${i}`, code(`code-${i}`, clock.now + 60_000));
    expect([...store.codes.keys()]).toEqual(['code-2', 'code-3', 'code-4']);
  });

  it('keeps a redeemed code whose grant lives when codes are over the cap, and drops it with its grant', () => {
    const { clock, store } = setup({ limits: { maxCodes: 4, maxGrants: 2 } });
    family(store, 'f1');
    store.addToken(token('rt-1', 'f1', clock.now + HOUR, 'refresh_token'));
    store.codes.set('redeemed', code('redeemed', clock.now + 60_000, 'f1'));
    for (let i = 0; i < 10; i++) store.codes.set(`code-${i}`, code(`code-${i}`, clock.now + 60_000));
    expect(store.codes.has('redeemed')).toBe(true);
    expect(store.codes.size).toBeLessThanOrEqual(4);
    family(store, 'f2');
    family(store, 'f3');
    expect(store.families.has('f1')).toBe(false);
    store.sweep();
    expect(store.codes.has('redeemed')).toBe(false);
  });

  it('keeps the codes of logins in flight when the redeemed codes of living grants fill the code cap', () => {
    // The soak's token 400: with as many living grants as codes allowed, the compaction forgot the
    // newest codes (the only ones it was allowed to drop), and their redemption failed.
    const { clock, store } = setup({ limits: { maxCodes: 4, maxGrants: 4 } });
    for (let i = 0; i < 4; i++) {
      family(store, `f${i}`);
      store.addToken(token(`rt-${i}`, `f${i}`, clock.now + HOUR, 'refresh_token'));
      store.codes.set(`redeemed-${i}`, code(`redeemed-${i}`, clock.now + 60_000, `f${i}`));
    }
    store.codes.set('in-flight-1', code('in-flight-1', clock.now + 60_000));
    store.codes.set('in-flight-2', code('in-flight-2', clock.now + 60_000));
    expect(store.codes.get('in-flight-1')?.state).toBe('active');
    expect(store.codes.get('in-flight-2')?.state).toBe('active');
    for (let i = 0; i < 4; i++) expect(store.codes.has(`redeemed-${i}`)).toBe(true);
  });

  it('drops expired and burned codes before codes that can still be redeemed when over the code cap', () => {
    const { clock, store } = setup({ limits: { maxCodes: 4 } });
    store.codes.set('fresh-0', code('fresh-0', clock.now + 60_000));
    store.codes.set('expired', code('expired', clock.now - 1));
    const burned = code('burned', clock.now + 60_000);
    burned.state = 'burned';
    store.codes.set('burned', burned);
    for (let i = 1; i < 3; i++) store.codes.set(`fresh-${i}`, code(`fresh-${i}`, clock.now + 60_000));
    expect([...store.codes.keys()]).toEqual(['fresh-0', 'fresh-1', 'fresh-2']);
  });

  it('revokes a token issued into a grant that was revoked while it was being issued', () => {
    const { clock, journal, store } = setup();
    const f = family(store, 'f1', 't');
    store.revokeFamily('f1');
    journal.recordIssued({ kind: 'access_token', value: 'late-access-token', tag: 't', clientId: 'c', at: 0 });
    store.addToken(token('late-access-token', f.id, clock.now + HOUR));
    expect(store.activeToken('late-access-token', clock.now)).toBeUndefined();
    expect(journal.artifact('access_token', 'late-access-token')?.revoked).toBe(true);
  });

  it('marks the ID tokens of a revoked grant in the journal', () => {
    const { journal, store } = setup();
    family(store, 'f1', 't');
    journal.recordIssued({ kind: 'id_token', value: 'id-token-value-1', tag: 't', clientId: 'c', at: 0 });
    store.addIdToken('id-token-value-1', 'f1');
    store.revokeFamily('f1');
    expect(journal.artifact('id_token', 'id-token-value-1')?.revoked).toBe(true);
  });
});
