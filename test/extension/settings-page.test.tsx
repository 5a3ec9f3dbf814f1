// @vitest-environment happy-dom
import './english';
import 'fake-indexeddb/auto';
import { cleanup, fireEvent, render, screen, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Settings, type SettingsIntents } from '../../components/Settings';
import type { UiSnapshot } from '../../extension/bridge';
import { UserError } from '../../extension/errors';
import { defaultSettings } from '../../extension/settings';
import { settingsIntents } from '../../extension/settings-intents';
import type { AccountView } from '../../extension/state';
import type { AccountStatus } from '../../protocol';
import { boot } from './background-harness';
import { LOCALES, readCatalogue, useCatalogue } from './catalogue';
import { account, flush } from './fakes';

afterEach(cleanup);

const NOW = Date.UTC(2026, 0, 15, 12, 0);

function intents(overrides: Partial<SettingsIntents> = {}) {
  return {
    pair: vi.fn(async () => undefined),
    unpair: vi.fn(async () => undefined),
    addAccount: vi.fn(async () => account()),
    removeAccount: vi.fn(async () => undefined),
    retryLogin: vi.fn(async () => undefined),
    loginLog: vi.fn(async () => []),
    setPassword: vi.fn(async () => undefined),
    setPreviewCount: vi.fn(async () => undefined),
    setWebmailUrl: vi.fn(async () => undefined),
    listFolders: vi.fn(async () => ({ folders: [{ path: 'INBOX' }, { path: 'Archive' }], archive: 'Archive' })),
    setFolders: vi.fn(async () => undefined),
    saveSettings: vi.fn(async () => undefined),
    ...overrides,
  } satisfies SettingsIntents;
}

function snap(accounts: AccountStatus[] = [], overrides: Partial<UiSnapshot> = {}): UiSnapshot {
  const views: AccountView[] = accounts.map((status) => ({ status, previews: [] }));
  return { state: { connection: { phase: 'connected' }, helperVersion: '0.3.0', accounts: views }, settings: defaultSettings, paired: true, notificationsSupported: true, ...overrides };
}

const input = (name: RegExp | string) => screen.getByLabelText(name) as HTMLInputElement;
const type = (name: RegExp | string, value: string) => fireEvent.input(input(name), { target: { value } });

