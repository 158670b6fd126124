/**
 * The demo page: draw a digit, see the model's top-3 live, teach it your handwriting (or a new symbol)
 * and fine-tune it in the page on WebGPU (WASM when there is no WebGPU). The fine-tuned model is kept in
 * browser storage, so a reload restores it; "Back to the shipped model" forgets it.
 */
import {
  Classifier,
  configureWeb,
  DEVICES,
  downloadBytes,
  encodeModel,
  fetchModel,
  hasImageDecoder,
  ImageError,
  openBrowserStore,
  type ByteStore,
  type StoreKind,
} from '@onnxkit/web';
import { addClass } from './add-class.js';
import { TrainingChart } from './chart.js';
import { describeDevice } from './device-note.js';
import { DrawPad } from './draw-pad.js';
import { ExampleSet, sampleDigits, thumbnail } from './examples.js';
import { fineTune } from './fine-tune.js';
import { EXAMPLES_KEY, fromBytes, initialModel, MODEL_KEY, SHIPPED_URL, type CurrentModel } from './model-state.js';
import { readOptions } from './options.js';
import { el, PredictionsView } from './predictions-view.js';
import { createState } from './test-hook.js';

const { options, ignored } = readOptions(location.search);
const state = createState(ignored);
const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

const view = new PredictionsView($('predictions'));
const chart = new TrainingChart($<HTMLCanvasElement>('chart'));
const examples = new ExampleSet();
const pad = new DrawPad($<HTMLCanvasElement>('pad'), () => schedulePredict());
let store: ByteStore;
let current: CurrentModel;
let classifier: Classifier | undefined;
let sample: Uint8Array | undefined;

// ---- live predictions: at most one classification in flight; strokes meanwhile coalesce into one more.
let predicting = false;
let dirty = false;

function schedulePredict(): void {
  dirty = true;
  state.pending = true;
  if (!predicting) void predictLoop();
}

async function predictLoop(): Promise<void> {
  predicting = true;
  try {
    while (dirty && classifier) {
      dirty = false;
      await predictOnce(classifier);
      state.predictions++;
    }
  } catch (e) {
    fail(e);
  } finally {
    predicting = false;
    state.pending = dirty;
  }
}

async function predictOnce(clf: Classifier): Promise<void> {
  if (!pad.hasInk) {
    view.message('Draw a digit in the black square');
    state.top = [];
    return;
  }
  try {
    const { top } = await clf.classify(drawing(), { topK: 3 });
    view.show(top);
    state.top = [...top];
  } catch (e) {
    if (!(e instanceof ImageError)) throw e;
    view.message(e.code === 'empty' ? 'Draw a little more' : e.message);
    state.top = [];
  }
}

/** The drawing for the classifier: the canvas itself when the browser image decoder is registered. */
function drawing(): HTMLCanvasElement | ReturnType<DrawPad['toRawImage']> {
  return hasImageDecoder() ? pad.canvas : pad.toRawImage();
}

async function idle(): Promise<void> {
  while (predicting) await new Promise((r) => setTimeout(r, 10));
}

// ---- the model in use
async function useModel(next: CurrentModel): Promise<void> {
  // Verbose logging is for the trainer's sessions: a verbose classifier would log every live prediction.
  const clf = await Classifier.load(next.bytes, { device: options.device });
  const old = classifier;
  current = next;
  classifier = clf;
  await idle();
  await old?.dispose();
  const note = describeDevice(clf.device, clf.session.fallbacks, options.device);
  $('device').textContent = note.title;
  $('device').className = `badge ${DEVICES[clf.device].gpu ? 'good' : 'warn'}`;
  $('device-detail').textContent = note.detail;
  Object.assign(state, { device: clf.device, deviceTitle: note.title, deviceDetail: note.detail, fallbacks: clf.session.fallbacks });
  const sourceText = {
    shipped: 'the shipped model',
    storage: 'your fine-tuned model, restored from browser storage',
    edited: 'the shipped model with your new classes (not trained yet)',
    'fine-tuned': 'your fine-tuned model (saved in browser storage)',
  }[next.source];
  $('model-source').textContent = sourceText;
  state.modelSource = next.source;
  state.labels = [...next.labels];
  ($('download') as HTMLButtonElement).disabled = next.source === 'shipped';
  renderLabels();
  await renderExamples();
  schedulePredict();
}

