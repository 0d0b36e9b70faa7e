import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { execCapture, localStackScript, repoRoot, stackEnv } from './stack.ts';

const cli = join(repoRoot, 'dist/cli.js');

const exec = execCapture;

/** Reads a sourceable env file (`export K='V'`) into an object. */
function readEnvFile(path: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of readFileSync(path, 'utf8').matchAll(/^export ([A-Z0-9_]+)='(.*)'$/gm)) {
    out[m[1] as string] = (m[2] as string).replace(/'\\''/g, "'");
  }
  return out;
}

/** Processes whose command line mentions the directory (ours, started by the script). */
async function processesUsing(dir: string): Promise<string[]> {
  const { stdout } = await exec('ps', ['-eo', 'pid,args'], process.env);
  return stdout
    .split('\n')
    .filter((l) => l.includes(dir) && !l.includes('ps -eo'))
    .map((l) => l.trim());
}

describe('deploykit doctor on the shared local stack', () => {
  it('exits 0 with every check ok', async () => {
    const { code, stdout, stderr } = await exec('node', [cli, 'doctor', '--json'], {
      ...process.env,
      ...stackEnv(),
    });
    expect(stderr).not.toMatch(/error:/);
    const report = JSON.parse(stdout) as { ok: boolean; checks: { check: string; status: string }[] };
    expect(report.checks.map((c) => [c.check, c.status])).toEqual([
      ['node', 'ok'],
      ['container engine', 'ok'],
      ['registry', 'ok'],
      ['aws', 'ok'],
    ]);
    expect(code).toBe(0);
  });

  it('exits 1 and says how to fix it when nothing answers', async () => {
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DOCKER_HOST: 'unix:///nonexistent/podman.sock',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_REGION: 'us-east-1',
      AWS_MAX_ATTEMPTS: '1',
    };
    const { code, stdout } = await exec('node', [cli, 'doctor'], env);
    expect(code).toBe(1);
    expect(stdout).toMatch(/container engine\s+fail/);
    expect(stdout).toMatch(/aws\s+fail/);
    expect(stdout).toMatch(/note: container engine: set DOCKER_HOST/);
  });
});

describe('scripts/local-stack.sh lifecycle (own state dir)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dk-stack-'));
  const env = { ...process.env, DEPLOYKIT_STACK_DIR: dir };
  afterAll(async () => {
    await exec('bash', [localStackScript, 'stop'], env);
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts, is idempotent, passes doctor, and stop leaves no process behind', async () => {
    const first = await exec('bash', [localStackScript, 'start'], env);
    expect(first.code, first.stderr).toBe(0);
    const stackVars = readEnvFile(join(dir, 'env'));
    expect(stackVars.DOCKER_HOST).toBe(`unix://${dir}/podman.sock`);

    const second = await exec('bash', [localStackScript, 'start'], env);
    expect(second.code).toBe(0);
    expect(readEnvFile(join(dir, 'env'))).toEqual(stackVars);

    const status = await exec('bash', [localStackScript, 'status'], env);
    expect(status.code).toBe(0);
    expect((await processesUsing(dir)).length).toBeGreaterThan(0);

    const doctor = await exec('node', [cli, 'doctor'], { ...process.env, ...stackVars });
    expect(doctor.code, doctor.stdout + doctor.stderr).toBe(0);

    const stop = await exec('bash', [localStackScript, 'stop'], env);
    expect(stop.code).toBe(0);
    expect(await processesUsing(dir)).toEqual([]);
    const after = await exec('bash', [localStackScript, 'status'], env);
    expect(after.code).not.toBe(0);
  });
});
