/**
 * Shared logins: work that many checks need done the same way, done once per environment and user agent.
 *
 * Most checks that inject a fault first run a control login without any fault ("not signed in" only
 * means "rejected" for a client that can sign in at all), and the leak and request checks each ran an
 * ordinary login only to examine it. Those logins were the same login, repeated by every check: about a
 * third of the logins of an audit. A check now asks its context for the shared login by name
 * (`ctx.shared`); the first to ask runs it, under a login tag of its own, and every check that asks
 * gets the same outcome, and carries the same evidence: the shared login's observations, its transcript
 * (user agent and provider) and its journal entries, seen through the check's own journal view.
 *
 * A shared login arms no fault and cannot ask for another shared login. It runs outside every check's
 * clock and signal: a check that times out while waiting for it does not stop it for the others. It
 * has its own deadline (the first asking check's timeout) and stops with the run.
 */
import type { TranscriptEntryModel } from '../../reports/model.js';
import type { ClientCheckContext } from '../check.js';
import type { OpenSessionOptions, SessionResources } from '../session/index.js';
import type { Session } from '../types.js';
import {
  environmentOfContext,
  openEnvironmentSession,
  providerTranscript,
  type ClientEnvironment,
} from './client-environment.js';
import { CheckRunError } from './errors.js';
import { checkRandom, loginTag } from './seeded.js';
import { taggedJournal } from './tagged-journal.js';
import { waitMs } from './wait.js';

/** The user agent a shared login runs in: the agent of the checks that ask for it. */
export type SharedAgent = OpenSessionOptions['agent'];

/** What one shared login left: its outcome and its evidence. */
export interface SharedRecord {
  /** Its login tag: its journal entries and artifacts carry it. */
  tag: string;
  /** What `run` returned; absent when it threw. */
  value?: unknown;
  /** What `run` threw (every asking check rethrows it). */
  error?: unknown;
  failed: boolean;
  observations: Array<{ text: string; data?: unknown }>;
  /** Its sessions' transcripts, then the provider's transcript of its tag. */
  transcript: TranscriptEntryModel[];
}

/** What a shared login runs with. */
export interface SharedLoginDeps {
  seed: number;
  resources: SessionResources;
  /** The run's signal: a shared login stops with the run. */
  runSignal: AbortSignal;
}

/** The run's shared logins, one per environment, user agent and name. */
export class SharedLogins {
  readonly #runs = new WeakMap<ClientEnvironment, Map<string, Promise<SharedRecord>>>();
  readonly #deps: SharedLoginDeps;

  constructor(deps: SharedLoginDeps) {
    this.#deps = deps;
  }

  /**
   * The record of shared login `key` in `env` for `agent`, run now by `run` if no check asked for it
   * before (every caller of one key passes the same `run`). `timeoutMs` bounds a run started now.
   */
  record(
    env: ClientEnvironment,
    agent: SharedAgent,
    key: string,
    run: (ctx: ClientCheckContext) => Promise<unknown>,
    timeoutMs: number,
  ): Promise<SharedRecord> {
    let runs = this.#runs.get(env);
    if (!runs) this.#runs.set(env, (runs = new Map()));
    const id = `${key}.${agent}`;
    let record = runs.get(id);
    if (!record) {
      record = runShared(env, agent, id, run, timeoutMs, this.#deps);
      runs.set(id, record);
    }
    return record;
  }
}

/** Runs one shared login to its end and records it; never rejects. */
async function runShared(
  env: ClientEnvironment,
  agent: SharedAgent,
  id: string,
  run: (ctx: ClientCheckContext) => Promise<unknown>,
  timeoutMs: number,
  deps: SharedLoginDeps,
): Promise<SharedRecord> {
  const tag = loginTag(`shared.${id}`, deps.seed);
  // Its entries are read by checks for as long as the run lasts: none may make room for other logins.
  env.idp.journal.hold?.(tag);
  const signal = AbortSignal.any([deps.runSignal, AbortSignal.timeout(timeoutMs)]);
  const observations: SharedRecord['observations'] = [];
  const sessions: Session[] = [];
  const record: SharedRecord = { tag, failed: false, observations, transcript: [] };
  try {
    const handle = await env.instance.ensure();
    const ctx: ClientCheckContext = {
      ...environmentOfContext(env, tag),
      arm: (fault) => {
        throw new CheckRunError(
          `the shared login ${id} armed the fault ${fault.name}; shared logins arm none`,
          'harness',
        );
      },
      session: async (name, opts) => {
        if (signal.aborted) throw new CheckRunError(`the shared login ${id} has been stopped`, 'harness');
        const session = await openEnvironmentSession(env, {
          id: `${tag}:${name ?? `s${sessions.length + 1}`}`,
          tag,
          agent,
          ...(opts?.agent ? { asked: opts.agent } : {}),
          driver: handle.driver,
          resources: deps.resources,
          signal,
        });
        sessions.push(session);
        return session;
      },
      journal: taggedJournal(env.idp.journal, tag),
      fullJournal: env.idp.journal,
      observe: (text, data) => void observations.push(data === undefined ? { text } : { text, data }),
      random: checkRandom(`shared.${id}`, deps.seed),
      signal,
      wait: (ms) => waitMs(ms, signal),
      shared: () => Promise.reject(new CheckRunError(`the shared login ${id} asked for another`, 'harness')),
    };
    const stopped = new Promise<never>((_, reject) => {
      const onAbort = (): void =>
        reject(
          deps.runSignal.aborted
            ? new CheckRunError(`the run ended before the shared login ${id} did`, 'harness')
            : new CheckRunError(`the shared login ${id} did not finish within ${timeoutMs} ms`, 'target'),
        );
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
    stopped.catch(() => undefined);
    const body = env.instance.watch(handle, run(ctx));
    // Stopped first, the login's own end (a rejection, as its sessions close) is no one's to handle.
    body.catch(() => undefined);
    record.value = await Promise.race([body, stopped]);
  } catch (err) {
    record.failed = true;
    record.error = err;
  } finally {
    await Promise.allSettled(sessions.map((s) => s.close()));
    record.transcript = [...sessions.flatMap((s) => s.transcript()), ...providerTranscript(env.idp, tag)];
  }
  return record;
}
