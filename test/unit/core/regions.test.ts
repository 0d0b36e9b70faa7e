import { describe, expect, it } from 'vitest';
import { COMMERCIAL_REGIONS, OPT_IN_REGIONS, parseRegions } from '../../../src/core/regions.ts';

describe('parseRegions', () => {
  it('keeps order, drops duplicates, accepts commas, spaces and newlines', () => {
    const { selection, problems } = parseRegions('eu-west-1, us-east-1\nEU-WEST-1 ap-south-1');
    expect(problems).toEqual([]);
    expect(selection.regions).toEqual(['eu-west-1', 'us-east-1', 'ap-south-1']);
  });

  it('names every bad entry and suggests the near miss', () => {
    const { problems } = parseRegions(['us-east-1', 'eu-west-9', 'us-est-1', 'mars-north-1']);
    expect(problems.map((p) => p.message)).toEqual([
      "has 'eu-west-9', which is not an AWS Region (did you mean 'eu-west-1'?)",
      "has 'us-est-1', which is not an AWS Region (did you mean 'us-east-1'?)",
      "has 'mars-north-1', which is not an AWS Region",
    ]);
    expect(problems.every((p) => p.input === 'regions')).toBe(true);
  });

  it("expands 'all' to the commercial Regions and names the opt-in ones it includes", () => {
    const { selection, problems } = parseRegions('all');
    expect(problems).toEqual([]);
    expect(selection.regions).toEqual(COMMERCIAL_REGIONS);
    expect(selection.regions).not.toContain('us-gov-west-1');
    expect(selection.regions).not.toContain('cn-north-1');
    expect(selection.notes).toHaveLength(1);
    for (const r of OPT_IN_REGIONS) expect(selection.notes[0]).toContain(r);
  });

  it('accepts other partitions only when named', () => {
    expect(parseRegions('us-gov-west-1').selection.regions).toEqual(['us-gov-west-1']);
  });

  it('refuses an empty list', () => {
    expect(parseRegions(' , ').problems[0]?.message).toMatch(/is empty/);
  });
});
