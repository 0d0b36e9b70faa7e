import { InputError } from './errors.ts';

/**
 * Splits a command line the way a POSIX shell splits words, with quotes and backslashes but no
 * expansion of any kind ($VAR, globs, backticks are plain text). The root action passes its
 * `command` input through this, so a workflow value can never run shell code.
 */
export function splitArgs(line: string, input = 'command'): string[] {
  const args: string[] = [];
  let current = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else current += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1] as string))
        current += line[++i];
      else current += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < line.length) {
      current += line[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) args.push(current);
      current = '';
      inWord = false;
    } else {
      current += c;
      inWord = true;
    }
  }
  if (quote) throw InputError.single(input, `has an unclosed ${quote} quote: close it or remove it`);
  if (inWord) args.push(current);
  return args;
}
