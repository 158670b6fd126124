import { ModelFormatError } from '../errors.js';
import type { GraphOutline, ModelOutline } from './outline.js';

/** Oldest and newest ONNX IR versions onnxkit reads (IR 3 = ONNX 1.1; IR 13 = ONNX 1.22). */
export const MIN_IR_VERSION = 3;
/** Newest IR version onnxkit reads. */
export const MAX_IR_VERSION = 13;

function checkGraph(graph: GraphOutline, outer: ReadonlySet<string>, where: string): void {
  const defined = new Set<string>();
  const define = (name: string, what: string) => {
    if (!name) return;
    if (defined.has(name)) {
      throw new ModelFormatError('duplicate-name', `${where}: the name '${name}' is defined twice (again as ${what})`);
    }
    defined.add(name);
  };
  const inputNames = new Set<string>();
  for (const v of graph.inputs) {
    if (inputNames.has(v.name)) {
      throw new ModelFormatError('duplicate-name', `${where}: graph input '${v.name}' is listed twice`);
    }
    inputNames.add(v.name);
    define(v.name, 'a graph input');
  }
  const initNames = new Set<string>();
  for (const t of graph.initializers) {
    if (initNames.has(t.name)) {
      throw new ModelFormatError('duplicate-name', `${where}: initializer '${t.name}' is listed twice`);
    }
    initNames.add(t.name);
    // IR < 4 lists initializers among the inputs too; that is not a duplicate.
    if (!inputNames.has(t.name)) define(t.name, 'an initializer');
  }
  for (const s of graph.sparseInitializers) define(s.values.name, 'a sparse initializer');

  const visible = (name: string) => defined.has(name) || outer.has(name);
  graph.nodes.forEach((node, index) => {
    const label = `node ${index} (${node.opType}${node.name ? ` '${node.name}'` : ''})`;
    for (const input of node.inputs) {
      if (input && !visible(input)) {
        throw new ModelFormatError(
          'dangling-input',
          `${where}: ${label} reads '${input}', which no graph input, initializer or earlier node produces`,
        );
      }
    }
    for (const a of Object.values(node.attributes)) {
      const scope = new Set([...outer, ...defined]);
      if (a.type === 'graph') checkGraph(a.value, scope, `${where} › ${label} subgraph`);
      if (a.type === 'graphs') a.value.forEach((g) => checkGraph(g, scope, `${where} › ${label} subgraph`));
    }
    for (const output of node.outputs) define(output, `an output of ${label}`);
  });
  for (const out of graph.outputs) {
    if (!visible(out.name)) {
      throw new ModelFormatError('dangling-input', `${where}: graph output '${out.name}' is never produced`);
    }
  }
}

/**
 * Checks what ORT would otherwise report obscurely: the IR version, that every node's domain has an
 * opset import, that every value is produced before use, and that no name is defined twice.
 * Throws {@link ModelFormatError} with a message naming the node or value. Takes a decoded `Model`, or
 * the outline `createSession` decodes (the same checks on the same fields).
 */
export function validateModel(model: ModelOutline): void {
  if (model.irVersion < MIN_IR_VERSION || model.irVersion > MAX_IR_VERSION) {
    throw new ModelFormatError(
      'unsupported-ir-version',
      `unsupported ONNX IR version ${model.irVersion}: onnxkit reads IR versions ${MIN_IR_VERSION} to ${MAX_IR_VERSION}`,
    );
  }
  const domains = new Set(model.opsetImports.map((o) => o.domain === 'ai.onnx' ? '' : o.domain));
  const functionDomains = new Set(model.functions.map((f) => f.domain));
  const checkDomains = (graph: GraphOutline) => {
    for (const node of graph.nodes) {
      const domain = node.domain === 'ai.onnx' ? '' : node.domain;
      if (!domains.has(domain) && !functionDomains.has(domain)) {
        throw new ModelFormatError(
          'missing-opset',
          `node '${node.name || node.opType}' uses domain '${domain || 'ai.onnx'}', but the model imports no opset for it`,
        );
      }
      for (const a of Object.values(node.attributes)) {
        if (a.type === 'graph') checkDomains(a.value);
        if (a.type === 'graphs') a.value.forEach(checkDomains);
      }
    }
  };
  checkDomains(model.graph);
  checkGraph(model.graph, new Set(), 'graph');
}
