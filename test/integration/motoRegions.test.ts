import { randomBytes } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import {
  LambdaClient,
  ListLayersCommand,
  ListLayerVersionsCommand,
  PublishLayerVersionCommand,
} from '@aws-sdk/client-lambda';
import { ZipArchive } from 'archiver';
import { beforeAll, describe, expect, it } from 'vitest';
import { type StackEnv, stackEnv } from './stack.ts';

/**
 * moto serves every Region from one endpoint and keeps their state apart by the Region in the
 * request signature, which is what publishing a layer to many Regions relies on.
 */

const regions = ['us-east-1', 'eu-west-1'] as const;
const layerName = `deploykit-it-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;

async function layerZip(): Promise<Uint8Array> {
  const archive = new ZipArchive();
  archive.append('export const hello = () => "hello";\n', { name: 'nodejs/node_modules/hello/index.mjs' });
  const [zip] = await Promise.all([buffer(archive), archive.finalize()]);
  return zip;
}

let env: StackEnv;

function lambda(region: string): LambdaClient {
  return new LambdaClient({
    region,
    endpoint: env.AWS_ENDPOINT_URL,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
  });
}

beforeAll(() => {
  env = stackEnv();
});

describe('moto keeps Lambda layers per Region', () => {
  it('lists in each Region only the layer version published there', async () => {
    const zip = await layerZip();
    const published = new Map<string, string>();
    for (const region of regions) {
      const result = await lambda(region).send(
        new PublishLayerVersionCommand({
          LayerName: layerName,
          Description: `published to ${region}`,
          Content: { ZipFile: zip },
          CompatibleRuntimes: ['nodejs20.x'],
        }),
      );
      expect(result.LayerVersionArn).toMatch(
        new RegExp(`^arn:aws:lambda:${region}:\\d{12}:layer:${layerName}:1$`),
      );
      published.set(region, result.LayerVersionArn ?? '');
    }

    for (const region of regions) {
      const client = lambda(region);
      const { LayerVersions } = await client.send(new ListLayerVersionsCommand({ LayerName: layerName }));
      expect(LayerVersions?.map((v) => [v.LayerVersionArn, v.Version, v.Description])).toEqual([
        [published.get(region), 1, `published to ${region}`],
      ]);

      const { Layers } = await client.send(new ListLayersCommand({}));
      const ours = Layers?.filter((layer) => layer.LayerName === layerName) ?? [];
      expect(ours.map((layer) => layer.LatestMatchingVersion?.LayerVersionArn)).toEqual([
        published.get(region),
      ]);
    }
  });
});
