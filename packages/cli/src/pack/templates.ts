import type { PackTarget } from './targets.js';

/** The demo page of a browser pack: draw a digit (or drop an image) and classify it. */
export function indexHtml(target: PackTarget): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>onnxkit packed classifier (${target})</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">
<style>body{font:16px system-ui,sans-serif;margin:2rem}canvas{border:1px solid #888;touch-action:none;background:#000}button{margin:.5rem .5rem 0 0}</style>
</head><body>
<h1>Packed classifier</h1>
<p>Draw in the box, then classify. Everything runs in this page: <code>onnxkit.mjs</code>, <code>model.onnx</code> and onnxruntime-web's <code>.wasm</code>, served from this folder.</p>
<canvas id="pad" width="280" height="280"></canvas><br>
<button id="go">Classify</button><button id="clear">Clear</button>
<p id="out">loading…</p>
<script type="module">
import { loadClassifier, rawFromImageData } from './onnxkit.mjs';
const pad = document.getElementById('pad');
const ctx = pad.getContext('2d', { willReadFrequently: true });
const out = document.getElementById('out');
const clear = () => { ctx.fillStyle = '#000'; ctx.fillRect(0, 0, pad.width, pad.height); };
clear();
ctx.strokeStyle = '#fff'; ctx.lineWidth = 22; ctx.lineCap = 'round';
let down = false;
pad.onpointerdown = (e) => { down = true; ctx.beginPath(); ctx.moveTo(e.offsetX, e.offsetY); };
pad.onpointermove = (e) => { if (down) { ctx.lineTo(e.offsetX, e.offsetY); ctx.stroke(); } };
pad.onpointerup = () => { down = false; };
const clf = await loadClassifier();
window.onnxkitClassifier = clf;
out.textContent = 'ready on ' + clf.device;
document.getElementById('clear').onclick = clear;
document.getElementById('go').onclick = async () => {
  const r = await clf.classify(rawFromImageData(ctx.getImageData(0, 0, pad.width, pad.height)), { topK: 3 });
  out.textContent = r.top.map((p) => p.label + ' ' + (p.probability * 100).toFixed(1) + '%').join(', ') + ' (' + clf.device + ')';
};
</script>
</body></html>
`;
}

/** The README of a packed folder. */
export function readme(target: PackTarget, model: string, files: readonly { file: string; bytes: number }[], total: number): string {
  const list = files.map((f) => `- \`${f.file}\` (${f.bytes.toLocaleString('en-US')} bytes)`).join('\n');
  const use =
    target === 'node'
      ? [
          'Run it with Node 20 or newer; nothing to install (the folder holds the runtime and onnxruntime-node\'s native files for this platform):',
          '',
          '    node onnxkit.mjs digit.png [more.png …] [--top 3] [--json]',
          '',
          'or from code:',
          '',
          "    import { loadClassifier } from './onnxkit.mjs';",
          '    const clf = await loadClassifier();',
          "    const { label, probability } = await clf.classify('digit.png');   // PNG paths/bytes, or raw pixels",
        ]
      : [
          'Serve the folder over HTTP (any static server) and open `index.html`: draw a digit and classify it.',
          'For WASM threads, serve with `Cross-Origin-Opener-Policy: same-origin` and `Cross-Origin-Embedder-Policy: require-corp`;',
          'without them ORT runs single-threaded.',
          '',
          "    import { loadClassifier, rawFromImageData } from './onnxkit.mjs';",
          '    const clf = await loadClassifier();',
          '    const { label } = await clf.classify(rawFromImageData(ctx.getImageData(0, 0, w, h)));',
        ];
  return [`# ${model}, packed by onnxkit for ${target}`, '', ...use, '', `Files (${total.toLocaleString('en-US')} bytes in all):`, '', list, ''].join('\n');
}
