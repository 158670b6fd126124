import { describe, expect, it } from 'vitest';
import { SerialQueue } from '../src/runtime/serial-queue.js';

describe('SerialQueue', () => {
  it('runs tasks one at a time, in order, and keeps going after a failure', async () => {
    const queue = new SerialQueue();
    const events: string[] = [];
    let running = 0;
    let maxRunning = 0;
    const task = (name: string, fail = false) => async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      events.push(`start ${name}`);
      // Yield to the event loop several times, so overlapping tasks would interleave.
      for (let i = 0; i < 3; i++) await new Promise((r) => setTimeout(r, 1));
      events.push(`end ${name}`);
      running--;
      if (fail) throw new Error(`task ${name} failed`);
      return name;
    };
    const results = await Promise.allSettled([queue.run(task('a')), queue.run(task('b', true)), queue.run(task('c'))]);
    expect(maxRunning).toBe(1);
    expect(events).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual(['a', 'task b failed', 'c']);
    expect(queue.size).toBe(0);
  });

  it('counts queued tasks and refuses a non-function', async () => {
    const queue = new SerialQueue();
    const first = queue.run(() => new Promise((r) => setTimeout(r, 5)));
    const second = queue.run(() => 2);
    expect(queue.size).toBe(2);
    await Promise.all([first, second]);
    expect(queue.size).toBe(0);
    expect(() => queue.run(42 as never)).toThrow(TypeError);
  });
});
