// The console's pages and their addresses under /console/. Pure: the server answers every path
// under /console with the page (SPA fallback), and this decides what the path shows.

export const CONSOLE_BASE = '/console';

export type Route =
  | { page: 'sessions' }
  | { page: 'session'; id: string }
  | { page: 'needs-you' }
  | { page: 'costs' }
  | { page: 'inventory' }
  | { page: 'not-found'; path: string };

export function routeOf(pathname: string): Route {
  const path = pathname.startsWith(CONSOLE_BASE) ? pathname.slice(CONSOLE_BASE.length) : pathname;
  const segments = path.split('/').filter((segment) => segment !== '');
  const [first, second] = segments;
  if (segments.length === 0 || (segments.length === 1 && first === 'sessions')) return { page: 'sessions' };
  if (segments.length === 2 && first === 'sessions') return { page: 'session', id: safeDecode(second!) };
  if (segments.length === 1 && (first === 'needs-you' || first === 'costs' || first === 'inventory')) return { page: first };
  return { page: 'not-found', path: pathname };
}

export function hrefOf(route: Exclude<Route, { page: 'not-found' }>): string {
  switch (route.page) {
    case 'sessions':
      return `${CONSOLE_BASE}/`;
    case 'session':
      return `${CONSOLE_BASE}/sessions/${encodeURIComponent(route.id)}`;
    default:
      return `${CONSOLE_BASE}/${route.page}`;
  }
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
