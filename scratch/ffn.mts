import { launchFirefoxWithExtension } from '../test/e2e/firefox';
const f = await launchFirefoxWithExtension();
const p = await f.open('options');
console.log(await p.evaluate(async () => {
  const b = (globalThis as any).browser;
  const shown: string[] = [];
  b.notifications.onShown?.addListener((id: string) => shown.push(id));
  const closed: string[] = [];
  b.notifications.onClosed.addListener((id: string) => closed.push(id));
  let err = '';
  try { await b.notifications.create('x1', { type: 'basic', title: 't', message: 'm', iconUrl: b.runtime.getURL('/icon/128.png') }); } catch (e) { err = String(e); }
  await new Promise((r) => setTimeout(r, 1500));
  return JSON.stringify({ err, all: await b.notifications.getAll(), shown, closed });
}));
await f.close();
