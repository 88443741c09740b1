/**
 * Runs async sections one after another, in the order they were queued. Workflow code is single-threaded,
 * but handlers interleave at every await; the case workflow queues its read-model writes here so that they
 * land in the order of their sequence numbers. Deterministic: plain promises, no timers.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;

  run<T>(section: () => Promise<T>): Promise<T> {
    this.pending++;
    const result = this.tail.then(section);
    this.tail = result.then(
      () => this.pending--,
      () => this.pending--,
    );
    return result;
  }

  get idle(): boolean {
    return this.pending === 0;
  }
}
