import { LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { createCliReporter } from '../../../src/cli/cliReporter.ts';
import {
  type CommandContext,
  EXIT_FAILED,
  EXIT_INPUT,
  type GlobalOptions,
  runCommand,
} from '../../../src/cli/context.ts';
import {
  checkAws,
  checkContainerEngine,
  checkNode,
  checkRegistry,
  doctorOutcome,
} from '../../../src/cli/doctor.ts';
import { InputError, PartialFailureError } from '../../../src/core/errors.ts';
import { createMemoryReporter, type Outcome } from '../../../src/core/reporter.ts';

const globals: GlobalOptions = { json: false, dryRun: false, verbose: false };
const outcome: Outcome = {
  ok: true,
  table: { title: 'Layer publish', columns: ['Region', 'Action'], rows: [['us-east-1', 'published']] },
  json: { 'us-east-1': 'arn:aws:lambda:us-east-1:123456789012:layer:x:1' },
  notes: ['versions differ'],
};

function captured(json: boolean) {
  const out: string[] = [];
  const err: string[] = [];
  const reporter = createCliReporter({
    json,
    verbose: false,
    out: (t) => out.push(t),
    err: (t) => err.push(t),
  });
  return { reporter, out, err };
}

describe('CLI reporter', () => {
  it('prints a table for people', () => {
    const { reporter, out } = captured(false);
    reporter.result(outcome);
    expect(out.join('\n')).toMatch(/Region\s+Action\n-+\s+-+\nus-east-1\s+published/);
    expect(out.join('\n')).toContain('note: versions differ');
  });

  it('prints only JSON on stdout with --json, messages on stderr', () => {
    const { reporter, out, err } = captured(true);
    reporter.info('working');
    reporter.result(outcome);
    expect(JSON.parse(out.join('\n'))).toEqual(outcome.json);
    expect(err).toEqual(['working', 'note: versions differ']);
  });

  it('never prints a registered secret', () => {
    const { reporter, out, err } = captured(false);
    reporter.secret('hunter2-password');
    reporter.info('login with hunter2-password');
    reporter.result({ ...outcome, table: { ...outcome.table, title: 'x hunter2-password' } });
    expect([...out, ...err].join('\n')).not.toContain('hunter2-password');
  });

  it('prints a dry-run plan on stdout, as JSON with --json', () => {
    const plan = {
      title: 'p',
      steps: [{ target: 'us-east-1', resource: 'layer x', action: 'create' as const, reason: 'new' }],
    };
    const human = captured(false);
    human.reporter.plan(plan, true);
    expect(human.out.join('\n')).toMatch(/Dry run: nothing was changed/);
    const machine = captured(true);
    machine.reporter.plan(plan, true);
    expect(JSON.parse(machine.out.join('\n'))).toEqual({ dryRun: true, plan });
  });
});

describe('runCommand', () => {
  const context = () => {
    const reporter = createMemoryReporter();
    return { reporter, make: () => ({ reporter }) as unknown as CommandContext };
  };

  it('exits 2 on bad input and 1 on other failures, with the message reported', async () => {
    const a = context();
    expect(
      await runCommand(globals, async () => Promise.reject(InputError.single('zip', 'is required')), a.make),
    ).toBe(EXIT_INPUT);
    expect(a.reporter.lines).toContainEqual({ level: 'error', message: "'zip' is required" });
    const b = context();
    expect(
      await runCommand(
        globals,
        async () => Promise.reject(new PartialFailureError(['eu-west-1'], '1 of 3 Regions failed')),
        b.make,
      ),
    ).toBe(EXIT_FAILED);
    expect(b.reporter.lines).toContainEqual({ level: 'error', message: '1 of 3 Regions failed' });
  });

  it('returns the body exit code', async () => {
    expect(await runCommand(globals, async () => 0, context().make)).toBe(0);
  });
});

describe('doctor', () => {
  it('checks the Node version', () => {
    expect(checkNode('20.11.0').status).toBe('ok');
    expect(checkNode('18.19.0')).toMatchObject({ status: 'fail', fix: 'install Node.js 20 or newer' });
  });

  it('reports a missing container engine with the fix', async () => {
    const docker = {
      ping: () => Promise.reject(new Error('connect ENOENT /nope.sock')),
    } as unknown as Docker;
    const r = await checkContainerEngine({ docker: () => docker, dockerHost: 'unix:///nope.sock' });
    expect(r.status).toBe('fail');
    expect(r.detail).toContain('unix:///nope.sock');
    expect(r.fix).toMatch(/DOCKER_HOST/);
  });

  it('accepts a registry that answers 401, fails one that is down', async () => {
    const answering = (async () => new Response('', { status: 401 })) as typeof fetch;
    expect((await checkRegistry({ registry: '127.0.0.1:5000', fetch: answering })).status).toBe('ok');
    const down = (async () => Promise.reject(new TypeError('fetch failed'))) as typeof fetch;
    expect((await checkRegistry({ registry: '127.0.0.1:5000', fetch: down })).status).toBe('fail');
    expect((await checkRegistry({ registry: undefined, fetch: down })).status).toBe('warn');
  });

  it('checks AWS with a real call and names the Region', async () => {
    const lambda = new LambdaClient({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    const mock = mockClient(lambda);
    mock.on(ListFunctionsCommand).resolves({ Functions: [] });
    const ok = await checkAws({
      lambda: () => lambda,
      region: 'eu-west-1',
      endpoint: 'http://127.0.0.1:5000',
    });
    expect(ok).toMatchObject({ status: 'ok' });
    expect(ok.detail).toContain('eu-west-1');
    mock
      .on(ListFunctionsCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    expect((await checkAws({ lambda: () => lambda, region: 'eu-west-1', endpoint: undefined })).status).toBe(
      'fail',
    );
    expect((await checkAws({ lambda: () => lambda, region: undefined, endpoint: undefined })).fix).toMatch(
      /--region/,
    );
  });

  it('fails the outcome when any check fails, not for warnings', () => {
    const warnOnly = doctorOutcome([{ check: 'registry', status: 'warn', detail: 'x', fix: 'y' }]);
    expect(warnOnly.ok).toBe(true);
    expect(doctorOutcome([{ check: 'aws', status: 'fail', detail: 'x' }]).ok).toBe(false);
  });
});
