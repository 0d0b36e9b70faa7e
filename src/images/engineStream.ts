import { ContainerEngineError } from '../core/errors.ts';

/** One JSON message of a Docker Engine API progress stream (build, push). */
export interface EngineEvent {
  stream?: string;
  status?: string;
  id?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number };
  aux?: { ID?: string; Digest?: string; Tag?: string; Size?: number };
  error?: string;
  errorDetail?: { message?: string; code?: number };
}

/** Splits a chunk buffer into JSON messages: one per line, tolerating `}{` run-ons. */
function parseMessages(text: string): { events: EngineEvent[]; rest: string } {
  const events: EngineEvent[] = [];
  const lines = text.split(/\r?\n/);
  const rest = lines.pop() ?? '';
  for (const line of lines) {
    const trimmed = line.trim();
    if (trimmed === '') continue;
    try {
      events.push(JSON.parse(trimmed) as EngineEvent);
    } catch {
      for (const part of trimmed.replace(/\}\s*\{/g, '}\n{').split('\n')) {
        try {
          events.push(JSON.parse(part) as EngineEvent);
        } catch {
          events.push({ stream: part });
        }
      }
    }
  }
  return { events, rest };
}

/**
 * Reads an engine progress stream to its end and calls `onEvent` for each message. Fails with
 * the engine's own message when any message is an error: the engine reports build and push
 * failures inside the stream (HTTP 200), and dockerode's callback error stays null.
 */
export async function followEngineStream(
  stream: NodeJS.ReadableStream,
  what: string,
  onEvent: (event: EngineEvent) => void = () => undefined,
): Promise<EngineEvent[]> {
  const all: EngineEvent[] = [];
  let buffer = '';
  let failure: string | undefined;
  const handle = (events: EngineEvent[]) => {
    for (const event of events) {
      all.push(event);
      if (failure === undefined && (event.errorDetail || event.error)) {
        failure = (event.errorDetail?.message ?? event.error ?? 'unknown error').trim();
      }
      onEvent(event);
    }
  };
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    buffer += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    const { events, rest } = parseMessages(buffer);
    buffer = rest;
    handle(events);
  }
  handle(parseMessages(`${buffer}\n`).events);
  if (failure !== undefined) throw new ContainerEngineError(`${what} failed: ${failure}`);
  return all;
}
