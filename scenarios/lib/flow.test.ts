import { describe, expect, it } from 'vitest';
import type { ClientCheckContext } from '../types.js';
import {
  ordinaryCompleted,
  ordinaryLogin,
  ordinaryRequest,
  controlLogin,
  ordinaryUse,
  ownControlLogin,
} from './flow.js';
import { Inconclusive } from './outcome.js';

/** How the stub client behaves: where its login breaks off, and what its oracles say. */
interface Behaviour {
  approveFails?: boolean;
  signedIn?: boolean;
  isSignedInFails?: boolean;
  apiFails?: boolean;
}

/**
 * A check context whose sessions log in as `behaviour` says and whose shared logins run once per key
 * (as the runner does), counting sessions and shared runs.
 */
function stubContext(behaviour: Behaviour) {
  const counts = { sessions: 0, shared: 0, api: 0 };
  const observations: string[] = [];
  const records = new Map<string, Promise<unknown>>();
  const ctx = {
    target: { kind: 'web' },
    observe: (text: string) => void observations.push(text),
    shared: (key: string, run: (c: ClientCheckContext) => Promise<unknown>) => {
      let record = records.get(key);
      if (!record) {
        counts.shared++;
        record = run(ctx);
        records.set(key, record);
      }
      return record;
    },
    session: async (name: string) => {
      counts.sessions++;
      return {
        id: name,
        agent: 'http',
        startLogin: async () => ({ url: 'http://127.0.0.1:1/authorize?state=s', params: { state: 's' } }),
        approve: async () => {
          if (behaviour.approveFails) return { status: 400, body: 'invalid redirect_uri' };
          return { status: 302, callbackUrl: 'http://127.0.0.1:2/callback?code=c1&state=s' };
        },
        deliver: async () => ({ status: 200, finalUrl: 'http://127.0.0.1:2/' }),
        isSignedIn: async () => {
          if (behaviour.isSignedInFails) throw new Error('signed-in page broke');
          return behaviour.signedIn ?? true;
        },
        api: async () => {
          counts.api++;
          if (behaviour.apiFails) throw new Error('api broke');
          return 'ok';
        },
      };
    },
  } as unknown as ClientCheckContext;
  return { ctx, counts, observations };
}

/** The summary of what `p` ended the check with (an {@link Inconclusive}), or the message it threw. */
async function ending(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof Inconclusive) return `${err.outcome.verdict}: ${err.outcome.summary}`;
    return `threw: ${(err as Error).message}`;
  }
  return 'no ending';
}

describe('the shared ordinary login', () => {
  it('is one login, with its signed-in oracle and an API call, for every helper that asks', async () => {
    const { ctx, counts } = stubContext({});
    const request = await ordinaryRequest(ctx);
    const control = await controlLogin(ctx);
    const used = await ordinaryUse(ctx);
    const { login, signedIn, api } = await ordinaryCompleted(ctx);
    expect(counts).toEqual({ sessions: 1, shared: 1, api: 1 });
    expect(control).toBe(used);
    expect(login).toBe(control);
    expect(request).toBe(control.request);
    expect({ signedIn, api, code: login.code }).toEqual({ signedIn: true, api: 'ok', code: 'c1' });
  });

  it('keeps the authorization request when the provider refuses it, and ends the others as their own login would', async () => {
    const { ctx } = stubContext({ approveFails: true });
    expect((await ordinaryRequest(ctx)).params.state).toBe('s');
    const base = await ordinaryLogin(ctx);
    expect(base.login).toBeUndefined();
    expect(await ending(ordinaryCompleted(ctx))).toMatch(
      /^error: The provider refused the client's authorization request/,
    );
    expect(await ending(controlLogin(ctx))).toMatch(/^error: The provider refused/);
    expect(await ending(ordinaryUse(ctx))).toMatch(/^error: The provider refused/);
  });

  it('is no control for a client that does not sign in, but a whole login for checks that need no sign-in', async () => {
    const { ctx, counts } = stubContext({ signedIn: false });
    expect(await ending(controlLogin(ctx))).toBe(
      'error: The client does not complete an ordinary login, so a rejected callback cannot be told apart from a broken client.',
    );
    expect(await ending(ordinaryUse(ctx))).toBe(
      'error: The login did not sign in, so there is no ordinary use of the client to examine.',
    );
    expect((await ordinaryCompleted(ctx)).login.code).toBe('c1');
    // Not signed in: no API call.
    expect(counts.api).toBe(0);
  });

  it('is a control although its API call broke, but no ordinary use', async () => {
    const { ctx } = stubContext({ apiFails: true });
    expect((await controlLogin(ctx)).code).toBe('c1');
    expect(await ending(ordinaryUse(ctx))).toBe('threw: api broke');
  });

  it('is no control when the signed-in oracle broke', async () => {
    const { ctx } = stubContext({ isSignedInFails: true });
    expect(await ending(controlLogin(ctx))).toBe('threw: signed-in page broke');
    expect((await ordinaryCompleted(ctx)).login.code).toBe('c1');
  });

  it('leaves a check its own control login when it asks for one', async () => {
    const { ctx, counts, observations } = stubContext({});
    await controlLogin(ctx);
    await ownControlLogin(ctx);
    await ownControlLogin(ctx);
    expect(counts).toEqual({ sessions: 3, shared: 1, api: 1 });
    expect(observations.filter((o) => o.startsWith('Control login without any fault: signed in'))).toHaveLength(2);
  });
});
