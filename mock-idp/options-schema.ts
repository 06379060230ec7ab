import { z } from 'zod';
import { DISCOVERY_FAULT_DOCS, FAULT_DOCS, PERMISSIVE_MODE_DOCS } from './faults/fault-docs.js';
import type { DiscoveryFault, Fault, FaultName, PermissiveMode } from './types.js';

const permissiveModes = Object.keys(PERMISSIVE_MODE_DOCS) as [PermissiveMode, ...PermissiveMode[]];
const discoveryFaults = Object.keys(DISCOVERY_FAULT_DOCS) as [DiscoveryFault, ...DiscoveryFault[]];
const faultNames = Object.keys(FAULT_DOCS) as [FaultName, ...FaultName[]];

const optionsSchema = z.object({
  seed: z.number().int().optional(),
  permissive: z.array(z.enum(permissiveModes)).optional(),
  discoveryFaults: z.array(z.enum(discoveryFaults)).optional(),
  baseUrl: z
    .string()
    .refine((v) => URL.canParse(v), { message: 'expected an absolute URL' })
    .optional(),
});

/** Faults as scenarios arm them: the name must exist, and the variants carry their parameters. */
const faultSchema = z.discriminatedUnion('name', [
  z.object({ name: z.literal('callback.error'), error: z.string().min(1), errorDescription: z.string().optional() }),
  z.object({
    name: z.literal('token.malformed'),
    variant: z.enum(['no-access-token', 'wrong-token-type', 'not-json']),
  }),
  z.object({ name: z.literal('token.short-lived'), expiresIn: z.number().int().nonnegative() }),
  z.object({ name: z.literal('id-token.alg-none'), alg: z.string().optional() }),
  z.object({
    name: z.enum(
      faultNames.filter(
        (n) => !['callback.error', 'token.malformed', 'token.short-lived', 'id-token.alg-none'].includes(n),
      ) as [FaultName, ...FaultName[]],
    ),
  }),
]);

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

/** Checks a fault before it is armed (an unknown name would silently do nothing). */
export function checkFault(input: Fault): Fault {
  const result = faultSchema.safeParse(input);
  if (!result.success) throw new Error(`invalid fault: ${describeIssues('fault', result.error)}`);
  return input;
}
