import type { Command } from 'commander';

/** Registers the `deploykit function` commands. */
export function registerFunctionCommands(program: Command): void {
  void program;
}
