import { posix } from 'node:path';
import { InputError, type InputProblem } from '../core/errors.ts';
import { LAMBDA_BASE_IMAGES } from './options.ts';

/**
 * Dockerfiles the presets write when the context has none. They use only instructions that
 * need no shell in the base image (FROM, COPY, ENV, WORKDIR, LABEL, CMD): the real bases have a
 * shell, but a test's FROM-scratch stand-in does not, and none of these steps needs one.
 */

export interface LambdaPresetOptions {
  /** A Lambda runtime identifier, e.g. `python3.12`; selects the AWS base image. */
  runtime?: string | undefined;
  /** The handler, e.g. `app.handler`; becomes the image's CMD. */
  handler?: string | undefined;
  /** Directory of the context whose contents go to the task root. */
  code: string;
  baseImage?: string | undefined;
}

export interface FlinkPresetOptions {
  flinkVersion: string;
  javaVersion: string;
  /** The job jar, a path in the context. */
  jobJar?: string | undefined;
  /** A Flink configuration file in the context (config.yaml, or flink-conf.yaml before 1.19). */
  flinkConf?: string | undefined;
  baseImage?: string | undefined;
}

export const DEFAULT_LAMBDA_RUNTIME = 'python3.12';

/** Where the official Flink image looks for the application jar (application mode). */
export const FLINK_USRLIB = '/opt/flink/usrlib';
/** The uid/gid of the `flink` user in the official image; numeric so no /etc/passwd is needed. */
const FLINK_UID = '9999';

/** Label that records where the job jar is, so a deploy (or a test) can find it without unpacking. */
export const FLINK_JAR_LABEL = 'io.deploykit.flink.job-jar';

// Expanded by the builder from the base image's ENV, not by JavaScript.
const TASK_ROOT = ['$', '{LAMBDA_TASK_ROOT}/'].join('');

/** The AWS Lambda base image for a runtime, fully qualified. */
export function lambdaBaseImage(runtime: string): string {
  const image = LAMBDA_BASE_IMAGES[runtime];
  if (!image) throw InputError.single('runtime', `has '${runtime}', which has no Lambda base image`);
  return `public.ecr.aws/lambda/${image}`;
}

/** The official Apache Flink image for a Flink and Java version, fully qualified. */
export function flinkBaseImage(flinkVersion: string, javaVersion: string): string {
  return `docker.io/library/flink:${flinkVersion}-java${javaVersion}`;
}

/** A context path as a Dockerfile source: relative, POSIX, quoted in JSON form. */
function contextPath(path: string): string {
  const p = posix.normalize(path.replace(/\\/g, '/')).replace(/^(\.\/|\/)+/, '');
  if (p.startsWith('..'))
    throw InputError.single('code', `has '${path}', which is outside the build context`);
  return p === '' ? '.' : p;
}

/** The Dockerfile of the `lambda` preset. */
export function renderLambdaDockerfile(o: LambdaPresetOptions): string {
  const problems: InputProblem[] = [];
  if (!o.handler) {
    problems.push({
      input: 'handler',
      message: "is required with preset 'lambda' (e.g. app.handler) when the context has no Dockerfile",
    });
  }
  if (problems.length > 0) throw new InputError(problems);
  const runtime = o.runtime ?? DEFAULT_LAMBDA_RUNTIME;
  const base = o.baseImage ?? lambdaBaseImage(runtime);
  const code = contextPath(o.code);
  const source = code === '.' ? './' : `${code}/`;
  return [
    `# Written by deploykit (preset lambda, runtime ${runtime}).`,
    `FROM ${base}`,
    // The AWS base images set LAMBDA_TASK_ROOT=/var/task; the code goes there (the runtime's cwd).
    `COPY ${JSON.stringify([source, TASK_ROOT])}`,
    `CMD ${JSON.stringify([o.handler])}`,
    '',
  ].join('\n');
}

/** The Dockerfile of the `flink` preset. */
export function renderFlinkDockerfile(o: FlinkPresetOptions): string {
  if (!o.jobJar) {
    throw InputError.single(
      'job-jar',
      "is required with preset 'flink' when the context has no Dockerfile: the path of the job jar",
    );
  }
  if (!o.jobJar.endsWith('.jar'))
    throw InputError.single('job-jar', `has '${o.jobJar}', which is not a .jar file`);
  const jar = contextPath(o.jobJar);
  const jarTarget = `${FLINK_USRLIB}/${posix.basename(jar)}`;
  const base = o.baseImage ?? flinkBaseImage(o.flinkVersion, o.javaVersion);
  const lines = [
    `# Written by deploykit (preset flink, Flink ${o.flinkVersion}, Java ${o.javaVersion}).`,
    `FROM ${base}`,
    `COPY --chown=${FLINK_UID}:${FLINK_UID} ${JSON.stringify([jar, jarTarget])}`,
  ];
  if (o.flinkConf) {
    const conf = contextPath(o.flinkConf);
    lines.push(
      `COPY --chown=${FLINK_UID}:${FLINK_UID} ${JSON.stringify([conf, `/opt/flink/conf/${posix.basename(conf)}`])}`,
    );
  }
  lines.push(`LABEL ${FLINK_JAR_LABEL}="${jarTarget}"`, '');
  return lines.join('\n');
}

/** The paths (in the context) a preset's Dockerfile copies; each must exist. */
export function presetSources(
  preset: 'lambda' | 'flink',
  o: { code: string; jobJar?: string | undefined; flinkConf?: string | undefined },
): { input: string; path: string }[] {
  if (preset === 'lambda') return [{ input: 'code', path: contextPath(o.code) }];
  const out: { input: string; path: string }[] = [];
  if (o.jobJar) out.push({ input: 'job-jar', path: contextPath(o.jobJar) });
  if (o.flinkConf) out.push({ input: 'flink-conf', path: contextPath(o.flinkConf) });
  return out;
}
