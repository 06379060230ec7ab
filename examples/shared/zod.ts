/**
 * The schema library of the example programs: Zod Mini (`zod/mini`), with Zod's English messages.
 * Example programs import it from here (`import * as z from '../shared/zod.js'`), never from `zod`.
 *
 * The examples validate what they read from the environment and from the provider. Zod's chained API
 * (`zod`) is about 750 KB of JavaScript once bundled, all of it loaded by every start of an example
 * program (and an audit starts several); Zod Mini has the same schemas and messages behind functions
 * that a bundler keeps only when used (a re-export like the one below keeps that so). Without a
 * locale Zod Mini reports every issue as "Invalid input", so the English one is configured here,
 * before any example parses.
 */
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());

export * from 'zod/mini';
