import './english';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { UiCommand, UiSnapshot } from '../../extension/bridge';
import { UserError } from '../../extension/errors';
import { PopupModel } from '../../extension/popup-model';
import { defaultSettings } from '../../extension/settings';
import type { AccountView, ExtensionState } from '../../extension/state';
import { account, checkedCommand, flush, preview } from './fakes';
import { keyOf } from '../../protocol';

/** A background link whose calls the test answers by hand; it takes only what the real background takes. */
function fakeLink() {
  const calls: { command: UiCommand; resolve: (v: unknown) => void; reject: (e: unknown) => void }[] = [];
  let push: ((s: UiSnapshot) => void) | undefined;
  const link = {
    subscribe: (listener: (s: UiSnapshot) => void) => ((push = listener), () => undefined),
    call: (command: UiCommand) => {
      checkedCommand(command); // throws here, failing the test, rather than rejecting into a notice
      return new Promise<unknown>((resolve, reject) => calls.push({ command, resolve, reject }));
    },
    helper: (call: never) => link.call({ type: 'helper', call }),
  };
  const helperCalls = () => calls.filter((c) => c.command.type === 'helper');
  return { link: link as never, calls, helperCalls, push: (s: UiSnapshot) => push!(s) };
}

const connected = (accounts: AccountView[]): ExtensionState => ({ connection: { phase: 'connected' }, accounts });
const snapshot = (state: ExtensionState, settings = defaultSettings): UiSnapshot => ({ state, settings, paired: state.connection.phase === 'connected', notificationsSupported: true });

function setup(cached: AccountView[] | (() => Promise<AccountView[]>) = []) {
  const f = fakeLink();
  const tabs: string[] = [];
  let settingsOpened = 0;
  const model = new PopupModel({
    link: f.link,
    readCache: typeof cached === 'function' ? cached : async () => cached,
    openTab: (url) => tabs.push(url),
    openSettings: () => settingsOpened++,
  });
  model.start();
  return { ...f, model, tabs, settingsOpened: () => settingsOpened };
}

describe('popup model', () => {
  it('paints from the cache first, then from the live snapshot', async () => {
    const t = setup([{ status: account({ unreadCount: 1 }), previews: [preview(1)] }]);
    expect(t.model.view.status.kind).toBe('loading');
    await flush();
    expect(t.model.view.status.kind).toBe('connecting');
    expect(t.model.view.accounts[0].previews.map((p) => p.key.uid)).toEqual([1]);
    t.push(snapshot(connected([{ status: account({ unreadCount: 2 }), previews: [preview(2), preview(1)] }])));
    expect(t.model.view.status.kind).toBe('ok');
    expect(t.model.view.accounts[0].previews.map((p) => p.key.uid)).toEqual([2, 1]);
    // Opening the popup wakes the connection at once.
    expect(t.calls[0].command).toEqual({ type: 'wake' });
  });

  it('without the helper, keeps showing the cached mail (offline reading)', async () => {
    const t = setup([{ status: account({ unreadCount: 1 }), previews: [preview(7)] }]);
    await flush();
    t.push(snapshot({ connection: { phase: 'helper-down' }, accounts: [] }));
    expect(t.model.view.status.kind).toBe('helper-down');
    expect(t.model.view.accounts[0].previews.map((p) => p.key.uid)).toEqual([7]);
  });

  it('maps connection phases to the states the popup explains', () => {
    const t = setup();
    const phases: [ExtensionState['connection'], string][] = [
      [{ phase: 'helper-down' }, 'helper-down'],
      [{ phase: 'not-paired', reason: 'x' }, 'not-paired'],
      [{ phase: 'version-mismatch', message: 'm' }, 'version-mismatch'],
      [{ phase: 'connected' }, 'no-accounts'],
    ];
    for (const [connection, kind] of phases) {
      t.push(snapshot({ connection, accounts: [] }));
      expect(t.model.view.status.kind).toBe(kind);
    }
  });

  it('opens a message: fetches its text, marking it read as the setting says', async () => {
    const t = setup();
    t.push(snapshot(connected([{ status: account({ unreadCount: 1 }), previews: [preview(1)] }]), { ...defaultSettings, markReadOnOpen: false }));
    t.model.open('icloud', preview(1));
    expect(t.model.view.reader).toMatchObject({ accountId: 'icloud', seen: false, webmailUrl: 'https://www.icloud.com/mail/' });
    expect(t.helperCalls()[0].command).toEqual({ type: 'helper', call: { type: 'get-body', accountId: 'icloud', key: keyOf(preview(1)), markSeen: false } });
    const body = { key: keyOf(preview(1)), from: {}, to: [], toTotal: 0, subject: 's', date: 1, text: 'hello', truncated: false, attachments: [], attachmentTotal: 0 };
    t.helperCalls()[0].resolve(body);
    await flush();
    expect(t.model.view.reader).toMatchObject({ body, seen: false });
  });

  it('ignores a late body for a message the user already left', async () => {
    const t = setup();
    t.model.open('icloud', preview(1));
    t.model.back();
    t.helperCalls()[0].resolve({ key: keyOf(preview(1)), from: {}, to: [], toTotal: 0, subject: 's', date: 1, text: 'late', truncated: false, attachments: [], attachmentTotal: 0 });
    await flush();
    expect(t.model.view.reader).toBeUndefined();
  });

  it("shows a failed fetch in the reader, and a failed action as a notice, never a stack trace", async () => {
    const t = setup();
    t.model.open('icloud', preview(1));
    t.helperCalls()[0].reject(new UserError('The message is no longer on the server.'));
    await flush();
    expect(t.model.view.reader?.error).toBe('The message is no longer on the server.');
    t.model.markAllRead('icloud');
    t.helperCalls()[1].reject(new TypeError("Cannot read properties of undefined (reading 'x')"));
    await flush();
    expect(t.model.view.notice).toMatch(/^Something went wrong inside the extension/);
    expect(t.model.view.notice).not.toContain('undefined');
    t.model.dismissNotice();
    expect(t.model.view.notice).toBeUndefined();
  });

  it('returns to the list after archiving or deleting the open message, and tracks read/unread', async () => {
    const t = setup();
    t.model.open('icloud', preview(1));
    t.model.setSeen('icloud', keyOf(preview(1)), false);
    t.helperCalls()[1].resolve({});
    await flush();
    expect(t.model.view.reader?.seen).toBe(false);
    t.model.archive('icloud', keyOf(preview(1)));
    expect(t.helperCalls()[2].command).toEqual({ type: 'helper', call: { type: 'archive', accountId: 'icloud', key: keyOf(preview(1)) } });
    t.helperCalls()[2].resolve({});
    await flush();
    expect(t.model.view.reader).toBeUndefined();
    t.model.remove('icloud', keyOf(preview(2)));
    expect(t.helperCalls()[3].command).toMatchObject({ call: { type: 'delete' } });
  });

  it('shows read/unread in the open message at once, so a second r toggles back; a refusal puts it back and says why', async () => {
    const t = setup();
    t.model.open('icloud', preview(1));
    expect(t.model.view.reader?.seen).toBe(true); // opening marks it read
    t.model.setSeen('icloud', keyOf(preview(1)), false);
    expect(t.model.view.reader?.seen).toBe(false); // before the helper answers
    t.model.setSeen('icloud', keyOf(preview(1)), true);
    expect(t.model.view.reader?.seen).toBe(true);
    expect(t.helperCalls().slice(1).map((c) => (c.command as { call: { seen: boolean } }).call.seen)).toEqual([false, true]);
    t.helperCalls()[1].resolve({});
    t.helperCalls()[2].reject(new UserError('The server did not accept the change.'));
    await flush();
    expect(t.model.view.reader?.seen).toBe(false);
    expect(t.model.view.notice).toBe('The server did not accept the change.');
  });

  it('opens webmail and the settings through the injected browser calls', () => {
    const t = setup();
    t.model.openWebmail('https://www.icloud.com/mail/');
    t.model.openSettings();
    expect(t.tabs).toEqual(['https://www.icloud.com/mail/']);
    expect(t.settingsOpened()).toBe(1);
  });
});

