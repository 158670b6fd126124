import { formatShape } from '../shape-inference/dims.js';
import type { ModelSummary, ValueSummary } from './summary.js';

/** Options of {@link formatSummary}. */
export interface FormatSummaryOptions {
  /** List initializers one by one when there are at most this many. @defaultValue 16 */
  maxParameters?: number;
}

/** `1234567` → `1,234,567`, independent of the locale. */
function count(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** `1 node`, `2 nodes`. */
function plural(n: number, word: string): string {
  return `${count(n)} ${word}${n === 1 ? '' : 's'}`;
}

/** Bytes in binary units: `23.4 KiB`. */
function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${units[u]}`;
}

function table(rows: string[][], indent = '  '): string[] {
  const widths = rows.reduce<number[]>((w, r) => r.map((c, i) => Math.max(w[i] ?? 0, c.length)), []);
  return rows.map((r) => indent + r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd());
}

function valueRows(values: readonly ValueSummary[]): string[][] {
  return values.map((v) => [
    v.name,
    v.dtype ?? v.kind,
    v.shape ? formatShape(v.shape) + (v.inferred ? ' (inferred)' : '') : v.kind === 'tensor' ? '<unknown shape>' : '',
  ]);
}

/** A human-readable, multi-line rendering of {@link inspect}'s summary (what `onnxkit inspect` prints). */
export function formatSummary(summary: ModelSummary, options: FormatSummaryOptions = {}): string {
  const maxParameters = options.maxParameters ?? 16;
  const s = summary;
  const opsets = s.opsets.map((o) => `${o.domain || 'ai.onnx'} ${o.version}`).join(', ');
  const producer = [s.producerName, s.producerVersion].filter(Boolean).join(' ') || '(not recorded)';
  const lines: string[] = [
    ...table(
      [
        ['IR version', String(s.irVersion)],
        ['Opsets', opsets || '(none)'],
        ['Producer', producer],
        ['Graph', `${s.graphName || '(unnamed)'}, ${plural(s.nodeCount, 'node')}`],
        ...(s.domain ? [['Domain', s.domain]] : []),
        ...(s.modelVersion ? [['Version', String(s.modelVersion)]] : []),
        ...(s.docString ? [['Doc', s.docString.replace(/\s+/g, ' ').trim()]] : []),
        ...(s.functions.length ? [['Functions', s.functions.join(', ')]] : []),
      ],
      '',
    ),
    '',
    `Inputs (${s.inputs.length})`,
    ...table(valueRows(s.inputs)),
    '',
    `Outputs (${s.outputs.length})`,
    ...table(valueRows(s.outputs)),
    '',
    `Operators (${plural(Object.keys(s.opHistogram).length, 'type')})`,
    ...table(Object.entries(s.opHistogram).map(([op, n]) => [op, String(n)])),
    '',
  ];
  const p = s.parameters;
  lines.push(
    `Parameters: ${count(p.floatElements)} float values (${bytes(p.floatBytes)}) in ${plural(p.floatTensors, 'tensor')}` +
      (p.tensors > p.floatTensors
        ? `; ${plural(p.tensors - p.floatTensors, 'other tensor')}, ${plural(p.elements - p.floatElements, 'value')} (${bytes(p.bytes - p.floatBytes)})`
        : ''),
  );
  if (p.list.length > 0 && p.list.length <= maxParameters) {
    lines.push(
      ...table(
        p.list.map((t) => [
          t.name,
          t.dtype,
          formatShape(t.dims),
          count(t.elements),
          [t.float ? '' : 'not float', t.external ? 'external' : '', t.sparse ? 'sparse' : ''].filter(Boolean).join(', '),
        ]),
      ),
    );
  } else if (p.list.length > maxParameters) {
    lines.push(`  (${p.list.length} tensors; --json lists them)`);
  }
  const meta = Object.entries(s.metadata);
  if (meta.length > 0) lines.push('', `Metadata (${meta.length})`, ...table(meta.map(([k, v]) => [k, v])));
  return lines.join('\n') + '\n';
}
