/**
 * The plan model. Every mutating capability first computes a Plan: for each target (a Region,
 * a function, an image), what it will do and why. The plan is data: printed before execution,
 * shown in the job summary, returned as JSON, and the only thing `--dry-run` executes.
 */

export type PlanAction = 'create' | 'update' | 'skip';

export interface PlanStep {
  /** Where the step applies: a Region, a function name, an image reference. */
  target: string;
  /** What the step touches, e.g. `layer my-layer`, `permission account-123456789012`. */
  resource: string;
  action: PlanAction;
  /** Why this action, in words a user understands ("same CodeSha256 as version 4"). */
  reason: string;
  /** Extra facts for the table and the JSON (current and new hash, version, ...). */
  details?: Record<string, string>;
}

export interface Plan {
  /** What the plan is for, e.g. `layer publish my-layer`. */
  title: string;
  steps: PlanStep[];
}

export function createPlan(title: string, steps: PlanStep[] = []): Plan {
  return { title, steps };
}

/** True when the plan changes nothing anywhere. */
export function isNoop(plan: Plan): boolean {
  return plan.steps.every((s) => s.action === 'skip');
}

/** Counts steps by action, for summaries ("2 create, 1 update, 27 skip"). */
export function summarizePlan(plan: Plan): Record<PlanAction, number> {
  const counts: Record<PlanAction, number> = { create: 0, update: 0, skip: 0 };
  for (const step of plan.steps) counts[step.action] += 1;
  return counts;
}

/** The plan as table rows, the shape every reporter renders. */
export function planTable(plan: Plan): Table {
  return {
    title: `Plan: ${plan.title}`,
    columns: ['Target', 'Resource', 'Action', 'Reason'],
    rows: plan.steps.map((s) => [s.target, s.resource, s.action, s.reason]),
  };
}

/** A table for people: the same data every reporter renders (terminal, job summary). */
export interface Table {
  title: string;
  columns: string[];
  rows: string[][];
}
