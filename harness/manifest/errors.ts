/**
 * The one error a bad manifest produces. The CLI maps it to exit code 2 (usage error), so its message
 * must tell an integrator exactly which field to fix and what was expected there.
 */
import { LoginHarnessError } from '../../core/errors.js';

/** A path into the manifest as zod reports it (`["client", "authMethod"]`, `["start", "command", 0]`). */
export type ManifestPathSegments = ReadonlyArray<PropertyKey>;

/** Renders path segments as a JSON path an integrator can read: `client.authMethod`, `start.command[0]`. */
export function formatManifestPath(segments: ManifestPathSegments): string {
  let out = '';
  for (const seg of segments) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else {
      const key = String(seg);
      if (/^[A-Za-z_$][\w$]*$/.test(key)) out += out ? `.${key}` : key;
      else out += `[${JSON.stringify(key)}]`;
    }
  }
  return out;
}

/** Renders a received value for an error message: strings quoted, long values cut. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * An invalid manifest: the message starts with the JSON path of the offending field and says what was
 * expected, e.g. `client.authMethod: expected one of "client_secret_basic" | "client_secret_post" | "none", got "basic"`.
 */
export class ManifestError extends LoginHarnessError<'manifest'> {
  /** JSON path of the offending field (`client.authMethod`); empty for the document as a whole. */
  readonly path: string;
  /** What would have been accepted there, when that can be said in a few words. */
  readonly expected?: string;
  /** The manifest file, when the manifest came from a file. */
  readonly file?: string;

  constructor(path: string, message: string, opts: { expected?: string; file?: string } = {}) {
    super('manifest', `${path || '(manifest)'}: ${message}`);
    this.path = path;
    this.expected = opts.expected;
    this.file = opts.file;
  }

  /** The common shape: `<path>: expected <expected>, got <received>`. */
  static expected(path: string, expected: string, received: unknown, file?: string): ManifestError {
    return new ManifestError(path, `expected ${expected}, got ${describeValue(received)}`, { expected, file });
  }

  /** Same error, now knowing the file it came from. */
  withFile(file: string): ManifestError {
    const copy = new ManifestError(this.path, this.message.slice((this.path || '(manifest)').length + 2), {
      expected: this.expected,
      file,
    });
    copy.stack = this.stack;
    return copy;
  }
}
