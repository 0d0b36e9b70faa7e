import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './stack.ts';

const run = promisify(execFile);

/** Runs a linter; returns its exit code and output (a non-zero exit is a finding, not a crash). */
async function lint(file: string, args: string[]) {
  try {
    const { stdout, stderr } = await run(file, args, { cwd: repoRoot });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number | string; stdout?: string; stderr?: string };
    if (e.code === 'ENOENT')
      throw new Error(`${file} is not installed: run 'bash scripts/local-stack.sh start'`);
    return { code: e.code, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

function filesIn(dir: string, suffix: string): string[] {
  const abs = join(repoRoot, dir);
  return existsSync(abs)
    ? readdirSync(abs)
        .filter((f) => f.endsWith(suffix))
        .map((f) => join(dir, f))
    : [];
}

const workflows = filesIn('docs/examples', '.yml');
const templates = [...filesIn('pipelines/templates', '.yml'), ...filesIn('pipelines/templates', '.yaml')];
const scripts = [...filesIn('scripts', '.sh'), ...filesIn('scripts/demo.d', '.sh'), '.ci/run'];

describe('example workflows (actionlint)', () => {
  it('there are examples to check', () => expect(workflows.length).toBeGreaterThan(0));
  it.each(workflows)('%s', async (file) => {
    const { code, output } = await lint('actionlint', ['-no-color', file]);
    expect(output).toBe('');
    expect(code).toBe(0);
  });

  it('actionlint does flag an untrusted expression inside a run script', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dk-lint-'));
    const file = join(dir, 'bad.yml');
    writeFileSync(
      file,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression, on purpose
      'on: issues\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "${{ github.event.issue.title }}"\n',
    );
    const { code, output } = await lint('actionlint', ['-no-color', file]);
    expect(code).not.toBe(0);
    expect(output).toMatch(/potentially untrusted/);
  });
});

describe('shell scripts (shellcheck)', () => {
  it.each(scripts)('%s', async (file) => {
    const { code, output } = await lint('shellcheck', ['-x', file]);
    expect(output).toBe('');
    expect(code).toBe(0);
  });
});

describe('CloudFormation / SAM templates (cfn-lint)', () => {
  it('there are templates to check', () => expect(templates.length).toBeGreaterThan(0));
  it.each(templates)('%s', async (file) => {
    const { code, output } = await lint('cfn-lint', [file]);
    expect(output).toBe('');
    expect(code).toBe(0);
  });

  it('every handler a template names is bundled in dist/handlers/', () => {
    for (const file of templates) {
      const text = readFileSync(join(repoRoot, file), 'utf8');
      for (const m of text.matchAll(/Handler: (\w+)\.handler/g)) {
        expect(existsSync(join(repoRoot, 'dist/handlers', `${m[1]}.mjs`)), `${file}: ${m[1]}`).toBe(true);
      }
    }
  });
});
