import { createRequire as __dkRequire } from 'node:module'; import { fileURLToPath as __dkPath } from 'node:url'; const require = __dkRequire(import.meta.url); const __filename = __dkPath(import.meta.url); const __dirname = __dkPath(new URL('.', import.meta.url));
import {
  MAX_DIRECT_UPLOAD_BYTES,
  codeSha256Of,
  fanOut,
  formatBytes
} from "./chunk-S37LGZCX.js";
import {
  ArtifactError,
  DeadlineError,
  GateFailedError,
  InputError,
  backoffDelay,
  booleanish,
  createPlan,
  createRateLimiter,
  defaultSleep,
  describeError,
  errorNameOf,
  external_exports,
  isConflictError,
  isRetryableError,
  isThrottlingError,
  listOf,
  planTable,
  positiveInt,
  regionSchema,
  require_dist_cjs,
  require_dist_cjs2,
  require_dist_cjs3,
  toAwsCallError
} from "./chunk-WDWPIUN5.js";
import {
  __toESM
} from "./chunk-XBDTVSCU.js";

// src/core/duration.ts
var UNITS = { ms: 1, s: 1e3, m: 6e4, h: 36e5 };
function parseDuration(value, input = "timeout") {
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1e3);
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== text) {
    throw InputError.single(
      input,
      `has '${value}', which is not a duration: write it like '90s', '15m' or '1h30m'`
    );
  }
  return Math.round(parts.reduce((sum, p) => sum + Number(p[1]) * (UNITS[p[2]] ?? 0), 0));
}
function formatDuration(ms) {
  if (ms < 1e3) return `${Math.round(ms)}ms`;
  if (ms < 6e4) return `${(ms / 1e3).toFixed(1)}s`;
  const m = Math.floor(ms / 6e4);
  const s = Math.round(ms % 6e4 / 1e3);
  return `${m}m${String(s).padStart(2, "0")}s`;
}

// src/functions/options.ts
var FUNCTION_NAME = /^(arn:aws[a-zA-Z-]*:lambda:[a-z]{2}(-gov)?-[a-z]+-\d:\d{12}:function:|\d{12}:function:)?[a-zA-Z0-9_-]{1,64}$/;
var functionNameSchema = external_exports.string().trim().refine((v) => FUNCTION_NAME.test(v), {
  error: (issue) => `has '${String(issue.input)}', which is not a Lambda function name: use letters, digits, '-' and '_' (at most 64), or the function's ARN without a version`
});
var durationSchema = external_exports.union([external_exports.string(), external_exports.number()]).transform((raw, ctx) => {
  try {
    const ms = typeof raw === "number" ? raw * 1e3 : parseDuration(raw);
    if (!(ms > 0)) throw InputError.single("timeout", `has '${raw}': give a duration above 0, e.g. '15m'`);
    return ms;
  } catch (error) {
    const message = error instanceof InputError ? error.problems[0]?.message ?? error.message : String(error);
    ctx.addIssue({ code: "custom", message });
    return external_exports.NEVER;
  }
});
var ALIAS_NAME = /^(?!^[0-9]+$)[a-zA-Z0-9-_]{1,128}$/;
var aliasNameSchema = external_exports.string().trim().refine((v) => ALIAS_NAME.test(v), {
  error: (issue) => `has '${String(issue.input)}', which is not an alias name: use letters, digits, '-' and '_', not only digits (at most 128)`
});
var architectureSchema = external_exports.enum(["x86_64", "arm64"], {
  error: (issue) => `has '${String(issue.input)}': Lambda accepts 'x86_64' or 'arm64'`
});
var S3_URL = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.+)$/;
var s3UrlSchema = external_exports.string().transform((raw, ctx) => {
  const m = S3_URL.exec(raw.trim());
  if (!m) {
    ctx.addIssue({ code: "custom", message: `has '${raw}': write it as s3://bucket/key` });
    return external_exports.NEVER;
  }
  return { bucket: m[1], key: m[2] };
});
var DEFAULT_TIMEOUT_MS = 15 * 6e4;
var waitFields = {
  function: listOf(functionNameSchema).refine((l) => l.length > 0, {
    error: "is required: name at least one function"
  }),
  region: regionSchema.optional(),
  timeout: durationSchema.default(DEFAULT_TIMEOUT_MS),
  /** A version number or alias to gate instead of $LATEST. */
  qualifier: external_exports.string().trim().min(1).optional()
};
var waitOptionsSchema = external_exports.object(waitFields).strict();
var codeSourceFields = {
  imageUri: external_exports.string().trim().min(1).optional(),
  zip: external_exports.string().trim().min(1).optional(),
  s3: s3UrlSchema.optional()
};
var deployFields = {
  ...codeSourceFields,
  publish: booleanish.default(false),
  alias: aliasNameSchema.optional(),
  architectures: listOf(architectureSchema).refine((l) => l.length <= 1, { error: "takes one architecture: x86_64 or arm64" }).optional(),
  description: external_exports.string().max(256, { error: "is longer than 256 characters (the version description limit)" }).optional()
};
var SOURCE_WORDS = {
  imageUri: "an image URI",
  zip: "a zip file",
  s3: "an S3 object",
  artifact: "an input artifact"
};
function exactlyOneSource(names) {
  return [
    (v, ctx) => {
      if (typeof v !== "object" || v === null) return;
      const given = names.filter((n) => v[n] !== void 0);
      if (given.length === 1) return;
      const choices = names.map((n) => SOURCE_WORDS[n] ?? n).join(", ");
      ctx.addIssue({
        code: "custom",
        path: [given[1] ?? names[0] ?? ""],
        message: given.length === 0 ? `is required: give exactly one code source (${choices})` : `conflicts with the other code source given: give exactly one (${choices})`
      });
    },
    { when: () => true }
  ];
}
var deployOptionsSchema = external_exports.object({
  function: functionNameSchema,
  region: regionSchema.optional(),
  timeout: durationSchema.default(DEFAULT_TIMEOUT_MS),
  ...deployFields
}).strict().superRefine(...exactlyOneSource(["imageUri", "zip", "s3"]));
var rollbackOptionsSchema = external_exports.object({
  function: functionNameSchema,
  alias: aliasNameSchema,
  toVersion: positiveInt.optional(),
  region: regionSchema.optional(),
  timeout: durationSchema.default(DEFAULT_TIMEOUT_MS)
}).strict();
var gateParamsSchema = external_exports.object({
  ...waitFields,
  deploy: external_exports.object({
    ...deployFields,
    zip: external_exports.never({ error: "cannot be read in CodePipeline: use artifact or s3" }).optional(),
    artifact: external_exports.union([external_exports.string().min(1), external_exports.literal(true)]).optional()
  }).strict().superRefine(...exactlyOneSource(["imageUri", "s3", "artifact"])).optional()
}).strict().superRefine((v, ctx) => {
  if (v.deploy && v.function.length !== 1) {
    ctx.addIssue({
      code: "custom",
      path: ["function"],
      message: "names one function when deploy is given"
    });
  }
});

