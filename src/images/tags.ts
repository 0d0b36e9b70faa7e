import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { InputError } from '../core/errors.ts';

const run = promisify(execFile);

/** What the build knows about the source it is building. */
export interface SourceInfo {
  /** The commit (GITHUB_SHA, or `git rev-parse HEAD` in the context); undefined outside git. */
  revision?: string | undefined;
  /** A URL of the source repository, for `org.opencontainers.image.source`. */
  sourceUrl?: string | undefined;
}

/** Turns a git remote (`git@github.com:o/r.git`, `https://…/o/r.git`) into an https URL, without credentials. */
export function remoteToUrl(remote: string): string | undefined {
  const r = remote.trim();
  const scp = /^[\w.-]+@([\w.-]+):(.+?)(?:\.git)?$/.exec(r);
  if (scp) return `https://${scp[1]}/${scp[2]}`;
  try {
    const u = new URL(r);
    if (!['https:', 'http:', 'ssh:', 'git:'].includes(u.protocol)) return undefined;
    // Never put a token from a remote URL into an image label.
    return `https://${u.hostname}${u.pathname.replace(/\.git$/, '')}`;
  } catch {
    return undefined;
  }
}

/**
 * Finds the revision and source URL: GitHub Actions' (or CodeBuild's) variables first (the
 * checkout may be shallow, detached or not a repository at all), then git in the context directory. Missing git is not an error.
 */
export async function readSourceInfo(dir: string, env: NodeJS.ProcessEnv = process.env): Promise<SourceInfo> {
  const git = async (...args: string[]) => {
    try {
      const { stdout } = await run('git', ['-C', dir, ...args], { timeout: 10_000 });
      return stdout.trim() || undefined;
    } catch {
      return undefined;
    }
  };
  // CodeBuild's resolved source version is a commit for Git sources (an object version for S3).
  const codebuild = env.CODEBUILD_RESOLVED_SOURCE_VERSION;
  const revision =
    env.GITHUB_SHA ||
    (codebuild && /^[0-9a-f]{40}$/.test(codebuild) ? codebuild : undefined) ||
    (await git('rev-parse', 'HEAD'));
  let sourceUrl: string | undefined;
  if (env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY) {
    sourceUrl = `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}`;
  } else if (env.CODEBUILD_SOURCE_REPO_URL?.startsWith('https://')) {
    sourceUrl = remoteToUrl(env.CODEBUILD_SOURCE_REPO_URL);
  } else {
    const remote = await git('remote', 'get-url', 'origin');
    sourceUrl = remote ? remoteToUrl(remote) : undefined;
  }
  return { revision, sourceUrl };
}

/**
 * The fully qualified tags of the image: `<registry>/<repository>:<tag>` for the revision and
 * for each extra tag, without duplicates, revision first. Fully qualified, because a short
 * name would be resolved against docker.io by the engine.
 */
export function computeTags(
  registry: string,
  repository: string,
  revision: string | undefined,
  extra: readonly string[],
): string[] {
  const names = [...(revision ? [revision] : []), ...extra];
  if (names.length === 0) {
    throw InputError.single(
      'tag',
      'is required here: the context is not in a git repository and GITHUB_SHA is not set, so there is no commit to tag with; pass --tag',
    );
  }
  return [...new Set(names)].map((t) => `${registry}/${repository}:${t}`);
}

/** The OCI labels for source and revision, under the user's own labels (which win). */
export function imageLabels(
  source: SourceInfo,
  user: Readonly<Record<string, string>>,
): Record<string, string> {
  return {
    ...(source.sourceUrl ? { 'org.opencontainers.image.source': source.sourceUrl } : {}),
    ...(source.revision ? { 'org.opencontainers.image.revision': source.revision } : {}),
    ...user,
  };
}

/** Splits `host/repo/path:tag` into the repository reference and the tag. */
export function splitTag(ref: string): { name: string; tag: string } {
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon <= slash) return { name: ref, tag: 'latest' };
  return { name: ref.slice(0, colon), tag: ref.slice(colon + 1) };
}
