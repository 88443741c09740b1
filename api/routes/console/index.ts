import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../../app.js';
import type { ConsoleConfig } from '../../config.js';

/** What the built pages read from `<meta name="yue-config">`: where they live and what the server offers. */
export interface ClientConfig {
  basePath: string;
  consoleBasePath: string;
  phoneBasePath: string;
  tileUrl: string | null;
}

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/** A built asset's file name: no folders, no leading dot, so a name can never leave the assets folder. */
const ASSET_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}$/;
const CONFIG_MARK = '<!--yue-config-->';

const escapeAttribute = (value: string) =>
  value.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

function securityHeaders(reply: FastifyReply, config: ConsoleConfig): FastifyReply {
  const tileOrigin = config.tileUrl ? new URL(config.tileUrl.replace(/\{[zxy]\}/g, '0')).origin : '';
  return reply
    .header(
      'content-security-policy',
      [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        `img-src 'self' data: ${tileOrigin}`.trim(),
        "connect-src 'self'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
      ].join('; '),
    )
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'same-origin')
    .header('x-frame-options', 'DENY');
}

function buildMissingPage(config: ConsoleConfig): string {
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>越温暖 · 页面尚未构建</title>
<style>body{font-family:system-ui,"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;margin:0;padding:2rem;
color:#1f2937;background:#f6f7f9;line-height:1.7}main{max-width:40rem;margin:auto;background:#fff;border-radius:8px;
padding:1.5rem 2rem;border-top:4px solid #c2410c}code{background:#f1f5f9;padding:.1rem .4rem;border-radius:4px}</style>
</head><body><main>
<h1>越温暖工作台尚未构建</h1>
<p>服务器正在运行，接口可以正常使用，但网页文件还没有生成，所以暂时无法打开工作台和职工手机页。</p>
<p>请在项目目录下运行 <code>npm run build:console</code>，完成后刷新本页即可。</p>
<p>（构建结果应位于 <code>${escapeAttribute(config.distDir)}</code>；接口文档仍可在 <a href="/docs">/docs</a> 查看。）</p>
</main></body></html>`;
}

/**
 * The staff console and the workers' phone page: static files built by `npm run build:console`, served here under
 * their configured base paths, with `/` redirecting to the console. Every path below a base answers the page (the
 * client routes it), assets are served from the build's `assets/` folder (gzip when the build holds a `.gz` and
 * the client accepts it). All of it is public: the pages carry no data, and every call they make goes through the
 * JSON API and its auth. A missing build answers a 503 page that says how to build it. The JSON API, its 404
 * handler and /docs are untouched: only the base paths and `/` are taken.
 */
export async function consoleRoutes(app: FastifyInstance, { config }: AppDeps) {
  const site = config.console;
  const assetsDir = path.join(site.distDir, 'assets');
  const templates = new Map<string, { mtimeMs: number; html: string }>();

  async function template(file: string): Promise<string | null> {
    const full = path.join(site.distDir, file);
    try {
      const info = await stat(full);
      const cached = templates.get(full);
      if (cached && cached.mtimeMs === info.mtimeMs) {
        return cached.html;
      }
      const html = await readFile(full, 'utf8');
      templates.set(full, { mtimeMs: info.mtimeMs, html });
      return html;
    } catch {
      return null;
    }
  }

  const pages = [
    { basePath: site.basePath, file: 'console.html' },
    { basePath: site.phoneBasePath, file: 'phone.html' },
  ];

  for (const page of pages) {
    const clientConfig: ClientConfig = {
      basePath: page.basePath,
      consoleBasePath: site.basePath,
      phoneBasePath: site.phoneBasePath,
      tileUrl: site.tileUrl,
    };
    const head = `<base href="${page.basePath}"><meta name="yue-config" content="${escapeAttribute(JSON.stringify(clientConfig))}">`;

    const sendPage = async (_request: FastifyRequest, reply: FastifyReply) => {
      const html = await template(page.file);
      securityHeaders(reply, site).header('cache-control', 'no-cache').type('text/html; charset=utf-8');
      if (html === null) {
        return reply.status(503).header('retry-after', '30').send(buildMissingPage(site));
      }
      return reply.send(html.replace(CONFIG_MARK, head));
    };

    const sendAsset = async (request: FastifyRequest<{ Params: { file: string } }>, reply: FastifyReply) => {
      const name = request.params.file;
      const type = ASSET_NAME.test(name) ? CONTENT_TYPES[path.extname(name)] : undefined;
      const file = path.join(assetsDir, name);
      const info = type ? await stat(file).catch(() => null) : null;
      if (!type || !info?.isFile()) {
        return reply
          .status(404)
          .send({ error: { code: 'ASSET_NOT_FOUND', message: '页面文件不存在；请刷新页面，仍不行请重新构建工作台' } });
      }
      const gzipped = /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''))
        ? await stat(`${file}.gz`).catch(() => null)
        : null;
      reply
        .header('cache-control', 'public, max-age=31536000, immutable')
        .header('vary', 'accept-encoding')
        .header('x-content-type-options', 'nosniff')
        .type(type);
      if (gzipped?.isFile()) {
        return reply.header('content-encoding', 'gzip').send(createReadStream(`${file}.gz`));
      }
      return reply.send(createReadStream(file));
    };

    const route = { config: { public: true }, schema: { hide: true } };
    const withoutSlash = page.basePath.slice(0, -1);
    app.get(withoutSlash, route, async (_request, reply) => reply.redirect(page.basePath));
    app.get(page.basePath, route, sendPage);
    app.get(`${page.basePath}*`, route, sendPage);
    app.get(`${page.basePath}assets/:file`, route, sendAsset);
  }

  app.get('/', { config: { public: true }, schema: { hide: true } }, async (_request, reply) =>
    reply.redirect(site.basePath),
  );
}
