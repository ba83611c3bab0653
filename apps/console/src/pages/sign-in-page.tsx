// Sign-in with an API key: checked with the server (whoami) before it is kept, and kept in this
// tab's session storage only. An operator key sees everything; a consumer key, its own.
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { consoleClient } from '../api';
import { keyStorage } from '../key-storage';
import { problemOf, type Problem } from '../problems';
import type { Identity } from '../signed-in';
import { ProblemNotice } from '../components/problem-notice';

export interface SignInPageProps {
  /** Why the console is back here (a key the server stopped accepting). */
  notice: string | null;
  onSignedIn(apiKey: string, identity: Identity): void;
  /** Offered when a key is still stored but could not be checked (the server did not answer). */
  onRetryStoredKey?: () => void;
}

export function SignInPage({ notice, onSignedIn, onRetryStoredKey }: SignInPageProps) {
  const [apiKey, setApiKey] = useState('');
  const [pending, setPending] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const hintId = useId();

  useEffect(() => {
    document.title = 'Sign in · GPU Shopper console';
    heading.current?.focus();
  }, []);

  const signIn = async (event: FormEvent) => {
    event.preventDefault();
    const key = apiKey.trim();
    if (key === '') return;
    setPending(true);
    setProblem(null);
    try {
      const identity = await consoleClient(key).admin.whoami.query({});
      keyStorage.write(key);
      onSignedIn(key, identity);
    } catch (error) {
      setProblem(problemOf(error));
      setPending(false);
    }
  };

  return (
    <main className="sign-in" id="main">
      <h1 ref={heading} tabIndex={-1}>
        GPU Shopper console
      </h1>
      {notice !== null && (
        <div className="notice notice-warning" role="status">
          <p>{notice}</p>
          {onRetryStoredKey !== undefined && (
            <button type="button" className="button" onClick={onRetryStoredKey}>
              Try the saved key again
            </button>
          )}
        </div>
      )}
      <form onSubmit={(event) => void signIn(event)} className="panel" aria-label="Sign in">
        <label htmlFor="api-key">API key</label>
        <input
          id="api-key"
          name="api-key"
          type="password"
          autoComplete="off"
          spellCheck={false}
          required
          value={apiKey}
          onChange={(event) => setApiKey(event.target.value)}
          aria-describedby={hintId}
          aria-invalid={problem?.kind === 'key-rejected' ? true : undefined}
        />
        <p id={hintId} className="hint">
          An operator key (printed at the server&apos;s first start, in <code>data/admin-key</code>) sees everything; a consumer key sees its own sessions and costs. The key stays
          in this tab only and is forgotten when the tab closes.
        </p>
        {problem !== null && <ProblemNotice problem={problem} />}
        <button type="submit" className="button button-primary" disabled={pending}>
          {pending ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
