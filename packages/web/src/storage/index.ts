export { checkKey, type ByteStore, type StoreKind } from './byte-store.js';
export { memoryStore } from './memory-store.js';
export { opfsStore, hasOpfs, type OpfsStoreOptions } from './opfs-store.js';
export { indexedDbStore, hasIndexedDb, type IndexedDbStoreOptions } from './indexeddb-store.js';
export { openBrowserStore, type OpenStoreOptions, type OpenedStore } from './open-store.js';
export { saveTrainerCheckpoint, restoreTrainerCheckpoint } from './trainer-checkpoints.js';
