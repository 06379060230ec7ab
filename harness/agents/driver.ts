/**
 * The driver protocol client (TARGETS.md section 4): one JSON object per line, requests on the
 * driver's stdin, answers on its stdout, the client's log on its stderr. A driver that exits, writes
 * a line that is not a protocol answer, answers an id nobody asked, or does not answer in time makes
 * the call reject with a DriverError naming which of these happened.
 */
import { z } from 'zod';
import { LoginHarnessError } from '../../core/errors.js';
import { ManagedProcess, type ExitInfo } from '../target/process.js';
import { logsTail } from '../target/start.js';
import type { ResolvedTarget, TranscriptEntry } from '../types.js';

export type DriverOp = 'authorize' | 'callback' | 'refresh' | 'api' | 'logout';

/** Per-op answer timeout when none is given. */
export const DRIVER_TIMEOUT_MS = 15_000;

/** A driver's answer. Unknown fields are allowed (drivers may add diagnostics). */
export const driverAnswerSchema = z.object({
  id: z.number().int(),
  ok: z.boolean(),
  url: z.string().optional(),
  status: z.number().int().optional(),
  error: z.string().optional(),
});

export type DriverAnswer = z.infer<typeof driverAnswerSchema>;

/**
 * - `exited`: the driver is not running (never started, exited, or was stopped);
 * - `garbage`: it wrote a stdout line that is not JSON;
 * - `protocol`: a JSON line that is not an answer, or an answer to an id that was not asked;
 * - `timeout`: no answer within the op timeout.
 */
export type DriverErrorKind = 'exited' | 'garbage' | 'timeout' | 'protocol';

export class DriverError extends LoginHarnessError<'driver'> {
  readonly kind: DriverErrorKind;
  /** The offending stdout line, for `garbage` and `protocol`. */
  readonly line?: string;
  constructor(kind: DriverErrorKind, message: string, line?: string) {
    super('driver', message);
    this.kind = kind;
    if (line !== undefined) this.line = line;
  }
}

interface Pending {
  op: DriverOp;
  resolve: (a: DriverAnswer) => void;
  reject: (e: DriverError) => void;
  timer: NodeJS.Timeout;
  entry: TranscriptEntry;
}

const RESERVED = new Set(['id', 'session', 'op']);

/**
 * The longest line a driver may write (an answer with a storage dump stays far below it): a driver that
 * writes without line breaks breaks the protocol instead of filling the harness's memory.
 */
export const MAX_LINE_CHARS = 32 * 1024 * 1024;

/**
 * Splits a stream of text into lines (`\n`, a `\r` before it dropped). Each chunk is searched once:
 * searching the whole pending text again at every chunk made a long line quadratic (a driver writing
 * a hundred megabytes without a line break, in 64 kB chunks, kept the event loop busy for 54 s).
 */
export class LineReader {
  #pending: string[] = [];
  #pendingChars = 0;

  constructor(private readonly maxChars: number) {}

  /** The lines `chunk` completes, in order; throws when the line being read grows past the limit. */
  push(chunk: string): string[] {
    const out: string[] = [];
    let from = 0;
    for (let nl = chunk.indexOf('\n'); nl >= 0; nl = chunk.indexOf('\n', from)) {
      this.#grow(nl - from);
      this.#pending.push(chunk.slice(from, nl));
      const line = this.#pending.join('');
      this.#pending = [];
      this.#pendingChars = 0;
      out.push(line.endsWith('\r') ? line.slice(0, -1) : line);
      from = nl + 1;
    }
    if (from < chunk.length) {
      this.#grow(chunk.length - from);
      this.#pending.push(chunk.slice(from));
    }
    return out;
  }

  #grow(chars: number): void {
    this.#pendingChars += chars;
    if (this.#pendingChars > this.maxChars)
      throw new Error(`driver wrote more than ${this.maxChars} characters without a line break`);
  }
}

/** A running driver. Requests of different sessions may be in flight at once; answers match by id. */
export class DriverProcess {
  private readonly pending = new Map<number, Pending>();
  /** Ids that timed out: a late answer to them is tolerated and dropped. */
  private readonly late = new Set<number>();
  private readonly entries: TranscriptEntry[] = [];
  private nextId = 0;
  private seq = 0;
  private readonly lines = new LineReader(MAX_LINE_CHARS);
  /** Set once the protocol can no longer be trusted; every later call rejects with it. */
  private broken: DriverError | undefined;
  private stopping = false;

