import * as core from '@actions/core';
import { planTable, type Table } from '../core/plan.ts';
import type { Reporter } from '../core/reporter.ts';

/** The subset of @actions/core the reporter uses, injectable for tests. */
export type ActionsCore = Pick<
  typeof core,
  'info' | 'warning' | 'error' | 'debug' | 'setSecret' | 'setOutput' | 'summary' | 'isDebug'
>;

function summaryTable(table: Table) {
  return [
    table.columns.map((c) => ({ data: c, header: true })),
    ...table.rows.map((r) => r.map((c) => ({ data: escapeHtml(c) }))),
  ];
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
}

/**
 * The GitHub Actions reporter: messages to the log (masked with `core.setSecret`), results
 * as step outputs and as a job summary table.
 */
export function createActionsReporter(
  actions: ActionsCore = core,
  options: { log?: boolean } = {},
): Reporter & { flush(): Promise<void> } {
  // With log: false another reporter (the CLI's) writes the log; this one adds masks, outputs
  // and the job summary only.
  const log = options.log ?? true;
  let pending: Promise<unknown> = Promise.resolve();
  return {
    info: (m) => log && actions.info(m),
    warn: (m) => log && actions.warning(m),
    error: (m) => log && actions.error(m),
    debug: (m) => log && actions.debug(m),
    secret: (v) => actions.setSecret(v),
    plan(plan, dryRun) {
      const table = planTable(plan);
      if (log) {
        actions.info(table.title);
        for (const s of plan.steps) actions.info(`  ${s.target}: ${s.action} ${s.resource} (${s.reason})`);
      }
      if (dryRun) {
        actions.summary.addHeading(`${table.title} (dry run)`, 3).addTable(summaryTable(table));
        pending = pending.then(() => actions.summary.write());
      }
    },
    result(outcome) {
      // `result` is the whole JSON result, for steps that want more than the named outputs.
      actions.setOutput('result', JSON.stringify(outcome.json));
      for (const [k, v] of Object.entries(outcome.outputs ?? {})) actions.setOutput(k, v);
      actions.summary.addHeading(outcome.table.title, 3).addTable(summaryTable(outcome.table));
      if (outcome.notes?.length) actions.summary.addList(outcome.notes.map(escapeHtml));
      pending = pending.then(() => actions.summary.write());
    },
    flush: () => pending.then(() => undefined),
  };
}
