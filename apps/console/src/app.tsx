// The console: signed out, the sign-in page; signed in, the shell with the SDK client for the key.
// A key kept in this tab's session storage signs in again on reload (after the server confirms it).
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { QueryClientProvider } from '@tanstack/react-query';
import { consoleClient, shopperQueries } from './api';
import { keyStorage } from './key-storage';
import { problemOf } from './problems';
import { createConsoleQueryClient } from './query-client';
import { connection } from './connection';
import { SignedInContext, type Identity, type SignedIn } from './signed-in';
import { Shell } from './shell';
import { SignInPage } from './pages/sign-in-page';

type Auth = { state: 'checking' } | { state: 'signed-out'; notice: string | null } | { state: 'signed-in'; apiKey: string; identity: Identity; throughForm: boolean };

const KEY_NO_LONGER_ACCEPTED = 'The server no longer accepts this key (revoked, expired or rotated). Sign in again.';

export function App() {
  const [auth, setAuth] = useState<Auth>(() => (keyStorage.read() === null ? { state: 'signed-out', notice: null } : { state: 'checking' }));
  const signOutRef = useRef<(notice?: string) => void>(() => {});
  const queryClient = useMemo(() => createConsoleQueryClient(() => signOutRef.current(KEY_NO_LONGER_ACCEPTED)), []);

  const signOut = useCallback(
    (notice?: string) => {
      keyStorage.clear();
      queryClient.clear();
      connection.report(null);
      setAuth({ state: 'signed-out', notice: notice ?? null });
    },
    [queryClient],
  );
  signOutRef.current = signOut;

  // A stored key: confirm it with the server before showing anything it would unlock.
  useEffect(() => {
    if (auth.state !== 'checking') return;
    const apiKey = keyStorage.read();
    if (apiKey === null) return setAuth({ state: 'signed-out', notice: null });
    let cancelled = false;
    consoleClient(apiKey)
      .admin.whoami.query({})
      .then(
        (identity) => !cancelled && setAuth({ state: 'signed-in', apiKey, identity, throughForm: false }),
        (error: unknown) => {
          if (cancelled) return;
          const problem = problemOf(error);
          if (problem.kind === 'key-rejected') keyStorage.clear();
          setAuth({ state: 'signed-out', notice: problem.kind === 'key-rejected' ? KEY_NO_LONGER_ACCEPTED : `${problem.title}: ${problem.detail}` });
        },
      );
    return () => {
      cancelled = true;
    };
  }, [auth.state]);

  const signedIn = useMemo<SignedIn | null>(() => {
    if (auth.state !== 'signed-in') return null;
    const client = consoleClient(auth.apiKey);
    return { identity: auth.identity, isOperator: auth.identity.role === 'admin', client, queries: shopperQueries(client), signOut };
  }, [auth, signOut]);

  if (auth.state === 'checking') {
    return (
      <main id="main" className="sign-in">
        <p role="status">Signing in…</p>
      </main>
    );
  }
  if (signedIn === null) {
    return (
      <SignInPage
        notice={auth.state === 'signed-out' ? auth.notice : null}
        onSignedIn={(apiKey, identity) => setAuth({ state: 'signed-in', apiKey, identity, throughForm: true })}
        onRetryStoredKey={keyStorage.read() === null ? undefined : () => setAuth({ state: 'checking' })}
      />
    );
  }
  return (
    <QueryClientProvider client={queryClient}>
      <SignedInContext.Provider value={signedIn}>
        <Shell focusHeadingFirst={auth.state === 'signed-in' && auth.throughForm} />
      </SignedInContext.Provider>
    </QueryClientProvider>
  );
}
