import { useEffect, useState } from 'preact/hooks';
import { Agents } from '../agents/agents';
import { Inbox } from '../approvals/inbox';
import { Evidence, Soc2 } from '../reports/soc2';
import { SessionReplay } from '../sessions/replay';
import { SessionSearch } from '../sessions/search';
import { currentUser, finishSignIn, signOut, startSignIn, type SignInSettings, type User } from '../session';

interface Page {
  path: string;
  title: string;
  /** Who sees it in the menu (the APIs decide what they answer, whatever the menu shows). */
  for: 'approvers' | 'compliance';
}

const PAGES: Page[] = [
  { path: '/approvals', title: 'Approvals', for: 'approvers' },
  { path: '/sessions', title: 'Sessions', for: 'compliance' },
  { path: '/agents', title: 'Agents', for: 'compliance' },
  { path: '/reports', title: 'Reports', for: 'compliance' },
  { path: '/evidence', title: 'Evidence', for: 'compliance' },
];

function SignIn({ settings, error }: { settings: SignInSettings | undefined; error: string | undefined }) {
  return (
    <main class="signin" id="main">
      <h1>Chaperone console</h1>
      <p>Approve what AI agents ask to do in your clusters, and read what they did.</p>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      <button class="primary" disabled={!settings?.authorizeUrl} onClick={() => settings && void startSignIn(settings, location.pathname)}>
        Sign in
      </button>
      {settings && !settings.authorizeUrl && <p class="muted">Sign-in is not configured on this console (CHAPERONE_CONSOLE_OIDC_AUTHORIZE_URL).</p>}
    </main>
  );
}

export function App() {
  const [settings, setSettings] = useState<SignInSettings | undefined>();
  const [user, setUser] = useState<User | undefined>(currentUser);
  const [error, setError] = useState<string | undefined>();
  const [path, setPath] = useState(location.pathname);

  const go = (to: string): void => {
    history.pushState(null, '', to);
    setPath(to);
    window.scrollTo(0, 0);
    // Keyboard and screen-reader users continue from the new page's content, not the old link.
    requestAnimationFrame(() => document.getElementById('main')?.focus({ preventScroll: true }));
  };

  useEffect(() => {
    const onPop = (): void => setPath(location.pathname);
    addEventListener('popstate', onPop);
    fetch('/console/sign-in.json')
      .then((r) => r.json() as Promise<SignInSettings>)
      .then(async (s) => {
        setSettings(s);
        const back = await finishSignIn(s);
        if (back) {
          setUser(currentUser());
          go(back);
        }
      })
      .catch((e: Error) => setError(e.message));
    return () => removeEventListener('popstate', onPop);
  }, []);

  if (!user) return <SignIn settings={settings} error={error} />;

  const groupsOf = (kind: Page['for']): string[] => (kind === 'approvers' ? (settings?.approverGroups ?? ['approvers']) : (settings?.complianceGroups ?? ['compliance']));
  const allowed = PAGES.filter((p) => user.groups.some((g) => groupsOf(p.for).includes(g)));
  const page = allowed.find((p) => path === p.path || path.startsWith(`${p.path}/`)) ?? allowed[0];
  let content;
  if (!page) content = <p class="empty">Your groups ({user.groups.join(', ') || 'none'}) may not use any page of this console. Ask for the approvers or compliance group.</p>;
  else if (page.path === '/approvals') content = <Inbox token={user.token} />;
  else if (page.path === '/sessions') {
    const id = path.startsWith('/sessions/') ? decodeURIComponent(path.slice('/sessions/'.length)) : undefined;
    content = id ? <SessionReplay token={user.token} id={id} go={go} /> : <SessionSearch token={user.token} go={go} />;
  } else if (page.path === '/agents') content = <Agents token={user.token} go={go} />;
  else if (page.path === '/reports') content = <Soc2 token={user.token} />;
  else content = <Evidence token={user.token} />;

  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Chaperone</span>
        <nav aria-label="Pages">
          {allowed.map((p) => (
            <a
              key={p.path}
              href={p.path}
              aria-current={page === p ? 'page' : undefined}
              onClick={(e) => {
                e.preventDefault();
                go(p.path);
              }}
            >
              {p.title}
            </a>
          ))}
        </nav>
        <span class="user">
          <span data-testid="user">{user.name}</span>
          <button
            class="link"
            onClick={() => {
              signOut();
              setUser(undefined);
            }}
          >
            Sign out
          </button>
        </span>
      </header>
      <main id="main" tabIndex={-1}>
        {content}
      </main>
    </>
  );
}
