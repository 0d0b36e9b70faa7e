import { createRequire as __dkRequire } from 'node:module'; import { fileURLToPath as __dkPath } from 'node:url'; const require = __dkRequire(import.meta.url); const __filename = __dkPath(import.meta.url); const __dirname = __dkPath(new URL('.', import.meta.url));
import {
  deployOptionsSchema,
  runDeploy
} from "../chunks/chunk-D5AARBOK.js";
import "../chunks/chunk-S37LGZCX.js";
import {
  runAction
} from "../chunks/chunk-W525EUEH.js";
import "../chunks/chunk-WDWPIUN5.js";
import "../chunks/chunk-DBV2NXZG.js";
import "../chunks/chunk-XBDTVSCU.js";

// actions/deploy-function/main.ts
await runAction({
  schema: deployOptionsSchema,
  inputs: [
    "function",
    "imageUri",
    "zip",
    "s3",
    "publish",
    "alias",
    "architectures",
    "description",
    "region",
    "timeout"
  ],
  run: (ctx, options) => runDeploy(ctx, options)
});
