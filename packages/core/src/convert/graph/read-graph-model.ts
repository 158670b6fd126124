import { ConvertError } from '../errors.js';
import { readWeightsManifest, type ReadFile } from '../formats/tfjs.js';
import { asRecord } from '../topology/config-values.js';
import type { KerasModel } from '../topology/types.js';
import { parseGraphDef, type GraphNode } from './graph-def.js';
import type { GraphSignature } from './emit-graph-model.js';

/**
 * A TF.js graph model (`tensorflowjs_converter --output_format=tfjs_graph_model`, TF Hub's TF.js
 * models): `modelTopology` is a TensorFlow GraphDef as JSON, its weights (every large Const, named after
 * its node) sit in the shards the `weightsManifest` lists, quantized or not. The model's `config` keeps
 * the model.json (less the manifest) for {@link graphModelParts}.
 */
export async function readTfjsGraph(json: Record<string, unknown>, readFile: ReadFile | undefined, what: string): Promise<KerasModel> {
  const topology = asRecord(json.modelTopology);
  if (!topology) throw new ConvertError('invalid-config', `${what} has no 'modelTopology'`);
  parseGraphDef(topology, what);
  const manifest = json.weightsManifest ?? [];
  if (!Array.isArray(manifest)) throw new ConvertError('invalid-config', `${what}: 'weightsManifest' must be a list`);
  if (manifest.length && !readFile) throw new TypeError(`convertKeras: a TF.js model needs 'readFile' to read its weight shards (${what})`);
  const { byName } = manifest.length ? await readWeightsManifest(manifest, readFile!, what) : { byName: new Map() };
  const { weightsManifest: _, ...config } = json;
  const model: KerasModel = {
    format: 'tfjs-graph',
    config: { ...config, fileName: what },
    weights: {
      layer(name) {
        const w = byName.get(name);
        return w ? [w] : undefined;
      },
    },
  };
  return model;
}

/** The nodes and signature of a graph model read by {@link readTfjsGraph}. */
export function graphModelParts(source: KerasModel): { nodes: Map<string, GraphNode>; signature: GraphSignature; name: string } {
  const what = typeof source.config.fileName === 'string' ? source.config.fileName : 'the model file';
  const nodes = parseGraphDef(asRecord(source.config.modelTopology) ?? {}, what);
  const sig = asRecord(source.config.signature) ?? asRecord(asRecord(source.config.userDefinedMetadata)?.signature);
  const keysOf = (v: unknown) => Object.values(asRecord(v) ?? {}).map((e) => asRecord(e)?.name).filter((n): n is string => typeof n === 'string');
  let inputs = keysOf(sig?.inputs);
  let outputs = keysOf(sig?.outputs);
  if (inputs.length === 0) inputs = [...nodes.values()].filter((n) => n.op === 'Placeholder').map((n) => n.name);
  if (outputs.length === 0) {
    const read = new Set([...nodes.values()].flatMap((n) => n.inputs.map((i) => i.replace(/:\d+$/, ''))));
    outputs = [...nodes.values()].filter((n) => !read.has(n.name) && n.op !== 'Const' && n.op !== 'NoOp' && n.op !== 'Placeholder').map((n) => n.name);
  }
  if (inputs.length === 0 || outputs.length === 0) throw new ConvertError('invalid-config', `${what}: the graph model has no ${inputs.length ? 'outputs' : 'inputs'}`);
  return { nodes, signature: { inputs, outputs }, name: what.replace(/\.json$/, '') };
}
