import type { FunctionConfiguration } from '@aws-sdk/client-lambda';

/**
 * What a function's State and LastUpdateStatus mean for a deploy, as a pure value.
 * Lambda: create goes Pending → Active | Failed; an update sets LastUpdateStatus InProgress →
 * Successful | Failed (the function stays Active and keeps serving the previous code); an idle
 * function becomes Inactive (StateReasonCode Idle) once Lambda reclaimed its resources.
 */
export type GateVerdict =
  | { kind: 'ready'; state: string; lastUpdateStatus: string }
  | { kind: 'wait'; state: string; lastUpdateStatus: string; why: string }
  | {
      kind: 'failed';
      state: string;
      lastUpdateStatus: string;
      /** Which field failed: the function itself, or its last update. */
      failed: 'state' | 'update';
      stateReasonCode: string | undefined;
      lastUpdateStatusReasonCode: string | undefined;
      reason: string;
    }
  | {
      kind: 'inactive';
      state: string;
      lastUpdateStatus: string;
      stateReasonCode: string | undefined;
      reason: string;
    };

/**
 * How to wake an Inactive function. deploykit never invokes a function, so it does not wake
 * one by itself during `wait`; a deploy of new code does wake it, because an update re-creates
 * the function's resources (Lambda's docs: "redeploy your function to restore it").
 */
export const INACTIVE_HINT =
  "invoke it once (e.g. 'aws lambda invoke --function-name NAME out.json'; that call fails and the function goes Pending, then Active) or update its code or configuration ('deploykit function deploy' does that), then wait again. deploykit never invokes functions itself";

/** Evaluates one GetFunction/GetFunctionConfiguration result. Pure: no clock, no calls. */
export function evaluateFunctionState(config: FunctionConfiguration | undefined): GateVerdict {
  // moto and functions created before states existed may omit the fields; Lambda documents
  // Active/Successful as the settled values, so absent means settled.
  const state = config?.State ?? 'Active';
  const lastUpdateStatus = config?.LastUpdateStatus ?? 'Successful';
  const base = { state, lastUpdateStatus };
  switch (state) {
    case 'Failed':
    case 'Deleting':
      return {
        ...base,
        kind: 'failed',
        failed: 'state',
        stateReasonCode: config?.StateReasonCode,
        lastUpdateStatusReasonCode: config?.LastUpdateStatusReasonCode,
        reason:
          config?.StateReason ??
          (state === 'Failed' ? 'Lambda gave no reason' : 'the function is being deleted'),
      };
    case 'Inactive':
    case 'Deactivated':
    case 'Deactivating':
      return {
        ...base,
        kind: 'inactive',
        stateReasonCode: config?.StateReasonCode,
        reason: config?.StateReason ?? 'the function was idle and Lambda reclaimed its resources',
      };
    case 'Pending':
      return {
        ...base,
        kind: 'wait',
        why: `State is Pending${config?.StateReasonCode ? ` (${config.StateReasonCode})` : ''}`,
      };
    case 'Active':
      break;
    default:
      // States Lambda may add (ActiveNonInvocable, ...) are not "ready": wait and say which.
      return { ...base, kind: 'wait', why: `State is ${state}` };
  }
  if (lastUpdateStatus === 'InProgress') {
    return {
      ...base,
      kind: 'wait',
      why: `LastUpdateStatus is InProgress${config?.LastUpdateStatusReasonCode ? ` (${config.LastUpdateStatusReasonCode})` : ''}`,
    };
  }
  if (lastUpdateStatus === 'Failed') {
    return {
      ...base,
      kind: 'failed',
      failed: 'update',
      stateReasonCode: config?.StateReasonCode,
      lastUpdateStatusReasonCode: config?.LastUpdateStatusReasonCode,
      reason: config?.LastUpdateStatusReason ?? 'Lambda gave no reason',
    };
  }
  return { ...base, kind: 'ready' };
}

/** One line a person can act on: state, both reason codes and the reason. */
export function describeVerdict(name: string, verdict: GateVerdict): string {
  switch (verdict.kind) {
    case 'ready':
      return `${name} is ready (State Active, LastUpdateStatus Successful)`;
    case 'wait':
      return `${name} is not ready: ${verdict.why}`;
    case 'inactive':
      return `${name} is ${verdict.state} (StateReasonCode ${verdict.stateReasonCode ?? 'none'}): ${verdict.reason}`;
    case 'failed': {
      const what = verdict.failed === 'state' ? `State is ${verdict.state}` : 'the last update Failed';
      return `${name}: ${what}; StateReasonCode ${verdict.stateReasonCode ?? 'none'}, LastUpdateStatusReasonCode ${verdict.lastUpdateStatusReasonCode ?? 'none'}: ${verdict.reason}`;
    }
  }
}
