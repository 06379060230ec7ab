/**
 * Declaring a check: every check in the catalog is written once, as one call to
 * {@link defineClientCheck} or {@link defineProviderCheck}, which fill in the defaults (target, kinds,
 * agent, faults, needs) so a declaration names only what differs from the common case.
 *
 * The faults a client check arms are part of its declaration (`faults`): the runner's `arm()` refuses
 * a fault whose name is not declared, so the documented fault and the armed one cannot drift apart.
 */
import type { TargetKind } from '../harness/types.js';
import type { ClientCheck, ClientCheckContext, Outcome } from './types.js';
import type { ProviderCheck } from './provider/types.js';
import { Inconclusive, notApplicable } from './lib/outcome.js';

/** Every target kind (the default of a client check). */
export const ALL_KINDS: readonly TargetKind[] = ['web', 'spa', 'driver'];

/** Kinds a person uses through a browser (there is a page, an address bar, cookies). */
export const BROWSER_KINDS: readonly TargetKind[] = ['web', 'spa'];

/** What a client check's author writes: {@link ClientCheck} with its defaults left out. */
export type ClientCheckDeclaration = Omit<ClientCheck, 'target' | 'kinds' | 'agent' | 'faults'> &
  Partial<Pick<ClientCheck, 'agent' | 'faults'>> & {
    kinds?: readonly TargetKind[];
    /**
     * Why the check does not apply to a kind it leaves out, for the `not-applicable` summary (a reader
     * of a report learns what would have to exist for it to apply, not only that it was skipped).
     */
    otherKinds?: Partial<Record<TargetKind, string>>;
  };

/** What a provider check's author writes: {@link ProviderCheck} with its defaults left out. */
export type ProviderCheckDeclaration = Omit<ProviderCheck, 'target' | 'needs'> & Partial<Pick<ProviderCheck, 'needs'>>;

/**
 * Declares a client check. Defaults: every target kind, the `default` agent, no provider fault.
 * A target of a kind the check does not cover gets `not-applicable`. The run function is wrapped so
 * that {@link Inconclusive} ends the check with its outcome; any other thrown error (including the
 * runner's refusal of an undeclared fault) reaches the runner, which reports it as `error` (with the
 * error's `errorKind` when it has one, e.g. a driver that died).
 */
export function defineClientCheck(declaration: ClientCheckDeclaration): ClientCheck {
  const { run, kinds = ALL_KINDS, agent = 'default', faults = [], otherKinds = {}, ...meta } = declaration;
  return {
    ...meta,
    target: 'client',
    kinds: [...kinds],
    agent,
    faults: [...new Set(faults)],
    async run(ctx: ClientCheckContext): Promise<Outcome> {
      if (!kinds.includes(ctx.target.kind)) {
        const why = otherKinds[ctx.target.kind];
        return notApplicable(
          `This check applies to ${kinds.join(', ')} targets, not ${ctx.target.kind}${why ? `: ${why}` : '.'}`,
        );
      }
      try {
        return await run(ctx);
      } catch (err) {
        if (err instanceof Inconclusive) {
          ctx.observe(`Stopped: ${err.outcome.summary}`);
          return err.outcome;
        }
        throw err;
      }
    },
  };
}

/** Declares a provider check. Default: it needs no provider feature (it applies to every provider). */
export function defineProviderCheck(declaration: ProviderCheckDeclaration): ProviderCheck {
  const { needs = [], ...rest } = declaration;
  return { ...rest, target: 'provider', needs: [...needs] };
}
