import browser from 'webextension-polyfill';
import { render } from 'preact';
import { useLayoutEffect, useState } from 'preact/hooks';
import { Settings } from '@/components/Settings';
import '@/components/styles.css';
import { BackgroundLink, UI_PORT_NAME, type UiSnapshot } from '@/extension/bridge';
import { browserMessageSource, setMessageSource, t, uiDirection, uiLocale } from '@/extension/i18n';
import { settingsIntents } from '@/extension/settings-intents';

setMessageSource(browserMessageSource(browser.i18n));
document.documentElement.lang = uiLocale();
document.documentElement.dir = uiDirection();
document.title = t('settingsTitle');

const link = new BackgroundLink(() => browser.runtime.connect({ name: UI_PORT_NAME }));
let latest: UiSnapshot | undefined;
const on = settingsIntents(link, () => latest?.settings);

function App() {
  const [snapshot, setSnapshot] = useState<UiSnapshot | undefined>(undefined);
  // Subscribed in the same task as the first render (as in the popup): with useEffect a snapshot
  // landing before the first frame was lost and the page stayed empty.
  useLayoutEffect(
    () =>
      link.subscribe((next) => {
        latest = next;
        setSnapshot(next);
      }),
    [],
  );
  return <Settings snapshot={snapshot} now={Date.now()} on={on} />;
}

render(<App />, document.getElementById('app')!);
void link.call({ type: 'wake' }).catch(() => undefined);
