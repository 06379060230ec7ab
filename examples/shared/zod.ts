/**
 * Zod's English messages for the example programs, which validate with Zod Mini (`zod/mini`): each
 * module that validates imports `* as z from 'zod/mini'` and this module once.
 *
 * The examples validate what they read from the environment and from the provider. Zod's chained API
 * (`zod`) is about 750 KB of JavaScript once bundled, all of it loaded by every start of an example
 * program (and an audit starts several); Zod Mini has the same schemas and messages behind functions
 * that a bundler keeps only when used. Without a locale Zod Mini reports every issue as "Invalid
 * input", so the English one is configured here.
 */
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());
