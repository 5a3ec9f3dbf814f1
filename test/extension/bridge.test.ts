import './english';
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { BackgroundLink, commandDeadlineMs, type UiCommand } from '../../extension/bridge';
import { PopupModel } from '../../extension/popup-model';
import { keyOf } from '../../protocol';
import { boot } from './background-harness';
import { account, FakeClock, flush, portPair, preview } from './fakes';

describe('page ↔ background: every call gets one answer', () => {
  it('a call the background never answers fails with a clear message at its deadline', async () => {
    const clock = new FakeClock();
    const pair = portPair();
    const link = new BackgroundLink(() => pair.ui, clock); // nobody listens on the background side
    const command: UiCommand = { type: 'helper', call: { type: 'set-seen', accountId: 'icloud', keys: [keyOf(preview(1))], seen: true } };
    let outcome: unknown;
    link.call(command).then((v) => (outcome = v), (e: Error) => (outcome = e.message));
    await clock.advance(commandDeadlineMs(command) - 1);
    expect(outcome).toBeUndefined();
    await clock.advance(1);
    expect(outcome).toBe('The extension did not answer in time. Try again; if it keeps happening, reload the extension.');
  });

  it('a command the background refuses is answered at once with an error the page shows', async () => {
    const b = await boot({ token: 'tok' });
    await b.helperAccepts({ type: 'snapshot', account: account({ unreadCount: 1 }), previews: [preview(1)] });
    const { link } = b.openUi();
    await flush();
    // What the popup once sent for "archive": the whole preview where the key belongs.
    const wrong = { type: 'helper', call: { type: 'archive', accountId: 'icloud', key: preview(1) } } as unknown as UiCommand;
    await expect(link.call(wrong)).rejects.toThrow('The extension refused this request (an internal error). Reload the extension; if it keeps happening, report it.');
    expect(b.sockets.current.sent.map((m) => m.type)).not.toContain('archive');
  });

  it("the popup's actions reach the helper through the real background, and a failure becomes the page's notice", async () => {
    const b = await boot({ token: 'tok' });
    await b.helperAccepts({ type: 'snapshot', account: account({ unreadCount: 2 }), previews: [preview(1), preview(2)] });
    const { link } = b.openUi();
    const model = new PopupModel({ link, readCache: async () => [], openTab: () => undefined, openSettings: () => undefined });
    model.start();
    await flush();

    model.setSeen('icloud', keyOf(preview(1)), true);
    model.archive('icloud', keyOf(preview(2)));
    model.remove('icloud', keyOf(preview(1)));
    await flush();
    const sent = b.sockets.current.sent.filter((m) => ['set-seen', 'archive', 'delete'].includes(m.type as string));
    expect(sent.map(({ id: _, ...m }) => m)).toEqual([
      { type: 'set-seen', accountId: 'icloud', keys: [keyOf(preview(1))], seen: true },
      { type: 'archive', accountId: 'icloud', key: keyOf(preview(2)) },
      { type: 'delete', accountId: 'icloud', key: keyOf(preview(1)) },
    ]);

    b.sockets.current.receive({ type: 'error', id: sent[1].id as string, code: 'not-found', message: 'This account has no archive folder.' });
    await flush();
    expect(model.view.notice).toBe('This account has no archive folder.');
  });
});
