import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * nsfwjs ships its TF.js graph models as browserify modules: `model.min.js` exports the model.json as a
 * JS object literal, each `group1-shardNofM.min.js` a base64 string. They are read here by parsing the
 * module text — never executed.
 */
export const NSFWJS_MODELS = path.join(path.dirname(createRequire(import.meta.url).resolve('nsfwjs')), '../models');
/** nsfwjs's MobileNetV2 graph model ("mid"). */
export const NSFWJS_MODEL_DIR = path.join(NSFWJS_MODELS, 'mobilenet_v2_mid');
/** nsfwjs's Keras 2.2.4 MobileNetV2 Layers model (52 BatchNormalization layers). */
export const NSFWJS_LAYERS_DIR = path.join(NSFWJS_MODELS, 'mobilenet_v2');

/** The class names nsfwjs gives the model's five outputs, in order. */
export const NSFWJS_CLASSES = ['Drawing', 'Hentai', 'Neutral', 'Porn', 'Sexy'] as const;

/** One of nsfwjs's models (the MobileNetV2 graph model by default): its model.json (as JSON bytes) and shards by manifest path. */
export function loadNsfwjsModel(dir = NSFWJS_MODEL_DIR): { modelJson: Uint8Array; json: Record<string, unknown>; shards: Map<string, Uint8Array> } {
  const text = readFileSync(path.join(dir, 'model.min.js'), 'utf8');
  const start = text.indexOf('exports={');
  if (start < 0) throw new Error('nsfwjs model.min.js: no exported object literal');
  const json = new LiteralParser(text, start + 'exports='.length).value() as Record<string, unknown>;
  const shards = new Map<string, Uint8Array>();
  const manifest = json.weightsManifest as { paths: string[] }[];
  for (const p of manifest.flatMap((g) => g.paths)) {
    const src = readFileSync(path.join(dir, `${p}.min.js`), 'utf8');
    const m = /exports="([A-Za-z0-9+/=]*)"/.exec(src);
    if (!m) throw new Error(`nsfwjs ${p}.min.js: no exported base64 string`);
    shards.set(p, new Uint8Array(Buffer.from(m[1], 'base64')));
  }
  return { modelJson: new Uint8Array(Buffer.from(JSON.stringify(json))), json, shards };
}

/** A parser for the subset of JS object literals a minifier writes for JSON data: bare keys, `.5`, `!0`/`!1`. */
class LiteralParser {
  constructor(
    private readonly s: string,
    private i: number,
  ) {}

  value(): unknown {
    const c = this.s[this.i];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return this.string();
    if (c === '!') {
      const v = this.s[this.i + 1] === '0';
      this.i += 2;
      return v;
    }
    const m = /^(-?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?|true|false|null)/.exec(this.s.slice(this.i, this.i + 40));
    if (!m) throw new Error(`unexpected '${c}' at ${this.i}`);
    this.i += m[0].length;
    return m[0] === 'true' ? true : m[0] === 'false' ? false : m[0] === 'null' ? null : Number(m[0]);
  }

  private object(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.i++;
    while (this.s[this.i] !== '}') {
      let key: string;
      if (this.s[this.i] === '"') key = this.string();
      else {
        const m = /^[A-Za-z_$][\w$]*/.exec(this.s.slice(this.i, this.i + 200));
        if (!m) throw new Error(`bad key at ${this.i}`);
        key = m[0];
        this.i += key.length;
      }
      this.expect(':');
      out[key] = this.value();
      if (this.s[this.i] === ',') this.i++;
    }
    this.i++;
    return out;
  }

  private array(): unknown[] {
    const out: unknown[] = [];
    this.i++;
    while (this.s[this.i] !== ']') {
      out.push(this.value());
      if (this.s[this.i] === ',') this.i++;
    }
    this.i++;
    return out;
  }

  private string(): string {
    const end = /^"(?:[^"\\]|\\.)*"/.exec(this.s.slice(this.i));
    if (!end) throw new Error(`unterminated string at ${this.i}`);
    this.i += end[0].length;
    return JSON.parse(end[0]) as string;
  }

  private expect(c: string): void {
    if (this.s[this.i] !== c) throw new Error(`expected '${c}' at ${this.i}, got '${this.s[this.i]}'`);
    this.i++;
  }
}
