/**
 * `login-harness idp`: serves the mock provider on loopback for manual work and for clients under
 * development, prints what a client needs to be configured with, and logs each request on one line,
 * redacted, until SIGINT or SIGTERM.
 */
import { z } from 'zod';
import { parseCommandArgs } from '../core/args.js';
import { UsageError } from '../core/errors.js';
import type { ClientRegistration, JournalEntry, MockIdp, RunningMockIdp } from './types.js';
import { startMockIdp } from './transports/node-server.js';

/** Where the command writes, and how a caller other than a terminal stops it. */
export interface IdpCommandIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  /** Aborting stops the server as SIGINT does. */
  signal?: AbortSignal;
  /** Called once the server listens (tests use it instead of polling the output). */
  onReady?: (running: RunningMockIdp) => void;
}

export const IDP_USAGE = `Usage: login-harness idp [options]

Serves the mock lexoffice identity provider and API on loopback until stopped (Ctrl-C).

Options:
  --profile NAME|FILE     lexoffice (default), lexoffice-partner, or a discovery document (JSON)
  --port N                port to listen on (default: a free port)
  --seed N                seed for keys, identifiers and data (default 1)
  --host H                address to bind (default 127.0.0.1)
  --allow-non-loopback    required with a --host that is not a loopback address
  --login-form            show a login form instead of approving automatically
  --rate-limit            enforce lexoffice's 2 requests/second API limit (429)
  --journal-tags N        login tags whose journal is kept (default 1000)
  --journal-untagged N    untagged requests kept in the journal (default 2000)
  --max-grants N          grants (token families) kept (default 10000)
  --help                  show this help

Memory: the provider stays bounded however long it runs. The journal keeps each login tag's requests
(least recently used tags dropped first; at most 10000 requests and 32 MB per tag, 128 MB for all tags)
and the last untagged requests and codes/tokens in a ring; client secrets are kept. A code or token is
forgotten an hour after it expired; beyond --max-grants (and 10000 codes) the oldest are forgotten
early, and a forgotten code or token is refused like an unknown one.
`;

/** Demo client registered at start-up so a client can be pointed at the mock straight away. */
export const DEMO_REDIRECT_URI = 'http://127.0.0.1:8080/callback';

const count = z
  .string()
  .regex(/^\d{1,9}$/, 'expected a positive integer')
  .transform(Number)
  .pipe(z.number().int().min(1));

const Flags = z.object({
  profile: z.string().min(1).default('lexoffice'),
  port: z
    .string()
    .regex(/^\d{1,5}$/, 'expected a port number')
    .transform(Number)
    .pipe(z.number().int().min(0).max(65535))
    .default(0),
  seed: z
    .string()
    .regex(/^-?\d{1,15}$/, 'expected an integer')
    .transform(Number)
    .default(1),
  host: z.string().min(1).default('127.0.0.1'),
  'allow-non-loopback': z.boolean().default(false),
  'login-form': z.boolean().default(false),
  'rate-limit': z.boolean().default(false),
  'journal-tags': count.optional(),
  'journal-untagged': count.optional(),
  'max-grants': count.optional(),
});

const OPTIONS = {
  profile: { type: 'string' },
  port: { type: 'string' },
  seed: { type: 'string' },
  host: { type: 'string' },
  'allow-non-loopback': { type: 'boolean' },
  'login-form': { type: 'boolean' },
  'rate-limit': { type: 'boolean' },
  'journal-tags': { type: 'string' },
  'journal-untagged': { type: 'string' },
  'max-grants': { type: 'string' },
} as const;

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|\[::1\]|localhost)$/i;

/**
 * Registers a confidential demo client with the first secret-based method the profile advertises
 * (RFC 8414 2: `client_secret_basic` when the document is silent), and a public one where `none` is
 * advertised.
 */
function registerDemoClients(idp: MockIdp): ClientRegistration[] {
  const advertised = idp.metadata.token_endpoint_auth_methods_supported;
  const methods: string[] = Array.isArray(advertised) ? advertised.map(String) : ['client_secret_basic'];
  const secretMethod = (['client_secret_basic', 'client_secret_post'] as const).find((m) => methods.includes(m));
  const clients: ClientRegistration[] = [];
  if (secretMethod) {
    clients.push(
      idp.registerClient({
        clientId: 'demo-client',
        clientSecret: 'demo-secret',
        authMethod: secretMethod,
        redirectUris: [DEMO_REDIRECT_URI],
      }),
    );
  }
  if (methods.includes('none')) {
    clients.push(
      idp.registerClient({ clientId: 'demo-public', authMethod: 'none', redirectUris: [DEMO_REDIRECT_URI] }),
    );
  }
  return clients;
}

