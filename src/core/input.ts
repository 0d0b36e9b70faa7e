import { z } from 'zod';
import { InputError, type InputProblem } from './errors.ts';
import { parseRegions } from './regions.ts';

/**
 * How an input surface spells option names, so each message names the input the user typed:
 * `flag` → `--compatible-runtimes`, `input` (action.yml) → `compatible-runtimes`,
 * `json` (CodePipeline UserParameters) → `compatibleRuntimes`.
 */
export type Naming = 'flag' | 'input' | 'json';

export function inputName(path: readonly PropertyKey[], naming: Naming): string {
  const key = path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.');
  if (naming === 'json') return key || '(parameters)';
  const kebab = key.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
  return naming === 'flag' ? `--${kebab}` : kebab;
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = raw;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

function problemOf(issue: z.core.$ZodIssue, naming: Naming, raw: unknown): InputProblem {
  const input = inputName(issue.path, naming);
  // zod reports a missing value as a type error on `undefined`; say it plainly.
  if (
    (issue.code === 'invalid_type' || issue.code === 'invalid_union') &&
    valueAt(raw, issue.path) === undefined
  ) {
    return { input, message: 'is required' };
  }
  if (issue.code === 'unrecognized_keys') {
    return {
      input: issue.keys.map((k) => inputName([...issue.path, k], naming)).join(', '),
      message: 'is not an option of this command: remove it or check its spelling',
    };
  }
  if (issue.code === 'invalid_union') {
    const expected = [
      ...new Set(issue.errors.flat().map((e) => (e.code === 'invalid_type' ? e.expected : e.message))),
    ];
    return { input, message: `must be ${expected.join(' or ')}` };
  }
  return { input, message: issue.message };
}

/**
 * Parses raw input (CLI flags, action inputs or UserParameters JSON) through a capability's
 * schema. Collects every problem and throws one InputError listing them all.
 */
export function parseInput<S extends z.ZodType>(schema: S, raw: unknown, naming: Naming): z.output<S> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  throw new InputError(result.error.issues.map((i) => problemOf(i, naming, raw)));
}

/** Normalises a list given as an array or a comma/newline separated string. */
export function listOf<T extends z.ZodType>(item: T) {
  return z.preprocess((v) => {
    if (typeof v === 'string') {
      return v
        .split(/[\n,]+/)
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
    }
    return v;
  }, z.array(item));
}

/** A Region list (`us-east-1,eu-west-1` or `all`), validated; each bad name is its own message. */
export const regionsSchema = z.union([z.string(), z.array(z.string())]).transform((raw, ctx) => {
  const { selection, problems } = parseRegions(raw);
  for (const p of problems) ctx.addIssue({ code: 'custom', message: p.message });
  return problems.length > 0 ? z.NEVER : selection;
});

/** One AWS Region name. */
export const regionSchema = z.string().transform((raw, ctx) => {
  const { selection, problems } = parseRegions(raw);
  for (const p of problems) ctx.addIssue({ code: 'custom', message: p.message });
  if (selection.regions.length !== 1 && problems.length === 0) {
    ctx.addIssue({ code: 'custom', message: `has '${raw}': give exactly one Region here` });
    return z.NEVER;
  }
  return problems.length > 0 ? z.NEVER : (selection.regions[0] as string);
});

/** `true/false/yes/no/1/0` from action inputs and flags, or a real boolean. */
export const booleanish = z.preprocess(
  (v) => {
    if (typeof v !== 'string') return v;
    const s = v.trim().toLowerCase();
    if (s === '') return undefined;
    if (['true', 'yes', '1', 'on'].includes(s)) return true;
    if (['false', 'no', '0', 'off'].includes(s)) return false;
    return v;
  },
  z.boolean({ error: "must be 'true' or 'false'" }),
);

/** A positive whole number given as a number or a string. */
export const positiveInt = z.coerce
  .number({ error: 'must be a whole number' })
  .int({ error: 'must be a whole number' })
  .positive({ error: 'must be greater than 0' });

/** Drops empty strings (an action input left blank) so optional fields stay undefined. */
export function withoutBlanks(raw: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (v === undefined || v === '' || (Array.isArray(v) && v.length === 0)) continue;
    out[k] = v;
  }
  return out;
}
