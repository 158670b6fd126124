import type { Model } from '../../onnx/ir.js';
import { removeDeadCode } from '../../onnx/graph-edit.js';
import type { GraphPass, PassResult } from '../pass.js';

/** Removes nodes no output depends on and initializers nothing reads. */
export const eliminateDeadCode: GraphPass = {
  name: 'eliminate-dead',
  description: 'remove nodes and initializers no output needs',
  run(model: Model): PassResult {
    const g = model.graph;
    const before = g.initializers.length;
    const nodes = removeDeadCode(g);
    const inits = before - g.initializers.length;
    const notes = [
      ...(nodes ? [`removed ${nodes} unused node${nodes === 1 ? '' : 's'}`] : []),
      ...(inits ? [`removed ${inits} unused initializer${inits === 1 ? '' : 's'}`] : []),
    ];
    return { changed: nodes + inits, notes };
  },
};
