import { createHash } from 'node:crypto';
import { LambdaClient } from '@aws-sdk/client-lambda';

/**
 * An in-memory Lambda layers service behind the SDK's HTTP layer: a real LambdaClient (its
 * serializers, retry strategy and middleware all run) whose requests are answered here, after
 * an injected latency, with throttling or access errors injected per Region. Used by the
 * throttling unit tests and by bench/layer-fanout.ts.
 */

interface FakeVersion {
  version: number;
  arn: string;
  codeSha256: string;
  statements: Record<string, unknown>[];
}

export interface FakeLambdaOptions {
  /** Milliseconds each request takes, per Region (default 0). */
  latencyMs?: (region: string) => number;
  /** How many requests of a Region answer 429 TooManyRequestsException before the rest succeed. */
  throttleFirst?: (region: string) => number;
  /** Operations that answer 403 AccessDeniedException in a Region. */
  deny?: (region: string, operation: string) => boolean;
}

export interface FakeLambdaCall {
  region: string;
  operation: string;
  status: number;
  /** Request body bytes (the zip travels base64-encoded inside PublishLayerVersion's JSON). */
  bytes: number;
}

interface HttpRequestLike {
  method: string;
  path: string;
  hostname: string;
  query?: Record<string, string | string[] | null>;
  body?: unknown;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class FakeLambda {
  readonly layers = new Map<string, FakeVersion[]>();
  readonly calls: FakeLambdaCall[] = [];
  private readonly served = new Map<string, number>();
  constructor(private readonly options: FakeLambdaOptions = {}) {}

  versions(region: string, name: string): FakeVersion[] {
    return this.layers.get(`${region}/${name}`) ?? [];
  }

  /** A LambdaClient for one Region whose requests this fake answers. */
  client(
    region: string,
    config: { maxAttempts?: number; retryMode?: 'standard' | 'adaptive' } = {},
  ): LambdaClient {
    return new LambdaClient({
      region,
      retryMode: config.retryMode ?? 'standard',
      credentials: { accessKeyId: 'fake', secretAccessKey: 'fake' },
      endpoint: `https://lambda.${region}.fake`,
      maxAttempts: config.maxAttempts ?? 5,
      requestHandler: { handle: (request: HttpRequestLike) => this.handle(region, request) } as never,
    });
  }

  private async handle(region: string, request: HttpRequestLike) {
    const body =
      typeof request.body === 'string'
        ? request.body
        : request.body instanceof Uint8Array
          ? new TextDecoder().decode(request.body)
          : '';
    const operation = operationOf(request.method, request.path);
    const n = (this.served.get(region) ?? 0) + 1;
    this.served.set(region, n);
    await sleep(this.options.latencyMs?.(region) ?? 0);
    const answer = (status: number, payload: unknown, errorType?: string) => {
      this.calls.push({ region, operation, status, bytes: Buffer.byteLength(body) });
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'x-amzn-requestid': `req-${n}`,
      };
      if (errorType) headers['x-amzn-errortype'] = errorType;
      return { response: { statusCode: status, headers, body: Buffer.from(JSON.stringify(payload)) } };
    };
    if (n <= (this.options.throttleFirst?.(region) ?? 0)) {
      return answer(429, { message: 'Rate exceeded', Type: 'User' }, 'TooManyRequestsException');
    }
    if (this.options.deny?.(region, operation)) {
      return answer(
        403,
        { Message: `User is not authorized to perform: lambda:${operation}` },
        'AccessDeniedException',
      );
    }
    const m = /^\/2018-10-31\/layers\/([^/]+)\/versions(?:\/(\d+))?(\/policy)?$/.exec(request.path);
    if (!m) return answer(404, { message: `no route ${request.path}` }, 'ResourceNotFoundException');
    const name = decodeURIComponent(m[1] as string);
    const key = `${region}/${name}`;
    const list = this.layers.get(key) ?? [];
    const find = () => list.find((v) => v.version === Number(m[2]));
    switch (operation) {
      case 'ListLayerVersions':
        return answer(200, {
          LayerVersions: [...list].reverse().map((v) => ({ Version: v.version, LayerVersionArn: v.arn })),
        });
      case 'GetLayerVersion': {
        const v = find();
        if (!v) return answer(404, { Message: 'not found' }, 'ResourceNotFoundException');
        return answer(200, {
          Version: v.version,
          LayerVersionArn: v.arn,
          Content: { CodeSha256: v.codeSha256 },
        });
      }
      case 'PublishLayerVersion': {
        const input = JSON.parse(body) as { Content: { ZipFile?: string } };
        const zip = Buffer.from(input.Content.ZipFile ?? '', 'base64');
        const version = list.length + 1;
        const v: FakeVersion = {
          version,
          arn: `arn:aws:lambda:${region}:123456789012:layer:${name}:${version}`,
          codeSha256: createHash('sha256').update(zip).digest('base64'),
          statements: [],
        };
        this.layers.set(key, [...list, v]);
        return answer(201, {
          Version: v.version,
          LayerVersionArn: v.arn,
          LayerArn: `arn:aws:lambda:${region}:123456789012:layer:${name}`,
          Content: { CodeSha256: v.codeSha256, CodeSize: zip.length },
        });
      }
      case 'GetLayerVersionPolicy': {
        const v = find();
        if (!v || v.statements.length === 0)
          return answer(404, { Message: 'No policy' }, 'ResourceNotFoundException');
        return answer(200, {
          Policy: JSON.stringify({ Version: '2012-10-17', Statement: v.statements }),
          RevisionId: 'r1',
        });
      }
      case 'AddLayerVersionPermission': {
        const v = find();
        if (!v) return answer(404, { Message: 'not found' }, 'ResourceNotFoundException');
        const input = JSON.parse(body) as { StatementId: string; Principal: string; OrganizationId?: string };
        if (v.statements.some((s) => s.Sid === input.StatementId)) {
          return answer(409, { Message: 'The statement id already exists' }, 'ResourceConflictException');
        }
        const statement = {
          Sid: input.StatementId,
          Effect: 'Allow',
          Action: 'lambda:GetLayerVersion',
          Principal: input.Principal,
          ...(input.OrganizationId
            ? { Condition: { StringEquals: { 'aws:PrincipalOrgID': input.OrganizationId } } }
            : {}),
        };
        v.statements.push(statement);
        return answer(201, { Statement: JSON.stringify(statement), RevisionId: 'r2' });
      }
      default:
        return answer(400, { Message: `unsupported ${operation}` }, 'InvalidParameterValueException');
    }
  }
}

function operationOf(method: string, path: string): string {
  if (/\/policy$/.test(path))
    return method === 'POST' ? 'AddLayerVersionPermission' : 'GetLayerVersionPolicy';
  if (/\/versions\/\d+$/.test(path)) return 'GetLayerVersion';
  if (/\/versions$/.test(path)) return method === 'POST' ? 'PublishLayerVersion' : 'ListLayerVersions';
  return `${method} ${path}`;
}
