import { z } from 'zod';
import { ArtifactError } from '../core/errors.ts';

/**
 * The CodePipeline "Lambda invoke" event, in the documented shape:
 * `{ "CodePipeline.job": { id, accountId, data: { actionConfiguration, inputArtifacts,
 * outputArtifacts, artifactCredentials, continuationToken?, encryptionKey? } } }`.
 */
const s3Location = z.object({ bucketName: z.string().min(1), objectKey: z.string().min(1) });

export const artifactSchema = z.object({
  name: z.string(),
  revision: z.string().nullish(),
  location: z.object({ type: z.string(), s3Location: s3Location.optional() }),
});

export const jobEventSchema = z.object({
  'CodePipeline.job': z.object({
    id: z.string().min(1),
    accountId: z.string().optional(),
    data: z.object({
      actionConfiguration: z.object({
        configuration: z
          .object({ FunctionName: z.string().optional(), UserParameters: z.string().optional() })
          .loose(),
      }),
      inputArtifacts: z.array(artifactSchema).default([]),
      outputArtifacts: z.array(artifactSchema).default([]),
      artifactCredentials: z
        .object({ accessKeyId: z.string(), secretAccessKey: z.string(), sessionToken: z.string().optional() })
        .optional(),
      continuationToken: z.string().nullish(),
      encryptionKey: z.object({ id: z.string(), type: z.string() }).optional(),
    }),
  }),
});

export type JobEvent = z.infer<typeof jobEventSchema>;
export type JobData = JobEvent['CodePipeline.job']['data'];
export type Artifact = z.infer<typeof artifactSchema>;

/** Reads the job id without trusting the rest of the event, so even a malformed job is answered. */
export function jobIdOf(event: unknown): string | undefined {
  const job = (event as Record<string, unknown> | null)?.['CodePipeline.job'] as { id?: unknown } | undefined;
  return typeof job?.id === 'string' && job.id.length > 0 ? job.id : undefined;
}

/** Picks an input artifact by name, or the only one when no name is given. */
export function selectArtifact(artifacts: readonly Artifact[], name?: string): Artifact {
  const names = artifacts.map((a) => a.name);
  const found = name
    ? artifacts.find((a) => a.name === name)
    : artifacts.length === 1
      ? artifacts[0]
      : undefined;
  if (!found) {
    const which = name
      ? `no input artifact named '${name}'`
      : `${artifacts.length} input artifacts, expected exactly one`;
    throw new ArtifactError(`The job has ${which} (it has: ${names.join(', ') || 'none'})`, {
      hint: "set the action's input artifacts in the pipeline, or name one with 'artifact' in UserParameters",
    });
  }
  if (!found.location.s3Location) {
    throw new ArtifactError(
      `Input artifact '${found.name}' has no S3 location (type ${found.location.type})`,
    );
  }
  return found;
}
