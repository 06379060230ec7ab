import { describe, expect, it } from 'vitest';
import { findSecrets, refererPlaces, scanPlaces, stripQuery, type KnownSecret } from './evidence.js';

const token: KnownSecret = { kind: 'refresh_token', value: 'rt/+ab=cd&ef' };

describe('leak scans', () => {
  it('finds a secret as is, URL-encoded and form-encoded', () => {
    expect(findSecrets(`x ${token.value} y`, [token])).toHaveLength(1);
    expect(findSecrets(`?t=${encodeURIComponent(token.value)}`, [token])).toHaveLength(1);
    expect(findSecrets(`t=${new URLSearchParams({ v: token.value }).toString().slice(2)}`, [token])).toHaveLength(1);
  });

  it('finds nothing where the secret does not occur', () => {
    expect(findSecrets('rt/+ab=c', [token])).toEqual([]);
  });

  it('labels each leak with its place', () => {
    const places = refererPlaces([
      {
        seq: 3,
        at: 0,
        agent: 'http',
        method: 'GET',
        url: 'https://cdn.example/x.js?v=1',
        requestHeaders: { Referer: `http://app/callback?code=${token.value}` },
      },
    ]);
    expect(scanPlaces(places, [token])).toEqual([
      { kind: 'refresh_token', where: 'Referer sent to https://cdn.example/x.js (#3)' },
    ]);
  });

  it('strips query and fragment from URLs quoted in summaries', () => {
    expect(stripQuery('http://app/callback?code=abc#x')).toBe('http://app/callback');
  });
});
