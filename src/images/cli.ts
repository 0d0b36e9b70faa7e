import type { Command } from 'commander';

/** Registers the `deploykit image` commands. */
export function registerImageCommands(program: Command): void {
  void program;
}
