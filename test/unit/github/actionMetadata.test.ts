import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAction } from '@actions/workflow-parser/actions/action-parser';
import { NoOperationTraceWriter } from '@actions/workflow-parser/templates/trace-writer';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = join(import.meta.dirname, '../../..');
const actionFiles = [
  'action.yml',
  ...readdirSync(join(root, 'actions'), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => `actions/${d.name}/action.yml`),
];

interface Step {
  run?: string;
  env?: Record<string, string>;
}

describe.each(actionFiles)('%s', (file) => {
  const content = readFileSync(join(root, file), 'utf8');

  it("passes the action schema of GitHub's own parser", () => {
    const result = parseAction({ name: file, content }, new NoOperationTraceWriter());
    const errors = result.context.errors.getErrors().map((e) => e.message);
    expect(errors).toEqual([]);
    expect(result.value).toBeDefined();
  });

  it('never interpolates an expression inside a run script (inputs go through env:)', () => {
    const steps = (parse(content) as { runs: { steps?: Step[] } }).runs.steps ?? [];
    for (const step of steps) {
      expect(step.run ?? '').not.toMatch(/\$\{\{/);
    }
  });

  it('runs a bundle that exists in dist/', () => {
    const steps = (parse(content) as { runs: { steps?: Step[] } }).runs.steps ?? [];
    const bundles = steps.flatMap((s) => [...(s.run ?? '').matchAll(/GITHUB_ACTION_PATH\/([^"\s]+\.js)/g)]);
    expect(bundles.length).toBeGreaterThan(0);
    for (const m of bundles) {
      const path = join(root, file.replace(/action\.yml$/, ''), m[1] as string);
      expect(() => readFileSync(path)).not.toThrow();
    }
  });
});

describe('the action schema check itself', () => {
  it('reports a composite step without a shell and an unknown key', () => {
    const content =
      'name: x\ndescription: y\nrunz: 1\nruns:\n  using: composite\n  steps:\n    - run: echo hi\n';
    const result = parseAction({ name: 'broken.yml', content }, new NoOperationTraceWriter());
    expect(result.context.errors.getErrors().length).toBeGreaterThan(0);
  });
});
