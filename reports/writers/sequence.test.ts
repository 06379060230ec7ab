import { describe, expect, it } from 'vitest';
import type { TranscriptEntryModel } from '../model.js';
import { loginTranscript } from '../testing/fixtures.js';
import { renderSequenceSvg, sequenceSteps } from './sequence.js';

const entry = (e: Partial<TranscriptEntryModel>): TranscriptEntryModel => ({
  seq: 1,
  at: 0,
  agent: 'http',
  method: 'GET',
  url: 'http://127.0.0.1:1/',
  requestHeaders: {},
  ...e,
});

describe('sequence diagram', () => {
  it('places a web login on user agent, client and provider lanes', () => {
    const steps = sequenceSteps(loginTranscript()).map((s) => `${s.from}>${s.to} ${s.label}`);
    expect(steps).toEqual([
      'ua>client GET /login',
      'client>ua 302 → /authorize?response_type=code&state=st-1&code_challenge=cc-1',
      'ua>provider GET /authorize?response_type=code&state=st-1&code_challenge=cc-1',
      'provider>ua 302 → /callback?code=[redacted code]&state=st-1',
      'client>provider POST /token',
      'provider>client 200',
      'ua>client GET /callback?code=[redacted code]&state=st-1',
      'client>ua 200',
    ]);
  });

  it('shows a tagged provider request once, from the user agent', () => {
    const url = 'http://127.0.0.1:9/authorize?x=1';
    const steps = sequenceSteps([
      entry({ seq: 1, agent: 'http', url }),
      entry({ seq: 2, agent: 'provider', url, requestHeaders: { 'X-Login-Harness-Tag': 't' } }),
      entry({ seq: 3, agent: 'provider', url: 'http://127.0.0.1:9/userinfo' }),
    ]);
    expect(steps.map((s) => `${s.seq} ${s.from}>${s.to}`)).toEqual(['1 ua>provider', '3 client>provider']);
  });

  it('draws driver operations from the harness to the client and harness notes on its lane', () => {
    const steps = sequenceSteps([
      entry({
        agent: 'driver',
        method: 'callback',
        url: 'driver:callback',
        note: 'op',
        responseBody: '{"id":2,"ok":true}',
      }),
      entry({ seq: 3, at: 1, agent: 'driver', method: 'refresh', url: 'driver:refresh', note: 'op' }),
      entry({ seq: 2, agent: 'harness', method: 'NOTE', url: 'target started', note: 'target started' }),
    ]);
    expect(steps.map((s) => `${s.kind} ${s.from}>${s.to} ${s.label}`)).toEqual([
      'request ua>client op: callback driver:callback',
      'response client>ua {"id":2,"ok":true}',
      'note ua>ua target started',
      'request ua>client op: refresh driver:refresh (no response)',
    ]);
  });

  it('interleaves the recorders by time and draws a hop that was not fetched only once', () => {
    const authorize = 'http://127.0.0.1:9/authorize?s=1';
    const steps = sequenceSteps([
      entry({ seq: 1, at: 10, url: 'http://127.0.0.1:1/login', status: 303 }),
      entry({ seq: 2, at: 11, url: authorize, note: 'not fetched' }),
      entry({ seq: 3, at: 12, url: authorize, status: 302 }),
      entry({ seq: 4, at: 30, url: 'http://127.0.0.1:1/callback', status: 200 }),
      entry({ seq: 9, at: 20, agent: 'provider', method: 'POST', url: 'http://127.0.0.1:9/token', status: 200 }),
    ]);
    expect(steps.filter((s) => s.kind === 'request').map((s) => s.seq)).toEqual([1, 3, 9, 4]);
  });

  it('escapes labels and draws nothing for an empty transcript', () => {
    const svg = renderSequenceSvg([entry({ agent: 'harness', url: 'x', note: '<svg onload=alert(1)>' })], {
      idPrefix: 'x"y',
    });
    expect(svg).not.toContain('<svg onload');
    expect(svg).toContain('&lt;svg onload=alert(1)&gt;');
    expect(svg).toContain('id="x_y-arrow"');
    expect(renderSequenceSvg([], { idPrefix: 'a' })).toBe('');
  });
});
