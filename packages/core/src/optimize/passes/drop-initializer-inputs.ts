import type { Model } from '../../onnx/ir.js';
import type { GraphPass, PassResult } from '../pass.js';

/**
 * Stops listing initializers as graph inputs. Before IR version 4 every initializer had to be an
 * input too, which lets a caller override it, so no runtime may treat it as a constant; old exports
 * (mnist-8 from CNTK, early PyTorch) keep them listed. Dropping them makes the weights constants
 * that folding, fusion and quantization can use. The IR version becomes at least 4.
 */
export const dropInitializerInputs: GraphPass = {
  name: 'drop-initializer-inputs',
  description: 'stop listing initializers as graph inputs (IR < 4 exports) so they are constants',
  run(model: Model): PassResult {
    const g = model.graph;
    const inits = new Set(g.initializers.map((t) => t.name));
    const dropped = g.inputs.filter((v) => inits.has(v.name));
    if (dropped.length === 0) return { changed: 0, notes: [] };
    g.inputs = g.inputs.filter((v) => !inits.has(v.name));
    if (model.irVersion < 4) model.irVersion = 4;
    return { changed: dropped.length, notes: [`${dropped.length} initializer${dropped.length === 1 ? ' is' : 's are'} no longer graph inputs: ${dropped.map((v) => v.name).join(', ')}`] };
  },
};
