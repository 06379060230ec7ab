import { describe, expect, it } from 'vitest';
import type { TranscriptEntry } from '../../harness/types.js';
import { cspAllows, leavesOrigin, renderedPageReferers, sentReferers, subresourcesOf } from './referer.js';

const CALLBACK = 'http://127.0.0.1:3000/callback?code=the-code-value&state=s';

function page(body: string, headers: Record<string, string> = {}, url = CALLBACK, status = 200): TranscriptEntry {
  return {
    seq: 1,
    at: 0,
    agent: 'http',
    method: 'GET',
    url,
    requestHeaders: {},
    status,
    responseHeaders: { 'content-type': 'text/html; charset=utf-8', ...headers },
    responseBody: body,
  };
}

describe('leavesOrigin', () => {
  it('keeps a Referer to the origin it names', () => {
    expect(leavesOrigin({ where: '', text: CALLBACK, to: 'http://127.0.0.1:3000' })).toBe(false);
  });

  it('counts another host, another port and another scheme as leaving the origin', () => {
    for (const to of ['http://localhost:3000', 'http://127.0.0.1:3001', 'https://127.0.0.1:3000']) {
      expect(leavesOrigin({ where: '', text: CALLBACK, to }), to).toBe(true);
    }
  });

  it('counts a Referer that is no URL as leaving', () => {
    expect(leavesOrigin({ where: '', text: 'not a url', to: 'http://127.0.0.1:3000' })).toBe(true);
  });
});

describe('sentReferers', () => {
  it('names the origin each Referer was sent to', () => {
    const e = { ...page(''), url: 'http://127.0.0.1:5000/tag.js', requestHeaders: { Referer: CALLBACK } };
    expect(sentReferers([e])).toEqual([expect.objectContaining({ text: CALLBACK, to: 'http://127.0.0.1:5000' })]);
  });
});

describe('renderedPageReferers', () => {
  it('sends only the origin to another origin under the default policy, the full URL to the own origin', () => {
    const places = renderedPageReferers([
      page('<script src="/app.js"></script><img src="http://127.0.0.1:5000/pixel.gif">'),
    ]);
    expect(places).toEqual([
      expect.objectContaining({
        to: 'http://127.0.0.1:3000',
        text: 'http://127.0.0.1:3000/callback?code=the-code-value&state=s',
      }),
      expect.objectContaining({ to: 'http://127.0.0.1:5000', text: 'http://127.0.0.1:3000/' }),
    ]);
  });

  it('sends the full URL to another origin under no-referrer-when-downgrade, from the header or a meta element', () => {
    const body = '<script async src="http://127.0.0.1:5000/tag.js"></script>';
    const byHeader = renderedPageReferers([page(body, { 'referrer-policy': 'no-referrer-when-downgrade' })]);
    const byMeta = renderedPageReferers([page(`<meta name="referrer" content="unsafe-url">${body}`)]);
    for (const places of [byHeader, byMeta]) {
      expect(places).toEqual([expect.objectContaining({ to: 'http://127.0.0.1:5000', text: CALLBACK })]);
    }
  });

  it('honours an element’s own referrerpolicy and the page’s Content-Security-Policy', () => {
    const permissive = { 'referrer-policy': 'unsafe-url' };
    expect(
      renderedPageReferers([page('<img referrerpolicy="no-referrer" src="http://127.0.0.1:5000/p.gif">', permissive)]),
    ).toEqual([]);
    expect(
      renderedPageReferers([
        page('<script src="http://127.0.0.1:5000/tag.js"></script>', {
          ...permissive,
          'content-security-policy': "default-src 'none'; script-src 'self'",
        }),
      ]),
    ).toEqual([]);
  });

  it('ignores redirects and links nobody clicked', () => {
    expect(
      renderedPageReferers([page('<a href="http://127.0.0.1:5000/">x</a>', { 'referrer-policy': 'unsafe-url' })]),
    ).toEqual([]);
    expect(renderedPageReferers([page('<img src="http://127.0.0.1:5000/p.gif">', {}, CALLBACK, 302)])).toEqual([]);
  });
});

describe('subresourcesOf', () => {
  it('finds scripts, images, frames and stylesheets, not canonical links', () => {
    const found = subresourcesOf(
      '<script src=/a.js></script><img src="b.png"><iframe src=\'/c\'></iframe>' +
        '<link rel="stylesheet" href="/d.css"><link rel="canonical" href="/e">',
      new URL('http://127.0.0.1:3000/x/'),
    );
    expect(found.map((f) => f.url.pathname)).toEqual(['/a.js', '/x/b.png', '/c', '/d.css']);
  });
});

describe('subresourcesOf on a hostile page', () => {
  it('reads a megabyte of unclosed tags once and finds the one closed after them', () => {
    const html = `${'<script '.repeat(200_000)}><img src="https://cdn.example/x.png">`;
    const found = subresourcesOf(html, new URL('http://127.0.0.1:3000/'));
    expect(found.map((f) => `${f.element} ${f.url.href}`)).toEqual(['<img> https://cdn.example/x.png']);
  });
});

describe('cspAllows', () => {
  const pageUrl = new URL('http://127.0.0.1:3000/callback');
  const other = new URL('https://cdn.example.com/lib.js');
  it('applies the directive, else default-src, with self, hosts, wildcards and schemes', () => {
    expect(cspAllows(undefined, 'script-src', other, pageUrl)).toBe(true);
    expect(cspAllows("default-src 'self'", 'script-src', other, pageUrl)).toBe(false);
    expect(cspAllows("default-src 'none'; script-src https://cdn.example.com", 'script-src', other, pageUrl)).toBe(
      true,
    );
    expect(cspAllows('script-src *.example.com', 'script-src', other, pageUrl)).toBe(true);
    expect(cspAllows('script-src https:', 'script-src', other, pageUrl)).toBe(true);
    expect(cspAllows('script-src http://cdn.example.com', 'script-src', other, pageUrl)).toBe(false);
    expect(cspAllows("img-src 'none'", 'script-src', other, pageUrl)).toBe(true);
  });
});
