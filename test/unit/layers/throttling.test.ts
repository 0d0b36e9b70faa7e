import { LambdaClient, ListLayerVersionsCommand, PublishLayerVersionCommand } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { createMemoryReporter } from '../../../src/core/reporter.ts';
import { layerContentOf, publishLayer } from '../../../src/layers/publishLayer.ts';
import { publishOutcome } from '../../../src/layers/publishOutcome.ts';
import { FakeLambda } from './fakeLambda.ts';

const content = layerContentOf(Buffer.from('PK-layer'));
const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2', 'sa-east-1'];

/**
 * The SDK retries throttling inside `send()`, below anything aws-sdk-client-mock can stub, so
 * these tests answer at the HTTP layer (FakeLambda) and let the real retry strategy
 * (adaptive, as src/aws/clients.ts configures it) do its work.
 */
describe('publishLayer under throttling', () => {
  it('gets past TooManyRequestsException through the SDK retry; an AccessDenied Region fails alone', async () => {
    const fake = new FakeLambda({
      throttleFirst: (r) => (r === 'us-east-1' ? 0 : 2),
      deny: (r, op) => r === 'us-east-1' && op === 'PublishLayerVersion',
    });
    const clients = new Map(
      REGIONS.map((r) => [r, fake.client(r, { retryMode: 'adaptive', maxAttempts: 4 })]),
    );
    const report = await publishLayer(
      { name: 'utils', regions: REGIONS, grants: [{ kind: 'public' }] },
      content,
      {
        lambda: (r) => clients.get(r) as LambdaClient,
        s3: () => {
          throw new Error('no S3 below 50 MB');
        },
        reporter: createMemoryReporter(),
      },
    );
    expect(report.results.map((r) => [r.region, r.status, r.version, r.error?.code])).toEqual([
      ['us-east-1', 'failed', undefined, 'AccessDeniedException'],
      ['eu-west-1', 'published', 1, undefined],
      ['ap-southeast-2', 'published', 1, undefined],
      ['sa-east-1', 'published', 1, undefined],
    ]);
    // Each throttled Region was refused twice, then served, and ended with exactly one version.
    for (const r of REGIONS.slice(1)) {
      expect(fake.calls.filter((c) => c.region === r && c.status === 429)).toHaveLength(2);
      expect(fake.versions(r, 'utils')).toHaveLength(1);
      expect(fake.versions(r, 'utils')[0]?.statements.map((s) => s.Sid)).toEqual(['deploykit-public']);
    }
    expect(fake.versions('us-east-1', 'utils')).toHaveLength(0);
    expect(publishOutcome(report).ok).toBe(false);
    // Adaptive mode slows a throttled client down on purpose (about 5 s for two 429s here).
  }, 30_000);

  it('fails a Region with the throttling code once the SDK gives up, and still finishes the others', async () => {
    const fake = new FakeLambda({ throttleFirst: (r) => (r === 'eu-west-1' ? 100 : 0) });
    const clients = new Map(REGIONS.map((r) => [r, fake.client(r, { maxAttempts: 2 })]));
    const report = await publishLayer({ name: 'utils', regions: REGIONS }, content, {
      lambda: (r) => clients.get(r) as LambdaClient,
      s3: () => {
        throw new Error('unused');
      },
      reporter: createMemoryReporter(),
    });
    expect(report.results.map((r) => r.status)).toEqual(['published', 'failed', 'published', 'published']);
    expect(report.results[1]?.error?.code).toBe('TooManyRequestsException');
    expect(report.results[1]?.error?.message).toMatch(
      /^lambda\.ListLayerVersions in eu-west-1 failed: TooManyRequestsException/,
    );
  });

  it('with aws-sdk-client-mock: a throttling error that reaches the caller fails that Region only', async () => {
    // The mock replaces send(), so no SDK retry runs: this is the final outcome after retries.
    const clients = new Map(REGIONS.map((r) => [r, new LambdaClient({ region: r })]));
    for (const [region, client] of clients) {
      const m = mockClient(client);
      m.on(ListLayerVersionsCommand).resolves({ LayerVersions: [] });
      if (region === 'sa-east-1') {
        m.on(PublishLayerVersionCommand).rejects(
          Object.assign(new Error('Rate exceeded'), {
            name: 'ThrottlingException',
            $metadata: { httpStatusCode: 429 },
          }),
        );
      } else {
        m.on(PublishLayerVersionCommand).resolves({ Version: 1, LayerVersionArn: `arn:${region}:1` });
      }
    }
    const report = await publishLayer({ name: 'utils', regions: REGIONS, concurrency: 2 }, content, {
      lambda: (r) => clients.get(r) as LambdaClient,
      s3: () => {
        throw new Error('unused');
      },
      reporter: createMemoryReporter(),
    });
    expect(report.results.map((r) => [r.status, r.error?.code])).toEqual([
      ['published', undefined],
      ['published', undefined],
      ['published', undefined],
      ['failed', 'ThrottlingException'],
    ]);
  });
});
