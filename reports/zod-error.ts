/**
 * Turns zod issues into one line per problem that names the JSON path (`entries[0].expires`), the way
 * every boundary of the project reports bad input.
 */
import type { z } from 'zod';

/** `$.entries[0].expires`-style path of one issue; the root is `$`. */
export function jsonPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '$';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key)) out += `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

/** One line per issue: `$.entries[0].expires: Invalid ISO date`. */
export function formatZodIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${jsonPath(issue.path)}: ${issue.message}`).join('; ');
}
