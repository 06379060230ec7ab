/**
 * Starts a lab: the reference client with one step replaced. A lab's `server.ts` is
 * `runLab('name', { flow: { oneStep() {...} } })` or `{ shell: { oneStep() {...} } }`.
 */
import { readEnv } from '../../shared/env.js';
import { listen, runMain } from '../../shared/listen.js';
import { discover, type ProviderMetadata } from '../../reference-web/discovery.js';
import { createLabApp, type ShellSteps } from './app.js';
import { createLabFlow, type FlowSteps } from './flow.js';

export type { FlowSteps } from './flow.js';
export type { ShellSteps } from './app.js';

/** The steps a lab replaces. */
export interface LabSteps {
  flow?: Partial<FlowSteps>;
  shell?: Partial<ShellSteps>;
  /** Reads the provider metadata at start-up (default: the reference client's discovery). */
  discover?: (issuer: string) => Promise<ProviderMetadata>;
}

/** Runs the lab server with the environment its target.json sets. */
export function runLab(name: string, steps: LabSteps = {}): void {
  runMain(name, async () => {
    const env = readEnv(process.env, { secretRequired: true });
    const meta = await (steps.discover ?? discover)(env.issuer);
    const server = createLabApp({
      name,
      flow: createLabFlow(env, meta, steps.flow),
      redirectUri: env.redirectUri,
      steps: steps.shell,
    });
    await listen(server, name, env.host, env.port);
  });
}
