import { createRequire as __dkRequire } from 'node:module'; import { fileURLToPath as __dkPath } from 'node:url'; const require = __dkRequire(import.meta.url); const __filename = __dkPath(import.meta.url); const __dirname = __dkPath(new URL('.', import.meta.url));
import {
  imageBuildSchema,
  runImageBuild
} from "../chunks/chunk-B6DGXFSE.js";
import "../chunks/chunk-SWOLOLIW.js";
import {
  runAction
} from "../chunks/chunk-W525EUEH.js";
import "../chunks/chunk-WDWPIUN5.js";
import "../chunks/chunk-DBV2NXZG.js";
import "../chunks/chunk-XBDTVSCU.js";

// actions/build-image/main.ts
await runAction({
  schema: imageBuildSchema,
  inputs: [
    "context",
    "preset",
    "dockerfile",
    "repository",
    "tags",
    "platform",
    "buildArgs",
    "target",
    "baseImage",
    "labels",
    "push",
    "registry",
    "region",
    "ecr",
    "runtime",
    "handler",
    "code",
    "flinkVersion",
    "javaVersion",
    "jobJar",
    "flinkConf",
    "scanOnPush",
    "tagMutability",
    "encryption",
    "kmsKey",
    "expireUntaggedDays",
    "keepTagged",
    "applySettings",
    "noCache"
  ],
  run: (ctx, options) => runImageBuild(
    {
      docker: ctx.docker,
      ecr: ctx.aws.ecr,
      reporter: ctx.reporter,
      region: ctx.region,
      dryRun: ctx.dryRun
    },
    options
  )
});
