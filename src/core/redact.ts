/**
 * Keeps secrets out of every log line. Values registered with `addSecret` are replaced
 * wherever they appear; object keys that name secrets are masked whatever their value.
 */

const SECRET_KEY = /(secret|password|passwd|token|credential|authorization|sessionkey|privatekey)/i;
const MASK = '***';

export interface Redactor {
  addSecret(value: string | undefined): void;
  redact(text: string): string;
  /** A deep copy of `value` with secret keys and registered values masked. */
  redactValue<T>(value: T): T;
}

export function createRedactor(): Redactor {
  const secrets = new Set<string>();
  const redact = (text: string): string => {
    let out = text;
    // Longest first, so a secret that contains another is masked whole.
    for (const s of [...secrets].sort((a, b) => b.length - a.length)) out = out.split(s).join(MASK);
    return out;
  };
  const redactValue = (value: unknown, depth = 0): unknown => {
    if (typeof value === 'string') return redact(value);
    if (depth > 20 || value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = SECRET_KEY.test(k) && v !== undefined && v !== null ? MASK : redactValue(v, depth + 1);
    }
    return out;
  };
  return {
    addSecret(value) {
      // Very short values would mask innocent text everywhere; real secrets are long.
      if (value && value.length >= 4) secrets.add(value);
    },
    redact,
    redactValue: <T>(value: T) => redactValue(value) as T,
  };
}
