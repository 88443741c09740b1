/*
 * `npm run build:console`: builds the staff console (api/console/console.html) and the workers' phone page
 * (api/console/phone.html) with Vite into dist/console, writes a .gz beside every asset for the API to serve,
 * and prints each page's size, raw and gzip. Needs nothing beyond node_modules (no network).
 *
 *   npm run build:console              # production build
 *   npm run build:console -- --watch   # rebuild on every change (the API serves the fresh files at once)
 */
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';

const root = fileURLToPath(new URL('../api/console/', import.meta.url));
const outDir = fileURLToPath(new URL('../dist/console/', import.meta.url));
const watch = process.argv.includes('--watch');
const PAGES = ['console', 'phone'] as const;

async function compressAssets(): Promise<Map<string, { raw: number; gzip: number }>> {
  const sizes = new Map<string, { raw: number; gzip: number }>();
  const assets = path.join(outDir, 'assets');
  for (const name of await readdir(assets)) {
    if (name.endsWith('.gz')) {
      continue;
    }
    const body = await readFile(path.join(assets, name));
    const gzipped = gzipSync(body, { level: 9 });
    await writeFile(path.join(assets, `${name}.gz`), gzipped);
    sizes.set(`assets/${name}`, { raw: body.length, gzip: gzipped.length });
  }
  return sizes;
}

/** Each page's HTML plus every script and style sheet it loads (shared chunks count for both pages). */
async function pageSizes(assets: Map<string, { raw: number; gzip: number }>) {
  const rows = [];
  for (const page of PAGES) {
    const html = await readFile(path.join(outDir, `${page}.html`));
    const refs = [...html.toString().matchAll(/(?:src|href)="\.\/(assets\/[^"]+)"/g)].map((m) => m[1]!);
    const files = [...new Set(refs)].filter((ref) => assets.has(ref));
    const raw = html.length + files.reduce((sum, f) => sum + assets.get(f)!.raw, 0);
    const gzip = gzipSync(html).length + files.reduce((sum, f) => sum + assets.get(f)!.gzip, 0);
    rows.push({ page, files: files.length + 1, raw, gzip });
  }
  return rows;
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

async function report(): Promise<void> {
  const assets = await compressAssets();
  for (const [name, size] of assets) {
    console.log(`  ${name.padEnd(40)} ${kb(size.raw).padStart(10)} raw ${kb(size.gzip).padStart(10)} gzip`);
  }
  for (const row of await pageSizes(assets)) {
    console.log(`${row.page} page: ${row.files} files, ${kb(row.raw)} raw, ${kb(row.gzip)} gzip`);
  }
}

await build({
  configFile: false,
  root,
  base: './',
  publicDir: false,
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
    reportCompressedSize: false,
    rolldownOptions: {
      input: Object.fromEntries(PAGES.map((page) => [page, path.join(root, `${page}.html`)])),
      output: { chunkFileNames: 'assets/shared-[hash].js' },
    },
    ...(watch ? { watch: {} } : {}),
  },
  plugins: watch ? [{ name: 'yue-report', writeBundle: { sequential: true, handler: () => report() } }] : [],
});
if (!watch) {
  await report();
}
