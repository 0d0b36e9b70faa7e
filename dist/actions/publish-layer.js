import { createRequire as __dkRequire } from 'node:module'; import { fileURLToPath as __dkPath } from 'node:url'; const require = __dkRequire(import.meta.url); const __filename = __dkPath(import.meta.url); const __dirname = __dkPath(new URL('.', import.meta.url));
import {
  publishFromOptions,
  publishOptionsSchema,
  publishOutcome
} from "../chunks/chunk-3TDMGQUM.js";
import "../chunks/chunk-SWOLOLIW.js";
import "../chunks/chunk-S37LGZCX.js";
import {
  runAction
} from "../chunks/chunk-W525EUEH.js";
import "../chunks/chunk-WDWPIUN5.js";
import "../chunks/chunk-DBV2NXZG.js";
import "../chunks/chunk-XBDTVSCU.js";

// actions/publish-layer/main.ts
await runAction({
  schema: publishOptionsSchema,
  inputs: [
    "zip",
    "name",
    "regions",
    "description",
    "compatibleRuntimes",
    "compatibleArchitectures",
    "licenseInfo",
    "grants",
    "s3Bucket",
    "concurrency",
    "force"
  ],
  run: async (ctx, options) => publishOutcome(
    await publishFromOptions(options, {
      lambda: ctx.aws.lambda,
      s3: ctx.aws.s3,
      reporter: ctx.reporter,
      dryRun: ctx.dryRun
    })
  )
});
