/**
 * Deepest nesting of arrays and objects accepted in JSON from a file (a Keras config, a TF.js
 * `model.json`, a JSON tensor, a checkpoint header). Real files nest a few dozen levels; thousands would
 * overflow the stack of the recursive code that walks them.
 */
export const MAX_JSON_DEPTH = 256;

/**
 * The deepest nesting of `[`/`{` in JSON text (bytes as UTF-8, or a string), found without parsing or
 * recursion, so it is safe on any input; brackets inside strings do not count.
 */
export function jsonDepth(text: Uint8Array | string): number {
  const code = typeof text === 'string' ? (i: number) => text.charCodeAt(i) : (i: number) => text[i];
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = code(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}
