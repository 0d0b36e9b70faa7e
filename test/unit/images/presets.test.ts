import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors.ts';
import {
  FLINK_JAR_LABEL,
  flinkBaseImage,
  lambdaBaseImage,
  renderFlinkDockerfile,
  renderLambdaDockerfile,
} from '../../../src/images/presets.ts';

// Instructions that run nothing inside the base image, so a FROM-scratch stand-in can build them.
// The builder expands this from the base image's ENV.
const TASK_ROOT = '$' + '{LAMBDA_TASK_ROOT}/';
const SHELL_FREE = /^(FROM|COPY|ENV|WORKDIR|LABEL|CMD|#)/;

describe('lambda preset', () => {
  it('uses the AWS base image of the runtime, copies the code to the task root and sets the handler as CMD', () => {
    const text = renderLambdaDockerfile({ runtime: 'nodejs20.x', handler: 'index.handler', code: 'src' });
    expect(text).toContain('FROM public.ecr.aws/lambda/nodejs:20\n');
    expect(text).toContain(`COPY ["src/","${TASK_ROOT}"]`);
    expect(text).toContain('CMD ["index.handler"]');
  });

  it('defaults to python3.12 and the whole context', () => {
    const text = renderLambdaDockerfile({ handler: 'app.handler', code: '.' });
    expect(text).toContain('FROM public.ecr.aws/lambda/python:3.12\n');
    expect(text).toContain(`COPY ["./","${TASK_ROOT}"]`);
  });

  it('lets --base-image replace the base', () => {
    const text = renderLambdaDockerfile({
      handler: 'app.handler',
      code: '.',
      baseImage: '127.0.0.1:5000/stand-in/lambda:1',
    });
    expect(text).toContain('FROM 127.0.0.1:5000/stand-in/lambda:1\n');
    expect(text).not.toContain('public.ecr.aws');
  });

  it('needs no shell in the base image', () => {
    const text = renderLambdaDockerfile({ handler: 'app.handler', code: '.' });
    for (const line of text.split('\n').filter(Boolean)) expect(line).toMatch(SHELL_FREE);
  });

  it('asks for the handler by name', () => {
    expect(() => renderLambdaDockerfile({ code: '.' })).toThrow(/'handler' is required with preset 'lambda'/);
  });

  it('refuses code outside the context', () => {
    expect(() => renderLambdaDockerfile({ handler: 'a.b', code: '../elsewhere' })).toThrow(InputError);
  });

  it('maps runtimes to their base image, and refuses one without', () => {
    expect(lambdaBaseImage('java21')).toBe('public.ecr.aws/lambda/java:21');
    expect(lambdaBaseImage('provided.al2023')).toBe('public.ecr.aws/lambda/provided:al2023');
    expect(() => lambdaBaseImage('cobol1')).toThrow(/no Lambda base image/);
  });
});

describe('flink preset', () => {
  it('puts the job jar in /opt/flink/usrlib, owned by the flink uid, and labels its path', () => {
    const text = renderFlinkDockerfile({
      flinkVersion: '1.20',
      javaVersion: '17',
      jobJar: 'target/job-1.0.jar',
    });
    expect(text).toContain('FROM docker.io/library/flink:1.20-java17\n');
    expect(text).toContain('COPY --chown=9999:9999 ["target/job-1.0.jar","/opt/flink/usrlib/job-1.0.jar"]');
    expect(text).toContain(`LABEL ${FLINK_JAR_LABEL}="/opt/flink/usrlib/job-1.0.jar"`);
    expect(text).not.toContain('/opt/flink/conf/');
  });

  it('copies an optional Flink configuration under its own name', () => {
    const text = renderFlinkDockerfile({
      flinkVersion: '1.18',
      javaVersion: '11',
      jobJar: 'job.jar',
      flinkConf: 'conf/flink-conf.yaml',
    });
    expect(text).toContain('FROM docker.io/library/flink:1.18-java11\n');
    expect(text).toContain('["conf/flink-conf.yaml","/opt/flink/conf/flink-conf.yaml"]');
  });

  it('needs no shell in the base image', () => {
    const text = renderFlinkDockerfile({
      flinkVersion: '1.20',
      javaVersion: '17',
      jobJar: 'job.jar',
      flinkConf: 'config.yaml',
    });
    for (const line of text.split('\n').filter(Boolean)) expect(line).toMatch(SHELL_FREE);
  });

  it('requires a .jar', () => {
    expect(() => renderFlinkDockerfile({ flinkVersion: '1.20', javaVersion: '17' })).toThrow(
      /'job-jar' is required/,
    );
    expect(() =>
      renderFlinkDockerfile({ flinkVersion: '1.20', javaVersion: '17', jobJar: 'job.zip' }),
    ).toThrow(/not a \.jar/);
  });

  it('builds the official image name from the versions', () => {
    expect(flinkBaseImage('1.19', '21')).toBe('docker.io/library/flink:1.19-java21');
  });
});
