/** Small line icons drawn inline (no icon font or package to load): decorative, hidden from screen readers. */
const PATHS = {
  check: 'M4 12.5l5 5L20 6.5',
  unread: 'M3.5 6.5h17v11h-17z M3.5 7l8.5 6.5L20.5 7',
  archive: 'M3 4.5h18v4H3z M5 8.5V19.5h14V8.5 M10 12.5h4',
  trash: 'M4 7h16 M9.5 7V4.5h5V7 M6 7l1 13h10l1-13 M10 11v5.5 M14 11v5.5',
  back: 'M14.5 5l-7 7 7 7',
  external: 'M13.5 4.5h6v6 M19.5 4.5l-8.5 8.5 M17.5 14v5.5h-13v-13H10',
  clip: 'M8.5 12.5l6-6a3 3 0 014.3 4.3l-8 8a5 5 0 01-7.1-7.1l7.5-7.5',
  done: 'M3 12.5l4.5 4.5L18 6.5 M11.5 16l1 1L21 8.5',
} as const;

export type IconName = keyof typeof PATHS;

export function Icon({ name }: { name: IconName }) {
  return (
    <svg class={`icon icon-${name}`} viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" focusable="false">
      <path d={PATHS[name]} fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" />
    </svg>
  );
}
