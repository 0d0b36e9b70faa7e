import { createRequire as __dkRequire } from 'node:module'; import { fileURLToPath as __dkPath } from 'node:url'; const require = __dkRequire(import.meta.url); const __filename = __dkPath(import.meta.url); const __dirname = __dkPath(new URL('.', import.meta.url));
import {
  require_tar_stream
} from "./chunk-SWOLOLIW.js";
import {
  ArtifactError,
  AwsCallError,
  ContainerEngineError,
  EnvironmentError,
  InputError,
  booleanish,
  callAws,
  createPlan,
  external_exports,
  listOf,
  positiveInt,
  regionSchema,
  require_dist_cjs,
  require_ignore,
  toAwsCallError
} from "./chunk-WDWPIUN5.js";
import {
  __toESM
} from "./chunk-XBDTVSCU.js";

// src/images/options.ts
var LAMBDA_BASE_IMAGES = {
  "python3.9": "python:3.9",
  "python3.10": "python:3.10",
  "python3.11": "python:3.11",
  "python3.12": "python:3.12",
  "python3.13": "python:3.13",
  "nodejs18.x": "nodejs:18",
  "nodejs20.x": "nodejs:20",
  "nodejs22.x": "nodejs:22",
  java11: "java:11",
  java17: "java:17",
  java21: "java:21",
  "ruby3.3": "ruby:3.3",
  dotnet8: "dotnet:8",
  "provided.al2": "provided:al2",
  "provided.al2023": "provided:al2023"
};
var PLATFORMS = ["linux/amd64", "linux/arm64"];
var REPOSITORY_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
var TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
var REGISTRY_HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9a-fA-F:]+\])(?::\d{1,5})?$/;
function keyValues(what) {
  return listOf(external_exports.string()).transform((items, ctx) => {
    const out = {};
    for (const item of items) {
      const eq = item.indexOf("=");
      if (eq <= 0) {
        ctx.addIssue({
          code: "custom",
          message: `has '${item}', which is not ${what} in the form KEY=VALUE`
        });
        continue;
      }
      out[item.slice(0, eq).trim()] = item.slice(eq + 1);
    }
    return out;
  });
}
function keyValueLines(what) {
  return external_exports.preprocess(
    (v) => typeof v === "string" ? v.split("\n").map((s) => s.trim()).filter((s) => s.length > 0) : v,
    keyValues(what)
  );
}
var imageBuildSchema = external_exports.object({
  context: external_exports.string().min(1).default("."),
  preset: external_exports.enum(["lambda", "flink", "none"], { error: "must be 'lambda', 'flink' or 'none'" }).default("none"),
  /** Path of the Dockerfile, relative to the context. */
  dockerfile: external_exports.string().min(1).default("Dockerfile"),
  repository: external_exports.string({ error: "is required: the ECR repository name, e.g. my-team/my-function" }).regex(
    REPOSITORY_NAME,
    "must be an ECR repository name: lowercase letters, digits, '.', '_', '-' and '/' between parts"
  ),
  tags: listOf(
    external_exports.string().regex(TAG, "must be a tag: letters, digits, _ . - (up to 128, not starting with . or -)")
  ).default([]),
  platform: external_exports.enum(PLATFORMS, { error: "must be 'linux/amd64' or 'linux/arm64' (the architectures Lambda runs)" }).default("linux/amd64"),
  buildArgs: keyValueLines("a build argument").default({}),
  target: external_exports.string().min(1).optional(),
  baseImage: external_exports.string().min(1).optional(),
  labels: keyValueLines("a label").default({}),
  push: booleanish.default(false),
  /** Registry host[:port] that replaces the ECR registry (the local stack, or another registry). */
  registry: external_exports.string().regex(
    REGISTRY_HOST,
    "must be a registry host such as 'registry.example.com' or '127.0.0.1:5000' (no scheme)"
  ).optional(),
  region: regionSchema.optional(),
  /** Manage the ECR repository (create, settings, lifecycle) before pushing. */
  ecr: booleanish.default(true),
  // Lambda preset
  runtime: external_exports.string().optional(),
  handler: external_exports.string().min(1).optional(),
  /** Directory (in the context) whose contents go to the Lambda task root. */
  code: external_exports.string().min(1).default("."),
  // Flink preset
  flinkVersion: external_exports.string().regex(/^\d+\.\d+(?:\.\d+)?$/, "must be a Flink version such as '1.20'").default("1.20"),
  javaVersion: external_exports.enum(["8", "11", "17", "21"], { error: "must be '11', '17' or '21' (or '8')" }).default("17"),
  /** The job jar (in the context), copied to /opt/flink/usrlib/. */
  jobJar: external_exports.string().min(1).optional(),
  /** A Flink configuration file (config.yaml or flink-conf.yaml) copied to /opt/flink/conf/. */
  flinkConf: external_exports.string().min(1).optional(),
  // ECR repository settings
  scanOnPush: booleanish.default(true),
  tagMutability: external_exports.enum(["MUTABLE", "IMMUTABLE"], { error: "must be 'MUTABLE' or 'IMMUTABLE'" }).default("MUTABLE"),
  encryption: external_exports.enum(["AES256", "KMS"], { error: "must be 'AES256' or 'KMS'" }).default("AES256"),
  kmsKey: external_exports.string().min(1).optional(),
  expireUntaggedDays: positiveInt.optional(),
  keepTagged: positiveInt.optional(),
  /** Change an existing repository's settings to the ones given (otherwise they are left alone). */
  applySettings: booleanish.default(false),
  /** Build without the engine's layer cache. */
  noCache: booleanish.default(false)
}).strict().superRefine((o, ctx) => {
  if (o.preset === "lambda" && o.runtime !== void 0 && !(o.runtime in LAMBDA_BASE_IMAGES)) {
    ctx.addIssue({
      code: "custom",
      path: ["runtime"],
      message: `has '${o.runtime}', which is not a Lambda runtime with a base image: use one of ${Object.keys(LAMBDA_BASE_IMAGES).join(", ")}`
    });
  }
  if (o.kmsKey !== void 0 && o.encryption !== "KMS") {
    ctx.addIssue({
      code: "custom",
      path: ["kmsKey"],
      message: "is only used with encryption 'KMS': add --encryption KMS or drop it"
    });
  }
  if (o.runtime !== void 0 && o.preset !== "lambda") {
    ctx.addIssue({ code: "custom", path: ["runtime"], message: "is only used with preset 'lambda'" });
  }
  if ((o.jobJar !== void 0 || o.flinkConf !== void 0) && o.preset !== "flink") {
    ctx.addIssue({
      code: "custom",
      path: [o.jobJar !== void 0 ? "jobJar" : "flinkConf"],
      message: "is only used with preset 'flink'"
    });
  }
});
var imageVerifySchema = external_exports.object({
  image: external_exports.string({
    error: "is required: the image reference, e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:tag"
  }).regex(
    /^[^/\s]+\/[^\s@:]+(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[0-9a-f]{64})$/,
    "must be a fully qualified reference: host/repository:tag or host/repository@sha256:<digest>"
  ),
  platform: external_exports.enum(PLATFORMS, { error: "must be 'linux/amd64' or 'linux/arm64' (the architectures Lambda runs)" }).default("linux/amd64"),
  region: regionSchema.optional()
}).strict();

