import { createRequire as __dkRequire } from 'node:module'; import { fileURLToPath as __dkPath } from 'node:url'; const require = __dkRequire(import.meta.url); const __filename = __dkPath(import.meta.url); const __dirname = __dkPath(new URL('.', import.meta.url));
import {
  PartialFailureError,
  booleanish,
  core_exports,
  createActionsReporter,
  createAwsClients,
  defaultRegion,
  describeError,
  external_exports,
  parseInput,
  require_docker
} from "./chunk-WDWPIUN5.js";
import {
  __toESM
} from "./chunk-XBDTVSCU.js";

// src/github/runAction.ts
var import_dockerode = __toESM(require_docker(), 1);
function kebab(name) {
  return name.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();
}
function readInput(name, env = process.env) {
  const upper = name.toUpperCase();
  return (env[`INPUT_${upper.replace(/[- ]/g, "_")}`] ?? env[`INPUT_${upper.replace(/ /g, "_")}`] ?? "").trim();
}
async function runAction(spec, actions = core_exports, env = process.env) {
  const reporter = createActionsReporter(actions);
  try {
    const raw = {};
    for (const key of spec.inputs) {
      const value = readInput(kebab(key), env);
      if (value !== "") raw[key] = value;
    }
    const { dryRun } = parseInput(
      external_exports.object({ dryRun: booleanish.default(false) }),
      { dryRun: readInput("dry-run", env) || void 0 },
      "input"
    );
    const options = parseInput(spec.schema, raw, "input");
    let docker;
    const outcome = await spec.run(
      {
        reporter,
        aws: createAwsClients(),
        docker: () => {
          docker ??= new import_dockerode.default();
          return docker;
        },
        region: defaultRegion(readInput("region", env) || void 0),
        dryRun
      },
      options
    );
    reporter.result(outcome);
    await reporter.flush();
    if (!outcome.ok) actions.setFailed(`${outcome.table.title}: see the table above for each failure`);
    return outcome;
  } catch (error) {
    await reporter.flush().catch(() => void 0);
    actions.setFailed(error instanceof PartialFailureError ? error.message : describeError(error));
    return void 0;
  }
}

export {
  runAction
};
