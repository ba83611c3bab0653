import { describe, expect, it } from 'vitest';
import { hrefOf, routeOf } from './routes';

describe('console routes', () => {
  it('reads each page from its path under /console', () => {
    expect(routeOf('/console')).toEqual({ page: 'sessions' });
    expect(routeOf('/console/')).toEqual({ page: 'sessions' });
    expect(routeOf('/console/sessions')).toEqual({ page: 'sessions' });
    expect(routeOf('/console/sessions/ses_a%2Fb')).toEqual({ page: 'session', id: 'ses_a/b' });
    expect(routeOf('/console/needs-you/')).toEqual({ page: 'needs-you' });
    expect(routeOf('/console/costs')).toEqual({ page: 'costs' });
    expect(routeOf('/console/inventory')).toEqual({ page: 'inventory' });
    expect(routeOf('/console/nope')).toEqual({ page: 'not-found', path: '/console/nope' });
    expect(routeOf('/console/sessions/a/b')).toEqual({ page: 'not-found', path: '/console/sessions/a/b' });
  });

  it('writes paths that read back as the same page', () => {
    for (const route of [{ page: 'sessions' }, { page: 'session', id: 'ses_x/y z' }, { page: 'needs-you' }, { page: 'costs' }, { page: 'inventory' }] as const) {
      expect(routeOf(hrefOf(route))).toEqual(route);
    }
  });
});
