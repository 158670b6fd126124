import path from 'node:path';
import { buildSeedCnn, evaluateDataset, generateArtifacts, Trainer, type DeviceOption, type Model } from '@onnxkit/core';
import { Option, type Command } from 'commander';
import { openModelFile } from '@onnxkit/node';
import { checkClientId, redactUrl, runCoordinator, runFederatedClient, type RoundInfo } from '@onnxkit/node/queue';
import type { CliCommand } from '../command.js';
import type { CliContext } from '../context.js';
import { DEVICE_HELP } from '../device-lines.js';
import { CliUsageError } from '../errors.js';
import { parseDevice } from '../parse-device.js';
import { loadDataSource, specOf } from '../training/data-source.js';
import { defaultPreprocessing, imageInputSpec } from '../training/input-spec.js';
import { LABELS_KEY, modelLabels, pickLabels, PREPROCESSING_KEY } from '../training/model-metadata.js';
import { nameList, nonNegativeInt, nonNegativeNumber, positiveInt, positiveNumber } from '../training/parse-values.js';
import { outputBase, writeTrainedModel } from '../training/write-outputs.js';

/** Flags both sides of a federation share: which model, which Redis, which federation. */
interface FederationFlags {
  arch?: 'seed-cnn';
  seed: number;
  queue: string;
  name: string;
  device: DeviceOption;
}

interface CoordinatorFlags extends FederationFlags {
  rounds: number;
  clients: number;
  minClients: number;
  deadlineMs: number;
  serverLr: number;
  serverMomentum: number;
  checkpoint?: string;
  out?: string;
  validationData?: string;
  labels?: string[];
  json?: boolean;
}

interface ClientFlags extends FederationFlags {
  client: string;
  data: string;
  epochs: number;
  batchSize: number;
  lr: number;
  proximalMu: number;
  lastRound?: number;
}

/** The options both subcommands take. */
function addFederationOptions(command: Command): Command {
  return command
    .argument('[model]', 'ONNX model to fine-tune together; or build one with --arch (every member must name the same model)')
    .addOption(new Option('--arch <name>', 'build a new model of this architecture (the seed CNN of docs/ARCHITECTURE.md)').choices(['seed-cnn']))
    .option('--seed <n>', 'seed of the new weights of --arch', nonNegativeInt('--seed'), 0)
    .requiredOption('-q, --queue <url>', 'the Redis of the federation, redis://host:port')
    .option('--name <name>', "the federation's name (its Redis keys and queue)", 'onnxkit')
    .option('--device <device>', DEVICE_HELP, parseDevice, 'auto' as DeviceOption);
}

/** The model a member names; with `--arch`, one built from `--seed`. */
async function federationModel(modelPath: string | undefined, flags: FederationFlags, command: string): Promise<{ model: Model; name: string }> {
  if (!modelPath === !flags.arch) throw new CliUsageError(`federated ${command}: give either a model file or --arch seed-cnn, not both`);
  if (modelPath) return { model: (await openModelFile(modelPath)).model, name: modelPath };
  return { model: buildSeedCnn({ seed: flags.seed }), name: `arch:${flags.arch}` };
}

/** A trainer of the model with plain SGD: a member's parameters are all there is to reset between rounds. */
function federationTrainer(model: Model, device: DeviceOption): Promise<Trainer> {
  return Trainer.create(generateArtifacts(model, { optimizer: 'sgd' }), { device });
}

