/**
 * Runs async tasks one at a time, in the order they were queued. A failing task rejects its own promise
 * only; the tasks after it still run.
 */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();
  #size = 0;

  /** Tasks queued or running. */
  get size(): number {
    return this.#size;
  }

  /** Queues `task`; resolves or rejects with its result once every earlier task has settled. */
  run<T>(task: () => Promise<T> | T): Promise<T> {
    if (typeof task !== 'function') throw new TypeError('SerialQueue.run: task must be a function');
    this.#size++;
    const result = this.#tail.then(() => task());
    // The chain must survive a failed task, so the tail swallows its error (the caller still gets it).
    this.#tail = result.then(
      () => this.#size--,
      () => this.#size--,
    );
    return result;
  }
}
