import { spawn } from 'node:child_process';
import { localStackScript, repoRoot, stackEnv } from './stack.ts';

/**
 * Vitest globalSetup for the integration project: starts (or reuses) the local stack and copies
 * its env file into `process.env`, which the test workers inherit. If the stack cannot start,
 * the whole run fails with the script's output: integration tests are never skipped silently.
 * The stack is left running for the next run and for other users; stop it with
 * `scripts/local-stack.sh stop`.
 */
export default async function setup(): Promise<void> {
  const { code, output } = await runScript(['start']);
  if (code !== 0) {
    throw new Error(`'bash scripts/local-stack.sh start' failed (exit ${code}); its output:\n${output}`);
  }
  Object.assign(process.env, stackEnv());
}

/** Runs the script with stdout and stderr interleaved, as a user would see them. */
function runScript(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [localStackScript, ...args], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output: Buffer.concat(chunks).toString('utf8') }));
  });
}
