import { createRequire as __dkRequire } from 'node:module'; import { fileURLToPath as __dkPath } from 'node:url'; const require = __dkRequire(import.meta.url); const __filename = __dkPath(import.meta.url); const __dirname = __dkPath(new URL('.', import.meta.url));
import {
  runWait,
  waitOptionsSchema
} from "../chunks/chunk-D5AARBOK.js";
import "../chunks/chunk-S37LGZCX.js";
import {
  runAction
} from "../chunks/chunk-W525EUEH.js";
import "../chunks/chunk-WDWPIUN5.js";
import "../chunks/chunk-DBV2NXZG.js";
import "../chunks/chunk-XBDTVSCU.js";

// actions/wait-function/main.ts
await runAction({
  schema: waitOptionsSchema,
  inputs: ["function", "qualifier", "region", "timeout"],
  run: (ctx, options) => runWait(ctx, options)
});
