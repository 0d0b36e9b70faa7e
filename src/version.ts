import pkg from '../package.json' with { type: 'json' };

/** deploykit's own version, sent in the user agent and printed by `--version`. */
export const VERSION: string = pkg.version;
