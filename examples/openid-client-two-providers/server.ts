/**
 * The reference web client for two providers: openid-client-web with one configuration per provider,
 * each login finished with the provider it started at. Start: `node ../shared/run-ts.mjs server.ts` with the
 * environment its target.json sets (`"providers": 2`).
 */
import { runTwoProviderApp } from './app.js';

runTwoProviderApp('openid-client-two-providers');
