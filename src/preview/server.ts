/**
 * The live preview: the HTML report in both languages side by side, served on
 * localhost only, rebuilt and reloaded when a locale, template, chart spec,
 * stylesheet, config or statistics file changes.
 *
 *   watch (chokidar) → rebuild (model + HTML, no PDF) → bump version → reload (server-sent event)
 *
 * Missing translations are highlighted in place instead of failing; a build
 * error (a broken template, say) is shown in the page and the server keeps
 * running, so the next save can fix it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { Publication } from '../aggregate/config.js';
import { createPageRenderer } from '../build.js';
import { createMemoryChartCache } from '../charts/cache.js';
import { formatError } from '../errors.js';
import { LANGUAGES, type Lang } from '../i18n/languages.js';
import { escapeHtml } from '../model/commentary.js';
import { renderMissingKeyMarks } from '../render/missing.js';
import type { QuarterStats } from '../stats/schema.js';

export interface PreviewOptions {
  /** Where templates/, locales/ and assets/ are. */
  rootDir: string;
  /** Port on 127.0.0.1; 0 picks a free one. */
  port: number;
  /** Extra files whose change should rebuild (statistics, config). */
  watchFiles?: readonly string[];
  /** Translator's notes for keys, shown on highlighted missing keys. */
  describeKey?: (key: string) => string | undefined;
}

export interface PreviewEffects {
  /** Produces the statistics; called again when a watched statistics or config file changes. */
  loadStats: () => Promise<QuarterStats>;
  /** The publication details of the quarter's config, read again with the statistics. */
  loadPublication?: () => Promise<Publication | undefined>;
  log: (line: string) => void;
}

export interface PreviewServer {
  url: string;
  /** Incremented after every rebuild, successful or not. */
  version(): number;
  /** Rebuilds now (also what a file change triggers). */
  rebuild(): Promise<void>;
  close(): Promise<void>;
}

interface PreviewState {
  version: number;
  pages: Partial<Record<Lang, string>>;
  error?: string;
}

/** The page around the two languages; it holds no report text, only the language codes. */
function renderShell(): string {
  const frames = LANGUAGES.map(
    (lang) => `<section><h1>${lang}</h1><iframe id="frame-${lang}" src="/page/${lang}" title="${lang}"></iframe></section>`,
  ).join('');
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>tsubame-report preview</title>
<style>
html,body{margin:0;height:100%;font-family:sans-serif}
main{display:grid;grid-template-columns:repeat(${LANGUAGES.length},1fr);height:100%}
section{display:flex;flex-direction:column;border-left:1px solid #ccc}
h1{font-size:12px;margin:0;padding:4px 8px;background:#1f4e79;color:#fff}
iframe{flex:1;border:0;width:100%}
</style></head><body><main>${frames}</main>
<script>
const events = new EventSource('/events');
events.onmessage = () => { for (const f of document.querySelectorAll('iframe')) f.contentWindow.location.reload(); };
</script></body></html>`;
}

const HIGHLIGHT_CSS = '<style>mark.missing-key{background:#ffe066;outline:1px solid #d4a000;padding:0 2px}</style>';

function renderErrorPage(message: string): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>error</title></head><body style="font-family:sans-serif;padding:16px"><pre style="white-space:pre-wrap;color:#a00">${escapeHtml(message)}</pre></body></html>`;
}

/** Starts the preview server and its watcher; the first build has finished when it resolves. */
export async function startPreview(options: PreviewOptions, effects: PreviewEffects): Promise<PreviewServer> {
  const state: PreviewState = { version: 0, pages: {} };
  const clients = new Set<ServerResponse>();
  let stats: QuarterStats | undefined;
  let publication: Publication | undefined;
  let statsStale = true;

  // A rebuild after an edit redraws only the charts the edit changed.
  const chartCache = createMemoryChartCache();
  const build = async (): Promise<void> => {
    try {
      if (statsStale || !stats) {
        [stats, publication] = await Promise.all([effects.loadStats(), effects.loadPublication?.()]);
        statsStale = false;
      }
      const renderer = await createPageRenderer(stats, options.rootDir, LANGUAGES, { now: () => performance.now() }, {
        markMissing: true,
        publication,
        chartCache,
      });
      const pages: PreviewState['pages'] = {};
      for (const lang of LANGUAGES) {
        const { page } = await renderer.render(lang);
        pages[lang] = renderMissingKeyMarks(page.html, options.describeKey).replace('</head>', `${HIGHLIGHT_CSS}</head>`);
      }
      state.pages = pages;
      state.error = undefined;
    } catch (error) {
      state.error = formatError(error, false);
      effects.log(state.error);
    }
    state.version++;
    for (const client of clients) client.write(`data: ${state.version}\n\n`);
  };

  // Changes arriving while a rebuild runs are folded into one more rebuild.
  let running: Promise<void> | undefined;
  let again = false;
  const rebuild = async (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await build();
      } while (again);
    })();
    try {
      await running;
    } finally {
      running = undefined;
    }
  };

  await rebuild();

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const url = request.url ?? '/';
    if (url === '/') return send(response, 200, 'text/html', renderShell());
    if (url === '/version') return send(response, 200, 'application/json', JSON.stringify({ version: state.version, error: state.error ?? null }));
    if (url === '/events') {
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      response.write(`data: ${state.version}\n\n`);
      clients.add(response);
      request.on('close', () => clients.delete(response));
      return;
    }
    const lang = /^\/page\/([a-z]+)$/.exec(url)?.[1];
    if (lang && (LANGUAGES as readonly string[]).includes(lang)) {
      if (state.error) return send(response, 200, 'text/html', renderErrorPage(state.error));
      return send(response, 200, 'text/html', state.pages[lang as Lang] ?? renderErrorPage('not built yet'));
    }
    send(response, 404, 'text/plain', 'not found');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // Localhost only: the preview is for the person at this machine.
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const watched = [
    join(options.rootDir, 'locales'),
    join(options.rootDir, 'templates'),
    join(options.rootDir, 'assets'),
    ...(options.watchFiles ?? []),
  ];
  const watcher: FSWatcher = watch(watched, { ignoreInitial: true, awaitWriteFinish: { stabilityThreshold: 50, pollInterval: 10 } });
  let timer: NodeJS.Timeout | undefined;
  watcher.on('all', (_event, path) => {
    if (options.watchFiles?.includes(path)) statsStale = true;
    clearTimeout(timer);
    // A save often touches a file several times; wait for the burst to end.
    timer = setTimeout(() => {
      effects.log(`changed: ${path}; rebuilding`);
      void rebuild();
    }, 30);
  });
  await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));

  return {
    url: `http://127.0.0.1:${port}/`,
    version: () => state.version,
    rebuild,
    close: async () => {
      clearTimeout(timer);
      await watcher.close();
      for (const client of clients) client.end();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function send(response: ServerResponse, status: number, type: string, body: string): void {
  response.writeHead(status, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-store' });
  response.end(body);
}
