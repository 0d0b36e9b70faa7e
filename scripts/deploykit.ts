#!/usr/bin/env node
import { createProgram } from '../src/cli/program.ts';
import { describeError } from '../src/core/errors.ts';
import { splitArgs } from '../src/core/splitArgs.ts';

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