/** `onnxkit federated coordinator|client`: federated fine-tuning over BullMQ on Redis (docs/FEDERATED.md). */
export const federatedCommand: CliCommand = {
  name: 'federated',
  register(program: Command, ctx: CliContext): void {
    const federated = program
      .command('federated')
      .description('Fine-tune one model on data that stays with its holders: a coordinator averages the updates of clients over a BullMQ queue on Redis (docs/FEDERATED.md).');

    addFederationOptions(
      federated
        .command('coordinator')
        .description('Run the rounds: publish the global model, wait for the clients, average their updates (FedAvg by example counts), checkpoint, repeat; writes the final model.'),
    )
      .requiredOption('--rounds <n>', 'rounds to run in all', positiveInt('--rounds'))
      .requiredOption('--clients <n>', 'clients expected per round (a round closes as soon as they are all in)', positiveInt('--clients'))
      .option('--min-clients <n>', 'fewest updates a round is averaged from once the deadline has passed', positiveInt('--min-clients'), 1)
      .option('--deadline-ms <ms>', 'straggler deadline of a round', positiveInt('--deadline-ms'), 60_000)
      .option('--server-lr <rate>', "server learning rate (1: the clients' weighted mean)", positiveNumber('--server-lr'), 1)
      .option('--server-momentum <beta>', 'server momentum β (FedAvgM; 0: plain FedAvg)', nonNegativeNumber('--server-momentum'), 0)
      .option('--checkpoint <file>', 'round file saved after every round; a restarted coordinator resumes from it (default: <out>.round)')
      .option('-o, --out <model.onnx>', 'where to write the final global model')
      .option('--validation-data <source>', 'evaluate the global model after every round on this data (mnist, an IDX folder or <dir>/<label>/*.png)')
      .option('--labels <names>', "class names for the final model, comma-separated (default: the model's)", nameList('--labels', 'cat,dog'))
      .option('--json', 'print a JSON report of the rounds on stdout')
      .action(async (modelPath: string | undefined, flags: CoordinatorFlags) => {
        if (flags.minClients > flags.clients) throw new CliUsageError(`--min-clients ${flags.minClients}: must be at most --clients ${flags.clients}`);
        const { model, name } = await federationModel(modelPath, flags, 'coordinator');
        const input = imageInputSpec(model);
        const out = path.resolve(flags.out ?? `${modelPath ? path.basename(modelPath).replace(/\.onnx$/i, '') : flags.arch}.federated.onnx`);
        const checkpoint = path.resolve(flags.checkpoint ?? `${outputBase(out)}.round`);
        const validation = flags.validationData
          ? await loadDataSource(flags.validationData, { prefer: 'test', input, ...specOf(model) })
          : undefined;
        const trainer = await federationTrainer(model, flags.device);
        try {
          const rounds: (Omit<RoundInfo, 'params'> & { validationAccuracy?: number })[] = [];
          ctx.stderr(`coordinator: federation '${flags.name}' on ${redactUrl(flags.queue)}, ${flags.rounds} rounds of ${flags.clients} clients\n`);
          const final = await runCoordinator({
            url: flags.queue,
            name: flags.name,
            initial: await trainer.getContiguousParameters(),
            checkpoint,
            rounds: flags.rounds,
            clients: flags.clients,
            minClients: flags.minClients,
            deadlineMs: flags.deadlineMs,
            serverLearningRate: flags.serverLr,
            serverMomentum: flags.serverMomentum,
            onRound: async ({ params, ...info }) => {
              let accuracy: number | undefined;
              if (validation) {
                await trainer.loadParameters(params);
                accuracy = (await evaluateDataset(trainer, validation.dataset)).accuracy;
              }
              rounds.push({ ...info, ...(accuracy !== undefined ? { validationAccuracy: accuracy } : {}) });
              const late = info.late > 0 ? `, ${info.late} late` : '';
              const acc = accuracy !== undefined ? `, validation accuracy ${(100 * accuracy).toFixed(2)}%` : '';
              ctx.stderr(`round ${info.round}/${flags.rounds}: ${info.clients.length} clients${late}, ${info.examples} examples, ${info.seconds.toFixed(1)} s${acc}\n`);
            },
          });
          await trainer.loadParameters(final);
          const classes = trainer.labelWidth ?? 0;
          const metadata = {
            [LABELS_KEY]: JSON.stringify(pickLabels(classes, flags.labels, modelLabels(model))),
            [PREPROCESSING_KEY]: model.metadata[PREPROCESSING_KEY] ?? defaultPreprocessing(input, validation?.description.kind !== 'image-folder'),
          };
          const sha256 = await writeTrainedModel(trainer, out, metadata, `${path.basename(outputBase(out))}: fine-tuned by onnxkit federated from ${name}`);
          ctx.stderr(`wrote ${out} (round file ${checkpoint})\n`);
          if (flags.json) ctx.stdout(`${JSON.stringify({ federation: flags.name, model: name, out, sha256, checkpoint, rounds }, null, 2)}\n`);
        } finally {
          await trainer.release();
        }
      });

    addFederationOptions(
      federated
        .command('client')
        .description("Take part in the rounds: load each round's global model, train on this machine's own data (it never leaves), send back the parameters; exits when the coordinator is done."),
    )
      .requiredOption('--client <id>', "this client's id in the federation (letters, digits, _ . -)")
      .requiredOption('-d, --data <source>', "this client's training data: mnist, an IDX folder, or an image folder <dir>/<label>/*.png")
      .option('-e, --epochs <n>', 'local passes over the data per round', positiveInt('--epochs'), 1)
      .option('-b, --batch-size <n>', 'examples per batch', positiveInt('--batch-size'), 32)
      .option('--lr <rate>', 'local learning rate (SGD)', positiveNumber('--lr'), 0.05)
      .option('--proximal-mu <mu>', "FedProx's μ: pull local training towards the round's global model (0: FedAvg)", nonNegativeNumber('--proximal-mu'), 0)
      .option('--last-round <n>', 'leave after this round', positiveInt('--last-round'))
      .action(async (modelPath: string | undefined, flags: ClientFlags) => {
        checkClientId(flags.client);
        const { model } = await federationModel(modelPath, flags, 'client');
        const { dataset } = await loadDataSource(flags.data, { prefer: 'train', input: imageInputSpec(model), ...specOf(model) });
        const trainer = await federationTrainer(model, flags.device);
        try {
          ctx.stderr(`client ${flags.client}: ${dataset.count} examples, federation '${flags.name}' on ${redactUrl(flags.queue)}\n`);
          const rounds = await runFederatedClient({
            url: flags.queue,
            name: flags.name,
            client: flags.client,
            trainer,
            data: dataset,
            epochs: flags.epochs,
            batchSize: flags.batchSize,
            learningRate: flags.lr,
            proximalMu: flags.proximalMu,
            ...(flags.lastRound !== undefined ? { lastRound: flags.lastRound } : {}),
            onRound: (r) => ctx.stderr(`client ${flags.client}: round ${r.round}, loss ${r.loss.toFixed(4)}, ${r.seconds.toFixed(1)} s\n`),
          });
          ctx.stderr(`client ${flags.client}: done after round ${rounds}\n`);
        } finally {
          await trainer.release();
        }
      });
  },
};
