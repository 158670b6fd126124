// `@onnxkit/node/queue`: classification over a BullMQ queue on Redis and federated fine-tuning
// (docs/CLASSIFY.md, docs/FEDERATED.md). A subpath of its own so that the main entry never loads
// bullmq and ioredis, which are optional peer dependencies: apps that use these install them.
export * from './federated/index.js';
export { classifyViaQueue, type ProgressReporter, type QueueRunOptions, type QueueRunSummary } from './queue/classify-run.js';
export { startClassifyWorker, redactUrl, type ClassifyWorker, type ClassifyWorkerOptions } from './queue/classify-worker.js';
export { connectRedis } from './queue/redis-connection.js';
