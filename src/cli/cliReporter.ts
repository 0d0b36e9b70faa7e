import { planTable } from '../core/plan.ts';
import { createRedactor, type Redactor } from '../core/redact.ts';
import { type Reporter, renderTable } from '../core/reporter.ts';

export interface CliReporterOptions {
  json: boolean;
  verbose: boolean;
  /** Where results go (stdout). */
  out?: (text: string) => void;
  /** Where progress and messages go (stderr), so `--json` output stays parseable. */
  err?: (text: string) => void;
}

/**
 * The CLI's reporter: messages on stderr, results on stdout, as a table for people or, with
 * `--json`, one JSON document for machines. Every line passes through the redactor.
 */
export function createCliReporter(options: CliReporterOptions): Reporter & { redactor: Redactor } {
  const redactor = createRedactor();
  const out = options.out ?? ((t: string) => process.stdout.write(`${t}\n`));
  const err = options.err ?? ((t: string) => process.stderr.write(`${t}\n`));
  const say = (text: string) => err(redactor.redact(text));
  return {
    redactor,
    info: (m) => say(m),
    warn: (m) => say(`warning: ${m}`),
    error: (m) => say(`error: ${m}`),
    debug: (m) => {
      if (options.verbose) say(`debug: ${m}`);
    },
    secret: (v) => redactor.addSecret(v),
    plan(plan, dryRun) {
      if (options.json) {
        if (dryRun) out(redactor.redact(JSON.stringify({ dryRun: true, plan }, null, 2)));
        return;
      }
      const target = dryRun ? out : err;
      target(redactor.redact(renderTable(planTable(plan))));
      if (dryRun) target('Dry run: nothing was changed.');
    },
    result(outcome) {
      if (options.json) {
        out(redactor.redact(JSON.stringify(outcome.json, null, 2)));
        for (const n of outcome.notes ?? []) say(`note: ${n}`);
        return;
      }
      out(redactor.redact(renderTable(outcome.table)));
      for (const n of outcome.notes ?? []) out(redactor.redact(`note: ${n}`));
    },
  };
}
