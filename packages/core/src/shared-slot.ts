/**
 * State that must be one per process even when a bundler or Node loads two copies of @onnxkit/core
 * (an app that both `require`s and `import`s @onnxkit/node gets the CJS and the ESM build, each with
 * its own module scope). `Symbol.for` keys are shared across copies and realms of one global object,
 * so every copy finds the same slot.
 */
export function sharedSlot<T extends object>(name: string, create: () => T): T {
  const key = Symbol.for(`onnxkit.${name}`);
  const holder = globalThis as Record<symbol, unknown>;
  const existing = holder[key];
  if (existing !== undefined && existing !== null && typeof existing === 'object') return existing as T;
  const slot = create();
  Object.defineProperty(holder, key, { value: slot, configurable: false, enumerable: false, writable: false });
  return slot;
}

/**
 * Makes `instanceof cls` true for instances of `cls` from any copy of the package: instances carry a
 * brand (a `Symbol.for` key named after the class) on their prototype, and `cls[Symbol.hasInstance]`
 * accepts a value carrying it. Subclasses keep ordinary `instanceof` unless branded themselves.
 */
export function brandClass(cls: abstract new (...args: never[]) => object, brand: string): void {
  const key = Symbol.for(`onnxkit.brand.${brand}`);
  Object.defineProperty(cls.prototype, key, { value: true, enumerable: false });
  const ordinary = Function.prototype[Symbol.hasInstance];
  Object.defineProperty(cls, Symbol.hasInstance, {
    value(this: unknown, value: unknown): boolean {
      if (ordinary.call(this, value)) return true;
      if (this !== cls) return false;
      return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[key] === true;
    },
  });
}
