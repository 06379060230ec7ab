/**
 * How long after a request on another connection the provider counts as serving several clients, ms:
 * then it signs tokens on the thread pool and keeps the event loop free for them.
 */
export const OTHERS_ACTIVE_MS = 50;

/**
 * Tells, request by request, whether other connections sent requests within the last
 * {@link OTHERS_ACTIVE_MS} (`ProviderRequest.othersActive`). A client that keeps one connection and
 * waits for each answer is alone; several clients, or one with a pool of connections, are not.
 */
export function connectionActivity(): (connection: object, now: number) => boolean {
  let last: object | undefined;
  let otherAt = -Infinity;
  return (connection, now) => {
    if (connection !== last) {
      if (last !== undefined) otherAt = now;
      last = connection;
    }
    return now - otherAt < OTHERS_ACTIVE_MS;
  };
}
