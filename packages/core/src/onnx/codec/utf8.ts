import $protobuf from 'protobufjs/minimal.js';

// protobufjs's UTF-8 codec works the same in every JS engine, so core needs no platform global.
const { utf8 } = $protobuf.util;

/** UTF-8 bytes → string. */
export function decodeUtf8(bytes: Uint8Array): string {
  return utf8.read(bytes, 0, bytes.length);
}

/** string → UTF-8 bytes. */
export function encodeUtf8(text: string): Uint8Array {
  const out = new Uint8Array(utf8.length(text));
  utf8.write(text, out, 0);
  return out;
}
