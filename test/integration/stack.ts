import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * Access to the local stack (`scripts/local-stack.sh`) from integration tests: the variables of
 * its env file, and skopeo to read back what a test pushed.
 */

const run = promisify(execFile);

export const repoRoot = join(import.meta.dirname, '../..');
export const localStackScript = join(repoRoot, 'scripts/local-stack.sh');

/** Variables that `scripts/local-stack.sh start` always writes. */
export const stackVariables = [
  'DEPLOYKIT_STACK_DIR',
  'DOCKER_HOST',
  'AWS_ENDPOINT_URL',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_REGION',
  'DEPLOYKIT_REGISTRY',
  'DEPLOYKIT_AUTH_REGISTRY',
  'DEPLOYKIT_AUTH_REGISTRY_USER',
  'DEPLOYKIT_AUTH_REGISTRY_PASSWORD',
  'CONTAINERS_REGISTRIES_CONF',
] as const;

export type StackVariable = (typeof stackVariables)[number];

/** Every variable of the env file (PATH already expanded); the required ones are always there. */
export type StackEnv = Readonly<Record<StackVariable, string>> & Readonly<Record<string, string>>;

/** The state dir the script uses: `$DEPLOYKIT_STACK_DIR`, else `<repo>/.local-stack`. */
export function stackDir(): string {
  return process.env.DEPLOYKIT_STACK_DIR ?? join(repoRoot, '.local-stack');
}

export function stackEnvFile(): string {
  return join(stackDir(), 'env');
}

/**
 * Parses the `export K=V` lines the script writes. Values may be single-quoted (literal),
 * double-quoted with `$VAR`/`${VAR}` expansion (the PATH line), or bare words; that is all the
 * script emits, so anything else is an error rather than a guess.
 */
export function parseEnvFile(text: string, outer: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const vars: Record<string, string> = {};
  const lookup = (name: string): string => vars[name] ?? outer[name] ?? '';
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^export ([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!match?.[1] || match[2] === undefined) {
      throw new Error(`line ${index + 1} of the stack env file is not 'export NAME=VALUE': ${line}`);
    }
    vars[match[1]] = parseShellWord(match[2], lookup, index + 1);
  }
  return vars;
}

function parseShellWord(word: string, lookup: (name: string) => string, lineNumber: number): string {
  let value = '';
  let rest = word;
  const expand = (s: string) =>
    s.replace(
      /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
      (_, braced?: string, bare?: string) => lookup(braced ?? bare ?? ''),
    );
  while (rest !== '') {
    const single = /^'([^']*)'/.exec(rest);
    const double = /^"((?:[^"\\`]|\\["\\$`])*)"/.exec(rest);
    const bare = /^[^'"\s\\`]+/.exec(rest);
    if (single?.[1] !== undefined) {
      value += single[1];
      rest = rest.slice(single[0].length);
    } else if (rest.startsWith("\\'")) {
      value += "'";
      rest = rest.slice(2);
    } else if (double?.[1] !== undefined) {
      value += expand(double[1]).replace(/\\(["\\$`])/g, '$1');
      rest = rest.slice(double[0].length);
    } else if (bare) {
      value += expand(bare[0]);
      rest = rest.slice(bare[0].length);
    } else {
      throw new Error(
        `line ${lineNumber} of the stack env file has a value this parser does not read: ${word}`,
      );
    }
  }
  return value;
}

/** The stack's variables, read from its env file; throws a clear error if the stack never started. */
export function stackEnv(): StackEnv {
  const file = stackEnvFile();
  if (!existsSync(file)) {
    throw new Error(
      `no local stack env file at ${file}: run 'bash scripts/local-stack.sh start' ` +
        '(the integration globalSetup does this; is it configured?)',
    );
  }
  const vars = parseEnvFile(readFileSync(file, 'utf8'));
  const missing = stackVariables.filter((name) => !vars[name]);
  if (missing.length > 0) {
    throw new Error(
      `the local stack env file ${file} lacks ${missing.join(', ')}: rerun 'bash scripts/local-stack.sh start'`,
    );
  }
  return vars as StackEnv;
}

/** The socket path of a `unix://` DOCKER_HOST, for `new Docker({ socketPath })`. */
export function dockerSocketPath(env: StackEnv = stackEnv()): string {
  const host = env.DOCKER_HOST;
  if (!host.startsWith('unix://')) throw new Error(`DOCKER_HOST is not a unix socket: ${host}`);
  return host.slice('unix://'.length);
}

export interface SkopeoInspectOptions {
  /** `--raw`: the manifest (or index) exactly as the registry serves it. */
  raw?: boolean;
  /** `--config`: the image config blob. */
  config?: boolean;
  /** `--creds user:password` for the htpasswd registry. */
  creds?: string;
}

/**
 * `skopeo inspect --tls-verify=false [--raw|--config] [--creds u:p] docker://REF`, parsed.
 * Throws with skopeo's own message (e.g. the registry's 401) when it fails.
 */
export async function skopeoInspect(ref: string, options: SkopeoInspectOptions = {}): Promise<unknown> {
  if (options.raw && options.config) throw new Error('skopeoInspect: choose raw or config, not both');
  const args = ['inspect', '--tls-verify=false'];
  if (options.raw) args.push('--raw');
  if (options.config) args.push('--config');
  if (options.creds !== undefined) args.push('--creds', options.creds);
  args.push(`docker://${ref}`);
  let stdout: string;
  try {
    ({ stdout } = await run('skopeo', args, {
      env: { ...process.env, ...stackEnv() },
      maxBuffer: 16 * 1024 * 1024,
    }));
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    // Only skopeo's stderr: the error itself quotes the command line, credentials included.
    throw new Error(`skopeo inspect docker://${ref} failed: ${stderr.trim() || 'no output from skopeo'}`);
  }
  return JSON.parse(stdout) as unknown;
}

/** What a command printed and how it exited. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program and returns its exit code and output; a non-zero exit is a result, not a throw. */
export async function execCapture(
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(file, args, { cwd: repoRoot, env, maxBuffer: 32 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number | string; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** Runs `deploykit` from source as a user would, with the test's environment plus `extraEnv`. */
export function runDeploykit(args: string[], extraEnv: Record<string, string> = {}): Promise<CliResult> {
  return execCapture(process.execPath, ['--import', 'tsx', join(repoRoot, 'scripts/deploykit.ts'), ...args], {
    ...process.env,
    ...extraEnv,
  });
}
