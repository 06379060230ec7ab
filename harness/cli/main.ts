/**
 * The `login-harness` command. `bin/login-harness.mjs` calls {@link main} and exits with its result.
 *
 * Exit codes: 0 no failure at or above the threshold, 1 failures, 2 usage or configuration error (the
 * message names the problem), 3 the run itself broke.
 */
import { ConfigurationError } from '../runner/errors.js';
import { UsageError } from './args.js';
import { runAuditCommand } from './audit.js';
import { DELEGATED_COMMANDS, MissingCommandError, runDelegated } from './delegate.js';
import { processIo, type CliIo } from './io.js';
import { runExplain, runList } from './list-explain.js';

/** Exit codes of every command. */
export const EXIT = { ok: 0, findings: 1, usage: 2, broken: 3 } as const;

export const MAIN_HELP = `Usage: login-harness <command> [options]

Audits OAuth 2.0 + PKCE logins (lexoffice.login and any OpenID provider) against a mock provider.

Commands:
  audit [TARGET]        audit a client described by a target manifest (default: the bundled reference web client)
  list                  list the check catalog (ids, severities, references)
  explain ID            explain one check: what must hold, why, how it is tested, how to fix it
  idp                   run the mock identity provider on its own
  audit-provider        audit an authorization server from its discovery document
  merge                 merge shard reports into one
  diff                  compare two reports

Run \`login-harness <command> --help\` for the options of a command.

Exit codes: 0 no failure at or above the threshold, 1 failures, 2 usage or configuration error,
3 the run itself broke.
`;

/**
 * Runs the CLI with `argv` (without node and script) and returns the exit code. Never throws: every
 * error becomes a message on stderr and an exit code.
 */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
        io.stderr(MAIN_HELP);
        return EXIT.usage;
      case '-h':
      case '--help':
      case 'help':
        io.stdout(MAIN_HELP);
        return EXIT.ok;
      case '--version':
        io.stdout(`${await version()}\n`);
        return EXIT.ok;
      case 'audit':
        return await runAuditCommand(rest, io);
      case 'list':
        return await runList(rest, io);
      case 'explain':
        return await runExplain(rest, io);
      default:
        if (DELEGATED_COMMANDS.includes(command)) return await runDelegated(command, rest);
        throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    }
  } catch (err) {
    return reportError(err, command, io);
  }
}

function reportError(err: unknown, command: string | undefined, io: CliIo): number {
  if (err instanceof UsageError) {
    const cmd = err.command ?? (command && !command.startsWith('-') ? command : undefined);
    const hint = err.command ? `login-harness ${cmd} --help` : 'login-harness --help';
    io.stderr(`login-harness: ${err.message}\nSee \`${hint}\`.\n`);
    return EXIT.usage;
  }
  if (err instanceof ConfigurationError || isCallersError(err)) {
    io.stderr(`login-harness: ${(err as Error).message}\n`);
    return EXIT.usage;
  }
  if (err instanceof MissingCommandError) {
    io.stderr(`login-harness: ${err.message}\n`);
    return EXIT.broken;
  }
  const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
  io.stderr(`login-harness: the run broke: ${message}\n`);
  return EXIT.broken;
}

/**
 * Errors other folders raise for the caller to fix: `ManifestError` (harness/manifest, the message
 * starts with the JSON path) and the report commands' `UsageError` (exit code 2). Matched by shape so
 * this file does not load those modules eagerly.
 */
function isCallersError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return err.name === 'ManifestError' || (err as { exitCode?: unknown }).exitCode === 2;
}

async function version(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
