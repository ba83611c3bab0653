// The frame around every signed-in page: the navigation (with what needs an operator), who is
// signed in, the connection banner, and the page for the address.
import { useEffect, useRef } from 'react';
import { useQuery } from '@tanstack/react-query';
import { REFRESH_MS } from './api';
import { needsYouCount, PENDING_OVERRIDES, RECENT_DELIVERIES } from './attention';
import { useConnectionProblem } from './connection';
import { Link, useRoute } from './navigation';
import { hrefOf, type Route } from './routes';
import { useSignedIn } from './signed-in';
import { CostsPage } from './pages/costs-page';
import { InventoryPage } from './pages/inventory-page';
import { NeedsYouPage } from './pages/needs-you-page';
import { SessionPage } from './pages/session-page';
import { SessionsPage } from './pages/sessions-page';

const NAV: { page: 'sessions' | 'needs-you' | 'costs' | 'inventory'; label: string }[] = [
  { page: 'sessions', label: 'Sessions' },
  { page: 'needs-you', label: 'Needs you' },
  { page: 'costs', label: 'Costs' },
  { page: 'inventory', label: 'Inventory' },
];

function titleOf(route: Route): string {
  switch (route.page) {
    case 'sessions':
      return 'Sessions';
    case 'session':
      return `Session ${route.id}`;
    case 'needs-you':
      return 'Needs you';
    case 'costs':
      return 'Costs';
    case 'inventory':
      return 'Inventory';
    case 'not-found':
      return 'Page not found';
  }
}

/** `focusHeadingFirst`: after signing in, focus goes to the first page's heading (the sign-in form is gone). */
export function Shell({ focusHeadingFirst }: { focusHeadingFirst: boolean }) {
  const route = useRoute();
  const { identity, signOut } = useSignedIn();
  const heading = useRef<HTMLHeadingElement>(null);
  const title = titleOf(route);

  // A new page: its title in the tab, and focus on its heading (where a screen reader starts reading).
  // A page loaded afresh keeps the browser's start at the top, where the skip link is.
  const focusedFor = useRef<string | null>(focusHeadingFirst ? null : title);
  useEffect(() => {
    document.title = `${title} · GPU Shopper console`;
    if (focusedFor.current !== title) heading.current?.focus();
    focusedFor.current = title;
  }, [title]);

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="top-bar">
        <Link href={hrefOf({ page: 'sessions' })} className="brand">
          GPU Shopper
        </Link>
        <nav aria-label="Console">
          <ul className="nav-list">
            {NAV.map((item) => (
              <li key={item.page}>
                <Link href={hrefOf({ page: item.page })} aria-current={route.page === item.page || (item.page === 'sessions' && route.page === 'session') ? 'page' : undefined}>
                  {item.label}
                  {item.page === 'needs-you' && <NeedsYouBadge />}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="who">
          <span>{identity.role === 'admin' ? 'Operator' : `Consumer ${identity.consumerName ?? ''}`}</span>
          <button type="button" className="button button-quiet" onClick={() => signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <ConnectionBanner />
      <main id="main" className="content">
        <h1 ref={heading} tabIndex={-1}>
          {title}
        </h1>
        <Page route={route} />
      </main>
    </>
  );
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'sessions':
      return <SessionsPage />;
    case 'session':
      return <SessionPage id={route.id} />;
    case 'needs-you':
      return <NeedsYouPage />;
    case 'costs':
      return <CostsPage />;
    case 'inventory':
      return <InventoryPage />;
    case 'not-found':
      return (
        <p className="empty">
          Nothing at {route.path}. <Link href={hrefOf({ page: 'sessions' })}>Back to sessions</Link>
        </p>
      );
  }
}

function NeedsYouBadge() {
  const { queries, isOperator } = useSignedIn();
  const overrides = useQuery({ ...queries.overrides(PENDING_OVERRIDES), enabled: isOperator, refetchInterval: REFRESH_MS.live });
  const deliveries = useQuery({ ...queries.deliveries(RECENT_DELIVERIES), refetchInterval: REFRESH_MS.live });
  const count = needsYouCount(overrides.data?.overrides.length, deliveries.data?.deliveries);
  if (count === 0) return null;
  return (
    <span className="nav-badge" aria-label={`, ${count} waiting`}>
      {count}
    </span>
  );
}

function ConnectionBanner() {
  const problem = useConnectionProblem();
  if (problem === null) return null;
  return (
    <div className={`banner banner-${problem.kind}`} role="alert">
      <strong>{problem.title}.</strong> {problem.detail}
    </div>
  );
}
