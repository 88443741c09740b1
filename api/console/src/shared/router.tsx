import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { clientConfig } from './config.js';

/**
 * A small history router. Paths inside the app are relative to the page's base path (`/console/`): `inbox`,
 * `cases/<id>`; the query string carries filters, so a drill-down is a link a person can copy.
 */

export interface Location {
  /** The path below the base, without leading slash: '' for the home page. */
  path: string;
  query: URLSearchParams;
}

const listeners = new Set<() => void>();

export function currentLocation(): Location {
  const base = clientConfig.basePath;
  const full = window.location.pathname;
  const path = full.startsWith(base) ? full.slice(base.length) : full.replace(/^\//, '');
  return { path: decodeURI(path).replace(/\/+$/, ''), query: new URLSearchParams(window.location.search) };
}

/** The URL of an app path: `href('cases/1')` -> `/console/cases/1`. */
export const href = (path: string): string => `${clientConfig.basePath}${path.replace(/^\//, '')}`;

export function navigate(path: string, { replace = false } = {}): void {
  const url = href(path);
  if (replace) {
    window.history.replaceState(null, '', url);
  } else {
    window.history.pushState(null, '', url);
  }
  listeners.forEach((listener) => listener());
  window.scrollTo(0, 0);
}

window.addEventListener('popstate', () => listeners.forEach((listener) => listener()));

export function useLocation(): Location {
  const [location, setLocation] = useState(currentLocation);
  useEffect(() => {
    const update = () => setLocation(currentLocation());
    listeners.add(update);
    return () => void listeners.delete(update);
  }, []);
  return location;
}

/** Matches `cases/:id` against a path; the named parts, or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) {
    return null;
  }
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const part = want[i]!;
    if (part.startsWith(':')) {
      params[part.slice(1)] = got[i]!;
    } else if (part !== got[i]) {
      return null;
    }
  }
  return params;
}

interface LinkProps {
  to: string;
  children?: ComponentChildren;
  class?: string;
  'aria-label'?: string;
  onClick?: (event: MouseEvent) => void;
}

/** A link inside the app: a plain anchor (open in a new tab works) that navigates without reloading. */
export function Link({ to, children, onClick, ...rest }: LinkProps) {
  const follow = (event: MouseEvent) => {
    onClick?.(event);
    if (
      event.defaultPrevented ||
      event.button !== 0 ||
      event.metaKey ||
      event.ctrlKey ||
      event.shiftKey ||
      event.altKey
    ) {
      return;
    }
    event.preventDefault();
    navigate(to);
  };
  return (
    <a {...rest} href={href(to)} onClick={follow}>
      {children}
    </a>
  );
}

/** Builds `path?query` from a path and filter values, leaving out empty ones. */
export function withQuery(path: string, query: Record<string, string | number | boolean | null | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') {
      params.set(key, String(value));
    }
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}
