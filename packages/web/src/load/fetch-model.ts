import { checkLoadOptions, readStream, type LoadOptions } from './progress.js';

/**
 * Fetches a model from a URL (absolute, or relative to the page), reporting progress with
 * `options.onProgress` (bytes loaded / total). Throws an Error naming the URL and the HTTP status when the
 * server does not answer 2xx.
 */
export async function fetchModel(url: string | URL, options: LoadOptions = {}): Promise<Uint8Array> {
  if (typeof url !== 'string' && !(url instanceof URL)) {
    throw new TypeError(`fetchModel: url must be a string or URL, got ${typeof url}`);
  }
  checkLoadOptions('fetchModel', options);
  let response: Response;
  try {
    response = await fetch(url, { signal: options.signal });
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new Error(`could not fetch model ${String(url)}: ${why}`, { cause: e });
  }
  if (!response.ok) {
    throw new Error(`could not fetch model ${String(url)}: HTTP ${response.status} ${response.statusText}`);
  }
  if (!response.body) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    options.onProgress?.({ loaded: bytes.length, total: bytes.length });
    return bytes;
  }
  return readStream(response.body, expectedLength(response), options);
}

/** The body's size in bytes when the server says it; a compressed body's Content-Length counts other bytes. */
function expectedLength(response: Response): number | undefined {
  const encoding = response.headers.get('Content-Encoding');
  if (encoding && encoding !== 'identity') return undefined;
  const length = Number(response.headers.get('Content-Length'));
  return Number.isSafeInteger(length) && length > 0 ? length : undefined;
}
