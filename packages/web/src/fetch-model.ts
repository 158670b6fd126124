/**
 * Fetches a model from a URL (absolute, or relative to the page). Throws an Error naming the URL and the
 * HTTP status when the server does not answer 2xx.
 */
export async function fetchModel(url: string | URL): Promise<Uint8Array> {
  if (typeof url !== 'string' && !(url instanceof URL)) {
    throw new TypeError(`fetchModel: url must be a string or URL, got ${typeof url}`);
  }
  let response: Response;
  try {
    response = await fetch(url);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new Error(`could not fetch model ${String(url)}: ${why}`, { cause: e });
  }
  if (!response.ok) {
    throw new Error(`could not fetch model ${String(url)}: HTTP ${response.status} ${response.statusText}`);
  }
  return new Uint8Array(await response.arrayBuffer());
}