describe('settings: adding an account', () => {
  it('checks the app-specific password shape before sending anything', async () => {
    const on = intents();
    render(<Settings snapshot={snap()} now={NOW} on={on} />);
    type('iCloud email address', 'me@icloud.com');
    type('App-specific password', 'MyAppleIdPassword1');
    fireEvent.click(screen.getByRole('button', { name: 'Test and save' }));
    await flush();
    expect(on.addAccount).not.toHaveBeenCalled();
    expect(screen.getByRole('alert').textContent).toMatch(/does not look like an app-specific password/);
  });

  it('sends the iCloud preset with the normalised password, then clears the field', async () => {
    const on = intents();
    render(<Settings snapshot={snap()} now={NOW} on={on} />);
    type('iCloud email address', ' me@icloud.com ');
    type('App-specific password', 'abcdefghijklmnop');
    fireEvent.click(screen.getByRole('button', { name: 'Test and save' }));
    expect(input('App-specific password').value).toBe('');
    await flush();
    expect(on.addAccount).toHaveBeenCalledWith({
      kind: 'icloud',
      host: 'imap.mail.me.com',
      port: 993,
      tls: true,
      username: 'me@icloud.com',
      password: 'abcd-efgh-ijkl-mnop',
    });
    expect(screen.getByText(/Signed in and saved “iCloud”/).getAttribute('role')).toBe('status');
  });

  it("clears the password even when the helper refuses it, and shows the helper's words", async () => {
    const on = intents({ addAccount: vi.fn(async () => Promise.reject(new UserError('iCloud rejected the password. Check it is an app-specific password.'))) });
    render(<Settings snapshot={snap()} now={NOW} on={on} />);
    type('iCloud email address', 'me@icloud.com');
    type('App-specific password', 'abcd-efgh-ijkl-mnop');
    fireEvent.click(screen.getByRole('button', { name: 'Test and save' }));
    await flush();
    expect(input('App-specific password').value).toBe('');
    expect(screen.getByRole('alert').textContent).toBe('iCloud rejected the password. Check it is an app-specific password.');
  });

  it('explains app-specific passwords with links to Apple', () => {
    render(<Settings snapshot={snap()} now={NOW} on={intents()} />);
    const hrefs = [...document.querySelectorAll('a')].map((a) => a.getAttribute('href'));
    expect(hrefs).toContain('https://account.apple.com');
    expect(hrefs).toContain('https://support.apple.com/en-us/102654');
    expect(document.body.textContent).toContain('Sign-In and Security → App-Specific Passwords');
  });

  it('takes any IMAP server with host, port and TLS, without the iCloud shape check', async () => {
    const on = intents();
    render(<Settings snapshot={snap()} now={NOW} on={on} />);
    fireEvent.click(screen.getByLabelText('Other IMAP server'));
    type('IMAP server', 'imap.example.com');
    type('Port', '1993');
    fireEvent.click(screen.getByLabelText('TLS (encrypted connection)'));
    type('User name', 'me');
    type('Password', 'hunter2');
    type(/Name shown in the popup/, 'Work');
    fireEvent.click(screen.getByRole('button', { name: 'Test and save' }));
    await flush();
    expect(on.addAccount).toHaveBeenCalledWith({ kind: 'imap', label: 'Work', host: 'imap.example.com', port: 1993, tls: false, username: 'me', password: 'hunter2' });
  });

  it('offers "allow unencrypted", with its warning, only without TLS, and sends it only when ticked', async () => {
    const on = intents();
    render(<Settings snapshot={snap()} now={NOW} on={on} />);
    fireEvent.click(screen.getByLabelText('Other IMAP server'));
    expect(screen.queryByLabelText(/Allow an unencrypted connection/)).toBeNull();
    fireEvent.click(screen.getByLabelText('TLS (encrypted connection)'));
    const allow = screen.getByLabelText(/Allow an unencrypted connection/);
    expect(allow.closest('label')?.textContent).toContain('anyone on the network path can then read your password');
    type('IMAP server', 'mail.example.org');
    type('Port', '143');
    type('User name', 'me');
    type('Password', 'hunter2');
    fireEvent.click(allow);
    fireEvent.click(screen.getByRole('button', { name: 'Test and save' }));
    await flush();
    expect(on.addAccount).toHaveBeenCalledWith({ kind: 'imap', host: 'mail.example.org', port: 143, tls: false, allowUnencrypted: true, username: 'me', password: 'hunter2' });
  });

  it('never lets the password reach storage on the way through the real background', async () => {
    const b = await boot({ token: 'tok' });
    await b.helperAccepts();
    const ui = b.openUi();
    await flush();
    render(<Settings snapshot={ui.snapshots.at(-1)} now={NOW} on={settingsIntents(ui.link, () => undefined)} />);
    type('iCloud email address', 'me@icloud.com');
    type('App-specific password', 'wxyz-wxyz-wxyz-wxyz');
    fireEvent.click(screen.getByRole('button', { name: 'Test and save' }));
    await flush();
    expect(b.sockets.current.last('add-account')).toMatchObject({ account: { password: 'wxyz-wxyz-wxyz-wxyz' } });
    b.sockets.current.reply('add-account', { account: account() });
    await flush();
    expect(input('App-specific password').value).toBe('');
    expect(b.storage.dump()).not.toContain('wxyz');
    expect([...b.storage.data.keys()].sort()).toEqual(['token']);
  });
});

