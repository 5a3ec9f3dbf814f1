/** The popup's keyboard map (its help line is the catalogue's `keyHelp`). */
export type KeyIntent = 'next' | 'prev' | 'open' | 'back' | 'toggle-seen' | 'archive' | 'delete' | 'webmail';

const KEYS: Record<string, KeyIntent> = {
  ArrowDown: 'next',
  j: 'next',
  ArrowUp: 'prev',
  k: 'prev',
  Enter: 'open',
  o: 'open',
  Escape: 'back',
  r: 'toggle-seen',
  a: 'archive',
  '#': 'delete',
  Delete: 'delete',
  w: 'webmail',
};

export function keyIntent(event: { key: string; ctrlKey: boolean; metaKey: boolean; altKey: boolean }): KeyIntent | undefined {
  if (event.ctrlKey || event.metaKey || event.altKey) return undefined;
  return Object.hasOwn(KEYS, event.key) ? KEYS[event.key] : undefined;
}
