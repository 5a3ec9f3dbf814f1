import { launchWithExtension } from '../test/e2e/chromium';
const b = await launchWithExtension();
const page = await b.context.newPage();
const msgs: string[] = [];
page.on('console', (m) => msgs.push(`${m.type()}: ${m.text()}`));
await page.goto(`chrome-extension://${b.extensionId}/popup.html`);
await new Promise((r) => setTimeout(r, 1500));
console.log(msgs.join('\n'));
await b.close();