describe('settings: pairing and connection', () => {
  it('before pairing: pairs with address and code; once paired: says where, offers unpair, no pairing form', async () => {
    const on = intents();
    const { rerender } = render(<Settings snapshot={snap([], { paired: false, state: { connection: { phase: 'not-paired' }, accounts: [] } })} now={NOW} on={on} />);
    expect(screen.getAllByRole('status')[0].textContent).toBe('The helper is running at 127.0.0.1:47913. Pair this browser with the code it printed.');
    type('Helper address', 'localhost:47913');
    type('Pairing code', '123456');
    fireEvent.click(screen.getByRole('button', { name: 'Pair' }));
    await flush();
    expect(on.pair).toHaveBeenCalledWith('localhost:47913', '123456');
    expect(input('Pairing code').value).toBe('');

    rerender(<Settings snapshot={snap([account()])} now={NOW} on={on} />);
    expect(screen.getAllByRole('status')[0].textContent).toBe('Paired with the helper at 127.0.0.1:47913 (helper 0.3.0).');
    expect(screen.queryByLabelText('Pairing code')).toBeNull();
    expect(document.body.textContent).not.toContain('as soon as the helper has accounts');
    expect(document.body.textContent).toContain('To pair another browser, run npm run helper pair');
    fireEvent.click(screen.getByRole('button', { name: 'Change address' }));
    type('Helper address', 'ws://localhost:47913');
    fireEvent.click(screen.getByRole('button', { name: 'Save address' }));
    await flush();
    expect(on.saveSettings).toHaveBeenCalledWith({ helperAddress: 'ws://localhost:47913' });
    fireEvent.click(screen.getByRole('button', { name: 'Unpair' }));
    await flush();
    expect(on.unpair).toHaveBeenCalled();
    expect(screen.getByText(/the token and the cached previews are gone/)).toBeTruthy();
  });

  it('a paired browser whose helper is down is told to start it, not to pair again', () => {
    render(<Settings snapshot={snap([], { state: { connection: { phase: 'helper-down' }, accounts: [] } })} now={NOW} on={intents()} />);
    expect(screen.getAllByRole('status')[0].textContent).toBe('Paired with the helper at 127.0.0.1:47913, which is not running. Start it with “npm start” (or “npm run helper start”).');
    expect(screen.queryByLabelText('Pairing code')).toBeNull();
  });

  it('says how to start a helper that is not running, and shows a refused code in plain words', async () => {
    const on = intents({ pair: vi.fn(async () => Promise.reject(new UserError('Wrong pairing code.'))) });
    render(<Settings snapshot={snap([], { paired: false, state: { connection: { phase: 'helper-down' }, accounts: [] } })} now={NOW} on={on} />);
    expect(document.body.textContent).toContain('The helper is not running at 127.0.0.1:47913. Start it with “npm start”');
    type('Pairing code', '999999');
    fireEvent.click(screen.getByRole('button', { name: 'Pair' }));
    await flush();
    expect(screen.getByRole('alert').textContent).toBe('Wrong pairing code.');
    expect(screen.queryByRole('button', { name: 'Test and save' })).toBeNull();
  });
});

