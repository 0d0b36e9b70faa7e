#!/usr/bin/env node
import { createProgram } from '../src/cli/program.ts';
import { describeError } from '../src/core/errors.ts';
import { splitArgs } from '../src/core/splitArgs.ts';

// The AWS SDK warns on every run under Node 20 that its 2027 releases need Node 22; `deploykit
// doctor` reports that once instead. A user who sets the variable keeps their choice.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// The root action passes its `command` input in DEPLOYKIT_COMMAND (never through the shell).
let argv = process.argv;
if (argv.length <= 2 && process.env.DEPLOYKIT_COMMAND) {
  try {
    argv = [...argv.slice(0, 2), ...splitArgs(process.env.DEPLOYKIT_COMMAND)];
  } catch (error) {
    console.error(`error: ${describeError(error)}`);
    process.exit(2);
  }
}
await createProgram().parseAsync(argv);
