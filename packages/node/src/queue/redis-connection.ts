import { Redis } from 'ioredis';

/**
 * A Redis connection for BullMQ from a `redis://[user:pass@]host:port[/db]` (or `rediss://`) URL. It
 * reconnects forever (every 0.2 s up to 2 s apart) and never fails a command while Redis is away
 * (`maxRetriesPerRequest: null`, which BullMQ workers require): a restarted Redis resumes the run.
 * Throws a RangeError naming `option` for a URL that is not redis:.
 */
export function connectRedis(url: string, option = '--queue'): Redis {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RangeError(`${option} ${url}: not a URL; expected redis://host:port`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new RangeError(`${option} ${url}: expected a redis:// or rediss:// URL, got ${parsed.protocol}`);
  }
  const redis = new Redis(url, {
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    retryStrategy: (times) => Math.min(200 * times, 2000),
  });
  // While Redis is away every reconnect attempt emits 'error'; unheard, ioredis prints each one. The
  // commands themselves wait for the connection, so these are not failures of the run.
  redis.on('error', () => {});
  return redis;
}
