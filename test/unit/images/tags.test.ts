import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors.ts';
import { computeTags, imageLabels, readSourceInfo, remoteToUrl, splitTag } from '../../../src/images/tags.ts';

const SHA = '0123456789abcdef0123456789abcdef01234567';

describe('computeTags', () => {
  it('fully qualifies the commit tag first, then each extra tag', () => {
    expect(computeTags('127.0.0.1:5000', 'team/app', SHA, ['latest', 'v1'])).toEqual([
      `127.0.0.1:5000/team/app:${SHA}`,
      '127.0.0.1:5000/team/app:latest',
      '127.0.0.1:5000/team/app:v1',
    ]);
  });

  it('drops duplicates', () => {
    expect(computeTags('r.example.com', 'app', SHA, [SHA, 'x', 'x'])).toEqual([
      `r.example.com/app:${SHA}`,
      'r.example.com/app:x',
    ]);
  });

  it('uses only the extra tags outside git', () => {
    expect(computeTags('r.example.com', 'app', undefined, ['v2'])).toEqual(['r.example.com/app:v2']);
  });

  it('asks for --tag when there is no commit and no tag', () => {
    expect(() => computeTags('r.example.com', 'app', undefined, [])).toThrow(InputError);
    expect(() => computeTags('r.example.com', 'app', undefined, [])).toThrow(/pass --tag/);
  });
});

describe('readSourceInfo', () => {
  it('prefers GITHUB_SHA and the GitHub repository URL', async () => {
    const info = await readSourceInfo(tmpdir(), {
      GITHUB_SHA: SHA,
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_REPOSITORY: 'o/r',
    });
    expect(info).toEqual({ revision: SHA, sourceUrl: 'https://github.com/o/r' });
  });

  it("takes CodeBuild's resolved source version when it is a commit", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dk-nogit-'));
    expect((await readSourceInfo(dir, { CODEBUILD_RESOLVED_SOURCE_VERSION: SHA })).revision).toBe(SHA);
    expect(
      (await readSourceInfo(dir, { CODEBUILD_RESOLVED_SOURCE_VERSION: 'v3Xy.s3version' })).revision,
    ).toBeUndefined();
  });

  it('reads the commit from git in the context', async () => {
    const info = await readSourceInfo(process.cwd(), {});
    expect(info.revision).toMatch(/^[0-9a-f]{40}$/);
  });
});

describe('remoteToUrl', () => {
  it('turns scp-style and https remotes into https URLs without credentials', () => {
    expect(remoteToUrl('git@github.com:o/r.git')).toBe('https://github.com/o/r');
    expect(remoteToUrl('https://x-access-token:ghs_secret@github.com/o/r.git')).toBe(
      'https://github.com/o/r',
    );
    expect(remoteToUrl('/local/path')).toBeUndefined();
  });
});

describe('imageLabels', () => {
  it('adds the OCI source and revision labels, which user labels override', () => {
    expect(imageLabels({ revision: SHA, sourceUrl: 'https://github.com/o/r' }, { team: 'a' })).toEqual({
      'org.opencontainers.image.source': 'https://github.com/o/r',
      'org.opencontainers.image.revision': SHA,
      team: 'a',
    });
    expect(imageLabels({ revision: SHA }, { 'org.opencontainers.image.revision': 'mine' })).toEqual({
      'org.opencontainers.image.revision': 'mine',
    });
  });
});

describe('splitTag', () => {
  it('splits at the tag colon, not the port colon', () => {
    expect(splitTag('127.0.0.1:5000/a/b:v1')).toEqual({ name: '127.0.0.1:5000/a/b', tag: 'v1' });
    expect(splitTag('127.0.0.1:5000/a/b')).toEqual({ name: '127.0.0.1:5000/a/b', tag: 'latest' });
  });
});
