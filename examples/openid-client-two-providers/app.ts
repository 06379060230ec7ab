/**
 * Starts the two-provider web app with the environment its target.json sets: the first provider as
 * openid-client-web reads it (`OAUTH_ISSUER`, `LEXOFFICE_API_BASE_URL`, ...) and the second from
 * `OAUTH_ISSUER_2` and `LEXOFFICE_API_BASE_URL_2`; the client id, secret and redirect URI are the same
 * at both (one registration per provider, as TARGETS.md §1.1 registers it). Labs start it with one step
 * replaced.
 */
import * as z from '../shared/zod.js';
import { readEnv } from '../shared/env.js';
import { listen, runMain } from '../shared/listen.js';
import { createWebApp } from '../shared/web-app.js';
import { configure } from '../openid-client-web/flow.js';
import { configuredProviders, createTwoProviderFlow, type TwoProviderSteps } from './flow.js';

const SecondProviderEnv = z.object({ OAUTH_ISSUER_2: z.url(), LEXOFFICE_API_BASE_URL_2: z.url() });

/** Runs the app named `name`, with `steps` replacing the defaults of {@link TwoProviderSteps}. */
export function runTwoProviderApp(name: string, steps: Partial<TwoProviderSteps> = {}): void {
  runMain(name, async () => {
    const env = readEnv(process.env, { secretRequired: true });
    const parsed = SecondProviderEnv.safeParse(process.env);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
      throw new Error(`invalid environment: ${problems}`);
    }
    const env2 = { ...env, issuer: parsed.data.OAUTH_ISSUER_2, apiBaseUrl: parsed.data.LEXOFFICE_API_BASE_URL_2 };
    const entries = await Promise.all([env, env2].map(async (e) => ({ config: await configure(e), env: e })));
    const server = createWebApp({
      name,
      flow: createTwoProviderFlow(configuredProviders(entries), steps),
      redirectUri: env.redirectUri,
      ...(env.postLogoutRedirectUri ? { postLogoutRedirectUri: env.postLogoutRedirectUri } : {}),
    });
    await listen(server, name, env.host, env.port);
  });
}
