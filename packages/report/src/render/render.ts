// Spec -> SVG -> PNG without a browser: vega-lite compiles, vega's
// headless View draws SVG with real text metrics from @napi-rs/canvas (aliased as `canvas`, which
// vega-canvas imports), and resvg rasterises with the DejaVu fonts shipped in dejavu-fonts-ttf,
// so the output does not depend on the machine's fonts.
import { createRequire } from 'node:module';
import path from 'node:path';
import { renderAsync, Resvg, type ResvgRenderOptions } from '@resvg/resvg-js';
import { GlobalFonts } from 'canvas';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

const require = createRequire(import.meta.url);

/** The family every headless chart is measured and drawn with. */
export const RENDER_FONT = 'DejaVu Sans';

/** DejaVuSans.ttf and DejaVuSans-Bold.ttf from the dejavu-fonts-ttf package. */
export function fontFiles(): string[] {
  const dir = path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
  return [path.join(dir, 'DejaVuSans.ttf'), path.join(dir, 'DejaVuSans-Bold.ttf')];
}

let fontsRegistered = false;

/** Registers the fonts with the canvas vega measures text on (once per process). */
function registerFonts(): void {
  if (fontsRegistered) return;
  for (const file of fontFiles()) {
    if (!GlobalFonts.registerFromPath(file)) {
      throw new Error(`@exp/report: could not register font ${file} with @napi-rs/canvas`);
    }
  }
  fontsRegistered = true;
}

/**
 * Vega measures text with the spec's font, resvg draws with DejaVu Sans: a spec that names no
 * font would be measured in whatever `sans-serif` means on this machine (Liberation Sans here,
 * 15% narrower) and labels would overlap or be cut. So the headless render names DejaVu Sans
 * unless the spec chose a font; the spec itself stays renderer-free for the browser.
 */
function withRenderFont(spec: TopLevelSpec): TopLevelSpec {
  const config = spec.config ?? {};
  if (config.font) return spec;
  return { ...spec, config: { ...config, font: RENDER_FONT } } as TopLevelSpec;
}

/** A Vega-Lite spec as SVG text (titles, axes, legends as <text> elements). */
export async function renderSpecToSvg(spec: TopLevelSpec): Promise<string> {
  registerFonts();
  const compiled = compile(withRenderFont(spec)).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export interface PngOptions {
  /** Scale factor of the raster (2 = twice the SVG's pixel size, sharp on high-DPI screens). */
  zoom?: number;
}

function resvgOptions(opts: PngOptions): ResvgRenderOptions {
  return {
    font: { loadSystemFonts: false, fontFiles: fontFiles(), defaultFontFamily: RENDER_FONT },
    fitTo: { mode: 'zoom', value: opts.zoom ?? 2 },
    background: 'white',
  };
}

/** SVG text as PNG bytes, on the calling thread. */
export function renderSvgToPng(svg: string, opts: PngOptions = {}): Buffer {
  return new Resvg(svg, resvgOptions(opts)).render().asPng();
}

/** The same on libuv's thread pool, so several charts rasterise at once. */
export async function renderSvgToPngAsync(svg: string, opts: PngOptions = {}): Promise<Buffer> {
  return (await renderAsync(svg, resvgOptions(opts))).asPng();
}
