// @vitest-environment happy-dom
import './english';
import { cleanup, fireEvent, render, screen, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Popup } from '../../components/Popup';
import type { PopupAccount, PopupIntents, PopupView, ReaderState } from '../../extension/popup-model';
import type { Body } from '../../protocol';
import { preview } from './fakes';
import { keyOf } from '../../protocol';
import { LOCALES, readCatalogue, useCatalogue } from './catalogue';

afterEach(cleanup);

const NOW = Date.UTC(2026, 0, 15, 12, 0);

function intents(): PopupIntents & Record<string, ReturnType<typeof vi.fn>> {
  return {
    open: vi.fn(),
    back: vi.fn(),
    setSeen: vi.fn(),
    archive: vi.fn(),
    remove: vi.fn(),
    markAllRead: vi.fn(),
    retryLogin: vi.fn(),
    openWebmail: vi.fn(),
    openSettings: vi.fn(),
    retry: vi.fn(),
    dismissNotice: vi.fn(),
  };
}

function acct(overrides: Partial<PopupAccount> = {}): PopupAccount {
  return { id: 'icloud', label: 'iCloud', kind: 'icloud', state: 'idle', unreadCount: 0, webmailUrl: 'https://www.icloud.com/mail/', previews: [], ...overrides };
}

const twoAccounts: PopupView = {
  status: { kind: 'ok' },
  accounts: [
    acct({ unreadCount: 2, previews: [preview(9, { date: NOW - 5 * 60_000 }), preview(3, { date: NOW - 3 * 3600_000 })] }),
    acct({ id: 'work', label: 'Work', kind: 'imap', webmailUrl: undefined, unreadCount: 1, previews: [preview(5, { subject: '' })] }),
  ],
};

function show(view: PopupView, on = intents()) {
  const utils = render(<Popup view={view} now={NOW} on={on} />);
  return { ...utils, on, root: utils.container.querySelector('.popup') as HTMLElement };
}

/** Every button and link has a name a screen reader can read. */
function expectNamedControls(container: Element) {
  for (const el of container.querySelectorAll('button, a, input')) {
    const name = el.getAttribute('aria-label') ?? el.textContent?.trim() ?? '';
    expect(name, el.outerHTML).not.toBe('');
  }
}

