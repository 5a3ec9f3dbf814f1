import './english';
import { describe, expect, it, vi } from 'vitest';
import { BADGE_COLORS, badgeLook, badgeUpdater } from '../../extension/badge';
import type { ConnectionPhase, ExtensionState } from '../../extension/state';
import type { AccountStatus } from '../../protocol';
import { useCatalogue } from './catalogue';
import { account } from './fakes';

const connected = (...accounts: AccountStatus[]): ExtensionState => ({
  connection: { phase: 'connected' },
  accounts: accounts.map((status) => ({ status, previews: [] })),
});
const phase = (connection: ConnectionPhase, ...accounts: AccountStatus[]): ExtensionState => ({ ...connected(...accounts), connection });

describe('badge looks', () => {
  it('is empty only when connected, paired, healthy and truly at 0 unread', () => {
    expect(badgeLook(connected(account({ unreadCount: 0 })))).toMatchObject({ text: '', color: BADGE_COLORS.unread });
  });

  it('shows the total unread, 99+ past 99, with per-account counts in the tooltip', () => {
    const two = connected(account({ unreadCount: 3 }), account({ id: 'work', label: 'Work', unreadCount: 4 }));
    expect(badgeLook(two)).toMatchObject({ text: '7', color: BADGE_COLORS.unread });
    expect(badgeLook(two).title).toContain('iCloud: 3 unread');
    expect(badgeLook(two).title).toContain('Work: 4 unread');
    expect(badgeLook(connected(account({ unreadCount: 99 }))).text).toBe('99');
    expect(badgeLook(connected(account({ unreadCount: 100 }))).text).toBe('99+');
  });

  it('gives every state that needs the user its own non-empty look, even with 0 unread', () => {
    const looks = {
      helperDown: badgeLook(phase({ phase: 'helper-down' }, account())),
      notPaired: badgeLook(phase({ phase: 'not-paired' })),
      mismatch: badgeLook(phase({ phase: 'version-mismatch', message: 'update the helper' })),
      connecting: badgeLook(phase({ phase: 'connecting' })),
      noAccounts: badgeLook(connected()),
      authFailed: badgeLook(connected(account({ state: 'auth-failed' }))),
      paused: badgeLook(connected(account({ state: 'paused' }))),
      backoff: badgeLook(connected(account({ state: 'backoff' }))),
    };
    for (const look of Object.values(looks)) expect(look.text).not.toBe('');
    expect(looks.helperDown).toMatchObject({ text: 'off', color: BADGE_COLORS.off });
    expect(looks.helperDown.title).toContain('npm start');
    expect(looks.notPaired).toMatchObject({ text: 'pair', color: BADGE_COLORS.waiting });
    expect(looks.mismatch).toMatchObject({ text: 'upd', color: BADGE_COLORS.attention });
    expect(looks.mismatch.title).toContain('update the helper');
    expect(looks.authFailed).toMatchObject({ text: '!', color: BADGE_COLORS.attention });
    // Neutral (a login cut short is the same state): never "password rejected".
    expect(looks.authFailed.title).toContain('Sign-in stopped for iCloud: your action is needed');
    expect(looks.authFailed.title).not.toMatch(/password rejected/i);
    expect(looks.paused).toMatchObject({ text: '…', color: BADGE_COLORS.waiting });
    expect(looks.backoff).toMatchObject({ text: '…', color: BADGE_COLORS.waiting });
    // Distinct text-and-colour pairs for the distinct situations.
    const pairs = [looks.helperDown, looks.notPaired, looks.mismatch, looks.connecting, looks.noAccounts, looks.authFailed, looks.paused].map(
      (l) => `${l.text}|${l.color}`,
    );
    expect(new Set(pairs).size).toBe(pairs.length);
  });

  it('keeps the count visible next to an account needing action', () => {
    const state = connected(account({ state: 'auth-failed', unreadCount: 0 }), account({ id: 'work', label: 'Work', unreadCount: 120 }));
    expect(badgeLook(state)).toMatchObject({ text: '99+!', color: BADGE_COLORS.attention });
    expect(badgeLook(connected(account({ state: 'backoff', unreadCount: 5 })))).toMatchObject({ text: '5', color: BADGE_COLORS.waiting });
  });

  it('applies a look through the action API and skips repeats', async () => {
    const action = {
      setBadgeText: vi.fn(async () => undefined),
      setBadgeBackgroundColor: vi.fn(async () => undefined),
      setTitle: vi.fn(async () => undefined),
    };
    const update = badgeUpdater(action);
    await update(connected(account({ unreadCount: 2 })));
    await update(connected(account({ unreadCount: 2 })));
    await update(phase({ phase: 'helper-down' }));
    expect(action.setBadgeText.mock.calls).toEqual([[{ text: '2' }], [{ text: 'off' }]]);
    expect(action.setBadgeBackgroundColor).toHaveBeenLastCalledWith({ color: BADGE_COLORS.off });
  });

  it('speaks the catalogue’s language in its tooltip', () => {
    useCatalogue('de');
    try {
      const look = badgeLook(connected(account({ unreadCount: 3 }), account({ id: 'work', label: 'Arbeit', state: 'auth-failed', unreadCount: 1 })));
      expect(look.title.split('\n')).toEqual([
        'Mail-Benachrichtigung: Anmeldung angehalten für Arbeit: Ihr Eingreifen ist nötig (erneut anmelden oder in den Einstellungen ein neues Passwort eingeben).',
        'iCloud: 3 ungelesen',
        'Arbeit: 1 ungelesen (Anmeldung angehalten)',
      ]);
    } finally {
      useCatalogue('en');
    }
  });
});
