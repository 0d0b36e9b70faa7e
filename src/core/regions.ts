import type { InputProblem } from './errors.ts';

/** Commercial Regions enabled by default in every account. */
export const DEFAULT_REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ca-central-1',
  'sa-east-1',
  'eu-central-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-north-1',
  'ap-south-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-southeast-1',
  'ap-southeast-2',
] as const;

/** Commercial Regions an account must opt in to before use. */
export const OPT_IN_REGIONS = [
  'af-south-1',
  'ap-east-1',
  'ap-east-2',
  'ap-south-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-6',
  'ap-southeast-7',
  'ca-west-1',
  'eu-central-2',
  'eu-south-1',
  'eu-south-2',
  'il-central-1',
  'me-central-1',
  'me-south-1',
  'mx-central-1',
] as const;

/** Regions outside the commercial partition: valid when named, never part of `all`. */
export const OTHER_PARTITION_REGIONS = [
  'us-gov-east-1',
  'us-gov-west-1',
  'cn-north-1',
  'cn-northwest-1',
] as const;

export const COMMERCIAL_REGIONS: readonly string[] = [...DEFAULT_REGIONS, ...OPT_IN_REGIONS];
const KNOWN = new Set<string>([...COMMERCIAL_REGIONS, ...OTHER_PARTITION_REGIONS]);
const OPT_IN = new Set<string>(OPT_IN_REGIONS);

export function isKnownRegion(name: string): boolean {
  return KNOWN.has(name);
}

export function isOptInRegion(name: string): boolean {
  return OPT_IN.has(name);
}

export interface RegionSelection {
  regions: string[];
  /** Notes for the user, e.g. which opt-in Regions `all` brought in. */
  notes: string[];
}

/**
 * Parses a Region list: an array, or a comma/space/newline separated string, or `all`.
 * Unknown names are reported each by name; duplicates are dropped; order is kept.
 * `all` expands to every commercial Region, and the note names the opt-in ones it includes
 * (publishing there fails until the account has enabled them).
 */
export function parseRegions(
  raw: string | readonly string[],
  input = 'regions',
): { selection: RegionSelection; problems: InputProblem[] } {
  const items = (typeof raw === 'string' ? raw.split(/[\s,]+/) : raw.flatMap((r) => r.split(/[\s,]+/)))
    .map((r) => r.trim())
    .filter((r) => r.length > 0);
  const problems: InputProblem[] = [];
  const notes: string[] = [];
  const regions: string[] = [];
  const add = (r: string) => {
    if (!regions.includes(r)) regions.push(r);
  };
  if (items.length === 0) {
    problems.push({ input, message: "is empty: give Region names such as 'us-east-1,eu-west-1', or 'all'" });
  }
  for (const item of items) {
    const name = item.toLowerCase();
    if (name === 'all') {
      for (const r of COMMERCIAL_REGIONS) add(r);
      notes.push(
        `'all' means the ${COMMERCIAL_REGIONS.length} commercial Regions, including these opt-in Regions, ` +
          `which must be enabled in the account first: ${OPT_IN_REGIONS.join(', ')}`,
      );
    } else if (KNOWN.has(name)) {
      add(name);
    } else {
      const near = suggestRegion(name);
      problems.push({
        input,
        message: `has '${item}', which is not an AWS Region${near ? ` (did you mean '${near}'?)` : ''}`,
      });
    }
  }
  return { selection: { regions, notes }, problems };
}

/** The known Region closest to a misspelt name, when it is close enough to be a likely typo. */
function suggestRegion(name: string): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of KNOWN) {
    const d = editDistance(name, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j] ?? 0;
      row[j] = Math.min((row[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length] ?? 0;
}
