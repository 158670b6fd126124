import { CliUsageError } from '../errors.js';

/** A commander argument parser for a positive integer option (`--epochs 3`). */
export function positiveInt(flag: string) {
  return (text: string): number => {
    const n = Number(text);
    if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < 1) throw new CliUsageError(`${flag} '${text}': expected a positive integer`);
    return n;
  };
}

/** A commander argument parser for an integer >= 0 (`--warmup 0`, `--seed 7`). */
export function nonNegativeInt(flag: string) {
  return (text: string): number => {
    const n = Number(text);
    if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n)) throw new CliUsageError(`${flag} '${text}': expected an integer >= 0`);
    return n;
  };
}

/** A commander argument parser for a finite number > 0 (`--lr 1e-3`). */
export function positiveNumber(flag: string) {
  return (text: string): number => {
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n) || n <= 0) throw new CliUsageError(`${flag} '${text}': expected a number > 0`);
    return n;
  };
}

/** A commander argument parser for a finite number >= 0 (`--server-momentum 0`). */
export function nonNegativeNumber(flag: string) {
  return (text: string): number => {
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n) || n < 0) throw new CliUsageError(`${flag} '${text}': expected a number >= 0`);
    return n;
  };
}

/** `--validation`: a count of held-out examples (integer >= 1) or a fraction in (0, 1). */
export function validationSpec(text: string): number {
  const n = Number(text);
  const ok = text.trim() !== '' && Number.isFinite(n) && ((n > 0 && n < 1) || (Number.isInteger(n) && n >= 1));
  if (!ok) throw new CliUsageError(`--validation '${text}': expected a count of examples (e.g. 1000) or a fraction in (0, 1) (e.g. 0.1)`);
  return n;
}

/** A comma-separated list of non-empty names (`--trainable fc1.weight,fc1.bias`). */
export function nameList(flag: string, example: string) {
  return (text: string): string[] => {
    const list = text.split(',').map((s) => s.trim());
    if (list.some((s) => s.length === 0)) throw new CliUsageError(`${flag} '${text}': expected comma-separated names, e.g. ${flag} ${example}`);
    return list;
  };
}
