/** What the API writes into each page (`<meta name="yue-config">`): where the page lives and what it may use. */
export interface ClientConfig {
  basePath: string;
  consoleBasePath: string;
  phoneBasePath: string;
  /** A map tile server URL with {z}/{x}/{y}; null when none is configured. */
  tileUrl: string | null;
}

function readConfig(): ClientConfig {
  // Without the server's settings (a page opened from another server), the page's own <base> is the best guess.
  const fallback: ClientConfig = {
    basePath: new URL(document.baseURI).pathname.replace(/[^/]*$/, ''),
    consoleBasePath: '/console/',
    phoneBasePath: '/m/',
    tileUrl: null,
  };
  const raw = document.querySelector('meta[name="yue-config"]')?.getAttribute('content');
  if (!raw) {
    return fallback;
  }
  try {
    return { ...fallback, ...(JSON.parse(raw) as Partial<ClientConfig>) };
  } catch {
    return fallback;
  }
}

export const clientConfig: ClientConfig = readConfig();
