import { describe, expect, it } from 'vitest';
import type { TranscriptEntry } from '../../harness/types.js';
import { htmlScriptVector, scriptVectors } from './script-free.js';

const doc = (
  body: string,
  headers: Record<string, string> = { 'content-type': 'text/html; charset=utf-8' },
  status = 200,
): TranscriptEntry => ({
  seq: 1,
  at: 0,
  agent: 'http',
  method: 'GET',
  url: 'http://127.0.0.1:3000/page?code=abc',
  requestHeaders: {},
  status,
  responseHeaders: headers,
  responseBody: body,
});

describe('htmlScriptVector', () => {
  it('finds nothing in HTML that cannot run script', () => {
    for (const html of [
      '<!doctype html><title>Signed in</title><p>Signed in as Erika</p><a href="/logout">Sign out</a>',
      '<form method="post" action="/logout"><button>Sign out</button></form>',
      '<link rel="stylesheet" href="/app.css"><img src="/logo.png" alt="logo"><p>Scripted? Only on paper.</p>',
      '<p>Notes on the description</p>',
    ]) {
      expect(htmlScriptVector(html), html).toBeUndefined();
    }
  });

  it('reads a hostile page in one pass: a megabyte of unclosed meta tags, then a refresh pragma', () => {
    // Each pattern reads the text once; one that retried every `<meta` against the rest of the page
    // would take minutes here, far beyond the test's timeout.
    const hostile = `${'<meta '.repeat(200_000)}x`;
    expect(htmlScriptVector(hostile)).toBeUndefined();
    expect(htmlScriptVector(`${hostile}><meta http-equiv=refresh content=0>`)).toBe('a <meta http-equiv="refresh">');
    expect(htmlScriptVector(`${'<'.repeat(500_000)}${' '.repeat(500_000)}`)).toBeUndefined();
    expect(htmlScriptVector(` on${'a'.repeat(500_000)}`)).toBeUndefined();
    expect(htmlScriptVector(`http-equiv=${' '.repeat(500_000)}`)).toBeUndefined();
  });

  it.each([
    ['<script>localStorage.rt = "x"</script>', 'a <script> element'],
    ['<SCRIPT src="/app.js"></SCRIPT>', 'a <script> element'],
    ['<script\nsrc="/app.js"></script>', 'a <script> element'],
    ['<iframe src="/frame"></iframe>', 'a <iframe> element'],
    ['<svg><use href="#a"/></svg>', 'a <svg> element'],
    ['<object data="/x"></object>', 'a <object> element'],
    ['<embed src="/x">', 'a <embed> element'],
    ['<img src=x onerror="alert(1)">', 'an event-handler attribute (on...=)'],
    ['<body ONLOAD = "go()">', 'an event-handler attribute (on...=)'],
    ['<img src=x/onerror=alert(1)>', 'an event-handler attribute (on...=)'],
    ['<meta http-equiv="Refresh" content="0; url=/next">', 'a <meta http-equiv="refresh">'],
    ["<meta content='0; url=/next' HTTP-EQUIV = 'refresh'>", 'a <meta http-equiv="refresh">'],
    ['<a href="javascript:go()">go</a>', 'a script: URL'],
    ['<a href="JaVaScRiPt:go()">go</a>', 'a script: URL'],
    ['<a href="java\tscript:go()">go</a>', 'a script: URL'],
    ['<a href="&#106;avascript:go()">go</a>', 'a script: URL'],
    ['<a href="&#x6A;ava&#x09;script&colon;go()">go</a>', 'a script: URL'],
    ['<a href="&#0000106avascript:go()">go</a>', 'a script: URL'],
    ['<form action="vbscript:x"></form>', 'a script: URL'],
  ])('finds script in %s', (html, reason) => {
    expect(htmlScriptVector(html)).toBe(reason);
  });
});

describe('scriptVectors', () => {
  it('passes redirects, empty bodies, text and JSON, and HTML without script', () => {
    const entries = [
      doc('', { location: '/next' }, 302),
      doc('Found. Redirecting to <a href="/next">/next</a>', { location: '/next', 'content-type': 'text/html' }, 303),
      doc('', {}, 204),
      doc('{"ok":true}', { 'content-type': 'application/json' }),
      doc('<script>not run: text</script>', { 'content-type': 'text/plain; charset=utf-8' }),
      doc('<p>Signed in</p>'),
      { ...doc(''), status: undefined, note: 'network error: ECONNRESET' },
    ];
    expect(scriptVectors(entries)).toEqual([]);
  });

  it('names each document that could run script, with the reason', () => {
    const entries = [
      doc('<p>Home</p><script src="/app.js"></script>'),
      doc('<svg xmlns="http://www.w3.org/2000/svg"/>', { 'content-type': 'image/svg+xml' }),
      doc('<p>x</p>', { 'content-type': 'application/xhtml+xml' }),
      doc('<p>wait</p>', { 'content-type': 'text/html', refresh: '0; url=/next' }),
      doc('<p>next</p>', { 'content-type': 'text/html', 'speculation-rules': '"/rules.json"' }),
      // Without a type the browser sniffs and may render HTML.
      doc('<p onclick="x()">?</p>', {}),
    ];
    expect(scriptVectors(entries)).toEqual([
      { url: entries[0].url, reason: 'a <script> element' },
      { url: entries[1].url, reason: 'a document of type image/svg+xml' },
      { url: entries[2].url, reason: 'a document of type application/xhtml+xml' },
      { url: entries[3].url, reason: 'a Refresh header' },
      { url: entries[4].url, reason: 'a Speculation-Rules header' },
      { url: entries[5].url, reason: 'an event-handler attribute (on...=)' },
    ]);
  });
});
