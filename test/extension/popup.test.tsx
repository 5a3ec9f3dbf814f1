// @vitest-environment happy-dom
import './english';
import { cleanup, fireEvent, render, screen, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Popup } from '../../components/Popup';
import type { PopupAccount, PopupIntents, PopupView, ReaderState } from '../../extension/popup-model';
import type { Body } from '../../protocol';
import { preview } from './fakes';
import { keyOf } from '../../protocol';

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
