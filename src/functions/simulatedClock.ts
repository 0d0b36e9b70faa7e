/**
 * A discrete-event clock: `sleep` parks a task until the clock reaches its wake time, and `run`
 * advances the clock from one wake time to the next once every task is parked. Concurrent
 * gates then interleave exactly as in real time, in microseconds, so unit tests and the gate
 * bench measure the schedule and the shared request budget without waiting.
 */
export interface SimulatedClock {
  now(): number;
  sleep(ms: number): Promise<void>;
  /** Drives the clock until `task` settles; throws if it waits on something the clock cannot wake. */
  run<T>(task: Promise<T>): Promise<T>;
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

export function createSimulatedClock(start = 0): SimulatedClock {
  let t = start;
  let seq = 0;
  const timers: { at: number; seq: number; wake: () => void }[] = [];
  return {
    now: () => t,
    sleep: (ms) =>
      new Promise<void>((wake) => {
        timers.push({ at: t + Math.max(0, ms), seq: seq++, wake });
      }),
    async run<T>(task: Promise<T>): Promise<T> {
      let done = false;
      task.then(
        () => {
          done = true;
        },
        () => {
          done = true;
        },
      );
      for (;;) {
        // Every task runs until it parks on a sleep (or settles) before time moves on.
        await settle();
        await settle();
        if (done) return task;
        if (timers.length === 0)
          throw new Error('simulated clock: the task waits on something other than sleep');
        timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
        const next = timers.shift() as (typeof timers)[number];
        t = Math.max(t, next.at);
        next.wake();
      }
    },
  };
}
