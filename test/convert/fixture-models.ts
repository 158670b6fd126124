import path from 'node:path';
import { fixtures } from './tfjs-reference.js';

/** A fixture model and how the independent reference loads it. */
export interface FixtureModel {
  /** Short id used in test names and docs/CONVERT.md. */
  id: string;
  /** Model file, relative to the shared fixtures. */
  model: string;
  /** Weights-only .h5 of a topology JSON. */
  weights?: string;
  format: 'keras-v3' | 'keras-h5' | 'keras-json' | 'tfjs-layers';
  kerasVersion: string;
  /** `tfjs`: TF.js loads model.json and shards itself; `keras`: TF.js builds the Keras topology and gets the file's weights. */
  reference: 'tfjs' | 'keras';
  /** The pixel range the model was trained on (one model was trained on raw 0..255 pixels). */
  pixelMax: 1 | 255;
  /** Trained on MNIST (the docs/tfjs models carry untrained weights). */
  trained: boolean;
}

/** Every convertible model under ../shared/fixtures/keras and ../shared/fixtures/tfjs. */
export const FIXTURE_MODELS: readonly FixtureModel[] = [
  { id: 'tensorspace keras combined', model: 'keras/tensorspace/docs/keras/rawModel/combined/mnist.h5', format: 'keras-h5', kerasVersion: '2.1.6', reference: 'keras', pixelMax: 1, trained: true },
  { id: 'tensorspace keras separated', model: 'keras/tensorspace/docs/keras/rawModel/separated/topology.json', weights: 'keras/tensorspace/docs/keras/rawModel/separated/weights.h5', format: 'keras-json', kerasVersion: '2.2.2', reference: 'keras', pixelMax: 1, trained: true },
  { id: 'tensorspace tf.keras', model: 'keras/tensorspace/docs/tensorflow/rawModel/keras/tf_keras_model.h5', format: 'keras-h5', kerasVersion: '2.1.6-tf', reference: 'keras', pixelMax: 1, trained: true },
  { id: 'tensorspace tf.keras separated', model: 'keras/tensorspace/docs/tensorflow/rawModel/keras_separated/topology.json', weights: 'keras/tensorspace/docs/tensorflow/rawModel/keras_separated/weights.h5', format: 'keras-json', kerasVersion: '2.2.2', reference: 'keras', pixelMax: 1, trained: true },
  { id: 'tensorspace helloworld', model: 'keras/tensorspace/examples/helloworld/rawModel/tf_keras_model.h5', format: 'keras-h5', kerasVersion: '2.1.6-tf', reference: 'keras', pixelMax: 1, trained: true },
  { id: 'CNN-Classroom (Keras 2.10)', model: 'keras/Purinat33+CNN-Classroom/mnist_cnn.h5', format: 'keras-h5', kerasVersion: '2.10.0', reference: 'keras', pixelMax: 255, trained: true },
  { id: 'Digit-recognizer (Keras 3.11)', model: 'keras/Arunkumar7812+Digit-recognizer-CNN/mnist_model.keras', format: 'keras-v3', kerasVersion: '3.11.3', reference: 'keras', pixelMax: 1, trained: true },
  { id: 'tfjs docs/keras', model: 'tfjs/tensorspace/docs/keras/convertedModel/model.json', format: 'tfjs-layers', kerasVersion: '2.2.2', reference: 'tfjs', pixelMax: 1, trained: true },
  { id: 'tfjs docs/tensorflow layerModel', model: 'tfjs/tensorspace/docs/tensorflow/convertedModel/layerModel/model.json', format: 'tfjs-layers', kerasVersion: '2.1.6-tf', reference: 'tfjs', pixelMax: 1, trained: true },
  { id: 'tfjs docs/tfjs converted', model: 'tfjs/tensorspace/docs/tfjs/convertedModel/model.json', format: 'tfjs-layers', kerasVersion: 'tfjs-layers 0.8.5', reference: 'tfjs', pixelMax: 1, trained: false },
  { id: 'tfjs docs/tfjs raw', model: 'tfjs/tensorspace/docs/tfjs/rawModel/mnist.json', format: 'tfjs-layers', kerasVersion: 'tfjs-layers 0.8.3', reference: 'tfjs', pixelMax: 1, trained: false },
  { id: 'tfjs helloworld', model: 'tfjs/tensorspace/examples/helloworld/convertedModel/model.json', format: 'tfjs-layers', kerasVersion: '2.1.6-tf', reference: 'tfjs', pixelMax: 1, trained: true },
  { id: 'tfjs lenet', model: 'tfjs/tensorspace/examples/lenet/lenetModel/mnist.json', format: 'tfjs-layers', kerasVersion: 'tfjs-layers 0.7.5', reference: 'tfjs', pixelMax: 1, trained: true },
];

/** Fixtures that cannot be converted, and the error onnxkit gives. */
export const REFUSED_MODELS = {
  lambda: path.join(fixtures, 'keras/nnom-mnist-densenet/keras_mnist_model.h5'),
} as const;

/** The TF.js graph model among the fixtures (a TF.js 0.x export: byte-list string attributes, TF 2-style Flatten). */
export const GRAPH_MODEL_FIXTURE = path.join(fixtures, 'tfjs/tensorspace/docs/tensorflow/convertedModel/graphModel/model.json');

/** Absolute path of a fixture file. */
export const fixturePath = (p: string) => path.join(fixtures, p);
