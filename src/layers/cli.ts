import type { Command } from 'commander';

/** Registers the `deploykit layer` commands. */
export function registerLayerCommands(program: Command): void {
  void program;
}
