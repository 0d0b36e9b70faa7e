import type { Reporter } from './reporter.ts';

/** Sends everything to several reporters (the CLI's terminal output plus a job summary). */
export function teeReporter(...reporters: Reporter[]): Reporter {
  return {
    info: (m) => {
      for (const r of reporters) r.info(m);
    },
    warn: (m) => {
      for (const r of reporters) r.warn(m);
    },
    error: (m) => {
      for (const r of reporters) r.error(m);
    },
    debug: (m) => {
      for (const r of reporters) r.debug(m);
    },
    secret: (v) => {
      for (const r of reporters) r.secret(v);
    },
    plan: (p, d) => {
      for (const r of reporters) r.plan(p, d);
    },
    result: (o) => {
      for (const r of reporters) r.result(o);
    },
  };
}