// ---- teaching
function renderLabels(): void {
  $('labels').replaceChildren(
    ...current.labels.map((label, index) => {
      const b = el('button', 'label-button', label);
      b.title = `Add this drawing as an example of '${label}'`;
      b.addEventListener('click', () => void guard(() => addExample(index)));
      return b;
    }),
  );
}

async function addExample(label: number): Promise<void> {
  if (!classifier) return;
  if (!pad.hasInk) return message('Draw something first, then pick its label.');
  examples.add(await classifier.preprocess(drawing()), label);
  pad.clear();
  message(`Added an example of '${current.labels[label]}'. ${examples.items.length} in all.`);
  await renderExamples();
}

async function renderExamples(): Promise<void> {
  const data = examples.toDataset(current.labels.length);
  const predicted = classifier && data.count ? await classifier.classifyTensor(data.images, data.count) : [];
  $('examples').replaceChildren(
    ...examples.items.map((e, i) => {
      const card = el('div', 'example');
      const p = predicted[i];
      const ok = p && p.index === e.label;
      card.append(thumbnail(e.image), el('span', 'example-label', current.labels[e.label]));
      if (p) card.append(el('span', `example-pred ${ok ? 'ok' : 'bad'}`, `${ok ? '✓' : '✗'} ${p.label}`));
      return card;
    }),
  );
  state.examples = examples.items.map((e, i) => ({ label: e.label, ...(predicted[i] ? { predicted: predicted[i].index } : {}) }));
  state.exampleBytes = Array.from(examples.encode());
  ($('train') as HTMLButtonElement).disabled = examples.items.length === 0 || state.busy;
  $('examples-count').textContent = examples.items.length ? `${examples.items.length} example(s)` : 'No examples yet';
}

async function newClass(): Promise<void> {
  const input = $<HTMLInputElement>('class-name');
  const name = input.value.trim();
  if (!name) return message('Type a name for the new class first.');
  if (current.labels.includes(name)) return message(`There is already a class '${name}'.`);
  const model = addClass(current.model, name, current.labels);
  await useModel(fromBytes(encodeModel(model), current.source === 'shipped' ? 'edited' : current.source));
  input.value = '';
  message(`New class '${name}': draw a few examples of it and add them with its button.`);
}

async function train(): Promise<void> {
  if (!classifier || examples.items.length === 0) return;
  busy(true);
  const classes = current.labels.length;
  const data = examples.toDataset(classes);
  const replay = sample && options.replay ? sampleDigits(sample, 0, options.replay, classes) : undefined;
  const check = sample && options.check ? sampleDigits(sample, 10, options.check, classes) : undefined;
  const steps = Math.ceil((data.count + (replay?.count ?? 0)) / options.batchSize) * options.epochs;
  chart.reset(steps);
  const training: NonNullable<typeof state.training> = { done: false, losses: [], epochs: [] };
  state.training = training;
  message(`Fine-tuning on ${data.count} drawing(s)${replay ? ` and ${replay.count} shipped digits` : ''}, ${options.epochs} epochs…`);
  try {
    const result = await fineTune(current.model, data, replay, check, { ...options, device: classifier.device }, {
      onBatch: ({ loss }) => {
        training.losses.push(loss);
        chart.addLoss(loss);
      },
      onEpoch: (e) => {
        training.epochs.push(e);
        chart.addEpoch(e.accuracy, e.retention);
        $('train-log').textContent = `epoch ${e.epoch}/${options.epochs}: loss ${e.loss.toFixed(4)}, accuracy on your drawings ${(e.accuracy * 100).toFixed(0)}%${
          e.retention !== undefined ? `, on shipped digits ${(e.retention * 100).toFixed(0)}%` : ''
        }`;
      },
    });
    Object.assign(training, {
      device: result.device,
      parametersLocation: result.parametersLocation,
      before: result.before,
      after: result.after,
      trainable: result.trainable,
    });
    await store.set(MODEL_KEY, result.bytes);
    await store.set(EXAMPLES_KEY, examples.encode());
    await useModel(fromBytes(result.bytes, 'fine-tuned'));
    message(
      `Done on ${DEVICES[result.device].label}: loss on your drawings ${result.before.loss.toFixed(3)} → ${result.after.loss.toFixed(3)}, ` +
        `accuracy ${(result.before.accuracy * 100).toFixed(0)}% → ${(result.after.accuracy * 100).toFixed(0)}%. Saved in ${storeName(store.kind)}.`,
    );
  } finally {
    training.done = true;
    busy(false);
  }
}