  private constructor(
    private readonly proc: ManagedProcess,
    private readonly clock: () => number,
  ) {
    const stdout = proc.child.stdout;
    stdout?.on('data', (chunk: string) => this.onData(chunk));
    proc.child.stdin?.on('error', () => {
      // EPIPE when the driver has gone; the exit handler reports it.
    });
    void proc.onExit.then((exit) => {
      const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${String(exit.code)}`;
      const tail = logsTail(proc.stderr(), 1_000);
      this.fail(
        new DriverError(
          'exited',
          this.stopping ? 'driver was stopped' : `driver ${how}${tail ? `; stderr:\n${tail}` : ''}`,
        ),
      );
    });
  }

  /** Spawns `target.start.command` (argv, no shell) with a protocol pipe; ready as soon as it runs. */
  static async start(target: ResolvedTarget, opts: { clock?: () => number } = {}): Promise<DriverProcess> {
    const start = target.start;
    if (!start) throw new DriverError('exited', 'a driver target needs start.command');
    const proc = ManagedProcess.spawn({ command: start.command, cwd: start.cwd, env: start.env, stdin: 'pipe' });
    await new Promise<void>((resolve, reject) => {
      proc.child.once('spawn', resolve);
      proc.child.once('error', (err) =>
        reject(new DriverError('exited', `cannot start driver ${JSON.stringify(start.command[0])}: ${err.message}`)),
      );
    });
    return new DriverProcess(proc, opts.clock ?? Date.now);
  }

  /** Resolves when the driver process has exited (also after `stop`). */
  get onExit(): Promise<ExitInfo> {
    return this.proc.onExit;
  }

  /** Leader pid of the driver's process group. */
  get pid(): number | undefined {
    return this.proc.pid;
  }

  /** The driver's stderr so far (the client's log, scanned for leaks). */
  stderr(): string {
    return this.proc.stderr();
  }

  exited(): boolean {
    return this.proc.exited();
  }

  /** Every request and answer, oldest first (agent `driver`; method is the op). */
  transcript(): TranscriptEntry[] {
    return this.entries.map((e) => ({ ...e }));
  }

  /**
   * Sends one request and resolves with its answer (whether `ok` or not). `extra` carries the op's
   * parameters (`url` for callback, `path` for api).
   */
  send(
    session: string,
    op: DriverOp,
    extra: Record<string, string> = {},
    timeoutMs: number = DRIVER_TIMEOUT_MS,
  ): Promise<DriverAnswer> {
    if (this.broken) return Promise.reject(new DriverError(this.broken.kind, this.broken.message, this.broken.line));
    const id = ++this.nextId;
    const request: Record<string, string | number> = { id, session, op };
    for (const [k, v] of Object.entries(extra)) if (!RESERVED.has(k)) request[k] = v;
    const line = JSON.stringify(request);
    const entry: TranscriptEntry = {
      seq: ++this.seq,
      at: this.clock(),
      agent: 'driver',
      method: op,
      url: extra.url ?? extra.path ?? `driver:${session}`,
      requestHeaders: { session },
      requestBody: line,
      note: `driver op ${op}`,
    };
    this.entries.push(entry);
    return new Promise<DriverAnswer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        this.late.add(id);
        entry.note = `driver op ${op}: no answer within ${timeoutMs} ms`;
        reject(new DriverError('timeout', `driver did not answer ${op} (id ${id}) within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { op, resolve, reject, timer, entry });
      this.proc.child.stdin?.write(`${line}\n`);
    });
  }

  private onData(chunk: string): void {
    if (this.broken) return;
    let lines: string[];
    try {
      lines = this.lines.push(chunk);
    } catch (err) {
      this.fail(new DriverError('protocol', (err as Error).message));
      return;
    }
    for (const line of lines) if (line.trim() !== '') this.onLine(line);
  }

  private onLine(line: string): void {
    if (this.broken) return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      this.fail(new DriverError('garbage', `driver wrote a line that is not JSON on stdout: ${clip(line)}`, line));
      return;
    }
    const parsed = driverAnswerSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? issue.path.join('.') : '(answer)';
      this.fail(
        new DriverError(
          'protocol',
          `driver answer is not {id, ok, url?, status?, error?}: ${where}: ${issue?.message ?? 'invalid'}: ${clip(line)}`,
          line,
        ),
      );
      return;
    }
    const answer = parsed.data;
    const pending = this.pending.get(answer.id);
    if (!pending) {
      if (this.late.delete(answer.id)) return;
      const asked = [...this.pending.keys()].join(', ') || 'none';
      this.fail(
        new DriverError('protocol', `driver answered id ${answer.id}, which was not asked (pending: ${asked})`, line),
      );
      return;
    }
    this.pending.delete(answer.id);
    clearTimeout(pending.timer);
    pending.entry.responseBody = line;
    if (answer.status !== undefined) pending.entry.status = answer.status;
    pending.entry.note = `driver op ${pending.op}: ${answer.ok ? 'ok' : `not ok${answer.error ? ` (${answer.error})` : ''}`}`;
    pending.resolve(answer);
  }

  /** Rejects everything in flight and everything after (the stream is out of step or gone). */
  private fail(error: DriverError): void {
    if (!this.broken) this.broken = error;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.entry.note = `driver op ${p.op}: ${error.kind}`;
      p.reject(new DriverError(error.kind, error.message, error.line));
      this.pending.delete(id);
    }
  }

  /** Closes stdin (a polite driver exits on EOF) and stops the process group. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.proc.child.stdin?.end();
    await this.proc.stop();
  }
}

function clip(line: string): string {
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}
