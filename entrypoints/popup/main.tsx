import browser from 'webextension-polyfill';
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
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
  useEffect(() => model.subscribe(setView), []);
  return <Popup view={view} now={Date.now()} on={model} />;
}

render(<App />, document.getElementById('app')!);
model.start();