describe('settings: accounts', () => {
  const failed = account({ state: 'auth-failed', stateReason: 'iCloud rejected the password at 11:58.', unreadCount: 2 });

  it('shows state and reason, retries a rejected login, and shows the login log as a table', async () => {
    const on = intents({
      loginLog: vi.fn(async () => [
        { at: NOW - 60_000, outcome: 'auth-rejected' as const, reason: 'AUTHENTICATIONFAILED', trigger: 'start' },
        { at: NOW - 3600_000, outcome: 'success' as const, reason: 'Signed in', trigger: 'add' },
      ]),
    });
    render(<Settings snapshot={snap([failed])} now={NOW} on={on} />);
    const card = screen.getByRole('region', { name: 'Account iCloud' });
    // Neutral words (a login cut short lands here too); the helper's reason says which it was.
    expect(card.textContent).toContain('Sign-in stopped — your action is needed');
    expect(card.textContent).not.toContain('Password rejected');
    expect(card.textContent).toContain('iCloud rejected the password at 11:58.');
    fireEvent.click(within(card).getByRole('button', { name: 'Retry login' }));
    expect(on.retryLogin).toHaveBeenCalledWith('icloud');
    fireEvent.click(within(card).getByRole('button', { name: 'Show login log' }));
    await flush();
    const table = within(card).getByRole('table');
    const rows = within(table).getAllByRole('row').map((r) => [...r.querySelectorAll('th, td')].map((c) => c.textContent));
    expect(rows[0]).toEqual(['Time', 'Outcome', 'Reason']);
    expect(rows.slice(1).map((r) => r.slice(1))).toEqual([
      ['Password rejected', 'AUTHENTICATIONFAILED'],
      ['Signed in', 'Signed in'],
    ]);
  });

  it('takes a new password for a rejected account and clears it after sending', async () => {
    const on = intents();
    render(<Settings snapshot={snap([failed])} now={NOW} on={on} />);
    type('New app-specific password', 'not right');
    fireEvent.click(screen.getByRole('button', { name: 'Save password and sign in' }));
    expect(on.setPassword).not.toHaveBeenCalled();
    type('New app-specific password', 'abcd efgh ijkl mnop');
    fireEvent.click(screen.getByRole('button', { name: 'Save password and sign in' }));
    await flush();
    expect(on.setPassword).toHaveBeenCalledWith('icloud', 'abcd-efgh-ijkl-mnop');
    expect(input('New app-specific password').value).toBe('');
  });

  it('removes only after confirming, and saves the previews kept and a webmail link', async () => {
    const on = intents();
    render(<Settings snapshot={snap([account({ id: 'work', label: 'Work', kind: 'imap' })])} now={NOW} on={on} />);
    fireEvent.click(screen.getByRole('button', { name: 'Remove Work' }));
    expect(on.removeAccount).not.toHaveBeenCalled();
    fireEvent.click(screen.getByRole('button', { name: 'Yes, remove Work' }));
    expect(on.removeAccount).toHaveBeenCalledWith('work');
    type(/Previews kept/, '40');
    fireEvent.click(screen.getByRole('button', { name: 'Save previews kept for Work' }));
    expect(on.setPreviewCount).toHaveBeenCalledWith('work', 40);
    type(/Webmail link/, 'https://mail.example.com');
    fireEvent.click(screen.getByRole('button', { name: 'Save webmail link for Work' }));
    expect(on.setWebmailUrl).toHaveBeenCalledWith('work', 'https://mail.example.com');
  });
});

describe('settings: preferences', () => {
  it('saves notifications, quiet hours and mark-read-on-open', async () => {
    const on = intents();
    render(<Settings snapshot={snap()} now={NOW} on={on} />);
    fireEvent.click(screen.getByLabelText(/Notify me of new mail/));
    expect(on.saveSettings).toHaveBeenLastCalledWith({ notifications: false });
    fireEvent.click(screen.getByLabelText(/Use quiet hours/));
    expect(on.saveSettings).toHaveBeenLastCalledWith({ quietHours: { enabled: true, start: '22:00', end: '07:00' } });
    fireEvent.change(screen.getByLabelText('From'), { target: { value: '21:30' } });
    expect(on.saveSettings).toHaveBeenLastCalledWith({ quietHours: { enabled: false, start: '21:30', end: '07:00' } });
    fireEvent.click(screen.getByLabelText(/Mark a message read when I/));
    expect(on.saveSettings).toHaveBeenLastCalledWith({ markReadOnOpen: false });
  });

  it('says that Safari has no notifications and disables the switch', () => {
    render(<Settings snapshot={snap([], { notificationsSupported: false })} now={NOW} on={intents()} />);
    expect((screen.getByLabelText(/Notify me of new mail/) as HTMLInputElement).disabled).toBe(true);
    expect(screen.getByRole('note').textContent).toMatch(/Safari\) has no notifications for extensions/);
  });

  it('gives every control an accessible name', () => {
    const { container } = render(<Settings snapshot={snap([account({ state: 'auth-failed' })])} now={NOW} on={intents()} />);
    for (const el of container.querySelectorAll('button, input, a')) {
      const labelled = el.closest('label')?.textContent?.trim() || el.getAttribute('aria-label') || el.textContent?.trim();
      expect(labelled, el.outerHTML).toBeTruthy();
    }
  });
});