describe('popup model: when the page may render', () => {
  afterEach(() => vi.useRealTimers());

  /** Whether `promise` has settled by the time pending promise chains have run. */
  async function settled(promise: Promise<unknown>) {
    let done = false;
    void promise.then(() => (done = true));
    await flush();
    return done;
  }

  it('waits for the cache read, so that the first render already shows the cached list', async () => {
    let answer!: (cached: AccountView[]) => void;
    const t = setup(() => new Promise((resolve) => (answer = resolve)));
    const ready = t.model.firstView(60_000);
    expect(await settled(ready)).toBe(false);
    answer([{ status: account({ unreadCount: 1 }), previews: [preview(4)] }]);
    expect(await settled(ready)).toBe(true);
    expect(t.model.view.accounts[0].previews.map((p) => p.key.uid)).toEqual([4]);
  });

  it('does not wait when the cache cannot be read, or when the live snapshot comes first', async () => {
    const failing = setup(() => Promise.reject(new Error('IndexedDB is not available')));
    expect(await settled(failing.model.firstView(60_000))).toBe(true);
    expect(failing.model.view.status.kind).toBe('loading');

    const t = setup(() => new Promise(() => undefined));
    const ready = t.model.firstView(60_000);
    t.push(snapshot(connected([{ status: account({ unreadCount: 1 }), previews: [preview(2)] }])));
    expect(await settled(ready)).toBe(true);
    expect(t.model.view.status.kind).toBe('ok');
  });

  it('gives up waiting after the bound, so a stuck IndexedDB still shows the shell', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const t = setup(() => new Promise(() => undefined));
    const ready = t.model.firstView(100);
    vi.advanceTimersByTime(99);
    expect(await settled(ready)).toBe(false);
    vi.advanceTimersByTime(1);
    expect(await settled(ready)).toBe(true);
    expect(t.model.view.status.kind).toBe('loading');
  });

  it('Retry login: one request to the helper, the button busy until it answers, a failure in words', async () => {
    const t = setup();
    const failed = account({ state: 'auth-failed', stateReason: 'The last login was cut short before the server answered.' });
    t.push(snapshot(connected([{ status: failed, previews: [] }])));
    t.model.retryLogin('icloud');
    t.model.retryLogin('icloud'); // a second click while the first runs sends nothing more
    expect(t.helperCalls().map((c) => c.command)).toEqual([{ type: 'helper', call: { type: 'retry-login', accountId: 'icloud' } }]);
    expect(t.model.view.accounts[0].retrying).toBe(true);
    t.helperCalls()[0].resolve({});
    await flush();
    expect(t.model.view.accounts[0].retrying).toBeUndefined();

    t.model.retryLogin('icloud');
    t.helperCalls()[1].reject(new UserError('Too many login retries this hour; try again at 14:05.'));
    await flush();
    expect(t.model.view.accounts[0].retrying).toBeUndefined();
    expect(t.model.view.notice).toBe('Too many login retries this hour; try again at 14:05.');
  });
});
