/**
 * Reads ONNX Runtime's verbose log (`ort.env.logLevel = 'verbose'` plus session `logSeverityLevel: 0`).
 * ORT 1.30 prints, per session, "Node placements" followed by either
 *   " All nodes placed on [WebGpuExecutionProvider]. Number of nodes: 8"
 * or one " Node(s) placed on [<EP>]. Number of nodes: <n>" line per provider (then the nodes, indented).
 */

/** Node counts by execution provider for one session, e.g. `{ WebGpuExecutionProvider: 8 }`. */
export type Placement = Record<string, number>;

const BLOCK = /VerifyEachNodeIsAssignedToAnEp\] Node placements/;
const LINE = /(All nodes|Node\(s\)) placed on \[(\w+)\]\. Number of nodes: (\d+)/;

/** Every node-placement block in `lines`, in order (one per session created with verbose logging). */
export function nodePlacements(lines: readonly string[]): Placement[] {
  const out: Placement[] = [];
  for (const line of lines) {
    if (BLOCK.test(line)) {
      out.push({});
      continue;
    }
    const m = LINE.exec(line);
    if (m && out.length > 0) out[out.length - 1][m[2]] = Number(m[3]);
  }
  return out;
}

/** The console lines strictly between two marker lines (first occurrence of each). */
export function linesBetween(lines: readonly string[], begin: string, end: string): string[] {
  const a = lines.indexOf(begin);
  const b = lines.indexOf(end, a + 1);
  if (a < 0 || b < 0) throw new Error(`markers not found in the log: '${begin}' … '${end}'`);
  return lines.slice(a + 1, b);
}
