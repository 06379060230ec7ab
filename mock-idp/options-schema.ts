import { z } from 'zod';
import { DISCOVERY_FAULT_NAMES, PERMISSIVE_MODE_NAMES, faultSchema } from './faults/fault-catalog.js';
import type { Fault } from './types.js';

const optionsSchema = z.object({
  seed: z.number().int().optional(),
  permissive: z.array(z.enum(PERMISSIVE_MODE_NAMES)).optional(),
  discoveryFaults: z.array(z.enum(DISCOVERY_FAULT_NAMES)).optional(),
  features: z.strictObject({ dpop: z.boolean().optional(), par: z.boolean().optional() }).optional(),
  baseUrl: z
    .string()
    .refine((v) => URL.canParse(v), { message: 'expected an absolute URL' })
    .optional(),
});

function describeIssues(prefix: string, error: z.ZodError): string {
  return error.issues
    .map(
      (i) =>
        `${[prefix, ...i.path]
          .map(String)
          .join('.')
          .replace(/\.(\d+)/g, '[$1]')}: ${i.message}`,
    )
    .join('; ');
}

/** Checks the options a CLI or manifest may have supplied; errors name the path (`options.permissive[0]`). */
export function checkOptions(input: unknown): void {
  const result = optionsSchema.safeParse(input);
  if (!result.success) throw new Error(`invalid mock provider options: ${describeIssues('options', result.error)}`);
}

/**
 * Checks a fault before it is armed against its declaration in `faults/fault-catalog.ts` (an unknown
 * name would silently do nothing; a missing parameter would fail deep inside an endpoint).
 */
export function checkFault(input: Fault): Fault {
  const result = faultSchema.safeParse(input);
  if (!result.success) throw new Error(`invalid fault: ${describeIssues('fault', result.error)}`);
  return input;
}
