import type { Outcome } from '../core/reporter.ts';
import type { PublishReport, RegionResult } from './publishLayer.ts';

/** Region → layer version ARN, for every Region that has one. */
export function layerArnsOf(results: readonly RegionResult[]): Record<string, string> {
  const arns: Record<string, string> = {};
  for (const r of results) if (r.arn && r.status !== 'planned') arns[r.region] = r.arn;
  return arns;
}

/**
 * A warning when the Regions ended on different version numbers (a Region published before,
 * or one failed once): the ARNs must then be taken per Region, never built from one number.
 */
export function versionSkewNote(results: readonly RegionResult[]): string | undefined {
  const byVersion = new Map<number, string[]>();
  for (const r of results) {
    if (r.version === undefined || r.status === 'failed' || r.status === 'planned') continue;
    byVersion.set(r.version, [...(byVersion.get(r.version) ?? []), r.region]);
  }
  if (byVersion.size < 2) return undefined;
  const parts = [...byVersion.entries()]
    .sort(([a], [b]) => a - b)
    .map(([v, regions]) => `version ${v} in ${regions.join(', ')}`);
  return `Warning: layer version numbers differ across Regions (${parts.join('; ')}). Use each Region's ARN (output layer-arns), not one version number.`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** The result of `layer publish`: a table per Region, the JSON and the action outputs. */
export function publishOutcome(report: PublishReport): Outcome {
  const { results } = report;
  const failed = results.filter((r) => r.status === 'failed');
  const changed = results.filter((r) => r.status === 'published').map((r) => r.region);
  const arns = layerArnsOf(results);
  const notes: string[] = [];
  const skew = versionSkewNote(results);
  if (skew) notes.push(skew);
  for (const r of failed) notes.push(`${r.region} failed: ${r.error?.message ?? 'unknown error'}`);
  for (const r of results) {
    if (r.grantsAdded.length > 0) notes.push(`${r.region}: added ${r.grantsAdded.join(', ')}`);
  }
  if (report.dryRun) notes.push('Dry run: nothing was published.');
  const action = (r: RegionResult) =>
    r.status === 'planned' ? `would ${r.plannedAction === 'publish' ? 'publish' : 'keep'}` : r.status;
  return {
    ok: failed.length === 0,
    table: {
      title: `Layer ${report.name}: ${summaryOf(results)}`,
      columns: ['Region', 'Action', 'Version', 'ARN', 'Time'],
      rows: results.map((r) => [
        r.region,
        action(r),
        r.version === undefined ? '-' : String(r.version),
        r.status === 'failed' ? (r.error?.code ?? 'failed') : (r.arn ?? '-'),
        seconds(r.durationMs),
      ]),
    },
    json: {
      layer: report.name,
      codeSha256: report.codeSha256,
      dryRun: report.dryRun,
      layerArns: arns,
      changedRegions: changed,
      versionsDiffer: skew !== undefined,
      regions: Object.fromEntries(
        results.map((r) => [
          r.region,
          {
            status: r.status,
            ...(r.plannedAction ? { plannedAction: r.plannedAction } : {}),
            ...(r.version !== undefined ? { version: r.version } : {}),
            ...(r.arn ? { arn: r.arn } : {}),
            grantsAdded: r.grantsAdded,
            bytesUploaded: r.bytesUploaded,
            durationMs: r.durationMs,
            ...(r.error ? { error: r.error } : {}),
          },
        ]),
      ),
    },
    outputs: {
      'layer-arns': JSON.stringify(arns),
      'changed-regions': changed.join(','),
    },
    notes,
  };
}

function summaryOf(results: readonly RegionResult[]): string {
  const count = (s: RegionResult['status']) => results.filter((r) => r.status === s).length;
  const parts = [
    [count('published'), 'published'],
    [count('unchanged'), 'unchanged'],
    [count('failed'), 'failed'],
    [count('planned'), 'planned'],
  ] as const;
  return parts
    .filter(([n]) => n > 0)
    .map(([n, s]) => `${n} ${s}`)
    .join(', ');
}
