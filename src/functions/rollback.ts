import { type AliasConfiguration, GetAliasCommand, UpdateAliasCommand } from '@aws-sdk/client-lambda';
import { toAwsCallError } from '../aws/awsErrors.ts';
import { GateFailedError, InputError } from '../core/errors.ts';
import { createPlan, type Plan } from '../core/plan.ts';
import { errorNameOf } from '../core/retry.ts';
import { aliasDescription, recordedPreviousVersion } from './deploy.ts';
import { type GateDeps, waitForFunction } from './gate.ts';

export interface RollbackRequest {
  functionName: string;
  alias: string;
  /** Default: the version recorded by the last deploy that moved the alias. */
  toVersion?: string;
}

export interface RollbackTarget {
  alias: AliasConfiguration;
  from: string;
  to: string;
}

/** Reads the alias and decides where it goes back to. Changes nothing. */
export async function resolveRollback(deps: GateDeps, req: RollbackRequest): Promise<RollbackTarget> {
  let alias: AliasConfiguration;
  try {
    alias = await deps.lambda.send(new GetAliasCommand({ FunctionName: req.functionName, Name: req.alias }));
  } catch (error) {
    if (errorNameOf(error) === 'ResourceNotFoundException') {
      throw new GateFailedError(
        req.functionName,
        `Alias ${req.alias} of ${req.functionName} does not exist in ${deps.region}`,
        {
          hint: 'check --function, --alias and --region',
          reasonCode: 'ResourceNotFoundException',
        },
      );
    }
    throw toAwsCallError(error, { service: 'Lambda', operation: 'GetAlias', region: deps.region });
  }
  const from = alias.FunctionVersion ?? '$LATEST';
  const to = req.toVersion ?? recordedPreviousVersion(alias);
  if (!to) {
    throw InputError.single(
      'to-version',
      `is required: alias ${req.alias} has no version recorded by a deploykit deploy (its description is '${alias.Description ?? ''}'); name the version to go back to`,
    );
  }
  return { alias, from, to };
}

export function planRollback(req: RollbackRequest, target: RollbackTarget): Plan {
  return createPlan(`function rollback ${req.functionName}:${req.alias}`, [
    {
      target: req.functionName,
      resource: `alias ${req.alias}`,
      action: target.from === target.to ? 'skip' : 'update',
      reason:
        target.from === target.to
          ? `already at version ${target.to}`
          : `version ${target.from} → ${target.to}${req.toVersion ? '' : ' (recorded by the last deploy)'}`,
      details: { from: target.from, to: target.to },
    },
  ]);
}

/**
 * Moves the alias back. The target version is gated first (a version can be Inactive or
 * Failed too); the move records the version it leaves, so a second rollback undoes the first.
 */
export async function rollbackAlias(
  deps: GateDeps,
  req: RollbackRequest,
  target: RollbackTarget,
  deadlineAt: number,
) {
  if (target.from === target.to) return { ...target, moved: false };
  await waitForFunction(deps, req.functionName, { qualifier: target.to, deadlineAt });
  try {
    await deps.lambda.send(
      new UpdateAliasCommand({
        FunctionName: req.functionName,
        Name: req.alias,
        FunctionVersion: target.to,
        Description: aliasDescription(target.from),
        ...(target.alias.RevisionId ? { RevisionId: target.alias.RevisionId } : {}),
      }),
    );
  } catch (error) {
    throw toAwsCallError(
      error,
      { service: 'Lambda', operation: 'UpdateAlias', region: deps.region },
      errorNameOf(error) === 'PreconditionFailedException'
        ? 'the alias moved while rolling back; look at it and run again'
        : undefined,
    );
  }
  deps.reporter.info(
    `${req.functionName}: alias ${req.alias} moved back from version ${target.from} to ${target.to}`,
  );
  return { ...target, moved: true };
}
