/**
 * The error family of deploykit. Core code throws these; only entry points (CLI, action,
 * CodePipeline handler) turn them into an exit code, `core.setFailed` or `PutJobFailureResult`.
 */

/** Base class: every error deploykit raises on purpose. `hint` says how to fix it. */
export class DeploykitError extends Error {
  readonly hint: string | undefined;
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.hint = options.hint;
  }
}

/** One problem with one input: which input, what is wrong, how to fix it. */
export interface InputProblem {
  input: string;
  message: string;
}

/**
 * Bad input. Carries every problem found, so a user fixes them all in one go.
 * Thrown before anything in AWS is touched.
 */
export class InputError extends DeploykitError {
  readonly problems: readonly InputProblem[];
  constructor(problems: readonly InputProblem[]) {
    super(InputError.describe(problems));
    this.problems = problems;
  }

  static single(input: string, message: string): InputError {
    return new InputError([{ input, message }]);
  }

  private static describe(problems: readonly InputProblem[]): string {
    if (problems.length === 1 && problems[0]) return `'${problems[0].input}' ${problems[0].message}`;
    const lines = problems.map((p) => `  - '${p.input}' ${p.message}`);
    return `${problems.length} problems with the input:\n${lines.join('\n')}`;
  }
}

/** Facts about a failed AWS call, as the SDK reports them. */
export interface AwsCallFacts {
  service: string;
  operation: string;
  region?: string | undefined;
  /** The AWS error code, e.g. `ResourceConflictException`. */
  errorName: string;
  requestId?: string | undefined;
  httpStatus?: number | undefined;
}

/** An AWS API call failed (after the SDK's own retries). */
export class AwsCallError extends DeploykitError {
  readonly service: string;
  readonly operation: string;
  readonly region: string | undefined;
  readonly errorName: string;
  readonly requestId: string | undefined;
  readonly httpStatus: number | undefined;
  constructor(facts: AwsCallFacts, message: string, options: { hint?: string; cause?: unknown } = {}) {
    const where = facts.region ? ` in ${facts.region}` : '';
    super(`${facts.service}.${facts.operation}${where} failed: ${facts.errorName}: ${message}`, options);
    this.service = facts.service;
    this.operation = facts.operation;
    this.region = facts.region;
    this.errorName = facts.errorName;
    this.requestId = facts.requestId;
    this.httpStatus = facts.httpStatus;
  }
}

/** A gate refused to let a deploy go on: the function is Failed, Inactive, or never became ready. */
export class GateFailedError extends DeploykitError {
  readonly target: string;
  readonly reasonCode: string | undefined;
  constructor(
    target: string,
    message: string,
    options: { hint?: string; reasonCode?: string; cause?: unknown } = {},
  ) {
    super(message, options);
    this.target = target;
    this.reasonCode = options.reasonCode;
  }
}

/** A deadline passed (a user timeout, or the Lambda invocation's remaining time). */
export class DeadlineError extends DeploykitError {}

/** An input artifact (zip, image, file) is missing or malformed. */
export class ArtifactError extends DeploykitError {}

/** The local environment lacks something: a container engine, a registry, credentials. */
export class EnvironmentError extends DeploykitError {}

/** A container build or push failed inside the engine's progress stream. */
export class ContainerEngineError extends DeploykitError {}

/** Some targets (Regions, functions, images) failed; the others' results are in `results`. */
export class PartialFailureError extends DeploykitError {
  readonly failed: readonly string[];
  constructor(failed: readonly string[], message: string) {
    super(message);
    this.failed = failed;
  }
}

/** Turns anything thrown into one line a user can act on, with the hint on a second line. */
export function describeError(error: unknown): string {
  if (error instanceof DeploykitError) {
    return error.hint ? `${error.message}\nHow to fix: ${error.hint}` : error.message;
  }
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
