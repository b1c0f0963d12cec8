/**
 * A virtual clock for driving async code with simulated durations: `sleep(ms)` resolves when the
 * clock reaches its time, and `run` advances the clock from one timer to the next whenever every
 * task is waiting. A 210 s simulated deploy takes milliseconds and its figures are exact.
 */
export class VirtualClock {
  now = 0;
  private timers: { at: number; seq: number; resolve: () => void }[] = [];
  private seq = 0;

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.timers.push({ at: this.now + ms, seq: this.seq++, resolve }));
  }

  /** Runs `task` to completion, advancing virtual time whenever nothing else can make progress. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    let done = false;
    let value: T | undefined;
    const promise = task().then((v) => {
      done = true;
      value = v;
    });
    for (;;) {
      // Let every ready continuation run before moving time on.
      await new Promise((r) => setImmediate(r));
      if (done) break;
      if (this.timers.length === 0) throw new Error("virtual clock: the task waits on something that is not a timer");
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers.shift()!;
      this.now = next.at;
      next.resolve();
    }
    await promise;
    return value as T;
  }
}
