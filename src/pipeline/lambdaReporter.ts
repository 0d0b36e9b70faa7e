import { planTable } from '../core/plan.ts';
import type { Redactor } from '../core/redact.ts';
import type { Reporter } from '../core/reporter.ts';

/**
 * The Lambda reporter: one JSON object per line (CloudWatch Logs Insights can query them),
 * every value passed through the redactor. Never given a whole event to log.
 */
export function createLambdaReporter(
  redactor: Redactor,
  context: Record<string, string> = {},
  write: (line: string) => void = (l) => console.log(l),
): Reporter {
  const log = (level: string, message: string, extra: Record<string, unknown> = {}) =>
    write(JSON.stringify(redactor.redactValue({ level, message, ...context, ...extra })));
  return {
    info: (m) => log('info', m),
    warn: (m) => log('warn', m),
    error: (m) => log('error', m),
    debug: (m) => {
      if (process.env.DEPLOYKIT_DEBUG) log('debug', m);
    },
    secret: (v) => redactor.addSecret(v),
    plan: (plan, dryRun) => log('info', planTable(plan).title, { dryRun, plan }),
    result: (outcome) => log(outcome.ok ? 'info' : 'error', outcome.table.title, { result: outcome.json }),
  };
}