function formatEntry(e: JournalEntry, redact: (s: string) => string): string {
  const time = new Date(e.at).toISOString().slice(11, 23);
  let path = e.request.url;
  try {
    const u = new URL(e.request.url);
    path = u.pathname + u.search;
  } catch {
    // keep the raw URL
  }
  const extras: string[] = [e.endpoint];
  if (e.token) extras.push(`grant=${e.token.grantType}`, `auth=${e.token.clientAuth}`);
  if (e.token?.error ?? e.authorization?.error) extras.push(`error=${e.token?.error ?? e.authorization?.error}`);
  if (e.bearer && e.bearer.location !== 'header') extras.push(`bearer=${e.bearer.location}`);
  if (e.tag) extras.push(`tag=${e.tag}`);
  return redact(`${time} ${e.request.method} ${path} -> ${e.response.status} (${extras.join(' ')})`) + '\n';
}

function describe(running: RunningMockIdp, clients: ClientRegistration[]): string {
  const { idp } = running;
  const lines = [
    `mock identity provider (${idp.profile}) listening on ${running.url}`,
    '',
    `issuer                  ${idp.issuer}`,
    `discovery               ${idp.endpoints.discovery}`,
    `authorization_endpoint  ${idp.endpoints.authorization}`,
    `token_endpoint          ${idp.endpoints.token}`,
  ];
  const optional: [string, string | undefined][] = [
    ['jwks_uri', idp.endpoints.jwks],
    ['userinfo_endpoint', idp.endpoints.userinfo],
    ['revocation_endpoint', idp.endpoints.revocation],
    ['introspection_endpoint', idp.endpoints.introspection],
    ['end_session_endpoint', idp.endpoints.endSession],
  ];
  for (const [name, url] of optional) if (url) lines.push(`${name.padEnd(24)}${url}`);
  lines.push(`API base                ${idp.apiBaseUrl}  (/v1/profile, /v1/contacts, /v1/invoices/{id}, /v1/ping)`);
  lines.push('');
  for (const c of clients) {
    lines.push(`demo client (${c.authMethod})`);
    lines.push(`  client_id      ${c.clientId}`);
    if (c.clientSecret) lines.push(`  client_secret  ${c.clientSecret}`);
    lines.push(`  redirect_uri   ${c.redirectUris.join(' ')}`);
  }
  lines.push('', 'Logging requests (codes, tokens and secrets redacted). Stop with Ctrl-C.', '');
  return lines.join('\n');
}

/**
 * Runs `login-harness idp` with `argv` (the arguments after `idp`). Resolves with the exit code: 0 after
 * a clean stop, 2 for a usage error, 1 when the server could not start.
 */
export async function runIdpCommand(
  argv: string[],
  io: IdpCommandIo = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  let args: ReturnType<typeof parseCommandArgs<typeof OPTIONS>>;
  try {
    args = parseCommandArgs('idp', argv, OPTIONS, 0);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr.write(`login-harness idp: ${err.message}\n\n${IDP_USAGE}`);
    return err.exitCode;
  }
  if (args.help) {
    io.stdout.write(IDP_USAGE);
    return 0;
  }
  const parsed = Flags.safeParse(args.values);
  if (!parsed.success) {
    const msg = parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ');
    io.stderr.write(`login-harness idp: ${msg}\n\n${IDP_USAGE}`);
    return 2;
  }
  const flags = parsed.data;
  if (!LOOPBACK.test(flags.host) && !flags['allow-non-loopback']) {
    io.stderr.write(
      `login-harness idp: refusing to listen on non-loopback address ${flags.host} without --allow-non-loopback\n`,
    );
    return 2;
  }

  let running: RunningMockIdp;
  try {
    running = await startMockIdp({
      profile: flags.profile,
      port: flags.port,
      seed: flags.seed,
      host: flags.host,
      allowNonLoopback: flags['allow-non-loopback'],
      settings: { loginForm: flags['login-form'], apiRateLimit: flags['rate-limit'] },
      memory: {
        ...(flags['journal-tags'] !== undefined ? { maxTags: flags['journal-tags'] } : {}),
        ...(flags['journal-untagged'] !== undefined ? { untaggedEntries: flags['journal-untagged'] } : {}),
        ...(flags['max-grants'] !== undefined ? { maxGrants: flags['max-grants'] } : {}),
      },
    });
  } catch (err) {
    io.stderr.write(`login-harness idp: could not start: ${(err as Error).message}\n`);
    return 1;
  }
  const { idp } = running;
  let clients: ClientRegistration[];
  try {
    clients = registerDemoClients(idp);
  } catch (err) {
    await running.close();
    io.stderr.write(`login-harness idp: could not register the demo client: ${(err as Error).message}\n`);
    return 1;
  }
  io.stdout.write(describe(running, clients));
  // The demo secret is printed on purpose above; the request log must not repeat it or anything issued.
  const unsubscribe = idp.journal.subscribe((e) => io.stdout.write(formatEntry(e, (s) => idp.redact(s))));
  io.onReady?.(running);

  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      io.signal?.removeEventListener('abort', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    if (io.signal?.aborted) stop();
    else io.signal?.addEventListener('abort', stop, { once: true });
  });
  unsubscribe();
  await running.close();
  io.stdout.write('stopped\n');
  return 0;
}
