/** A readable, stable account id ("alice-icloud-com") that fits the protocol's id pattern. */
export function accountIdFor(username: string, host: string, taken: ReadonlySet<string>): string {
  const user = username.split('@')[0];
  const domain = username.includes('@') ? username.split('@')[1] : host;
  const base =
    `${user}-${domain}`
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 48) || 'account';
  let id = base;
  for (let n = 2; taken.has(id) && n < 1000; n++) id = `${base}-${n}`;
  return id;
}
