/**
 * Runs the cases of one fuzz category from a given index, printing a line before and after each, so the
 * parent can tell which case hung or crashed the process: `S <i> <label>`, `R <i> <outcome> <detail>`,
 * then `D <maxRSS KiB>`. Usage: child.ts <category> <seed> <from> <count> <dir>
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { CATEGORIES } from './categories/index.js';
import { caseRandom } from './mutate.js';
import { judgeError, type CaseOutcome } from './outcome.js';

const [name, seedText, fromText, countText, dir] = process.argv.slice(2);
const category = CATEGORIES.find((c) => c.name === name);
if (!category) throw new Error(`unknown fuzz category '${name}'`);
const seed = Number(seedText);
const count = Number(countText);
const write = (line: string) => process.stdout.write(`${line.replace(/\n/g, ' ')}\n`);

// ORT's logger would print an error line for every model it refuses.
process.env.ONNXKIT_DEBUG = '';
const seedDir = path.join(dir, 'seed');
await mkdir(seedDir, { recursive: true });
const context = await category.setup(seedDir);
for (let i = Number(fromText); i < count; i++) {
  const caseDir = path.join(dir, `case-${i}`);
  await mkdir(caseDir, { recursive: true });
  let outcome: CaseOutcome;
  let detail = '';
  let label = '?';
  try {
    const c = await category.make(i, caseRandom(seed, category.name, i), caseDir, context);
    label = c.label;
    write(`S ${i} ${label}`);
    try {
      await c.run();
      outcome = c.mustRefuse ? 'escape' : 'accepted';
    } catch (e) {
      ({ outcome, detail } = judgeError(e));
    }
  } catch (e) {
    // Building the case failed: a bug in the suite, reported as such.
    write(`S ${i} ${label}`);
    outcome = 'untyped';
    detail = `could not build the case: ${(e as Error).stack ?? String(e)}`;
  }
  write(`R ${i} ${outcome} ${detail}`);
}
write(`D ${process.resourceUsage().maxRSS}`);
// Sessions and sharp's threads would otherwise keep the process alive for a while.
process.exit(0);