describe('settings: archive and delete folders', () => {
  it("lists the server's folders through the real background, and saves a new archive folder and permanent delete", async () => {
    const b = await boot({ token: 'tok' });
    await b.helperAccepts({ type: 'snapshot', account: account({ kind: 'imap', id: 'work', label: 'Work' }), previews: [] });
    const ui = b.openUi();
    await flush();
    render(<Settings snapshot={ui.snapshots.at(-1)} now={NOW} on={settingsIntents(ui.link, () => undefined)} />);
    fireEvent.click(screen.getByRole('button', { name: 'Archive and delete folders for Work' }));
    await flush();
    expect(b.sockets.current.last('list-folders')).toMatchObject({ accountId: 'work' });
    b.sockets.current.reply('list-folders', { folders: [{ path: 'INBOX' }, { path: 'Old' }] });
    await flush();
    expect(input('Archive moves mail to').value).toBe('Archive');
    expect(document.body.textContent).toContain('“Archive” is not on the server yet: it is created when you save.');
    type('Archive moves mail to', 'Kept');
    fireEvent.click(screen.getByLabelText('Delete permanently (cannot be undone)'));
    expect(screen.queryByLabelText('Trash folder')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Save folders' }));
    await flush();
    expect(b.sockets.current.last('update-account')).toMatchObject({ accountId: 'work', changes: { archiveFolder: 'Kept', deleteMode: 'expunge' } });
    b.sockets.current.reply('update-account', { account: account({ kind: 'imap', id: 'work', label: 'Work', archiveFolder: 'Kept', deleteMode: 'expunge' }) });
    await flush();
    expect(screen.getByText('Saved: archive and delete use these now.')).toBeTruthy();
  });
});

describe('settings in every language', () => {
  afterEach(() => useCatalogue('en'));
  // What t() shows for a name the catalogue lacks: the name itself (e.g. "helperConnection").
  const names = new Set(Object.keys(readCatalogue('en')).flatMap((name) => [name, name.replace(/_[a-z]+$/, '')]).filter((n) => /[A-Z]/.test(n)));
  const missing = (text: string) => text.split(/[^A-Za-z]+/).filter((word) => names.has(word));

  it.each(LOCALES)('%s: every word comes from the catalogue', async (locale) => {
    useCatalogue(locale, locale === 'he' ? 'rtl' : 'ltr');
    const failed = account({ id: 'old', label: 'Old', state: 'auth-failed', stateReason: 'x', kind: 'imap', until: NOW + 7200_000 });
    const snapshots = [
      snap([account(), failed]),
      snap([], { paired: false, state: { connection: { phase: 'helper-down' }, accounts: [] } }),
      snap([], { paired: true, notificationsSupported: false, state: { connection: { phase: 'connecting' }, accounts: [] } }),
    ];
    for (const snapshot of snapshots) {
      const { container } = render(<Settings snapshot={snapshot} now={NOW} on={intents()} />);
      for (const button of screen.queryAllByRole('button', { name: /archiv|アーカイブ|ארכיון/i })) fireEvent.click(button);
      await flush();
      if (snapshot.state.connection.phase === 'connected') expect(container.querySelectorAll('datalist').length).toBe(2); // the folder forms are open
      const spoken = [...container.querySelectorAll('[aria-label], [title], [placeholder]')].flatMap((el) => ['aria-label', 'title', 'placeholder'].map((a) => el.getAttribute(a) ?? ''));
      expect(missing(`${container.innerHTML} ${spoken.join(' ')}`)).toEqual([]);
      cleanup();
    }
  });
});
