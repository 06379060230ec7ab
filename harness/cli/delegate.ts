/**
 * Commands implemented elsewhere (`idp`, `merge`, `diff`). They are imported only
 * when called, so one missing or broken module never takes down the other commands.
 */
import { LoginHarnessError } from '../../core/errors.js';

/** A module that failed to load: the run cannot happen (exit 3), and the message says which. */
export class MissingCommandError extends LoginHarnessError<'missing-command'> {
  constructor(command: string, modulePath: string, cause: unknown) {
    super(
      'missing-command',
      `the \`${command}\` command is not available: ${modulePath} could not be loaded ` +
        `(${cause instanceof Error ? cause.message.split('\n')[0] : String(cause)})`,
      { cause },
    );
  }
}

type CommandFn = (argv: string[]) => Promise<number>;

const LOADERS: Record<string, { path: string; load(): Promise<unknown>; exportName: string }> = {
  idp: { path: 'mock-idp/cli.ts', load: () => import('../../mock-idp/cli.js'), exportName: 'runIdpCommand' },
  merge: {
    path: 'reports/cli.ts',
    // Merged results in catalog order (client checks, then provider checks), as an unsharded run lists them.
    load: async () => {
      const [cli, { catalogOrder }] = await Promise.all([import('../../reports/cli.js'), import('./catalog.js')]);
      const order = await catalogOrder();
      return { runMergeCommand: (argv: string[]) => cli.runMergeCommand(argv, undefined, { order }) };
    },
    exportName: 'runMergeCommand',
  },
  diff: { path: 'reports/cli.ts', load: () => import('../../reports/cli.js'), exportName: 'runDiffCommand' },
};

/** Names of the delegated commands. */
export const DELEGATED_COMMANDS = Object.keys(LOADERS);

/** Runs a delegated command and returns its exit code. */
export async function runDelegated(command: string, argv: string[]): Promise<number> {
  const loader = LOADERS[command];
  if (!loader) throw new Error(`not a delegated command: ${command}`);
  let fn: CommandFn;
  try {
    const mod = (await loader.load()) as Record<string, unknown>;
    const candidate = mod[loader.exportName];
    if (typeof candidate !== 'function') throw new Error(`it does not export ${loader.exportName}()`);
    fn = candidate as CommandFn;
  } catch (err) {
    throw new MissingCommandError(command, loader.path, err);
  }
  return fn(argv);
}
