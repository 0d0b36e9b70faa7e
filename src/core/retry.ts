/**
 * One place that says which AWS errors are worth retrying. The SDK's adaptive retry strategy
 * already retries throttling and transient faults inside each call; these helpers serve the
 * few loops that sit above the SDK (a gate waiting out ResourceConflictException, a fan-out
 * deciding whether a Region's failure is final).
 */

const THROTTLING_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
  'SlowDown',
  'RequestThrottled',
  'RequestThrottledException',
]);

/** Lambda answers this while an update or a create is still in progress on the function. */
const CONFLICT_NAMES = new Set(['ResourceConflictException']);

/** Reads the error name the SDK puts on service exceptions (or `code` on older shapes). */
export function errorNameOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { name?: unknown; code?: unknown; errorName?: unknown };
  if (typeof e.errorName === 'string') return e.errorName;
  if (typeof e.name === 'string' && e.name !== 'Error') return e.name;
  if (typeof e.code === 'string') return e.code;
  return undefined;
}

export function isThrottlingError(error: unknown): boolean {
  const name = errorNameOf(error);
  if (name && THROTTLING_NAMES.has(name)) return true;
  const status = (error as { $metadata?: { httpStatusCode?: number }; httpStatus?: number } | null)?.$metadata
    ?.httpStatusCode;
  return status === 429;
}

export function isConflictError(error: unknown): boolean {
  const name = errorNameOf(error);
  return name !== undefined && CONFLICT_NAMES.has(name);
}

/** True for errors a loop above the SDK may retry: throttling, conflicts, 5xx faults. */
export function isRetryableError(error: unknown): boolean {
  if (isThrottlingError(error) || isConflictError(error)) return true;
  const e = error as {
    $fault?: unknown;
    $retryable?: unknown;
    $metadata?: { httpStatusCode?: number };
  } | null;
  if (e?.$retryable) return true;
  const status = e?.$metadata?.httpStatusCode;
  return e?.$fault === 'server' || (status !== undefined && status >= 500);
}

/**
 * Exponential backoff with full jitter, capped. `random` is injected so tests are exact.
 * attempt 0 gives a delay in [0, base), attempt n in [0, min(cap, base * 2^n)).
 */
export function backoffDelay(
  attempt: number,
  baseMs: number,
  capMs: number,
  random: () => number = Math.random,
) {
  const ceiling = Math.min(capMs, baseMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}