describe('popup list', () => {
  it('groups by account, newest first, with sender, subject, relative date and snippet', () => {
    const { container } = show(twoAccounts);
    const groups = screen.getAllByRole('region');
    expect(groups.map((g) => g.getAttribute('aria-label'))).toEqual(['iCloud: 2 unread', 'Work: 1 unread']);
    const rows = within(groups[0]).getAllByRole('button', { name: /Sender/ });
    expect(rows.map((r) => r.getAttribute('aria-label'))).toEqual(['Sender 9: Subject 9', 'Sender 3: Subject 3']);
    expect(rows[0].textContent).toContain('5 min. ago');
    expect(rows[0].textContent).toContain('Snippet 9');
    expect(rows[1].textContent).toContain('3 hr. ago');
    expect(within(groups[1]).getByRole('button', { name: 'Sender 5: (no subject)' })).toBeTruthy();
    // iCloud has webmail; the other account has none configured, so no button.
    expect(screen.getByRole('button', { name: 'Open iCloud in webmail' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Open Work in webmail' })).toBeNull();
    expectNamedControls(container);
  });

  it('opens a message on click and marks all read per account', () => {
    const { on } = show(twoAccounts);
    fireEvent.click(screen.getByRole('button', { name: 'Sender 3: Subject 3' }));
    expect(on.open).toHaveBeenCalledWith('icloud', twoAccounts.accounts[0].previews[1]);
    fireEvent.click(screen.getByRole('button', { name: 'Mark all read in Work' }));
    expect(on.markAllRead).toHaveBeenCalledWith('work');
  });

  it('moves with arrows and j/k, opens with Enter, acts with r, a, # and Delete', () => {
    const { root, on } = show(twoAccounts);
    const current = () => root.querySelector('[aria-current="true"]')?.getAttribute('aria-label');
    expect(current()).toBe('Sender 9: Subject 9');
    fireEvent.keyDown(root, { key: 'j' });
    expect(current()).toBe('Sender 3: Subject 3');
    fireEvent.keyDown(root, { key: 'ArrowDown' });
    expect(current()).toBe('Sender 5: (no subject)');
    fireEvent.keyDown(root, { key: 'ArrowDown' }); // stays at the end
    expect(current()).toBe('Sender 5: (no subject)');
    fireEvent.keyDown(root, { key: 'k' });
    fireEvent.keyDown(root, { key: 'ArrowUp' });
    expect(current()).toBe('Sender 9: Subject 9');
    // The selected row holds the focus, so keys go to it.
    expect(document.activeElement?.getAttribute('aria-label')).toBe('Sender 9: Subject 9');
    fireEvent.keyDown(root, { key: 'Enter' });
    expect(on.open).toHaveBeenCalledWith('icloud', twoAccounts.accounts[0].previews[0]);
    fireEvent.keyDown(root, { key: 'r' });
    expect(on.setSeen).toHaveBeenCalledWith('icloud', twoAccounts.accounts[0].previews[0].key, true);
    fireEvent.keyDown(root, { key: 'a' });
    expect(on.archive).toHaveBeenCalledWith('icloud', twoAccounts.accounts[0].previews[0].key);
    fireEvent.keyDown(root, { key: '#' });
    fireEvent.keyDown(root, { key: 'Delete' });
    expect(on.remove).toHaveBeenCalledTimes(2);
    expect(on.remove).toHaveBeenLastCalledWith('icloud', twoAccounts.accounts[0].previews[0].key);
    fireEvent.keyDown(root, { key: 'w' });
    expect(on.openWebmail).toHaveBeenCalledWith('https://www.icloud.com/mail/');
    // Modified keys belong to the browser.
    fireEvent.keyDown(root, { key: 'r', ctrlKey: true });
    expect(on.setSeen).toHaveBeenCalledTimes(1);
    expect(screen.getByText(/j k move · Enter open · Esc back · r read\/unread · a archive · # delete/)).toBeTruthy();
  });

  it('keeps the selection on the same message when the list changes', () => {
    const { root, rerender, on } = show(twoAccounts);
    fireEvent.keyDown(root, { key: 'j' });
    const grown: PopupView = { ...twoAccounts, accounts: [{ ...twoAccounts.accounts[0], previews: [preview(10), ...twoAccounts.accounts[0].previews] }, twoAccounts.accounts[1]] };
    rerender(<Popup view={grown} now={NOW} on={on} />);
    expect(root.querySelector('[aria-current="true"]')?.getAttribute('aria-label')).toBe('Sender 3: Subject 3');
  });

  it('shows an action error in plain words with a way to dismiss it', () => {
    const { on } = show({ ...twoAccounts, notice: 'The message was already deleted.' });
    expect(screen.getByRole('alert').textContent).toContain('The message was already deleted.');
    fireEvent.click(screen.getByRole('button', { name: 'Dismiss the message' }));
    expect(on.dismissNotice).toHaveBeenCalled();
  });
});

describe('popup states', () => {
  it('helper not running: says how to start it, can retry and open the settings', () => {
    const { on, container } = show({ status: { kind: 'helper-down' }, accounts: [] });
    expect(screen.getByRole('heading', { name: 'The helper is not running' })).toBeTruthy();
    expect(container.textContent).toContain('npm start');
    expect(container.textContent).toContain('helper start');
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    fireEvent.click(screen.getAllByRole('button', { name: 'Settings' })[1]);
    expect(on.retry).toHaveBeenCalled();
    expect(on.openSettings).toHaveBeenCalled();
    expect(container.querySelector('.messages')).toBeNull();
  });

  it('not paired: says why, leads to the settings', () => {
    const { on } = show({ status: { kind: 'not-paired', reason: 'This token was revoked: pair the extension again.' }, accounts: [] });
    expect(screen.getByText('This token was revoked: pair the extension again.')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Pair in settings' }));
    expect(on.openSettings).toHaveBeenCalled();
  });

  it('version mismatch and no accounts each say what to do', () => {
    show({ status: { kind: 'version-mismatch', message: 'The helper speaks protocol 2 and the extension 1: update the extension.' }, accounts: [] });
    expect(screen.getByText(/update the extension/)).toBeTruthy();
    cleanup();
    const { on } = show({ status: { kind: 'no-accounts' }, accounts: [] });
    fireEvent.click(screen.getByRole('button', { name: 'Add an account' }));
    expect(on.openSettings).toHaveBeenCalled();
  });

  it('empty: says there is no unread mail', () => {
    show({ status: { kind: 'ok' }, accounts: [acct()] });
    expect(screen.getByText(/No unread mail/)).toBeTruthy();
  });

  it('sign-in stopped: never looks like an empty inbox, gives the helper’s reason, retries in one click or leads to the settings', () => {
    const cutShort = 'The last login was cut short before the server answered (the helper was stopped), so the password may have been refused.';
    const { on, container } = show({ status: { kind: 'ok' }, accounts: [acct({ state: 'auth-failed', stateReason: cutShort })] });
    expect(screen.queryByText(/No unread mail/)).toBeNull();
    const alert = screen.getByRole('alert');
    // Neutral words: a login cut short is not a rejected password, and the reason says which.
    expect(alert.textContent).toContain('Sign-in stopped — your action is needed');
    expect(alert.textContent).not.toMatch(/password rejected/i);
    expect(alert.textContent).toContain(cutShort);
    fireEvent.click(within(alert).getByRole('button', { name: 'Retry login' }));
    expect(on.retryLogin).toHaveBeenCalledWith('icloud');
    fireEvent.click(within(alert).getByRole('button', { name: 'Fix in settings' }));
    expect(on.openSettings).toHaveBeenCalled();
    expectNamedControls(container);
    // The helper's reason says what now; without one, the popup says it.
    expect(alert.textContent).not.toContain('The helper will not sign in to this account again by itself');
    cleanup();
    show({ status: { kind: 'ok' }, accounts: [acct({ state: 'auth-failed' })] });
    expect(screen.getByRole('alert').textContent).toContain('The helper will not sign in to this account again by itself, so it cannot get locked out.');
    cleanup();
    show({ status: { kind: 'ok' }, accounts: [acct({ state: 'auth-failed', stateReason: cutShort, retrying: true })] });
    expect((screen.getByRole('button', { name: 'Signing in…' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('paused: tells when the next try is', () => {
    const { container } = show({ status: { kind: 'ok' }, accounts: [acct({ state: 'backoff', stateReason: 'Network unreachable.', until: NOW + 4 * 60_000 })] });
    expect(container.querySelector('.notice.waiting')?.textContent).toBe('Paused. Network unreachable. Next try in 4 minutes.');
  });

  it('while connecting, shows the cached list with a note', () => {
    show({ status: { kind: 'connecting' }, accounts: twoAccounts.accounts });
    expect(screen.getByText(/showing mail from the last visit/)).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Sender 9: Subject 9' })).toBeTruthy();
  });
});

describe('message view', () => {
  const hostile: Body = {
    key: keyOf(preview(9)),
    from: { name: 'Mallory', address: 'm@example.com' },
    to: [{ address: 'me@icloud.com' }],
    toTotal: 1,
    subject: '<b>Hi</b>',
    date: NOW,
    text: 'Hello <script>alert(1)</script>\n<img src=x onerror=alert(1)>\nClick javascript:alert(1) or https://example.com/safe?a=1.\n<a href="javascript:alert(2)">x</a>',
    truncated: true,
    attachments: [],
    attachmentTotal: 0,
  };
  const reader = (overrides: Partial<ReaderState> = {}): ReaderState => ({
    accountId: 'icloud',
    preview: preview(9),
    seen: true,
    body: hostile,
    webmailUrl: 'https://www.icloud.com/mail/',
    ...overrides,
  });

  it('renders mail as inert text: no script, img or javascript: link; only http(s) URLs are links', () => {
    const { container } = show({ ...twoAccounts, reader: reader() });
    const body = container.querySelector('.body-text')!;
    expect(container.querySelector('script, img, iframe, object, b')).toBeNull();
    expect(body.textContent).toContain('<script>alert(1)</script>');
    expect(body.textContent).toContain('<img src=x onerror=alert(1)>');
    const links = [...container.querySelectorAll('a')];
    expect(links).toHaveLength(1);
    expect(links[0].getAttribute('href')).toBe('https://example.com/safe?a=1');
    expect(links[0].getAttribute('target')).toBe('_blank');
    expect(links[0].getAttribute('rel')).toBe('noopener noreferrer');
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('<b>Hi</b>');
    expect(container.textContent).toContain('The rest of this message is in webmail.');
  });

  it('offers back, read/unread, archive, delete and webmail, by button and by key', () => {
    const { on, root, container } = show({ ...twoAccounts, reader: reader() });
    fireEvent.click(screen.getByRole('button', { name: 'Mark unread' }));
    expect(on.setSeen).toHaveBeenLastCalledWith('icloud', preview(9).key, false);
    fireEvent.click(screen.getByRole('button', { name: 'Archive' }));
    fireEvent.click(screen.getByRole('button', { name: 'Delete' }));
    fireEvent.click(screen.getByRole('button', { name: 'Open in webmail' }));
    expect(on.archive).toHaveBeenCalledWith('icloud', preview(9).key);
    expect(on.remove).toHaveBeenCalledWith('icloud', preview(9).key);
    expect(on.openWebmail).toHaveBeenCalledWith('https://www.icloud.com/mail/');
    fireEvent.keyDown(root, { key: 'r' });
    expect(on.setSeen).toHaveBeenLastCalledWith('icloud', preview(9).key, false);
    fireEvent.keyDown(root, { key: 'Escape' });
    expect(on.back).toHaveBeenCalled();
    expectNamedControls(container);
  });

  it('shows loading, then errors in plain words', () => {
    show({ ...twoAccounts, reader: reader({ body: undefined, seen: false }) });
    expect(screen.getByText('Loading…')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Mark read' })).toBeTruthy();
    cleanup();
    show({ ...twoAccounts, reader: reader({ body: undefined, error: 'The message is no longer on the server.' }) });
    expect(screen.getByRole('alert').textContent).toBe('The message is no longer on the server.');
  });
});

describe('hostile mail, shown honestly', () => {
  const body = (overrides: Partial<Body> = {}): Body => ({
    key: keyOf(preview(9)),
    from: { name: 'Mallory', address: 'mallory@example.com' },
    to: [{ address: 'me@icloud.com' }],
    toTotal: 1,
    subject: 'Subject 9',
    date: NOW,
    text: 'Hello',
    truncated: false,
    attachments: [],
    attachmentTotal: 0,
    ...overrides,
  });
  const read = (b: Body, extra: Partial<ReaderState> = {}) =>
    show({ ...twoAccounts, reader: { accountId: 'icloud', preview: preview(9), seen: true, body: b, webmailUrl: 'https://www.icloud.com/mail/', ...extra } });

  it('isolates every body line and shows a bidi control as a mark instead of applying it', () => {
    const { container } = read(body({ text: 'Please see below.\nAttachment: \u202Etxt.exe\nThanks' }));
    const lines = [...container.querySelectorAll('.body-text > .line')];
    expect(lines.map((l) => l.getAttribute('dir'))).toEqual(['auto', 'auto', 'auto']);
    expect(lines.map((l) => l.textContent)).toEqual(['Please see below.', 'Attachment: U+202Etxt.exe', 'Thanks']);
    // The control itself is nowhere in the page: it cannot reorder anything.
    expect(container.textContent).not.toMatch(/[\u202A-\u202E\u2066-\u2069]/);
    expect(lines[1].querySelector('.bidi-mark')?.textContent).toBe('U+202E');
    // Subject and sender are fields of their own too.
    expect(container.querySelector('.reader-head h1')?.getAttribute('dir')).toBe('auto');
    expect(container.querySelector('.reader-head .from .person')?.tagName).toBe('BDI');
  });

  it('shows a spoofing display name with the real address as text, in the list and in the reader', () => {
    const spoof = { name: 'security@bank.test', address: 'evil@attacker.test' };
    const { container } = show({ status: { kind: 'ok' }, accounts: [acct({ unreadCount: 1, previews: [preview(9, { from: spoof })] })] });
    const row = screen.getByRole('button', { name: 'security@bank.test: Subject 9' });
    expect(row.textContent).toContain('evil@attacker.test');
    expect(row.querySelector('.address')?.tagName).toBe('BDI');
    // Screen readers get the address with the row too.
    expect(document.getElementById(row.getAttribute('aria-describedby')!)?.textContent).toBe('evil@attacker.test');
    expect(container.querySelectorAll('[aria-describedby]').length).toBe(1);
    cleanup();
    const { container: reader } = read(body({ from: spoof }));
    expect(reader.querySelector('.reader-head .from')?.textContent).toBe('security@bank.test <evil@attacker.test>');
  });

  it('collapses 50 recipients to three and "and 47 more", which opens them and folds them back', () => {
    const to = Array.from({ length: 50 }, (_, i) => ({ name: `Person ${i + 1}`, address: `p${i + 1}@example.com` }));
    const { container } = read(body({ to, toTotal: 50 }));
    const people = () => container.querySelectorAll('.to .person').length;
    expect(people()).toBe(3);
    expect(container.querySelector('.to')?.textContent).toBe('To: Person 1 <p1@example.com>, Person 2 <p2@example.com>, Person 3 <p3@example.com> and 47 more');
    fireEvent.click(screen.getByRole('button', { name: 'and 47 more' }));
    expect(people()).toBe(50);
    fireEvent.click(screen.getByRole('button', { name: 'Show fewer' }));
    expect(people()).toBe(3);
    cleanup();
    // More than the helper read: said as "more than".
    const { container: many } = read(body({ to, toTotal: 5000, toCut: true }));
    expect(screen.getByRole('button', { name: 'and more than 4,997 others' }).getAttribute('aria-expanded')).toBe('false');
    expect(many.querySelectorAll('.to .person').length).toBe(3);
    cleanup();
    // Four is not worth folding.
    const { container: few } = read(body({ to: to.slice(0, 4), toTotal: 4 }));
    expect(few.querySelectorAll('.to .person').length).toBe(4);
    expect(few.querySelector('.to button')).toBeNull();
  });

  it('names attachments with their sizes, and says how many more there are', () => {
    const { container } = read(
      body({
        attachments: [
          { name: 'Q3 summary.pdf', type: 'application/pdf', size: 1_234_567 },
          { name: '', type: 'image/png', size: 820 },
        ],
        attachmentTotal: 25,
      }),
    );
    const section = screen.getByRole('region', { name: '25 attachments' });
    expect([...section.querySelectorAll('li')].map((li) => li.textContent)).toEqual(['Q3 summary.pdf 1.2 MB', '(unnamed attachment) 820 byte']);
    expect(section.textContent).toContain('and 23 more, listed in webmail');
    expect(container.querySelector('.reader-head')?.textContent).toContain('25 attachments');
  });

  it('says when the subject or the sender was cut, in the reader and on the row', () => {
    const { container } = read(body({ subjectCut: true, fromCut: true, from: { name: 'A very long name' } }));
    expect(screen.getByRole('note', { name: '' }).textContent).toBe(
      'The subject is longer than shown: only its start was read. The sender field is longer than shown: only the start of the name was read, and no address.',
    );
    expect(container.querySelector('.cut-note')).not.toBeNull();
    cleanup();
    show({ status: { kind: 'ok' }, accounts: [acct({ unreadCount: 1, previews: [preview(9, { subjectCut: true, fromCut: true, from: { name: 'A very long name' } })] })] });
    const row = screen.getByRole('button', { name: 'A very long name: Subject 9' });
    expect(row.querySelector('.cut-tag')?.textContent).toBe('shortened');
    expect(row.querySelector('.address')?.textContent).toBe('address not read');
  });

  it('says so when a message has no text, and when the rest is in webmail (with the button there)', () => {
    const { on } = read(body({ text: '', truncated: false }));
    expect(screen.getByText('This message has no text.')).toBeTruthy();
    expect(screen.queryByText('The rest of this message is in webmail.')).toBeNull();
    cleanup();
    read(body({ text: 'The start…', truncated: true }), { webmailUrl: undefined });
    expect(screen.getByText('The rest of this message is in webmail.')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Read the rest in webmail' })).toBeNull();
    cleanup();
    const { on: withWebmail } = read(body({ text: 'The start…', truncated: true }));
    fireEvent.click(screen.getByRole('button', { name: 'Read the rest in webmail' }));
    expect(withWebmail.openWebmail).toHaveBeenCalledWith('https://www.icloud.com/mail/');
    expect(on.openWebmail).not.toHaveBeenCalled();
  });
});

describe('popup rows', () => {
  it('offer read, archive and delete as named icon buttons, reached by Tab from the selected row only', () => {
    const { on } = show(twoAccounts);
    const [first, second] = twoAccounts.accounts[0].previews;
    fireEvent.click(screen.getByRole('button', { name: 'Mark read: Subject 9' }));
    expect(on.setSeen).toHaveBeenCalledWith('icloud', first.key, true);
    fireEvent.click(screen.getByRole('button', { name: 'Archive: Subject 3' }));
    expect(on.archive).toHaveBeenCalledWith('icloud', second.key);
    fireEvent.click(screen.getByRole('button', { name: 'Delete: Subject 9' }));
    expect(on.remove).toHaveBeenCalledWith('icloud', first.key);
    expect(screen.getByRole('button', { name: 'Archive: Subject 9' }).tabIndex).toBe(0);
    expect(screen.getByRole('button', { name: 'Archive: Subject 3' }).tabIndex).toBe(-1);
    // A read row offers "Mark unread" instead.
    cleanup();
    show({ status: { kind: 'ok' }, accounts: [acct({ unreadCount: 1, previews: [preview(9, { seen: true })] })] });
    expect(screen.getByRole('button', { name: 'Mark unread: Subject 9' })).toBeTruthy();
  });

  it('keep the selection at its place when the selected message goes: the next one takes it', () => {
    const three = acct({ unreadCount: 3, previews: [preview(9), preview(8), preview(7)] });
    const { root, rerender, on } = show({ status: { kind: 'ok' }, accounts: [three] });
    fireEvent.keyDown(root, { key: 'j' });
    const current = () => root.querySelector('[aria-current="true"]')?.getAttribute('aria-label');
    expect(current()).toBe('Sender 8: Subject 8');
    rerender(<Popup view={{ status: { kind: 'ok' }, accounts: [{ ...three, previews: [preview(9), preview(7)] }] }} now={NOW} on={on} />);
    expect(current()).toBe('Sender 7: Subject 7');
    expect(document.activeElement?.getAttribute('aria-label')).toBe('Sender 7: Subject 7');
  });
});

describe('the popup in every language', () => {
  afterEach(() => useCatalogue('en'));
  // What t() shows for a name the catalogue lacks: the name itself (e.g. "noUnreadMail").
  const names = new Set(Object.keys(readCatalogue('en')).flatMap((name) => [name, name.replace(/_[a-z]+$/, '')]).filter((n) => /[A-Z]/.test(n)));
  const missing = (text: string) => text.split(/[^A-Za-z]+/).filter((word) => names.has(word));

  it.each(LOCALES)('%s: every word comes from the catalogue (no message name shows)', (locale) => {
    useCatalogue(locale, locale === 'he' ? 'rtl' : 'ltr');
    const body: Body = {
      key: keyOf(preview(9)), from: { name: 'A', address: 'a@example.com' }, to: Array.from({ length: 9 }, (_, i) => ({ address: `p${i}@example.com` })), toTotal: 900, toCut: true,
      subject: 'S', date: NOW, text: '', truncated: true, attachments: [{ name: '', type: 'image/png', size: 2_000_000 }], attachmentTotal: 2,
    };
    const views: PopupView[] = [
      twoAccounts,
      { ...twoAccounts, reader: { accountId: 'icloud', preview: preview(9, { subjectCut: true }), seen: false, body, webmailUrl: 'https://www.icloud.com/mail/' } },
      { status: { kind: 'ok' }, accounts: [acct({ state: 'auth-failed', stateReason: 'x' }), acct({ id: 'v', state: 'auth-failed' }), acct({ id: 'w', state: 'backoff', until: NOW + 90 * 60_000 })] },
      { status: { kind: 'helper-down' }, accounts: [] },
      { status: { kind: 'not-paired' }, accounts: [] },
      { status: { kind: 'no-accounts' }, accounts: [] },
      { status: { kind: 'ok' }, accounts: [acct()] },
    ];
    for (const view of views) {
      const { container } = show(view);
      const spoken = [...container.querySelectorAll('[aria-label], [title]')].flatMap((el) => [el.getAttribute('aria-label'), el.getAttribute('title')]);
      expect(missing(`${container.innerHTML} ${spoken.join(' ')}`)).toEqual([]);
      expect(container.textContent!.length).toBeGreaterThan(5);
      cleanup();
    }
  });
});
