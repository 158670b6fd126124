import type { ConsoleEntry } from './harness.js';

/*
 * Reading ORT's node placement from a page's console: entries print `### begin <device> <graph>` and
 * `### end <device> <graph>` around each session, with ORT's verbose log level on.
 */

/** Console lines between `### begin <device> <graph>` and `### end <device> <graph>`. */
export function section(logs: readonly ConsoleEntry[], device: string, graph: string): string[] {
  const texts = logs.map((l) => l.text);
  const begin = texts.indexOf(`### begin ${device} ${graph}`);
  const end = texts.indexOf(`### end ${device} ${graph}`);
  if (begin < 0 || end < begin) throw new Error(`no log section for ${device} ${graph}`);
  return texts.slice(begin + 1, end);
}

/**
 * ORT's placement report in a section: per provider, the node count and the nodes listed under
 * "Node(s) placed on [X]" (ORT prints "All nodes placed on [X]" when there is one provider).
 */
export function placements(lines: readonly string[]): { provider: string; count: number; nodes: string[] }[] {
  const out: { provider: string; count: number; nodes: string[] }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /(All nodes|Node\(s\)) placed on \[(\w+)\]\. Number of nodes: (\d+)/.exec(lines[i]);
    if (!m) continue;
    const entry = { provider: m[2], count: Number(m[3]), nodes: [] as string[] };
    // The listing follows, one " OpType (node name)" line each, possibly inside the same message.
    const rest = lines[i].slice(m.index + m[0].length).split('\n').concat(lines.slice(i + 1, i + 1 + entry.count));
    for (const l of rest) {
      const node = /^\s+(\w+) \(([^)]*)\)\s*$/.exec(l.replace(/^.*\]\s?/, ' '));
      if (node && entry.nodes.length < entry.count) entry.nodes.push(`${node[1]} (${node[2]})`);
    }
    out.push(entry);
  }
  return out;
}