// src/functions/artifact.ts
var import_client_ecr = __toESM(require_dist_cjs(), 1);
var import_client_s3 = __toESM(require_dist_cjs3(), 1);
import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
function isZip(bytes) {
  return bytes[0] === 80 && bytes[1] === 75 && (bytes[2] === 3 || bytes[2] === 5);
}
function zipCode(bytes, source) {
  if (bytes.length > MAX_DIRECT_UPLOAD_BYTES) {
    throw new ArtifactError(
      `${source} is ${formatBytes(bytes.length)}, over the 50 MB Lambda accepts as a direct upload`,
      { hint: "upload it to S3 and deploy with --s3 s3://bucket/key" }
    );
  }
  if (!isZip(bytes)) {
    throw new ArtifactError(`${source} is not a zip archive`, {
      hint: "give the deployment package (.zip) of the function"
    });
  }
  return { kind: "zip", bytes, codeSha256: codeSha256Of(bytes), source };
}
async function readZip(path) {
  try {
    const info = await stat(path);
    if (info.size > MAX_DIRECT_UPLOAD_BYTES) return zipCode(new Uint8Array(info.size), path);
    return zipCode(await readFile(path), path);
  } catch (error) {
    if (error instanceof ArtifactError) throw error;
    throw new ArtifactError(`Cannot read the zip ${path}: ${error.message}`, {
      hint: "check the --zip path",
      cause: error
    });
  }
}
async function resolveS3Code(s3, bucket, key, region) {
  const source = `s3://${bucket}/${key}`;
  const fail = (error, operation) => {
    const name = errorNameOf(error);
    if (name === "NoSuchKey" || name === "NotFound" || name === "NoSuchBucket") {
      throw new ArtifactError(`${source} does not exist (${name})`, {
        hint: "check the bucket, the key and --region (Lambda reads the object from the same Region)",
        cause: error
      });
    }
    throw toAwsCallError(error, { service: "S3", operation, region });
  };
  let head;
  try {
    head = await s3.send(new import_client_s3.HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: "ENABLED" }));
  } catch (error) {
    return fail(error, "HeadObject");
  }
  if (head.ChecksumSHA256 && head.ChecksumType !== "COMPOSITE" && !head.ChecksumSHA256.includes("-")) {
    return { kind: "s3", bucket, key, codeSha256: head.ChecksumSHA256, source };
  }
  try {
    const res = await s3.send(new import_client_s3.GetObjectCommand({ Bucket: bucket, Key: key }));
    const hash = createHash("sha256");
    for await (const chunk of res.Body) hash.update(chunk);
    return { kind: "s3", bucket, key, codeSha256: hash.digest("base64"), source };
  } catch (error) {
    return fail(error, "GetObject");
  }
}
var ECR_IMAGE = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z]{2}(?:-gov)?-[a-z]+-\d)\.amazonaws\.com(?:\.cn)?\/((?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*)(?::([\w][\w.-]{0,127})|@(sha256:[0-9a-f]{64}))?$/;
function parseImageUri(uri, input = "image-uri") {
  if (/\.dkr\.ecr-fips\./.test(uri)) {
    throw InputError.single(
      input,
      `has '${uri}', an ECR FIPS endpoint, which Lambda does not accept for images: write the same image as ACCOUNT.dkr.ecr.REGION.amazonaws.com/...`
    );
  }
  const m = ECR_IMAGE.exec(uri.trim());
  if (!m) {
    throw InputError.single(
      input,
      `has '${uri}', which is not an Amazon ECR image URI: Lambda runs images from ECR only; write it as ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPOSITORY:TAG or @sha256:DIGEST`
    );
  }
  const [, registryId, region, repositoryName, tag, digest] = m;
  const host = uri.trim().slice(0, uri.trim().indexOf("/"));
  return {
    registryId,
    region,
    repositoryName,
    repositoryUri: `${host}/${repositoryName}`,
    ...digest ? { digest } : { tag: tag ?? "latest" }
  };
}
async function resolveImage(ecr, uri) {
  const ref = parseImageUri(uri);
  const imageId = ref.digest ? { imageDigest: ref.digest } : { imageTag: ref.tag };
  try {
    const res = await ecr(ref.region).send(
      new import_client_ecr.DescribeImagesCommand({
        registryId: ref.registryId,
        repositoryName: ref.repositoryName,
        imageIds: [imageId]
      })
    );
    const digest = res.imageDetails?.[0]?.imageDigest;
    if (!digest) throw new ArtifactError(`ECR returned no digest for ${uri}`);
    return { kind: "image", imageUri: `${ref.repositoryUri}@${digest}`, digest, source: uri };
  } catch (error) {
    if (error instanceof ArtifactError) throw error;
    const name = errorNameOf(error);
    if (name === "ImageNotFoundException") {
      throw new ArtifactError(
        `Image ${ref.digest ?? `tag '${ref.tag}'`} is not in ECR repository ${ref.repositoryName} (${ref.region})`,
        { hint: "push the image first, or check the tag or digest in --image-uri", cause: error }
      );
    }
    if (name === "RepositoryNotFoundException") {
      throw new ArtifactError(
        `ECR repository ${ref.repositoryName} does not exist in ${ref.region} (registry ${ref.registryId})`,
        {
          hint: "check the repository name, account and Region in --image-uri",
          cause: error
        }
      );
    }
    throw toAwsCallError(error, { service: "ECR", operation: "DescribeImages", region: ref.region });
  }
}
function currentImageDigest(code) {
  for (const uri of [code?.ImageUri, code?.ResolvedImageUri]) {
    const m = /@(sha256:[0-9a-f]{64})$/.exec(uri ?? "");
    if (m) return m[1];
  }
  return void 0;
}

// src/functions/deploy.ts
var import_client_lambda2 = __toESM(require_dist_cjs2(), 1);

// src/functions/gate.ts
var import_client_lambda = __toESM(require_dist_cjs2(), 1);

// src/functions/state.ts
var INACTIVE_HINT = "invoke it once (e.g. 'aws lambda invoke --function-name NAME out.json'; that call fails and the function goes Pending, then Active) or update its code or configuration ('deploykit function deploy' does that), then wait again. deploykit never invokes functions itself";
function evaluateFunctionState(config) {
  const state = config?.State ?? "Active";
  const lastUpdateStatus = config?.LastUpdateStatus ?? "Successful";
  const base = { state, lastUpdateStatus };
  switch (state) {
    case "Failed":
    case "Deleting":
      return {
        ...base,
        kind: "failed",
        failed: "state",
        stateReasonCode: config?.StateReasonCode,
        lastUpdateStatusReasonCode: config?.LastUpdateStatusReasonCode,
        reason: config?.StateReason ?? (state === "Failed" ? "Lambda gave no reason" : "the function is being deleted")
      };
    case "Inactive":
    case "Deactivated":
    case "Deactivating":
      return {
        ...base,
        kind: "inactive",
        stateReasonCode: config?.StateReasonCode,
        reason: config?.StateReason ?? "the function was idle and Lambda reclaimed its resources"
      };
    case "Pending":
      return {
        ...base,
        kind: "wait",
        why: `State is Pending${config?.StateReasonCode ? ` (${config.StateReasonCode})` : ""}`
      };
    case "Active":
      break;
    default:
      return { ...base, kind: "wait", why: `State is ${state}` };
  }
  if (lastUpdateStatus === "InProgress") {
    return {
      ...base,
      kind: "wait",
      why: `LastUpdateStatus is InProgress${config?.LastUpdateStatusReasonCode ? ` (${config.LastUpdateStatusReasonCode})` : ""}`
    };
  }
  if (lastUpdateStatus === "Failed") {
    return {
      ...base,
      kind: "failed",
      failed: "update",
      stateReasonCode: config?.StateReasonCode,
      lastUpdateStatusReasonCode: config?.LastUpdateStatusReasonCode,
      reason: config?.LastUpdateStatusReason ?? "Lambda gave no reason"
    };
  }
  return { ...base, kind: "ready" };
}
function describeVerdict(name, verdict) {
  switch (verdict.kind) {
    case "ready":
      return `${name} is ready (State Active, LastUpdateStatus Successful)`;
    case "wait":
      return `${name} is not ready: ${verdict.why}`;
    case "inactive":
      return `${name} is ${verdict.state} (StateReasonCode ${verdict.stateReasonCode ?? "none"}): ${verdict.reason}`;
    case "failed": {
      const what = verdict.failed === "state" ? `State is ${verdict.state}` : "the last update Failed";
      return `${name}: ${what}; StateReasonCode ${verdict.stateReasonCode ?? "none"}, LastUpdateStatusReasonCode ${verdict.lastUpdateStatusReasonCode ?? "none"}: ${verdict.reason}`;
    }
  }
}

// src/functions/gate.ts
var DEFAULT_SCHEDULE = { initialMs: 200, factor: 1.5, maxMs: 2e3, jitter: 0.2 };
var DEFAULT_GATE_RATE = 8;
function pollDelay(attempt, schedule = DEFAULT_SCHEDULE, random = Math.random) {
  const base = Math.min(schedule.maxMs, schedule.initialMs * schedule.factor ** attempt);
  const spread = 1 - schedule.jitter + 2 * schedule.jitter * random();
  return Math.max(1, Math.round(base * spread));
}
function createGateDeps(lambda, region, reporter, overrides = {}) {
  const now = overrides.now ?? Date.now;
  const sleep = overrides.sleep ?? defaultSleep;
  return {
    lambda,
    region,
    reporter,
    now,
    sleep,
    limiter: overrides.limiter ?? createRateLimiter({ ratePerSecond: DEFAULT_GATE_RATE, now, sleep }),
    ...overrides.random ? { random: overrides.random } : {},
    ...overrides.signal ? { signal: overrides.signal } : {},
    ...overrides.schedule ? { schedule: overrides.schedule } : {}
  };
}
async function checkFunction(deps, name, qualifier) {
  await deps.limiter.acquire();
  try {
    const response = await deps.lambda.send(
      new import_client_lambda.GetFunctionCommand({ FunctionName: name, ...qualifier ? { Qualifier: qualifier } : {} })
    );
    return { kind: "seen", verdict: evaluateFunctionState(response.Configuration), response };
  } catch (error) {
    const where = { service: "Lambda", operation: "GetFunction", region: deps.region };
    if (errorNameOf(error) === "ResourceNotFoundException") {
      const what = qualifier ? `Version or alias '${qualifier}' of function ${name}` : `Function ${name}`;
      throw new GateFailedError(name, `${what} does not exist in ${deps.region}`, {
        hint: "check the function name and --region (deploykit deploys code to existing functions; create the function first)",
        reasonCode: "ResourceNotFoundException",
        cause: toAwsCallError(error, where)
      });
    }
    if (isRetryableError(error)) {
      return {
        kind: "retry",
        why: errorNameOf(error) ?? "transient error",
        throttled: isThrottlingError(error)
      };
    }
    throw toAwsCallError(error, where);
  }
}
function verdictError(name, verdict) {
  if (verdict.kind === "inactive") {
    return new GateFailedError(name, describeVerdict(name, verdict), {
      hint: INACTIVE_HINT.replace("NAME", name),
      ...verdict.stateReasonCode ? { reasonCode: verdict.stateReasonCode } : {}
    });
  }
  if (verdict.kind === "failed") {
    const code = verdict.failed === "state" ? verdict.stateReasonCode : verdict.lastUpdateStatusReasonCode;
    return new GateFailedError(name, describeVerdict(name, verdict), {
      hint: verdict.failed === "state" ? "fix the cause above; a function whose creation Failed must be deleted and created again" : "the function still runs its previous code; fix the cause above and deploy again",
      ...code ? { reasonCode: code } : {}
    });
  }
  return new GateFailedError(name, describeVerdict(name, verdict));
}
async function waitForFunction(deps, name, options) {
  const started = deps.now();
  const schedule = deps.schedule ?? DEFAULT_SCHEDULE;
  const random = deps.random ?? Math.random;
  let attempts = 0;
  let throttles = 0;
  let step = 0;
  let last = "no answer yet";
  let lastWhy = "";
  for (; ; ) {
    if (deps.signal?.aborted) throw new DeadlineError(`Stopped waiting for ${name}: ${last}`);
    const check = await checkFunction(deps, name, options.qualifier);
    attempts += 1;
    if (check.kind === "seen") {
      const v = check.verdict;
      const decision = v.kind === "ready" ? "go" : options.onVerdict?.(v) ?? (v.kind === "wait" ? "wait" : "stop");
      if (decision === "go") {
        return {
          name,
          verdict: v,
          response: check.response,
          attempts,
          throttles,
          waitedMs: deps.now() - started
        };
      }
      if (decision === "stop") throw verdictError(name, v);
      last = describeVerdict(name, v);
      const why = v.kind === "wait" ? v.why : v.kind;
      if (why !== lastWhy)
        deps.reporter.info(`${name}${options.qualifier ? `:${options.qualifier}` : ""}: ${why}; waiting`);
      lastWhy = why;
    } else {
      if (check.throttled) throttles += 1;
      deps.reporter.debug(`${name}: GetFunction ${check.why}; trying again`);
      if (check.throttled) step += 2;
    }
    const now = deps.now();
    if (now >= options.deadlineAt) {
      throw new DeadlineError(
        `${name} was not ready after ${formatDuration(now - started)} (${attempts} checks): ${last}`,
        { hint: "raise --timeout, or look at the function in the Lambda console for what it is waiting on" }
      );
    }
    await deps.sleep(Math.min(pollDelay(step, schedule, random), options.deadlineAt - now));
    step += 1;
  }
}
async function waitForFunctions(deps, names, options) {
  return fanOut(names, (name) => waitForFunction(deps, name, options), { now: deps.now });
}

// src/functions/deploy.ts
var PREVIOUS_MARK = /deploykit: previous version (\d+)/;
function aliasDescription(previousVersion) {
  return previousVersion ? `deploykit: previous version ${previousVersion}` : "deploykit: created";
}
function recordedPreviousVersion(alias) {
  return PREVIOUS_MARK.exec(alias?.Description ?? "")?.[1];
}
function initialDeployState(now) {
  return { phase: "gate-before", startedAt: now, attempts: 0, conflicts: 0 };
}
function codeIdentity(code) {
  return code.kind === "image" ? code.digest : code.codeSha256;
}
function currentIdentity(code, fn) {
  return code.kind === "image" ? currentImageDigest(fn.Code) : fn.Configuration?.CodeSha256;
}
function checkPackageType(name, code, fn) {
  const type = fn.Configuration?.PackageType ?? "Zip";
  const wants = code.kind === "image" ? "Image" : "Zip";
  if (type !== wants) {
    throw new ArtifactError(
      `${name} is ${type === "Image" ? "an image" : "a zip"} function (PackageType ${type}), and ${code.source} is ${wants === "Image" ? "an image" : "a zip package"}`,
      {
        hint: type === "Image" ? "deploy it with --image-uri (Lambda cannot change a function between image and zip)" : "deploy it with --zip or --s3 (Lambda cannot change a function between zip and image)"
      }
    );
  }
}
function architectureChanged(req, fn) {
  const wanted = req.architectures?.[0];
  return wanted !== void 0 && (fn.Configuration?.Architectures?.[0] ?? "x86_64") !== wanted;
}
function conflictWait(state, error, random) {
  const conflicts = state.conflicts + 1;
  return {
    kind: "wait",
    state: { ...state, conflicts },
    why: `${errorNameOf(error)}: another update is in progress or the function changed; gating again`,
    // Exponential backoff with full jitter, at least one poll step, at most 5 s.
    delayMs: Math.max(DEFAULT_SCHEDULE.initialMs, backoffDelay(conflicts, 500, 5e3, random))
  };
}
function isRaceError(error) {
  return isConflictError(error) || errorNameOf(error) === "PreconditionFailedException";
}
async function stepDeploy(deps, req, state) {
  const name = req.functionName;
  const random = deps.random ?? Math.random;
  const where = (operation) => ({ service: "Lambda", operation, region: deps.region });
  const qualifier = state.phase === "gate-version" ? state.version : void 0;
  const check = await checkFunction(deps, name, qualifier);
  const s = { ...state, attempts: state.attempts + 1 };
  if (check.kind === "retry") return { kind: "wait", state: s, why: `GetFunction: ${check.why}` };
  const { verdict, response } = check;
  if (s.phase === "gate-before") {
    if (verdict.kind === "wait") return { kind: "wait", state: s, why: verdict.why };
    const code = await req.code();
    checkPackageType(name, code, response);
    const current = currentIdentity(code, response);
    const wanted = codeIdentity(code);
    const unchanged = current === wanted && !architectureChanged(req, response);
    if (verdict.kind === "failed" && verdict.failed === "state") throw verdictError(name, verdict);
    if (verdict.kind === "failed") {
      if (unchanged) throw verdictError(name, verdict);
      deps.reporter.warn(`${describeVerdict(name, verdict)}; deploying new code over it`);
    }
    if (verdict.kind === "inactive") {
      if (unchanged) throw verdictError(name, verdict);
      deps.reporter.info(`${name} is Inactive; the update re-activates it`);
    }
    const base = { ...s, ...current ? { previousCode: current } : {} };
    if (unchanged) {
      deps.reporter.info(`${name}: code unchanged (${wanted}); nothing uploaded`);
      const next = {
        ...base,
        unchanged: true,
        codeSha256: response.Configuration?.CodeSha256 ?? wanted
      };
      if (!req.publish) return { kind: "done", state: next, result: resultOf(deps, req, next, response) };
      return publish(deps, req, next, response, where);
    }
    try {
      const res = await deps.lambda.send(
        new import_client_lambda2.UpdateFunctionCodeCommand({
          FunctionName: name,
          ...code.kind === "zip" ? { ZipFile: code.bytes } : {},
          ...code.kind === "s3" ? { S3Bucket: code.bucket, S3Key: code.key } : {},
          ...code.kind === "image" ? { ImageUri: code.imageUri } : {},
          ...req.architectures ? { Architectures: req.architectures } : {},
          // Fails with PreconditionFailedException if the function changed since the check.
          ...response.Configuration?.RevisionId ? { RevisionId: response.Configuration.RevisionId } : {}
        })
      );
      deps.reporter.info(`${name}: UpdateFunctionCode sent (${code.source}); gating until it is Successful`);
      return {
        kind: "progress",
        state: { ...base, phase: "gate-update", codeSha256: res.CodeSha256 ?? wanted }
      };
    } catch (error) {
      if (isRaceError(error)) return conflictWait(base, error, random);
      throw toAwsCallError(error, where("UpdateFunctionCode"), updateHint(error));
    }
  }
  if (verdict.kind === "wait") return { kind: "wait", state: s, why: verdict.why };
  if (verdict.kind !== "ready") throw verdictError(qualifier ? `${name}:${qualifier}` : name, verdict);
  if (s.phase === "gate-update") {
    if (!req.publish) return { kind: "done", state: s, result: resultOf(deps, req, s, response) };
    return publish(deps, req, s, response, where);
  }
  if (!req.alias) return { kind: "done", state: s, result: resultOf(deps, req, s, response) };
  try {
    const moved = await moveAlias(deps, name, req.alias, s.version);
    return { kind: "done", state: s, result: { ...resultOf(deps, req, s, response), ...moved } };
  } catch (error) {
    if (isRaceError(error) || isThrottlingError(error)) return conflictWait(s, error, random);
    throw error;
  }
}
async function publish(deps, req, s, response, where) {
  try {
    const res = await deps.lambda.send(
      new import_client_lambda2.PublishVersionCommand({
        FunctionName: req.functionName,
        // Guards: publish exactly the code we deployed and the revision we saw Successful.
        ...response.Configuration?.CodeSha256 ? { CodeSha256: response.Configuration.CodeSha256 } : {},
        ...response.Configuration?.RevisionId ? { RevisionId: response.Configuration.RevisionId } : {},
        ...req.description ? { Description: req.description } : {}
      })
    );
    const version = res.Version;
    deps.reporter.info(`${req.functionName}: version ${version}; gating until it is Active`);
    return { kind: "progress", state: { ...s, phase: "gate-version", version } };
  } catch (error) {
    if (isConflictError(error)) return conflictWait(s, error, deps.random ?? Math.random);
    if (errorNameOf(error) === "PreconditionFailedException") {
      throw new GateFailedError(
        req.functionName,
        `${req.functionName} changed after deploykit updated it, before it could publish a version`,
        {
          hint: "another deploy ran at the same time; run this deploy again once the other one finished",
          reasonCode: "PreconditionFailedException",
          cause: toAwsCallError(error, where("PublishVersion"))
        }
      );
    }
    throw toAwsCallError(error, where("PublishVersion"));
  }
}
function updateHint(error) {
  const name = errorNameOf(error);
  if (name === "InvalidParameterValueException")
    return "check that the package or image suits this function (runtime, architecture, package type)";
  if (name === "CodeStorageExceededException")
    return "delete old function versions or layer versions to free code storage";
  return void 0;
}
async function moveAlias(deps, functionName, alias, version) {
  const call = async (operation, send) => {
    try {
      return await send();
    } catch (error) {
      throw toAwsCallError(error, { service: "Lambda", operation, region: deps.region });
    }
  };
  let current;
  try {
    current = await deps.lambda.send(new import_client_lambda2.GetAliasCommand({ FunctionName: functionName, Name: alias }));
  } catch (error) {
    if (errorNameOf(error) !== "ResourceNotFoundException") {
      throw toAwsCallError(error, { service: "Lambda", operation: "GetAlias", region: deps.region });
    }
  }
  if (!current) {
    await call(
      "CreateAlias",
      () => deps.lambda.send(
        new import_client_lambda2.CreateAliasCommand({
          FunctionName: functionName,
          Name: alias,
          FunctionVersion: version,
          Description: aliasDescription(void 0)
        })
      )
    );
    deps.reporter.info(`${functionName}: alias ${alias} created at version ${version}`);
    return { alias, aliasAction: "created" };
  }
  const previous = current.FunctionVersion;
  if (previous === version) {
    const recorded = recordedPreviousVersion(current);
    return { alias, aliasAction: "unchanged", ...recorded ? { previousVersion: recorded } : {} };
  }
  await call(
    "UpdateAlias",
    () => deps.lambda.send(
      new import_client_lambda2.UpdateAliasCommand({
        FunctionName: functionName,
        Name: alias,
        FunctionVersion: version,
        Description: aliasDescription(previous),
        ...current.RevisionId ? { RevisionId: current.RevisionId } : {}
      })
    )
  );
  deps.reporter.info(`${functionName}: alias ${alias} moved from version ${previous} to ${version}`);
  return { alias, aliasAction: "moved", ...previous ? { previousVersion: previous } : {} };
}
function resultOf(deps, req, s, fn) {
  const sha = s.codeSha256 ?? fn.Configuration?.CodeSha256 ?? "";
  return {
    function: req.functionName,
    status: s.unchanged ? "unchanged" : "updated",
    codeSha256: sha,
    ...s.previousCode ? { previousCodeSha256: s.previousCode } : {},
    ...fn.Code?.ImageUri ? { imageUri: fn.Code.ImageUri } : {},
    ...s.version ? { version: s.version } : {},
    checks: s.attempts,
    conflicts: s.conflicts,
    elapsedMs: deps.now() - s.startedAt
  };
}
async function deployFunction(deps, req, deadlineAt) {
  let state = initialDeployState(deps.now());
  let step = 0;
  let lastWhy = "";
  for (; ; ) {
    if (deps.signal?.aborted)
      throw new DeadlineError(`Stopped deploying ${req.functionName} in phase ${state.phase}`);
    const r = await stepDeploy(deps, req, state);
    state = r.state;
    if (r.kind === "done") return r.result;
    if (r.kind === "progress") {
      step = 0;
      continue;
    }
    if (r.why !== lastWhy) deps.reporter.info(`${req.functionName}: ${r.why}; waiting`);
    lastWhy = r.why;
    const now = deps.now();
    if (now >= deadlineAt) {
      throw new DeadlineError(
        `${req.functionName} did not get through '${state.phase}' in ${formatDuration(now - state.startedAt)} (${state.attempts} checks): ${r.why}`,
        {
          hint: state.phase === "gate-before" ? "nothing was changed; raise --timeout or find what keeps the function busy" : "the update was sent; run `deploykit function wait` to see how it ends, or raise --timeout"
        }
      );
    }
    const delay = Math.max(
      r.delayMs ?? 0,
      pollDelay(step, deps.schedule ?? DEFAULT_SCHEDULE, deps.random ?? Math.random)
    );
    await deps.sleep(Math.min(delay, deadlineAt - now));
    step += 1;
  }
}
async function planDeploy(deps, req) {
  const name = req.functionName;
  const where = (operation) => ({ service: "Lambda", operation, region: deps.region });
  const code = await req.code();
  let fn;
  try {
    fn = await deps.lambda.send(new import_client_lambda2.GetFunctionCommand({ FunctionName: name }));
  } catch (error) {
    if (errorNameOf(error) === "ResourceNotFoundException") {
      throw new GateFailedError(name, `Function ${name} does not exist in ${deps.region}`, {
        hint: "check the function name and --region (deploykit deploys code to existing functions; create the function first)",
        reasonCode: "ResourceNotFoundException"
      });
    }
    throw toAwsCallError(error, where("GetFunction"));
  }
  checkPackageType(name, code, fn);
  const current = currentIdentity(code, fn) ?? "none";
  const wanted = codeIdentity(code);
  const unchanged = current === wanted && !architectureChanged(req, fn);
  const steps = [
    {
      target: name,
      resource: code.kind === "image" ? "image" : "code",
      action: unchanged ? "skip" : "update",
      reason: unchanged ? `same ${code.kind === "image" ? "digest" : "CodeSha256"} as deployed` : `${current} \u2192 ${wanted}${architectureChanged(req, fn) ? ` (architecture \u2192 ${req.architectures?.[0]})` : ""}`,
      details: {
        current,
        new: wanted,
        source: code.source,
        ...code.kind === "image" ? { imageUri: code.imageUri } : {},
        state: `${fn.Configuration?.State ?? "Active"}/${fn.Configuration?.LastUpdateStatus ?? "Successful"}`
      }
    }
  ];
  let nextVersion;
  if (req.publish) {
    const latest = await latestVersion(deps, name);
    nextVersion = unchanged && latest ? String(latest) : String((latest ?? 0) + 1);
    steps.push({
      target: name,
      resource: "version",
      action: unchanged ? "skip" : "create",
      reason: unchanged ? `code unchanged: PublishVersion returns version ${latest ?? 1} unless the configuration changed` : `would publish version ${nextVersion}${req.description ? ` ("${req.description}")` : ""}`,
      details: { version: nextVersion, latest: latest ? String(latest) : "none" }
    });
  }
  if (req.alias) {
    let alias;
    try {
      alias = await deps.lambda.send(new import_client_lambda2.GetAliasCommand({ FunctionName: name, Name: req.alias }));
    } catch (error) {
      if (errorNameOf(error) !== "ResourceNotFoundException") throw toAwsCallError(error, where("GetAlias"));
    }
    const from = alias?.FunctionVersion;
    steps.push({
      target: name,
      resource: `alias ${req.alias}`,
      action: !alias ? "create" : from === nextVersion ? "skip" : "update",
      reason: !alias ? `would create it at version ${nextVersion}` : `version ${from} \u2192 ${nextVersion}`,
      details: { from: from ?? "none", to: nextVersion ?? "" }
    });
  }
  return createPlan(`function deploy ${name}`, steps);
}
async function latestVersion(deps, name) {
  let marker;
  let latest;
  do {
    const page = await deps.lambda.send(
      new import_client_lambda2.ListVersionsByFunctionCommand({ FunctionName: name, ...marker ? { Marker: marker } : {} })
    );
    for (const v of page.Versions ?? []) {
      const n = Number(v.Version);
      if (Number.isInteger(n) && (latest === void 0 || n > latest)) latest = n;
    }
    marker = page.NextMarker;
  } while (marker);
  return latest;
}

// src/functions/rollback.ts
var import_client_lambda3 = __toESM(require_dist_cjs2(), 1);
async function resolveRollback(deps, req) {
  let alias;
  try {
    alias = await deps.lambda.send(new import_client_lambda3.GetAliasCommand({ FunctionName: req.functionName, Name: req.alias }));
  } catch (error) {
    if (errorNameOf(error) === "ResourceNotFoundException") {
      throw new GateFailedError(
        req.functionName,
        `Alias ${req.alias} of ${req.functionName} does not exist in ${deps.region}`,
        {
          hint: "check --function, --alias and --region",
          reasonCode: "ResourceNotFoundException"
        }
      );
    }
    throw toAwsCallError(error, { service: "Lambda", operation: "GetAlias", region: deps.region });
  }
  const from = alias.FunctionVersion ?? "$LATEST";
  const to = req.toVersion ?? recordedPreviousVersion(alias);
  if (!to) {
    throw InputError.single(
      "to-version",
      `is required: alias ${req.alias} has no version recorded by a deploykit deploy (its description is '${alias.Description ?? ""}'); name the version to go back to`
    );
  }
  return { alias, from, to };
}
function planRollback(req, target) {
  return createPlan(`function rollback ${req.functionName}:${req.alias}`, [
    {
      target: req.functionName,
      resource: `alias ${req.alias}`,
      action: target.from === target.to ? "skip" : "update",
      reason: target.from === target.to ? `already at version ${target.to}` : `version ${target.from} \u2192 ${target.to}${req.toVersion ? "" : " (recorded by the last deploy)"}`,
      details: { from: target.from, to: target.to }
    }
  ]);
}
async function rollbackAlias(deps, req, target, deadlineAt) {
  if (target.from === target.to) return { ...target, moved: false };
  await waitForFunction(deps, req.functionName, { qualifier: target.to, deadlineAt });
  try {
    await deps.lambda.send(
      new import_client_lambda3.UpdateAliasCommand({
        FunctionName: req.functionName,
        Name: req.alias,
        FunctionVersion: target.to,
        Description: aliasDescription(target.from),
        ...target.alias.RevisionId ? { RevisionId: target.alias.RevisionId } : {}
      })
    );
  } catch (error) {
    throw toAwsCallError(
      error,
      { service: "Lambda", operation: "UpdateAlias", region: deps.region },
      errorNameOf(error) === "PreconditionFailedException" ? "the alias moved while rolling back; look at it and run again" : void 0
    );
  }
  deps.reporter.info(
    `${req.functionName}: alias ${req.alias} moved back from version ${target.from} to ${target.to}`
  );
  return { ...target, moved: true };
}

// src/functions/run.ts
function regionOf(ctx, option) {
  const region = option ?? ctx.region;
  if (!region) throw InputError.single("region", "is required: pass --region or set AWS_REGION");
  return region;
}
function gateDepsOf(ctx, region) {
  return createGateDeps(ctx.aws.lambda(region), region, ctx.reporter, ctx.gate ?? {});
}
async function runWait(ctx, options) {
  const region = regionOf(ctx, options.region);
  const deps = gateDepsOf(ctx, region);
  const deadlineAt = deps.now() + options.timeout;
  const settled = await waitForFunctions(deps, options.function, {
    deadlineAt,
    ...options.qualifier ? { qualifier: options.qualifier } : {}
  });
  const rows = settled.map((s) => {
    if (s.ok) {
      const c = s.value.response.Configuration;
      return {
        function: s.target,
        ok: true,
        state: s.value.verdict.state,
        lastUpdateStatus: s.value.verdict.lastUpdateStatus,
        version: c?.Version ?? "$LATEST",
        codeSha256: c?.CodeSha256 ?? "",
        checks: s.value.attempts,
        throttles: s.value.throttles,
        waitedMs: s.value.waitedMs
      };
    }
    const e = s.error;
    return {
      function: s.target,
      ok: false,
      error: describeError(e),
      ...e instanceof GateFailedError && e.reasonCode ? { reasonCode: e.reasonCode } : {},
      waitedMs: s.durationMs
    };
  });
  const ok = rows.every((r) => r.ok);
  const done = rows.filter((r) => r.ok);
  return {
    ok,
    table: {
      title: `function wait (${region})`,
      columns: ["Function", "Result", "Checks", "Waited"],
      rows: rows.map((r) => [
        r.function,
        r.ok ? `ready: ${r.state}/${r.lastUpdateStatus}, version ${r.version}` : r.error.split("\n")[0] ?? "",
        r.ok ? String(r.checks) : "",
        formatDuration(r.waitedMs)
      ])
    },
    json: { region, ok, functions: rows },
    outputs: {
      version: done.map((r) => r.version).join(","),
      "previous-version": "",
      "code-sha256": done.map((r) => r.codeSha256).join(",")
    },
    notes: rows.filter((r) => !r.ok).map((r) => r.ok ? "" : `${r.function}: ${r.error}`)
  };
}
function codeSourceOf(ctx, options, region) {
  let resolved;
  return () => {
    resolved ??= options.imageUri ? resolveImage(ctx.aws.ecr, options.imageUri) : options.s3 ? resolveS3Code(ctx.aws.s3(region), options.s3.bucket, options.s3.key, region) : readZip(options.zip);
    return resolved;
  };
}
function deployRequestOf(options, functionName, code) {
  return {
    functionName,
    code,
    // An alias needs a version to point at: --alias implies --publish.
    publish: options.publish || options.alias !== void 0,
    ...options.alias ? { alias: options.alias } : {},
    ...options.architectures ? { architectures: options.architectures } : {},
    ...options.description ? { description: options.description } : {}
  };
}
function deployOutcome(region, r) {
  const alias = r.alias ? r.aliasAction === "moved" ? `${r.alias}: ${r.previousVersion} \u2192 ${r.version}` : `${r.alias}: ${r.aliasAction} at ${r.version}` : "";
  return {
    ok: true,
    table: {
      title: `function deploy (${region})`,
      columns: ["Function", "Result", "CodeSha256", "Version", "Alias", "Took"],
      rows: [[r.function, r.status, r.codeSha256, r.version ?? "", alias, formatDuration(r.elapsedMs)]]
    },
    json: { region, ...r },
    outputs: {
      version: r.version ?? "",
      "previous-version": r.previousVersion ?? "",
      "code-sha256": r.codeSha256,
      status: r.status
    },
    notes: [
      ...r.status === "unchanged" ? ["code unchanged: nothing was uploaded"] : [],
      ...r.conflicts > 0 ? [`waited out ${r.conflicts} ResourceConflictException(s)`] : []
    ]
  };
}
async function runDeploy(ctx, options) {
  const region = regionOf(ctx, options.region);
  if (options.imageUri) {
    const imageRegion = parseImageUri(options.imageUri).region;
    if (imageRegion !== region) {
      throw InputError.single(
        "image-uri",
        `is in ${imageRegion} and the function in ${region}: Lambda runs images from its own Region's ECR; push the image there (ECR replication can) or pass the function's --region`
      );
    }
  }
  const deps = gateDepsOf(ctx, region);
  const req = deployRequestOf(options, options.function, codeSourceOf(ctx, options, region));
  const plan = await planDeploy(deps, req);
  ctx.reporter.plan(plan, ctx.dryRun);
  if (ctx.dryRun) return dryRunOutcome(plan);
  const result = await deployFunction(deps, req, deps.now() + options.timeout);
  return deployOutcome(region, result);
}
async function runRollback(ctx, options) {
  const region = regionOf(ctx, options.region);
  const deps = gateDepsOf(ctx, region);
  const req = {
    functionName: options.function,
    alias: options.alias,
    ...options.toVersion ? { toVersion: String(options.toVersion) } : {}
  };
  const target = await resolveRollback(deps, req);
  const plan = planRollback(req, target);
  ctx.reporter.plan(plan, ctx.dryRun);
  if (ctx.dryRun) return dryRunOutcome(plan);
  const done = await rollbackAlias(deps, req, target, deps.now() + options.timeout);
  return {
    ok: true,
    table: {
      title: `function rollback (${region})`,
      columns: ["Function", "Alias", "From", "To", "Result"],
      rows: [[options.function, options.alias, done.from, done.to, done.moved ? "moved" : "already there"]]
    },
    json: {
      region,
      function: options.function,
      alias: options.alias,
      from: done.from,
      to: done.to,
      moved: done.moved
    },
    outputs: { version: done.to, "previous-version": done.from, "code-sha256": "" }
  };
}
function dryRunOutcome(plan) {
  const find = (key) => plan.steps.find((s) => s.details?.[key] !== void 0)?.details?.[key] ?? "";
  return {
    ok: true,
    table: { ...planTable(plan), title: `${planTable(plan).title} (dry run: nothing was changed)` },
    json: { dryRun: true, plan },
    outputs: { version: find("version"), "previous-version": find("from"), "code-sha256": find("new") }
  };
}

export {
  waitOptionsSchema,
  deployOptionsSchema,
  rollbackOptionsSchema,
  runWait,
  runDeploy,
  runRollback
};
