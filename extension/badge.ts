/**
 * What the toolbar badge shows for a state. Every look that needs the user has text, so nothing
 * that needs attention can be read as "0 unread": the badge is empty only when connected, paired,
 * every account healthy and truly nothing unread. docs/EXTENSION.md has the table.
 */
import { startHelperHint } from './connection';
import type { AccountState } from '../protocol';
import { plural, t, type MessageName } from './i18n';
import { totalUnread, type ExtensionState } from './state';

export interface BadgeLook {
  text: string;
  color: string;
  title: string;
}

export const BADGE_COLORS = {
  unread: '#1a73e8',
  attention: '#d93025',
  waiting: '#e37400',
  off: '#5f6368',
} as const;

export function countText(n: number): string {
  return n > 99 ? '99+' : String(n);
}

const STATE_NOTES: Partial<Record<AccountState, MessageName>> = {
  'auth-failed': 'badgeStateSignInStopped',
  backoff: 'badgeStatePaused',
  paused: 'badgeStatePaused',
  stopped: 'badgeStateStopped',
};

function accountLines(state: ExtensionState): string[] {
  return state.accounts.map((a) => {
    const note = STATE_NOTES[a.status.state];
    const line = plural('accountUnread', a.status.unreadCount, a.status.label);
    return note ? `${line} (${t(note)})` : line;
  });
}

/** "Mail notifier: …", the tooltip's first line. */
const titled = (text: string) => t('badgeTitle', t('extName'), text);

export function badgeLook(state: ExtensionState): BadgeLook {
  const c = state.connection;
  switch (c.phase) {
    case 'version-mismatch':
      return { text: 'upd', color: BADGE_COLORS.attention, title: titled(c.message) };
    case 'helper-down':
      return { text: 'off', color: BADGE_COLORS.off, title: titled(`${t('helperNotRunningSentence')} ${startHelperHint()}`) };
    case 'not-paired':
      return { text: 'pair', color: BADGE_COLORS.waiting, title: titled(`${t('badgeNotPaired')} ${c.reason ?? t('badgeOpenSettingsToPair')}`) };
    case 'connecting':
      return { text: '…', color: BADGE_COLORS.off, title: titled(t('connectingToHelper')) };
    case 'connected':
      break;
  }
  if (state.accounts.length === 0) {
    return { text: '+', color: BADGE_COLORS.waiting, title: titled(t('badgeNoAccount')) };
  }
  const unread = totalUnread(state);
  const lines = accountLines(state);
  const labels = (accounts: typeof state.accounts) => accounts.map((a) => a.status.label).join(t('listSeparator'));
  // A rejected password or a login cut short: the same neutral words as the popup and settings.
  const failed = state.accounts.filter((a) => a.status.state === 'auth-failed');
  if (failed.length > 0) {
    return {
      text: `${unread > 0 ? countText(unread) : ''}!`,
      color: BADGE_COLORS.attention,
      title: [titled(t('badgeSignInStopped', labels(failed))), ...lines].join('\n'),
    };
  }
  const waiting = state.accounts.filter((a) => ['backoff', 'paused', 'stopped'].includes(a.status.state));
  if (waiting.length > 0) {
    return {
      text: unread > 0 ? countText(unread) : '…',
      color: BADGE_COLORS.waiting,
      title: [titled(t('badgePaused', labels(waiting))), ...lines].join('\n'),
    };
  }
  return {
    text: unread > 0 ? countText(unread) : '',
    color: BADGE_COLORS.unread,
    title: [titled(plural('unreadCount', unread)), ...lines].join('\n'),
  };
}

export interface ActionApi {
  setBadgeText(details: { text: string }): Promise<void>;
  setBadgeBackgroundColor(details: { color: string }): Promise<void>;
  setTitle(details: { title: string }): Promise<void>;
  setBadgeTextColor?(details: { color: string }): Promise<void>;
}

/** Applies the look for every state change, skipping unchanged ones (each call is an IPC to the browser). */
export function badgeUpdater(action: ActionApi): (state: ExtensionState) => Promise<void> {
  let last: BadgeLook | undefined;
  return async (state) => {
    const look = badgeLook(state);
    if (last && last.text === look.text && last.color === look.color && last.title === look.title) return;
    last = look;
    await Promise.all([
      action.setBadgeText({ text: look.text }),
      action.setBadgeBackgroundColor({ color: look.color }),
      action.setTitle({ title: look.title }),
      action.setBadgeTextColor?.({ color: '#ffffff' }),
    ]);
  };
}