// src/images/imageBuild.ts
import { resolve } from "node:path";

// src/images/buildContext.ts
var import_dockerignore = __toESM(require_ignore(), 1);
var import_tar_stream = __toESM(require_tar_stream(), 1);
import { createReadStream } from "node:fs";
import { lstat, readdir, readFile, readlink } from "node:fs/promises";
import { join, posix, relative, sep } from "node:path";
import { PassThrough } from "node:stream";
import { pipeline } from "node:stream/promises";
var createIgnore = import_dockerignore.default.default;
function normalisePattern(line) {
  const trimmed = line.trim();
  if (trimmed === "" || trimmed.startsWith("#")) return void 0;
  const negated = trimmed.startsWith("!");
  let body = negated ? trimmed.slice(1).trim() : trimmed;
  body = posix.normalize(body.replace(/\\/g, "/")).replace(/^(\.\/|\/)+/, "").replace(/\/+$/, "");
  if (body === "." || body === "") return void 0;
  return negated ? `!${body}` : body;
}
function parseDockerignore(text) {
  return text.split(/\r?\n/).flatMap((l) => normalisePattern(l) ?? []);
}
function createIgnoreMatcher(patterns) {
  const ig = createIgnore().add([...patterns]);
  const negations = patterns.filter((p) => p.startsWith("!")).map((p) => p.slice(1));
  return {
    ignores: (path) => ig.ignores(path),
    mayReinclude: (dir) => negations.some((n) => {
      if (n.startsWith(`${dir}/`)) return true;
      const firstMeta = n.search(/[*?[]/);
      if (firstMeta === -1) return false;
      const literal = n.slice(0, firstMeta);
      return `${dir}/`.startsWith(literal) || literal.startsWith(`${dir}/`);
    })
  };
}
async function collectBuildContext(root, dockerfile) {
  const rootStat = await lstat(root).catch(() => void 0);
  if (!rootStat?.isDirectory()) {
    throw new ArtifactError(`the build context '${root}' is not a directory`, {
      hint: "pass --context with the directory that holds your code (and Dockerfile)"
    });
  }
  const ignoreText = await readFile(join(root, ".dockerignore"), "utf8").catch(() => "");
  const matcher = createIgnoreMatcher(parseDockerignore(ignoreText));
  const dockerfilePath = posix.normalize(dockerfile.replace(/\\/g, "/")).replace(/^\.\//, "");
  const always = /* @__PURE__ */ new Set([dockerfilePath, ".dockerignore"]);
  const entries = [];
  const ignored = [];
  const walk = async (dir) => {
    const names = (await readdir(dir)).sort();
    for (const name of names) {
      const abs = join(dir, name);
      const rel = relative(root, abs).split(sep).join("/");
      const st = await lstat(abs);
      const excluded = matcher.ignores(rel) && !always.has(rel);
      if (st.isDirectory()) {
        const holdsAlways = [...always].some((a) => a.startsWith(`${rel}/`));
        if (excluded && !holdsAlways && !matcher.mayReinclude(rel)) {
          ignored.push(`${rel}/`);
          continue;
        }
        if (!excluded)
          entries.push({ path: rel, type: "directory", source: abs, size: 0, mode: st.mode & 4095 });
        await walk(abs);
        continue;
      }
      if (excluded) {
        ignored.push(rel);
        continue;
      }
      if (st.isSymbolicLink()) {
        entries.push({
          path: rel,
          type: "symlink",
          source: abs,
          size: 0,
          mode: 511,
          linkname: await readlink(abs)
        });
      } else if (st.isFile()) {
        entries.push({ path: rel, type: "file", source: abs, size: st.size, mode: st.mode & 4095 });
      }
    }
  };
  await walk(root);
  entries.sort((a, b) => a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  return { root, entries, ignored };
}
function withGeneratedFile(context, path, content) {
  const data = Buffer.from(content, "utf8");
  const entries = context.entries.filter((e) => e.path !== path);
  entries.push({ path, type: "file", content: data, size: data.length, mode: 420 });
  entries.sort((a, b) => a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  return { ...context, entries };
}
function hasFile(context, path) {
  return context.entries.some((e) => e.path === path && e.type === "file");
}
var FIXED_MTIME = /* @__PURE__ */ new Date("1980-01-01T00:00:00Z");
function packBuildContext(context) {
  const pack = import_tar_stream.default.pack();
  const out = new PassThrough();
  let bytes = 0;
  out.on("data", (chunk) => {
    bytes += chunk.length;
  });
  const base = { uid: 0, gid: 0, uname: "", gname: "", mtime: FIXED_MTIME };
  const fill = async () => {
    for (const e of context.entries) {
      if (e.type === "directory") {
        await new Promise(
          (resolve2, reject) => pack.entry(
            { ...base, name: e.path, type: "directory", mode: e.mode },
            (err) => err ? reject(err) : resolve2()
          )
        );
      } else if (e.type === "symlink") {
        await new Promise(
          (resolve2, reject) => pack.entry(
            { ...base, name: e.path, type: "symlink", mode: e.mode, linkname: e.linkname ?? "" },
            (err) => err ? reject(err) : resolve2()
          )
        );
      } else if (e.content) {
        const content = e.content;
        await new Promise(
          (resolve2, reject) => pack.entry(
            { ...base, name: e.path, mode: e.mode, size: content.length },
            content,
            (err) => err ? reject(err) : resolve2()
          )
        );
      } else {
        const entry = pack.entry({ ...base, name: e.path, mode: e.mode, size: e.size });
        await pipeline(createReadStream(e.source), entry);
      }
    }
    pack.finalize();
  };
  pack.pipe(out);
  fill().catch((error) => {
    out.destroy(
      new ArtifactError(`could not read the build context: ${error.message}`, { cause: error })
    );
  });
  return { stream: out, bytes: () => bytes };
}

// src/images/ecrRepository.ts
var import_client_ecr = __toESM(require_dist_cjs(), 1);
var ECR = "ECR";
function lifecyclePolicyText(s) {
  const rules = [];
  if (s.expireUntaggedDays !== void 0) {
    rules.push({
      rulePriority: 1,
      description: `Expire untagged images ${s.expireUntaggedDays} days after push`,
      selection: {
        tagStatus: "untagged",
        countType: "sinceImagePushed",
        countUnit: "days",
        countNumber: s.expireUntaggedDays
      },
      action: { type: "expire" }
    });
  }
  if (s.keepTagged !== void 0) {
    rules.push({
      rulePriority: 2,
      description: `Keep the last ${s.keepTagged} images`,
      selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: s.keepTagged },
      action: { type: "expire" }
    });
  }
  return rules.length > 0 ? JSON.stringify({ rules }) : void 0;
}
function samePolicy(a, b) {
  const canonical = (v) => {
    if (Array.isArray(v)) return v.map(canonical);
    if (v && typeof v === "object") {
      return Object.fromEntries(
        Object.entries(v).sort(([x], [y]) => x < y ? -1 : 1).map(([k, val]) => [k, canonical(val)])
      );
    }
    return v;
  };
  try {
    return JSON.stringify(canonical(JSON.parse(a))) === JSON.stringify(canonical(JSON.parse(b)));
  } catch {
    return a === b;
  }
}
async function describeRepository(ecr, region, name) {
  try {
    const out = await ecr.send(new import_client_ecr.DescribeRepositoriesCommand({ repositoryNames: [name] }));
    return out.repositories?.[0];
  } catch (error) {
    if (error.name === "RepositoryNotFoundException") return void 0;
    throw toAwsCallError(error, { service: ECR, operation: "DescribeRepositories", region });
  }
}
async function currentLifecyclePolicy(ecr, region, name) {
  try {
    const out = await ecr.send(new import_client_ecr.GetLifecyclePolicyCommand({ repositoryName: name }));
    return out.lifecyclePolicyText;
  } catch (error) {
    if (error.name === "LifecyclePolicyNotFoundException") return void 0;
    throw toAwsCallError(error, { service: ECR, operation: "GetLifecyclePolicy", region });
  }
}
async function planRepository(ecr, region, repository, wanted, applySettings) {
  const current = await describeRepository(ecr, region, repository);
  const policy = lifecyclePolicyText(wanted);
  const target = `ecr ${region}`;
  const resource = `repository ${repository}`;
  const steps = [];
  const changes = [];
  const drift = [];
  if (!current) {
    changes.push("create");
    steps.push({
      target,
      resource,
      action: "create",
      reason: "it does not exist",
      details: {
        scanOnPush: String(wanted.scanOnPush),
        tagMutability: wanted.tagMutability,
        encryption: wanted.kmsKey ? `KMS ${wanted.kmsKey}` : wanted.encryption
      }
    });
    if (policy) {
      changes.push("lifecyclePolicy");
      steps.push({
        target,
        resource: `lifecycle policy ${repository}`,
        action: "create",
        reason: describePolicy(wanted)
      });
    }
    return { repository, region, exists: false, changes, lifecyclePolicyText: policy, drift, steps };
  }
  const currentScan = current.imageScanningConfiguration?.scanOnPush ?? false;
  const currentMutability = current.imageTagMutability ?? "MUTABLE";
  const currentEncryption = current.encryptionConfiguration?.encryptionType ?? "AES256";
  const settingSteps = [];
  const note = (what, have, want, change) => {
    if (applySettings) {
      changes.push(change);
      settingSteps.push(`${what} ${have} -> ${want}`);
    } else {
      drift.push(`${what} is ${have} (wanted ${want}); left alone: pass --apply-settings to change it`);
    }
  };
  if (currentScan !== wanted.scanOnPush)
    note("scan-on-push", String(currentScan), String(wanted.scanOnPush), "scanOnPush");
  if (currentMutability !== wanted.tagMutability)
    note("tag mutability", currentMutability, wanted.tagMutability, "tagMutability");
  if (currentEncryption !== wanted.encryption && !String(currentEncryption).startsWith(wanted.encryption)) {
    drift.push(
      `encryption is ${currentEncryption} (wanted ${wanted.encryption}); ECR cannot change it after creation`
    );
  }
  steps.push(
    settingSteps.length > 0 ? { target, resource, action: "update", reason: settingSteps.join("; ") } : {
      target,
      resource,
      action: "skip",
      reason: drift.length > 0 ? `exists; settings differ, left alone (${drift.length})` : "exists with the wanted settings"
    }
  );
  let lifecycle;
  if (policy) {
    const existing = await currentLifecyclePolicy(ecr, region, repository);
    const policyResource = `lifecycle policy ${repository}`;
    if (existing === void 0) {
      changes.push("lifecyclePolicy");
      lifecycle = policy;
      steps.push({ target, resource: policyResource, action: "create", reason: describePolicy(wanted) });
    } else if (samePolicy(existing, policy)) {
      steps.push({ target, resource: policyResource, action: "skip", reason: "the same policy is in place" });
    } else if (applySettings) {
      changes.push("lifecyclePolicy");
      lifecycle = policy;
      steps.push({
        target,
        resource: policyResource,
        action: "update",
        reason: `replace with: ${describePolicy(wanted)}`
      });
    } else {
      drift.push("a different lifecycle policy is in place; left alone: pass --apply-settings to replace it");
      steps.push({
        target,
        resource: policyResource,
        action: "skip",
        reason: "a different policy is in place (--apply-settings replaces it)"
      });
    }
  }
  return {
    repository,
    region,
    exists: true,
    uri: current.repositoryUri,
    changes,
    lifecyclePolicyText: lifecycle,
    drift,
    steps
  };
}
function describePolicy(s) {
  const parts = [];
  if (s.expireUntaggedDays !== void 0) parts.push(`expire untagged after ${s.expireUntaggedDays} days`);
  if (s.keepTagged !== void 0) parts.push(`keep the last ${s.keepTagged} images`);
  return parts.join(", ");
}
async function applyRepositoryPlan(ecr, plan, wanted, reporter) {
  const where = (operation) => ({ service: ECR, operation, region: plan.region });
  const name = plan.repository;
  let uri = plan.uri;
  if (plan.changes.includes("create")) {
    const out = await callAws(
      where("CreateRepository"),
      () => ecr.send(
        new import_client_ecr.CreateRepositoryCommand({
          repositoryName: name,
          imageScanningConfiguration: { scanOnPush: wanted.scanOnPush },
          imageTagMutability: wanted.tagMutability,
          encryptionConfiguration: wanted.encryption === "KMS" ? { encryptionType: "KMS", ...wanted.kmsKey ? { kmsKey: wanted.kmsKey } : {} } : { encryptionType: "AES256" }
        })
      )
    ).catch((error) => {
      if (error instanceof AwsCallError && error.errorName === "RepositoryAlreadyExistsException")
        return void 0;
      throw error;
    });
    uri = out?.repository?.repositoryUri ?? uri;
    reporter.info(`created ECR repository ${name} in ${plan.region}`);
  }
  if (plan.changes.includes("scanOnPush")) {
    await callAws(
      where("PutImageScanningConfiguration"),
      () => ecr.send(
        new import_client_ecr.PutImageScanningConfigurationCommand({
          repositoryName: name,
          imageScanningConfiguration: { scanOnPush: wanted.scanOnPush }
        })
      )
    );
    reporter.info(`set scan-on-push of ${name} to ${wanted.scanOnPush}`);
  }
  if (plan.changes.includes("tagMutability")) {
    await callAws(
      where("PutImageTagMutability"),
      () => ecr.send(
        new import_client_ecr.PutImageTagMutabilityCommand({ repositoryName: name, imageTagMutability: wanted.tagMutability })
      )
    );
    reporter.info(`set tag mutability of ${name} to ${wanted.tagMutability}`);
  }
  if (plan.changes.includes("lifecyclePolicy") && plan.lifecyclePolicyText) {
    const text = plan.lifecyclePolicyText;
    await callAws(
      where("PutLifecyclePolicy"),
      () => ecr.send(new import_client_ecr.PutLifecyclePolicyCommand({ repositoryName: name, lifecyclePolicyText: text }))
    );
    reporter.info(`set the lifecycle policy of ${name}`);
  }
  for (const d of plan.drift) reporter.warn(`ECR repository ${name}: ${d}`);
  return uri;
}
async function loginToEcr(ecr, region, reporter) {
  const out = await callAws(
    { service: ECR, operation: "GetAuthorizationToken", region },
    () => ecr.send(new import_client_ecr.GetAuthorizationTokenCommand({}))
  );
  const data = out.authorizationData?.[0];
  if (data?.authorizationToken) reporter.secret(data.authorizationToken);
  const decoded = data?.authorizationToken ? Buffer.from(data.authorizationToken, "base64").toString("utf8") : "";
  const colon = decoded.indexOf(":");
  if (colon > 0) reporter.secret(decoded.slice(colon + 1));
  if (!data?.proxyEndpoint || colon <= 0) {
    throw new EnvironmentError(`ECR.GetAuthorizationToken in ${region} returned no usable token`, {
      hint: "check the credentials have ecr:GetAuthorizationToken"
    });
  }
  return {
    host: data.proxyEndpoint.replace(/^https?:\/\//, "").replace(/\/+$/, ""),
    username: decoded.slice(0, colon),
    password: decoded.slice(colon + 1)
  };
}

// src/images/engineStream.ts
function parseMessages(text) {
  const events = [];
  const lines = text.split(/\r?\n/);
  const rest = lines.pop() ?? "";
  for (const line of lines) {
    const trimmed = line.trim();
    if (trimmed === "") continue;
    try {
      events.push(JSON.parse(trimmed));
    } catch {
      for (const part of trimmed.replace(/\}\s*\{/g, "}\n{").split("\n")) {
        try {
          events.push(JSON.parse(part));
        } catch {
          events.push({ stream: part });
        }
      }
    }
  }
  return { events, rest };
}
async function followEngineStream(stream, what, onEvent = () => void 0) {
  const all = [];
  let buffer = "";
  let failure;
  const handle = (events) => {
    for (const event of events) {
      all.push(event);
      if (failure === void 0 && (event.errorDetail || event.error)) {
        failure = (event.errorDetail?.message ?? event.error ?? "unknown error").trim();
      }
      onEvent(event);
    }
  };
  for await (const chunk of stream) {
    buffer += typeof chunk === "string" ? chunk : chunk.toString("utf8");
    const { events, rest } = parseMessages(buffer);
    buffer = rest;
    handle(events);
  }
  handle(parseMessages(`${buffer}
`).events);
  if (failure !== void 0) throw new ContainerEngineError(`${what} failed: ${failure}`);
  return all;
}

// src/images/tags.ts
import { execFile } from "node:child_process";
import { promisify } from "node:util";
var run = promisify(execFile);
function remoteToUrl(remote) {
  const r = remote.trim();
  const scp = /^[\w.-]+@([\w.-]+):(.+?)(?:\.git)?$/.exec(r);
  if (scp) return `https://${scp[1]}/${scp[2]}`;
  try {
    const u = new URL(r);
    if (!["https:", "http:", "ssh:", "git:"].includes(u.protocol)) return void 0;
    return `https://${u.hostname}${u.pathname.replace(/\.git$/, "")}`;
  } catch {
    return void 0;
  }
}
async function readSourceInfo(dir, env = process.env) {
  const git = async (...args) => {
    try {
      const { stdout } = await run("git", ["-C", dir, ...args], { timeout: 1e4 });
      return stdout.trim() || void 0;
    } catch {
      return void 0;
    }
  };
  const codebuild = env.CODEBUILD_RESOLVED_SOURCE_VERSION;
  const revision = env.GITHUB_SHA || (codebuild && /^[0-9a-f]{40}$/.test(codebuild) ? codebuild : void 0) || await git("rev-parse", "HEAD");
  let sourceUrl;
  if (env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY) {
    sourceUrl = `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}`;
  } else if (env.CODEBUILD_SOURCE_REPO_URL?.startsWith("https://")) {
    sourceUrl = remoteToUrl(env.CODEBUILD_SOURCE_REPO_URL);
  } else {
    const remote = await git("remote", "get-url", "origin");
    sourceUrl = remote ? remoteToUrl(remote) : void 0;
  }
  return { revision, sourceUrl };
}
function computeTags(registry, repository, revision, extra) {
  const names = [...revision ? [revision] : [], ...extra];
  if (names.length === 0) {
    throw InputError.single(
      "tag",
      "is required here: the context is not in a git repository and GITHUB_SHA is not set, so there is no commit to tag with; pass --tag"
    );
  }
  return [...new Set(names)].map((t) => `${registry}/${repository}:${t}`);
}
function imageLabels(source, user) {
  return {
    ...source.sourceUrl ? { "org.opencontainers.image.source": source.sourceUrl } : {},
    ...source.revision ? { "org.opencontainers.image.revision": source.revision } : {},
    ...user
  };
}
function splitTag(ref) {
  const slash = ref.lastIndexOf("/");
  const colon = ref.lastIndexOf(":");
  if (colon <= slash) return { name: ref, tag: "latest" };
  return { name: ref.slice(0, colon), tag: ref.slice(colon + 1) };
}

// src/images/engine.ts
async function buildOnce(docker, request, noCache, reporter) {
  const tar2 = packBuildContext(request.context);
  const stream = await docker.buildImage(tar2.stream, {
    t: request.tags[0],
    dockerfile: request.dockerfile,
    buildargs: request.buildArgs,
    labels: request.labels,
    platform: request.platform,
    nocache: noCache,
    // Classic builder: podman's Docker API has no BuildKit session (version 2 is a 404).
    version: "1",
    rm: true,
    ...request.registryAuth ? { registryconfig: request.registryAuth } : {},
    ...request.target ? { target: request.target } : {}
  }).catch((error) => {
    throw new ContainerEngineError(`the engine refused the build: ${error.message}`, {
      cause: error
    });
  });
  let imageId;
  await followEngineStream(stream, "image build", (event) => {
    if (event.stream) {
      const line = event.stream.trimEnd();
      if (line) (/^STEP \d+\/\d+|^Step \d+\/\d+/.test(line) ? reporter.info : reporter.debug)(line);
    }
    if (event.status) reporter.debug(event.status);
    if (event.aux?.ID) imageId = event.aux.ID;
  });
  return { imageId, contextBytes: tar2.bytes() };
}
async function buildWithEngine(docker, request, reporter) {
  const first = request.tags[0];
  if (!first) throw new ContainerEngineError("no tag to build");
  const [, wantedArch] = request.platform.split("/");
  let attempt = await buildOnce(docker, request, request.noCache, reporter);
  let info = await docker.getImage(first).inspect();
  let rebuiltWithoutCache = false;
  if (info.Architecture !== wantedArch && !request.noCache) {
    reporter.warn(
      `the engine returned a ${info.Architecture} image for ${request.platform} (cached layers of another platform); building again without cache`
    );
    attempt = await buildOnce(docker, request, true, reporter);
    info = await docker.getImage(first).inspect();
    rebuiltWithoutCache = true;
  }
  if (info.Architecture !== wantedArch) {
    throw new ContainerEngineError(
      `the engine built a ${info.Os}/${info.Architecture} image, not ${request.platform}`,
      {
        hint: "check the base image exists for that platform"
      }
    );
  }
  for (const tag of request.tags.slice(1)) {
    const { name, tag: t } = splitTag(tag);
    await docker.getImage(first).tag({ repo: name, tag: t });
  }
  return {
    imageId: attempt.imageId ?? info.Id,
    contextBytes: attempt.contextBytes,
    architecture: info.Architecture,
    os: info.Os,
    size: info.Size,
    rebuiltWithoutCache
  };
}
async function pushWithEngine(docker, ref, auth, reporter) {
  const { name, tag } = splitTag(ref);
  const stream = await docker.getImage(name).push({ tag, ...auth ? { authconfig: auth } : {} }).catch((error) => {
    throw new ContainerEngineError(`the engine refused to push ${ref}: ${error.message}`, {
      cause: error
    });
  });
  let digest;
  await followEngineStream(stream, `push of ${ref}`, (event) => {
    if (event.status) reporter.debug(event.id ? `${event.id}: ${event.status}` : event.status);
    const m = /digest: (sha256:[0-9a-f]{64})/.exec(event.status ?? "");
    if (m) digest = m[1];
    if (event.aux?.Digest) digest = event.aux.Digest;
  });
  return { tag: ref, digest };
}

// src/images/presets.ts
import { posix as posix2 } from "node:path";
var DEFAULT_LAMBDA_RUNTIME = "python3.12";
var FLINK_USRLIB = "/opt/flink/usrlib";
var FLINK_UID = "9999";
var FLINK_JAR_LABEL = "io.deploykit.flink.job-jar";
var TASK_ROOT = ["$", "{LAMBDA_TASK_ROOT}/"].join("");
function lambdaBaseImage(runtime) {
  const image = LAMBDA_BASE_IMAGES[runtime];
  if (!image) throw InputError.single("runtime", `has '${runtime}', which has no Lambda base image`);
  return `public.ecr.aws/lambda/${image}`;
}
function flinkBaseImage(flinkVersion, javaVersion) {
  return `docker.io/library/flink:${flinkVersion}-java${javaVersion}`;
}
function contextPath(path) {
  const p = posix2.normalize(path.replace(/\\/g, "/")).replace(/^(\.\/|\/)+/, "");
  if (p.startsWith(".."))
    throw InputError.single("code", `has '${path}', which is outside the build context`);
  return p === "" ? "." : p;
}
function renderLambdaDockerfile(o) {
  const problems = [];
  if (!o.handler) {
    problems.push({
      input: "handler",
      message: "is required with preset 'lambda' (e.g. app.handler) when the context has no Dockerfile"
    });
  }
  if (problems.length > 0) throw new InputError(problems);
  const runtime = o.runtime ?? DEFAULT_LAMBDA_RUNTIME;
  const base = o.baseImage ?? lambdaBaseImage(runtime);
  const code = contextPath(o.code);
  const source = code === "." ? "./" : `${code}/`;
  return [
    `# Written by deploykit (preset lambda, runtime ${runtime}).`,
    `FROM ${base}`,
    // The AWS base images set LAMBDA_TASK_ROOT=/var/task; the code goes there (the runtime's cwd).
    `COPY ${JSON.stringify([source, TASK_ROOT])}`,
    `CMD ${JSON.stringify([o.handler])}`,
    ""
  ].join("\n");
}
function renderFlinkDockerfile(o) {
  if (!o.jobJar) {
    throw InputError.single(
      "job-jar",
      "is required with preset 'flink' when the context has no Dockerfile: the path of the job jar"
    );
  }
  if (!o.jobJar.endsWith(".jar"))
    throw InputError.single("job-jar", `has '${o.jobJar}', which is not a .jar file`);
  const jar = contextPath(o.jobJar);
  const jarTarget = `${FLINK_USRLIB}/${posix2.basename(jar)}`;
  const base = o.baseImage ?? flinkBaseImage(o.flinkVersion, o.javaVersion);
  const lines = [
    `# Written by deploykit (preset flink, Flink ${o.flinkVersion}, Java ${o.javaVersion}).`,
    `FROM ${base}`,
    `COPY --chown=${FLINK_UID}:${FLINK_UID} ${JSON.stringify([jar, jarTarget])}`
  ];
  if (o.flinkConf) {
    const conf = contextPath(o.flinkConf);
    lines.push(
      `COPY --chown=${FLINK_UID}:${FLINK_UID} ${JSON.stringify([conf, `/opt/flink/conf/${posix2.basename(conf)}`])}`
    );
  }
  lines.push(`LABEL ${FLINK_JAR_LABEL}="${jarTarget}"`, "");
  return lines.join("\n");
}
function presetSources(preset, o) {
  if (preset === "lambda") return [{ input: "code", path: contextPath(o.code) }];
  const out = [];
  if (o.jobJar) out.push({ input: "job-jar", path: contextPath(o.jobJar) });
  if (o.flinkConf) out.push({ input: "flink-conf", path: contextPath(o.flinkConf) });
  return out;
}

// src/images/registryClient.ts
import { createHash } from "node:crypto";
var MEDIA_TYPES = {
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  dockerManifestList: "application/vnd.docker.distribution.manifest.list.v2+json",
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  ociIndex: "application/vnd.oci.image.index.v1+json"
};
var LAMBDA_MANIFEST_TYPES = [MEDIA_TYPES.dockerManifest, MEDIA_TYPES.ociManifest];
var INDEX_TYPES = [MEDIA_TYPES.dockerManifestList, MEDIA_TYPES.ociIndex];
function registryBaseUrl(host) {
  const hostname = host.replace(/:\d+$/, "").replace(/^\[|\]$/g, "");
  const loopback = hostname === "localhost" || hostname === "::1" || /^127\./.test(hostname);
  return `${loopback ? "http" : "https"}://${host}`;
}
function parseChallenge(header) {
  const space = header.indexOf(" ");
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const params = {};
  for (const m of header.slice(space + 1).matchAll(/(\w+)="([^"]*)"/g))
    params[m[1]] = m[2];
  return { scheme, params };
}
function createRegistryClient(options) {
  const doFetch = options.fetch ?? fetch;
  const baseUrl = registryBaseUrl(options.host);
  const basic = options.credentials ? `Basic ${Buffer.from(`${options.credentials.username}:${options.credentials.password}`).toString("base64")}` : void 0;
  let authorization = basic;
  const request = async (path, accept) => {
    const url = `${baseUrl}${path}`;
    const send = () => doFetch(url, {
      headers: { accept, ...authorization ? { authorization } : {} },
      redirect: "follow"
    }).catch((error) => {
      throw new EnvironmentError(
        `could not reach the registry at ${baseUrl}: ${error.message}`,
        {
          hint: "check --registry and that the registry is running",
          cause: error
        }
      );
    });
    let response = await send();
    const challenge = response.headers.get("www-authenticate");
    if (response.status === 401 && challenge && parseChallenge(challenge).scheme === "bearer") {
      const { params } = parseChallenge(challenge);
      if (params.realm) {
        const tokenUrl = new URL(params.realm);
        if (params.service) tokenUrl.searchParams.set("service", params.service);
        if (params.scope) tokenUrl.searchParams.set("scope", params.scope);
        const tokenResponse = await doFetch(tokenUrl, { headers: basic ? { authorization: basic } : {} });
        if (tokenResponse.ok) {
          const body = await tokenResponse.json();
          const token = body.token ?? body.access_token;
          if (token) {
            authorization = `Bearer ${token}`;
            response = await send();
          }
        }
      }
    }
    return response;
  };
  const failure = async (response, what) => {
    const text = await response.text().catch(() => "");
    let message = text.trim();
    try {
      const body = JSON.parse(text);
      if (body.errors?.length)
        message = body.errors.map((e) => `${e.code ?? ""}: ${e.message ?? ""}`).join("; ");
    } catch {
    }
    return new ContainerEngineError(
      `reading ${what} from ${baseUrl} failed: HTTP ${response.status} ${message}`.trim()
    );
  };
  return {
    baseUrl,
    async getManifest(repository, reference) {
      const accept = [
        MEDIA_TYPES.dockerManifest,
        MEDIA_TYPES.ociManifest,
        MEDIA_TYPES.dockerManifestList,
        MEDIA_TYPES.ociIndex
      ].join(", ");
      const response = await request(`/v2/${repository}/manifests/${reference}`, accept);
      if (!response.ok) throw await failure(response, `the manifest of ${repository}:${reference}`);
      const bytes = Buffer.from(await response.arrayBuffer());
      const json = JSON.parse(bytes.toString("utf8"));
      const contentType = (response.headers.get("content-type") ?? "").split(";")[0]?.trim() ?? "";
      const digest = response.headers.get("docker-content-digest") ?? `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
      return { mediaType: json.mediaType ?? contentType, digest, json, bytes };
    },
    async getBlob(repository, digest) {
      const response = await request(`/v2/${repository}/blobs/${digest}`, "*/*");
      if (!response.ok) throw await failure(response, `blob ${digest} of ${repository}`);
      return Buffer.from(await response.arrayBuffer());
    }
  };
}
function checkLambdaManifest(manifest, config, platform) {
  const problems = [];
  if (INDEX_TYPES.includes(manifest.mediaType) || manifest.json.manifests) {
    const platforms = (manifest.json.manifests ?? []).map((m) => `${m.platform?.os ?? "?"}/${m.platform?.architecture ?? "?"}`).join(", ");
    problems.push(
      `the tag points to an image index (${manifest.mediaType}${platforms ? `: ${platforms}` : ""}), not a single image manifest; Lambda rejects it with "The image manifest, config or layer media type for the source image is not supported". Indexes usually come from buildx provenance/SBOM attestations (--provenance=false --sbom=false) or multi-platform builds: push one platform per tag`
    );
    return { ok: false, problems };
  }
  if (!LAMBDA_MANIFEST_TYPES.includes(manifest.mediaType)) {
    problems.push(
      `the manifest media type '${manifest.mediaType}' is not one Lambda accepts (${LAMBDA_MANIFEST_TYPES.join(" or ")})`
    );
  }
  const [os, arch] = platform.split("/");
  if (!config) {
    problems.push("the manifest has no image config, so Lambda cannot read its architecture");
  } else {
    if (config.os !== os)
      problems.push(`the image is for OS '${config.os ?? "unknown"}', but Lambda runs '${os}'`);
    if (config.architecture !== arch) {
      problems.push(
        `the image is for architecture '${config.architecture ?? "unknown"}', but --platform is ${platform}: a function with architecture ${arch === "arm64" ? "arm64" : "x86_64"} would fail to start`
      );
    }
  }
  return { ok: problems.length === 0, problems };
}

// src/images/verifyImage.ts
async function verifyImage(client, target) {
  const manifest = await client.getManifest(target.repository, target.reference);
  let config;
  if (LAMBDA_MANIFEST_TYPES.includes(manifest.mediaType) && manifest.json.config?.digest) {
    const blob = await client.getBlob(target.repository, manifest.json.config.digest);
    config = JSON.parse(blob.toString("utf8"));
  }
  const check = target.lambda ? checkLambdaManifest(manifest, config, target.platform) : { ok: true, problems: [] };
  return {
    ok: check.ok,
    digest: manifest.digest,
    mediaType: manifest.mediaType,
    architecture: config?.architecture,
    os: config?.os,
    labels: config?.config?.Labels ?? void 0,
    problems: check.problems
  };
}

// src/images/imageBuild.ts
var REGISTRY_USERNAME_ENV = "DEPLOYKIT_REGISTRY_USERNAME";
var REGISTRY_PASSWORD_ENV = "DEPLOYKIT_REGISTRY_PASSWORD";
function registryCredentialsFromEnv(env, reporter) {
  const username = env[REGISTRY_USERNAME_ENV];
  const password = env[REGISTRY_PASSWORD_ENV];
  if (password) reporter.secret(password);
  if (!username && !password) return void 0;
  if (!username || !password) {
    throw new EnvironmentError(`only one of ${REGISTRY_USERNAME_ENV} and ${REGISTRY_PASSWORD_ENV} is set`, {
      hint: "set both (for a registry that needs a login) or neither (for an open registry)"
    });
  }
  return { username, password };
}
function prepareDockerfile(context, o) {
  if (hasFile(context, o.dockerfile)) return { context, generated: false };
  if (o.preset === "none") {
    throw InputError.single(
      "dockerfile",
      `has '${o.dockerfile}', which is not a file in the context ${context.root}: add one, or pass --preset lambda|flink to have deploykit write it`
    );
  }
  const text = o.preset === "lambda" ? renderLambdaDockerfile({
    runtime: o.runtime,
    handler: o.handler,
    code: o.code,
    baseImage: o.baseImage
  }) : renderFlinkDockerfile({
    flinkVersion: o.flinkVersion,
    javaVersion: o.javaVersion,
    jobJar: o.jobJar,
    flinkConf: o.flinkConf,
    baseImage: o.baseImage
  });
  const problems = [];
  for (const source of presetSources(o.preset, o)) {
    const present = source.path === "." || context.entries.some((e) => e.path === source.path || e.path.startsWith(`${source.path}/`));
    if (!present)
      problems.push({
        input: source.input,
        message: `has '${source.path}', which is not in the build context (or .dockerignore excludes it)`
      });
  }
  if (problems.length > 0) throw new InputError(problems);
  return { context: withGeneratedFile(context, o.dockerfile, text), generated: true, text };
}
function estimateTarBytes(context) {
  let total = 1024;
  for (const e of context.entries) {
    total += 512 + Math.ceil(e.size / 512) * 512;
    if (e.path.length > 100) total += 1024;
  }
  return total;
}
function formatBytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
async function runImageBuild(deps, o) {
  const env = deps.env ?? process.env;
  const now = deps.now ?? Date.now;
  const { reporter } = deps;
  const contextDir = resolve(o.context);
  const region = o.region ?? deps.region;
  const useEcr = o.ecr && o.registry === void 0;
  if ((useEcr || o.push && o.ecr) && !region) {
    throw InputError.single("region", "is required to reach ECR: pass --region or set AWS_REGION");
  }
  let login;
  let registryCredentials;
  let registry;
  if (o.registry !== void 0) {
    registry = o.registry;
    registryCredentials = registryCredentialsFromEnv(env, reporter);
  } else if (o.ecr) {
    login = await loginToEcr(deps.ecr(region), region, reporter);
    registry = login.host;
    registryCredentials = { username: login.username, password: login.password };
  } else {
    throw InputError.single("registry", "is required with --no-ecr: the registry host to tag and push to");
  }
  const source = await (deps.readSource ?? ((dir) => readSourceInfo(dir, env)))(contextDir);
  const tags = computeTags(registry, o.repository, source.revision, o.tags);
  const labels = imageLabels(source, o.labels);
  const collected = await collectBuildContext(contextDir, o.dockerfile);
  const prepared = prepareDockerfile(collected, o);
  if (prepared.text) reporter.debug(`Dockerfile written by preset ${o.preset}:
${prepared.text}`);
  if (!prepared.generated && o.preset !== "none") {
    reporter.info(`the context has its own ${o.dockerfile}: preset ${o.preset} did not write one`);
  }
  const wanted = {
    scanOnPush: o.scanOnPush,
    tagMutability: o.tagMutability,
    encryption: o.encryption,
    kmsKey: o.kmsKey,
    expireUntaggedDays: o.expireUntaggedDays,
    keepTagged: o.keepTagged
  };
  let repoPlan;
  if (o.push && o.ecr) {
    repoPlan = await planRepository(
      deps.ecr(region),
      region,
      o.repository,
      wanted,
      o.applySettings
    );
  }
  const estimate = estimateTarBytes(prepared.context);
  const steps = [
    {
      target: registry,
      resource: `image ${o.repository}`,
      action: "create",
      reason: `build ${o.platform} from ${prepared.generated ? `a ${o.preset} preset Dockerfile` : o.dockerfile}`,
      details: {
        contextFiles: String(prepared.context.entries.filter((e) => e.type === "file").length),
        contextBytes: `~${formatBytes(estimate)}`,
        ignored: String(prepared.context.ignored.length)
      }
    },
    ...repoPlan?.steps ?? [],
    ...o.push ? tags.map(
      (t) => ({
        target: registry,
        resource: `tag ${t.slice(registry.length + 1)}`,
        action: "create",
        reason: "push"
      })
    ) : []
  ];
  const plan = createPlan(`image build ${o.repository}`, steps);
  reporter.plan(plan, deps.dryRun);
  const result = {
    imageUri: tags[0],
    tags,
    platform: o.platform,
    preset: o.preset,
    dockerfile: { path: o.dockerfile, generated: prepared.generated },
    context: {
      files: prepared.context.entries.filter((e) => e.type === "file").length,
      ignored: prepared.context.ignored
    },
    pushed: false,
    plan
  };
  if (deps.dryRun) {
    return {
      ok: true,
      table: {
        title: `image build ${o.repository} (dry run)`,
        columns: ["Tag", "Action"],
        rows: tags.map((t) => [t, o.push ? "build and push" : "build"])
      },
      json: { dryRun: true, ...result },
      outputs: { "image-uri": result.imageUri, digest: "", tags: tags.join(",") }
    };
  }
  const docker = deps.docker();
  const started = now();
  const built = await buildWithEngine(
    docker,
    {
      context: prepared.context,
      dockerfile: o.dockerfile,
      tags,
      platform: o.platform,
      buildArgs: o.buildArgs,
      labels,
      target: o.target,
      noCache: o.noCache,
      // A base image in the same registry (a private ECR base) is pulled with the same login.
      registryAuth: registryCredentials ? { [registry]: registryCredentials } : void 0
    },
    reporter
  );
  const durationMs = now() - started;
  result.imageId = built.imageId;
  result.context.bytesSent = built.contextBytes;
  result.build = {
    architecture: built.architecture,
    os: built.os,
    size: built.size,
    rebuiltWithoutCache: built.rebuiltWithoutCache,
    durationMs
  };
  reporter.info(
    `built ${built.imageId.replace(/^sha256:/, "").slice(0, 12)} (${built.os}/${built.architecture}) in ${(durationMs / 1e3).toFixed(1)} s; sent ${formatBytes(built.contextBytes)} of context (${prepared.context.ignored.length} paths left out by .dockerignore)`
  );
  const notes = [
    `context sent: ${formatBytes(built.contextBytes)}; ignored by .dockerignore: ${prepared.context.ignored.slice(0, 5).join(", ") || "nothing"}${prepared.context.ignored.length > 5 ? ", ..." : ""}`
  ];
  if (!o.push) {
    return {
      ok: true,
      table: {
        title: `image build ${o.repository}`,
        columns: ["Tag", "Image ID", "Platform"],
        rows: tags.map((t) => [t, built.imageId, o.platform])
      },
      json: result,
      outputs: { "image-uri": result.imageUri, digest: "", tags: tags.join(",") },
      notes
    };
  }
  if (repoPlan) {
    const ecr = deps.ecr(region);
    await applyRepositoryPlan(ecr, repoPlan, wanted, reporter);
    result.repository = {
      name: o.repository,
      region,
      created: repoPlan.changes.includes("create"),
      changed: repoPlan.changes.filter((c) => c !== "create"),
      drift: repoPlan.drift
    };
    notes.push(...repoPlan.drift.map((d) => `ECR repository ${o.repository}: ${d}`));
  }
  const auth = registryCredentials ? { ...registryCredentials, serveraddress: registry } : void 0;
  for (const tag of tags) {
    await pushWithEngine(docker, tag, auth, reporter);
    reporter.info(`pushed ${tag}`);
  }
  result.pushed = true;
  const client = createRegistryClient({
    host: registry,
    credentials: registryCredentials,
    ...deps.fetch ? { fetch: deps.fetch } : {}
  });
  const verification = await verifyImage(client, {
    repository: o.repository,
    reference: tags[0]?.slice(tags[0].lastIndexOf(":") + 1),
    platform: o.platform,
    lambda: o.preset === "lambda"
  });
  for (const tag of tags.slice(1)) {
    const other = await client.getManifest(o.repository, tag.slice(tag.lastIndexOf(":") + 1));
    if (other.digest !== verification.digest) {
      verification.problems.push(
        `${tag} points to ${other.digest}, not ${verification.digest}: another push moved the tag`
      );
      verification.ok = false;
    }
  }
  result.verification = verification;
  result.digest = verification.digest;
  result.imageUri = `${registry}/${o.repository}@${verification.digest}`;
  if (!verification.ok) {
    notes.push(...verification.problems.map((p) => `Lambda would reject this image: ${p}`));
    for (const p of verification.problems) reporter.error(p);
  } else {
    reporter.info(
      `verified ${result.imageUri} (${verification.mediaType}, ${verification.os}/${verification.architecture})`
    );
  }
  const outcome = {
    ok: verification.ok,
    table: {
      title: `image build ${o.repository}`,
      columns: ["Tag", "Digest", "Platform", "Manifest", "Result"],
      rows: tags.map((t) => [
        t,
        verification.digest,
        `${verification.os}/${verification.architecture}`,
        verification.mediaType,
        verification.ok ? "pushed, verified" : "pushed, REJECTED"
      ])
    },
    json: result,
    outputs: { "image-uri": result.imageUri, digest: verification.digest, tags: tags.join(",") },
    notes
  };
  return outcome;
}

export {
  loginToEcr,
  imageBuildSchema,
  imageVerifySchema,
  createRegistryClient,
  verifyImage,
  registryCredentialsFromEnv,
  runImageBuild
};
