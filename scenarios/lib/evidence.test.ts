import { describe, expect, it } from 'vitest';
import { findSecrets, refererPlaces, scanPlaces, servedPlaces, stripQuery, type KnownSecret } from './evidence.js';

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

  it('leaves Location and script-readable cookies to leak.url and leak.storage, and keeps the rest of what was served', () => {
    const v = token.value;
    const places = servedPlaces(
      [
        {
          seq: 4,
          at: 0,
          agent: 'http',
          method: 'GET',
          url: 'http://app/callback?code=c',
          requestHeaders: {},
          status: 303,
          responseHeaders: {
            Location: `/me?t=${encodeURIComponent(v)}`,
            'set-cookie': `sid=1; HttpOnly\nrt=${v}; Path=/\nhrt=${v}; Path=/; HttpOnly`,
            'x-debug': v,
          },
          responseBody: `<p>${v}</p>`,
        },
        // Another origin's response is not what the target served.
        {
          seq: 5,
          at: 0,
          agent: 'http',
          method: 'GET',
          url: 'http://idp/authorize',
          requestHeaders: {},
          responseBody: v,
        },
      ],
      'http://app',
    );
    expect(scanPlaces(places, [token]).map((l) => l.where)).toEqual([
      'body served at http://app/callback (#4)',
      'HttpOnly cookie hrt in the set-cookie header served at http://app/callback (#4)',
      'x-debug header served at http://app/callback (#4)',
    ]);
  });

  it('strips query and fragment from URLs quoted in summaries', () => {
    expect(stripQuery('http://app/callback?code=abc#x')).toBe('http://app/callback');
  });
});
