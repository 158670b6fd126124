import type { TopLevelSpec } from 'vega-lite';

/**
 * Renders a Vega-Lite spec to a standalone SVG document on the server: vega's headless View with
 * no renderer and no DOM (text widths are estimated, as vega does without a canvas). vega and
 * vega-lite load on first use, so commands that draw nothing do not pay for them.
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  if (!spec || typeof spec !== 'object') throw new TypeError('renderSvg: spec must be a Vega-Lite spec object');
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  const compiled = vegaLite.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