async function undo(): Promise<void> {
  busy(true);
  try {
    await store.delete(MODEL_KEY);
    await store.delete(EXAMPLES_KEY);
    examples.clear();
    chart.reset(1);
    state.training = undefined;
    $('train-log').textContent = '';
    await useModel(fromBytes(await fetchModel(SHIPPED_URL), 'shipped'));
    message('Back to the shipped model; your fine-tuned model and examples are forgotten.');
  } finally {
    busy(false);
  }
}

// ---- page plumbing
function busy(on: boolean): void {
  state.busy = on;
  for (const id of ['train', 'undo', 'add-class']) ($(id) as HTMLButtonElement).disabled = on;
  ($('train') as HTMLButtonElement).disabled = on || examples.items.length === 0;
  $('app').classList.toggle('busy', on);
}

function message(text: string): void {
  $('message').textContent = text;
  $('message').className = 'message';
}

function fail(e: unknown): void {
  const text = e instanceof Error ? e.message : String(e);
  state.error = text;
  $('message').textContent = text;
  $('message').className = 'message error';
  console.error(e);
}

async function guard(work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (e) {
    fail(e);
  }
}

function storeName(kind: StoreKind): string {
  return { opfs: 'the Origin Private File System', indexeddb: 'IndexedDB', memory: 'memory only (lost on reload)' }[kind];
}

async function start(): Promise<void> {
  configureWeb({ wasmPaths: '/ort/', ...(options.verbose ? { logLevel: 'verbose' as const } : {}) });
  const opened = await openBrowserStore({ name: 'onnxkit-demo', ...(options.store !== 'auto' ? { prefer: [options.store] } : {}) });
  store = opened.store;
  state.storage = store.kind;
  $('storage').textContent = `saved in ${storeName(store.kind)}`;
  const progress = $<HTMLProgressElement>('load-progress');
  const first = await initialModel(store, (p) => {
    progress.max = p.total ?? p.loaded * 2;
    progress.value = p.loaded;
  });
  progress.hidden = true;
  if (first.source === 'storage') {
    const saved = await store.get(EXAMPLES_KEY);
    if (saved) examples.decode(saved);
  }
  sample = new Uint8Array(await (await fetch('/data/mnist-sample.bin')).arrayBuffer());
  await useModel(first);
  $('clear').addEventListener('click', () => pad.clear());
  $('train').addEventListener('click', () => void guard(train));
  $('undo').addEventListener('click', () => void guard(undo));
  $('add-class').addEventListener('click', () => void guard(newClass));
  $('download').addEventListener('click', () => downloadBytes(current.bytes, 'mnist-cnn-finetuned.onnx'));
  if (ignored.length) message(`Ignored URL options: ${ignored.join(', ')}`);
  else if (first.source === 'storage') message('Restored your fine-tuned model from browser storage.');
  busy(false);
  state.ready = true;
}

start().catch(fail);
