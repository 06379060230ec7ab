import { FAULTS, type Fault, type FaultAt, type FaultName, type FaultPoint } from './fault-catalog.js';

/**
 * Faults armed per login tag. A fault only ever applies to requests (and artifacts) of its own tag, so
 * concurrent checks never see each other's faults. Untagged requests never see a fault.
 *
 * Where each fault applies is its declaration's `at` (`fault-catalog.ts`); an endpoint asks for the
 * fault armed at its point (`at(tag, 'ID token')`) or for one fault by name (`get`).
 */
export class FaultRegistry {
  readonly #armed = new Map<string, Fault[]>();

  /** Arms `fault` for `tag` (a second fault of the same name replaces the first). */
  arm(tag: string, fault: Fault): void {
    const list = (this.#armed.get(tag) ?? []).filter((f) => f.name !== fault.name);
    list.push(fault);
    this.#armed.set(tag, list);
  }

  clear(tag: string): void {
    this.#armed.delete(tag);
  }

  /** The armed fault of that name for the tag, typed by name. */
  get<N extends FaultName>(tag: string | undefined, name: N): Extract<Fault, { name: N }> | undefined {
    if (tag === undefined) return undefined;
    return this.#armed.get(tag)?.find((f): f is Extract<Fault, { name: N }> => f.name === name);
  }

  /** The armed fault declared to apply at `point`, if any. */
  at<A extends FaultPoint>(tag: string | undefined, point: A): FaultAt<A> | undefined {
    if (tag === undefined) return undefined;
    return this.#armed.get(tag)?.find((f): f is FaultAt<A> => FAULTS[f.name].at === point);
  }
}
