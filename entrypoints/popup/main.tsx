import browser from 'webextension-polyfill';
import { render } from 'preact';
import { useLayoutEffect, useState } from 'preact/hooks';
import { Popup } from '@/components/Popup';
import '@/components/styles.css';
import { BackgroundLink, UI_PORT_NAME } from '@/extension/bridge';
import { PreviewCache } from '@/extension/cache';
import { browserMessageSource, setMessageSource, t, uiDirection, uiLocale } from '@/extension/i18n';
import { PopupModel } from '@/extension/popup-model';

/** How long the first render waits for the cache (IndexedDB answers in a few ms): then the shell. */
const FIRST_VIEW_WAIT_MS = 100;

// Started before anything else here, so IndexedDB works while the rest of this module runs.
const cached = new PreviewCache().read();
setMessageSource(browserMessageSource(browser.i18n));
document.documentElement.lang = uiLocale();
document.documentElement.dir = uiDirection();
document.title = t('extName');
const link = new BackgroundLink(() => browser.runtime.connect({ name: UI_PORT_NAME }));
const model = new PopupModel({
  link,
  readCache: () => cached,
  openTab: (url) => void browser.tabs.create({ url }),
  openSettings: () => void browser.runtime.openOptionsPage(),
});

function App() {
  const [view, setView] = useState(model.view);
  // Subscribed in the same task as the first render: useEffect would wait for the first frame, and
  // a cache read or snapshot landing before it would be lost (the popup then stayed on "Connecting…").
  useLayoutEffect(() => {
    setView(model.view);
    return model.subscribe(setView);
  }, []);
  return <Popup view={view} now={Date.now()} on={model} />;
}

model.start();
// The first frame shows the cached list, not an empty shell followed by the list a frame later.
void model.firstView(FIRST_VIEW_WAIT_MS).then(() => render(<App />, document.getElementById('app')!));
