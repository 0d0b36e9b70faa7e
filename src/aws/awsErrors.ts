import { AwsCallError } from '../core/errors.ts';
import { errorNameOf } from '../core/retry.ts';

interface SdkErrorShape {
  message?: string;
  $metadata?: { requestId?: string; httpStatusCode?: number };
}

/**
 * Wraps an SDK error into an AwsCallError that names the service, operation and Region, and
 * keeps the AWS error code, request id and the original error as `cause`.
 */
export function toAwsCallError(
  error: unknown,
  where: { service: string; operation: string; region?: string },
  hint?: string,
): AwsCallError {
  if (error instanceof AwsCallError) return error;
  const e = (error ?? {}) as SdkErrorShape;
  return new AwsCallError(
    {
      ...where,
      errorName: errorNameOf(error) ?? 'UnknownError',
      requestId: e.$metadata?.requestId,
      httpStatus: e.$metadata?.httpStatusCode,
    },
    e.message ?? String(error),
    { cause: error, ...(hint ? { hint } : {}) },
  );
}

/** Runs one SDK call and rethrows its failure as an AwsCallError. */
export async function callAws<T>(
  where: { service: string; operation: string; region?: string },
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toAwsCallError(error, where);
  }
}
