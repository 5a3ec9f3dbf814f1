import browser from 'webextension-polyfill';
import { render } from 'preact';
import { useLayoutEffect, useState } from 'preact/hooks';
import { Popup } from '@/components/Popup';
import '@/components/styles.css';
import { BackgroundLink, UI_PORT_NAME } from '@/extension/bridge';
import { PreviewCache } from '@/extension/cache';
import { PopupModel } from '@/extension/popup-model';

const link = new BackgroundLink(() => browser.runtime.connect({ name: UI_PORT_NAME }));
const cache = new PreviewCache();
const model = new PopupModel({
  link,
  readCache: () => cache.read(),
  openTab: (url) => void browser.tabs.create({ url }),
  openSettings: () => void browser.runtime.openOptionsPage(),
});

function App() {
  const [view, setView] = useState(model.view);
  // Subscribed in the same task as the first render: useEffect would wait for the first frame, and
  // a cache read or snapshot landing before it would be lost (the popup then stayed on "Connecting…").
  useLayoutEffect(() => model.subscribe(setView), []);
  return <Popup view={view} now={Date.now()} on={model} />;
}

render(<App />, document.getElementById('app')!);
model.start();
