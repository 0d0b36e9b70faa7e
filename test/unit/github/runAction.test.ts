import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { listOf, regionsSchema } from '../../../src/core/input.ts';
import type { ActionsCore } from '../../../src/github/actionsReporter.ts';
import { readInput, runAction } from '../../../src/github/runAction.ts';

function fakeCore() {
  const calls = {
    outputs: {} as Record<string, string>,
    failed: [] as string[],
    secrets: [] as string[],
    log: [] as string[],
  };
  const summaryParts: unknown[] = [];
  const summary = {
    addHeading: (text: string) => {
      summaryParts.push(['h', text]);
      return summary;
    },
    addTable: (rows: unknown) => {
      summaryParts.push(['table', rows]);
      return summary;
    },
    addList: (items: unknown) => {
      summaryParts.push(['list', items]);
      return summary;
    },
    write: async () => summary,
  };
  const core = {
    info: (m: string) => calls.log.push(m),
    warning: (m: string) => calls.log.push(`warning ${m}`),
    error: (m: string) => calls.log.push(`error ${m}`),
    debug: () => {},
    isDebug: () => false,
    setSecret: (s: string) => calls.secrets.push(s),
    setOutput: (k: string, v: unknown) => {
      calls.outputs[k] = String(v);
    },
    setFailed: (m: string) => calls.failed.push(m),
    summary,
  } as unknown as ActionsCore & { setFailed: (m: string | Error) => void };
  return { core, calls, summaryParts };
}

const schema = z
  .object({ regions: regionsSchema, compatibleRuntimes: listOf(z.string()).optional() })
  .strict();

describe('runAction', () => {
  it('reads inputs from INPUT_ variables, runs, sets outputs and writes the summary', async () => {
    const { core, calls, summaryParts } = fakeCore();
    const env = {
      INPUT_REGIONS: 'us-east-1, eu-west-1',
      INPUT_COMPATIBLE_RUNTIMES: 'nodejs20.x\nnodejs22.x',
      INPUT_DRY_RUN: 'true',
    };
    let seen: unknown;
    await runAction(
      {
        schema,
        inputs: ['regions', 'compatibleRuntimes'],
        run: async (ctx, options) => {
          seen = { options, dryRun: ctx.dryRun };
          return {
            ok: true,
            table: { title: 'Done', columns: ['Region'], rows: [['us-east-1']] },
            json: { a: 1 },
            outputs: { 'layer-arns': '{}' },
          };
        },
      },
      core,
      env,
    );
    expect(seen).toEqual({
      options: {
        regions: { regions: ['us-east-1', 'eu-west-1'], notes: [] },
        compatibleRuntimes: ['nodejs20.x', 'nodejs22.x'],
      },
      dryRun: true,
    });
    expect(calls.outputs).toEqual({ result: '{"a":1}', 'layer-arns': '{}' });
    expect(calls.failed).toEqual([]);
    expect(summaryParts[0]).toEqual(['h', 'Done']);
  });

  it('fails the step with every bad input named, before running anything', async () => {
    const { core, calls } = fakeCore();
    let ran = false;
    await runAction(
      {
        schema,
        inputs: ['regions'],
        run: async () => {
          ran = true;
          return { ok: true, table: { title: '', columns: [], rows: [] }, json: null };
        },
      },
      core,
      { INPUT_REGIONS: 'us-east-1,eu-west-9', INPUT_DRY_RUN: 'perhaps' },
    );
    expect(ran).toBe(false);
    expect(calls.failed).toHaveLength(1);
    expect(calls.failed[0]).toMatch(/'dry-run' must be 'true' or 'false'/);
  });

  it('fails the step when the outcome is not ok, after publishing what succeeded', async () => {
    const { core, calls } = fakeCore();
    await runAction(
      {
        schema,
        inputs: ['regions'],
        run: async () => ({
          ok: false,
          table: { title: 'Layer publish', columns: [], rows: [] },
          json: {},
          outputs: { x: '1' },
        }),
      },
      core,
      { INPUT_REGIONS: 'us-east-1' },
    );
    expect(calls.outputs.x).toBe('1');
    expect(calls.failed[0]).toMatch(/Layer publish/);
  });

  it('reads both spellings of an input variable', () => {
    expect(readInput('dry-run', { 'INPUT_DRY-RUN': ' yes ' })).toBe('yes');
    expect(readInput('dry-run', { INPUT_DRY_RUN: 'no' })).toBe('no');
    expect(readInput('dry-run', {})).toBe('');
  });
});
