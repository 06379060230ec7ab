import { describe, expect, it } from 'vitest';
import { cookiesSetBy, parseSetCookie, readableCookiesSet, splitSetCookie } from './cookies.js';

describe('Set-Cookie parsing', () => {
  it('splits joined headers between cookies but not inside an Expires date', () => {
    const joined = 'a=1; Expires=Wed, 21 Oct 2099 07:28:00 GMT; HttpOnly, b=2; SameSite=Lax';
    expect(splitSetCookie(joined)).toEqual([
      'a=1; Expires=Wed, 21 Oct 2099 07:28:00 GMT; HttpOnly',
      'b=2; SameSite=Lax',
    ]);
  });

  it('reads HttpOnly, Secure and SameSite case-insensitively', () => {
    const c = parseSetCookie('sid=abc; path=/; httponly; SECURE; samesite=Strict');
    expect(c).toMatchObject({
      name: 'sid',
      value: 'abc',
      httpOnly: true,
      secure: true,
      sameSite: 'Strict',
      deleted: false,
    });
  });

  it('treats Max-Age=0 and a past Expires as a deletion', () => {
    expect(parseSetCookie('sid=; Max-Age=0')?.deleted).toBe(true);
    expect(parseSetCookie('sid=; Expires=Thu, 01 Jan 1970 00:00:00 GMT')?.deleted).toBe(true);
  });

  it('only collects cookies set by responses from the given origin', () => {
    const entry = (url: string, cookie: string) => ({
      seq: 1,
      at: 0,
      agent: 'http' as const,
      method: 'GET',
      url,
      requestHeaders: {},
      responseHeaders: { 'Set-Cookie': cookie },
    });
    const got = cookiesSetBy(
      [entry('http://127.0.0.1:3000/login', 'sid=1; HttpOnly'), entry('http://127.0.0.1:4000/authorize', 'idp=2')],
      'http://127.0.0.1:3000',
    );
    expect(got.map((c) => c.name)).toEqual(['sid']);
  });

  it('lists every cookie script could read that any response set, from any origin, deletions left out', () => {
    const set = readableCookiesSet([
      {
        seq: 2,
        at: 0,
        agent: 'browser',
        method: 'GET',
        url: 'http://app/callback?code=c',
        requestHeaders: {},
        responseHeaders: { 'Set-Cookie': 'sid=s; HttpOnly\nrt=r1; Path=/\nold=; Max-Age=0' },
      },
      {
        seq: 5,
        at: 0,
        agent: 'browser',
        method: 'GET',
        url: 'http://cdn/x',
        requestHeaders: {},
        responseHeaders: { 'set-cookie': 'seen=1' },
      },
    ]);
    expect(set.map((c) => [c.name, c.value, c.seq])).toEqual([
      ['rt', 'r1', 2],
      ['seen', '1', 5],
    ]);
  });
});
