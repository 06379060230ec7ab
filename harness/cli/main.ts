/**
 * The `login-harness` command. `bin.ts` (compiled to the package's `bin`) calls {@link main} and exits with its result.
 *
 * Exit codes: 0 no failure at or above the threshold, 1 failures or checks that ended in `error` (unless
 * `--allow-errors`), 2 usage or configuration error (the message names the problem), 3 the run itself broke.
 */
import { EXIT, UsageError } from '../../core/errors.js';
import { runAuditCommand } from './audit.js';
import { DELEGATED_COMMANDS, runDelegated } from './delegate.js';
import { reportError } from './exit.js';
import { processIo, type CliIo } from './io.js';
import { runExplain, runList } from './list-explain.js';

export { EXIT };

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
  lab                   coursework: list, start, check, hint, progress of the vulnerable labs
  grade DIR             audit every student's labs under DIR and write a gradebook

Run \`login-harness <command> --help\` for the options of a command.

Exit codes: 0 no failure at or above the threshold, 1 failures or checks that could not run
(audit --allow-errors lets those pass), 2 usage or configuration error, 3 the run itself broke.
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
      case 'lab':
        return await (await import('./lab.js')).runLabCommand(rest, io);
      case 'grade':
        return await (await import('./grade.js')).runGradeCommand(rest, io);
      case 'audit-provider':
        return await (await import('./audit-provider.js')).runAuditProviderCommand(rest, io);
      default:
        if (DELEGATED_COMMANDS.includes(command)) return await runDelegated(command, rest);
        throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    }
  } catch (err) {
    return reportError(err, io);
  }
}

async function version(): Promise<string> {
  return (await import('../../core/package-root.js')).packageVersion();
}
