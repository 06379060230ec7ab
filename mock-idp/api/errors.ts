/**
 * lexoffice's error bodies. The API gateway answers authentication and rate-limit failures with a bare
 * `{"message": ...}`; the services answer with either the current format (status, error, path,
 * traceId, ...) or, on older endpoints such as contacts, the legacy `IssueList` format.
 */

const JSON_HEADERS = { 'content-type': 'application/json;charset=UTF-8' } as const;

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  429: 'Too Many Requests',
};

/** A JSON response with lexoffice's content type. */
export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...JSON_HEADERS, ...headers } });
}

/** The gateway's format: `{"message":"Unauthorized"}`, `{"message":"API rate limit exceeded"}`. */
export function gatewayError(status: number, message: string, headers: Record<string, string> = {}): Response {
  return jsonResponse(status, { message }, headers);
}

/** The current service format, e.g. 404 `{timestamp, status, error, path, traceId, message}`. */
export function serviceError(
  status: number,
  opts: { path: string; traceId: string; timestamp: string; message?: string; headers?: Record<string, string> },
): Response {
  return jsonResponse(
    status,
    {
      timestamp: opts.timestamp,
      status,
      error: REASONS[status] ?? 'Error',
      path: opts.path,
      traceId: opts.traceId,
      ...(opts.message === undefined ? {} : { message: opts.message }),
    },
    opts.headers,
  );
}

/** One entry of the legacy format's `IssueList`. */
export interface LegacyIssue {
  i18nKey: string;
  source: string;
  type: 'validation_failure' | 'missing_entity' | 'technical_error';
}

/** The legacy format: `{requestId, IssueList: [{i18nKey, source, type}]}`. */
export function legacyError(status: number, requestId: string, issues: LegacyIssue[]): Response {
  return jsonResponse(status, { requestId, IssueList: issues });
}
