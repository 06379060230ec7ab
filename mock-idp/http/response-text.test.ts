import { describe, expect, it } from 'vitest';
import { responseHeaderRecord, textResponse } from './response-text.js';

describe('responseHeaderRecord', () => {
  it('records the headers as a web Headers iterates them: lower-case names, sorted, repeated values joined', () => {
    const headers = new Headers([
      ['X-B', '1'],
      ['Content-Type', 'application/json'],
      ['x-b', '2'],
    ]);
    const response = textResponse('{}', { status: 200, headers });
    expect(Object.entries(responseHeaderRecord(response))).toEqual([
      ['content-type', 'application/json'],
      ['x-b', '1, 2'],
    ]);
  });

  it('reads a response once: the same record comes back for it, another response gets its own', () => {
    const first = textResponse(null, { status: 302, headers: { location: 'http://127.0.0.1:9/cb' } });
    const second = textResponse(null, { status: 302, headers: { location: 'http://127.0.0.1:9/other' } });
    expect(responseHeaderRecord(first)).toBe(responseHeaderRecord(first));
    expect(responseHeaderRecord(second)).toEqual({ location: 'http://127.0.0.1:9/other' });
  });
});
