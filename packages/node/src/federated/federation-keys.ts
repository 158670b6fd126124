/** Redis keys and the BullMQ queue of one federation (`name`: letters, digits, _ . -). */
export interface FederationKeys {
  /** JSON `{ round, done }`: the round clients should train now (`done`: no more rounds). */
  current: string;
  /** The round file of the global model clients start round `r` from. */
  global(r: number): string;
  /** One client's update for round `r`. */
  update(r: number, client: string): string;
  /** Hash of the updates received for round `r`: field = client, value = JSON `{ examples }`. */
  received(r: number): string;
  /** The queue clients announce updates on (the coordinator is its worker). */
  queue: string;
}

const NAME = /^[\w.-]{1,64}$/;

/** The keys of federation `name`; throws a RangeError naming `what` for a bad name. */
export function federationKeys(name: string, what = 'federation'): FederationKeys {
  if (typeof name !== 'string' || !NAME.test(name)) throw new RangeError(`${what} ${JSON.stringify(name)}: expected 1-64 letters, digits, _ . -`);
  const base = `onnxkit:fed:${name}`;
  return {
    current: `${base}:current`,
    global: (r) => `${base}:global:${r}`,
    update: (r, client) => `${base}:update:${r}:${client}`,
    received: (r) => `${base}:received:${r}`,
    queue: `onnxkit-fed-${name}`,
  };
}

/** Client ids: the same characters as federation names. */
export function checkClientId(id: string): string {
  if (typeof id !== 'string' || !NAME.test(id)) throw new RangeError(`client ${JSON.stringify(id)}: expected 1-64 letters, digits, _ . -`);
  return id;
}

/** What a client announces on the queue once its update is stored. */
export interface UpdateJob {
  round: number;
  client: string;
  examples: number;
}
