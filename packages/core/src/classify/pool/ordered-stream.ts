/** What {@link orderedBatches} needs from its caller. */
export interface OrderedBatchStages<In, Row, Out> {
  /** Prepares one item (decode + preprocess); must not reject (errors become rows). */
  prepare(item: In): Promise<Row>;
  /** Turns one batch of prepared rows, in input order, into outputs, in the same order. */
  finish(rows: Row[], items: In[]): Promise<Out[]>;
  /** Rows per `finish` call. */
  batchSize: number;
  /** `prepare` calls running at once. */
  concurrency: number;
}

/**
 * Streams `items` through `prepare` (at most `concurrency` at once) and `finish` (one batch at a time),
 * yielding outputs in input order. At most two batches (plus those being prepared) are held, so memory
 * stays bounded however long the input is, and the next batch is prepared while the current one finishes.
 */
export async function* orderedBatches<In, Row, Out>(
  items: AsyncIterable<In> | Iterable<In>,
  stages: OrderedBatchStages<In, Row, Out>,
): AsyncGenerator<Out, void, undefined> {
  const iterator: AsyncIterator<In> | Iterator<In> =
    Symbol.asyncIterator in items ? (items as AsyncIterable<In>)[Symbol.asyncIterator]() : (items as Iterable<In>)[Symbol.iterator]();
  const limit = limiter(stages.concurrency);
  const capacity = 2 * stages.batchSize;
  const window: { item: In; row: Promise<Row> }[] = [];
  let ended = false;
  const fill = async (): Promise<void> => {
    while (!ended && window.length < capacity) {
      const next = await iterator.next();
      if (next.done) {
        ended = true;
        return;
      }
      const item = next.value;
      window.push({ item, row: limit(() => stages.prepare(item)) });
    }
  };
  try {
    for (;;) {
      await fill();
      if (window.length === 0) return;
      const batch = window.splice(0, stages.batchSize);
      const refill = fill();
      const rows = await Promise.all(batch.map((b) => b.row));
      const outputs = await stages.finish(rows, batch.map((b) => b.item));
      await refill;
      yield* outputs;
    }
  } finally {
    // Stopped early (break, error): let running work settle so nothing touches a disposed session.
    await Promise.allSettled(window.map((w) => w.row));
    if (!ended) await iterator.return?.();
  }
}

/** Runs at most `n` of the given tasks at once, in call order. */
function limiter(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    // A finishing task hands its slot straight to the next waiter, so a new caller cannot slip in between.
    if (active >= n) await new Promise<void>((resolve) => waiting.push(resolve));
    else active++;
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}
