import type { Plan, Table } from './plan.ts';

/**
 * How core code talks to people and machines. Three implementations: the CLI (table or
 * `--json`), GitHub Actions (log, masks, outputs, job summary) and Lambda (structured,
 * redacted log lines). Core code never writes to stdout itself.
 */
export interface Reporter {
  info(message: string): void;
  warn(message: string): void;
  /** A failure a user must act on (printed once, by the entry point). */
  error(message: string): void;
  /** Shown with `--verbose` / step debug logging only. */
  debug(message: string): void;
  /** Registers a value that must never appear in any output (ECR password, session token). */
  secret(value: string): void;
  /** The plan, before it is executed (or instead, with `--dry-run`). */
  plan(plan: Plan, dryRun: boolean): void;
  /** The final result of a command: a table for people, JSON for machines, action outputs. */
  result(outcome: Outcome): void;
}

export interface Outcome {
  /** True when every target succeeded. */
  ok: boolean;
  /** Per-target table (Region, function, image). */
  table: Table;
  /** The machine-readable result printed by `--json` and returned by handlers. */
  json: unknown;
  /** GitHub Actions outputs / CodePipeline output variables (string values). */
  outputs?: Record<string, string>;
  /** Extra lines under the table (warnings about skewed versions, notes). */
  notes?: string[];
}

/** A reporter that keeps everything it is told, for tests and for composing reporters. */
export interface MemoryReporter extends Reporter {
  lines: { level: 'info' | 'warn' | 'error' | 'debug'; message: string }[];
  plans: Plan[];
  outcomes: Outcome[];
  secrets: string[];
}

export function createMemoryReporter(): MemoryReporter {
  const r: MemoryReporter = {
    lines: [],
    plans: [],
    outcomes: [],
    secrets: [],
    info: (message) => r.lines.push({ level: 'info', message }),
    warn: (message) => r.lines.push({ level: 'warn', message }),
    error: (message) => r.lines.push({ level: 'error', message }),
    debug: (message) => r.lines.push({ level: 'debug', message }),
    secret: (value) => r.secrets.push(value),
    plan: (plan) => r.plans.push(plan),
    result: (outcome) => r.outcomes.push(outcome),
  };
  return r;
}

/** Renders a table as aligned plain text (used by the CLI and by Lambda logs). */
export function renderTable(table: Table): string {
  const widths = table.columns.map((c, i) =>
    Math.max(c.length, ...table.rows.map((r) => (r[i] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const out = [table.title, line(table.columns), line(widths.map((w) => '-'.repeat(w)))];
  for (const row of table.rows) out.push(line(row));
  return out.join('\n');
}
