/**
 * One page of the extension as a user works it, the same way in Chromium (Playwright) and Firefox
 * (Puppeteer): find a control by its role and accessible name, then click or type on it through
 * the browser's own input (trusted events, as from a person), or press keys on whatever has focus.
 */
import type { Page as PlaywrightPage } from 'playwright-core';
import type { Page as PuppeteerPage } from 'puppeteer-core';

/** The part of a driver's page the journeys use; Playwright's and Puppeteer's pages both provide it. */
export interface RawPage {
  /** Makes this the visible tab: browsers slow down timers and rendering in hidden ones. */
  bringToFront(): Promise<void>;
  click(selector: string): Promise<void>;
  press(key: string): Promise<void>;
  type(text: string): Promise<void>;
  evaluate<R, A>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
  screenshot(path: string): Promise<void>;
  close(): Promise<void>;
}

export function playwrightPage(page: PlaywrightPage): RawPage {
  return {
    bringToFront: () => page.bringToFront(),
    click: (selector) => page.click(selector),
    press: (key) => page.keyboard.press(key),
    type: (text) => page.keyboard.type(text),
    evaluate: (fn, arg) => page.evaluate(fn as never, arg) as never,
    screenshot: async (path) => void (await page.screenshot({ path })),
    close: () => page.close(),
  };
}

export function puppeteerPage(page: PuppeteerPage): RawPage {
  return {
    bringToFront: () => page.bringToFront(),
    click: (selector) => page.click(selector),
    press: (key) => page.keyboard.press(key as never),
    type: (text) => page.keyboard.type(text),
    evaluate: (fn, arg) => page.evaluate(fn as never, arg) as never,
    screenshot: async (path) => void (await page.screenshot({ path })),
    close: () => page.close(),
  };
}

export type Role = 'button' | 'link' | 'checkbox' | 'radio' | 'textbox' | 'row';
type NameSpec = { exact: string } | { source: string; flags: string };

/** Runs in the page: finds a visible, enabled control by role and accessible name, and tags it. */
function tagControl({ role, name, tag }: { role: Role; name: NameSpec; tag: string }): string | null {
  const selectors: Record<Role, string> = {
    button: 'button, [role="button"], input[type="submit"], input[type="button"]',
    link: 'a[href]',
    checkbox: 'input[type="checkbox"]',
    radio: 'input[type="radio"]',
    textbox: 'input:not([type="checkbox"]):not([type="radio"]):not([type="submit"]):not([type="button"]), textarea',
    row: '[data-row]',
  };
  const squash = (text: string | null | undefined) => (text ?? '').replace(/\s+/g, ' ').trim();
  const accessibleName = (el: Element): string => {
    const label = el.getAttribute('aria-label');
    if (label) return squash(label);
    const labelledBy = el.getAttribute('aria-labelledby');
    if (labelledBy) return squash(labelledBy.split(' ').map((id) => document.getElementById(id)?.textContent).join(' '));
    if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) {
      const owner = el.closest('label') ?? (el.id ? document.querySelector(`label[for="${el.id}"]`) : null);
      return squash(owner?.textContent);
    }
    return squash(el.textContent);
  };
  const matches = (text: string) => ('exact' in name ? text === name.exact : new RegExp(name.source, name.flags).test(text));
  const usable = (el: Element) =>
    el.getClientRects().length > 0 && !(el as HTMLButtonElement).disabled && getComputedStyle(el).visibility !== 'hidden';
  document.querySelectorAll('[data-journey]').forEach((el) => el.removeAttribute('data-journey'));
  const found = [...document.querySelectorAll(selectors[role])].find((el) => usable(el) && matches(accessibleName(el)));
  if (!found) return null;
  found.setAttribute('data-journey', tag);
  (found as HTMLElement).scrollIntoView({ block: 'center' });
  return `[data-journey="${tag}"]`;
}

const describeName = (name: string | RegExp) => (typeof name === 'string' ? JSON.stringify(name) : String(name));

export class UiPage {
  /** The page in front; the others are hidden tabs, which Firefox runs slowly (seconds per render). */
  static #front: UiPage | undefined;
  #tags = 0;
  readonly raw: RawPage;

  constructor(
    raw: RawPage,
    /** What the failure messages call this page. */
    readonly label: string,
  ) {
    // Every use of the page first brings it to the front, as a person looks at the tab they work in.
    const front = async () => {
      if (UiPage.#front === this) return;
      UiPage.#front = this;
      await raw.bringToFront();
    };
    this.raw = {
      ...raw,
      click: async (selector) => (await front(), raw.click(selector)),
      press: async (key) => (await front(), raw.press(key)),
      type: async (text) => (await front(), raw.type(text)),
      evaluate: async (fn, arg) => (await front(), raw.evaluate(fn, arg)),
    };
  }

  /** Waits (bounded) for a usable control and returns a selector for it. */
  async find(role: Role, name: string | RegExp, ms = 15_000): Promise<string> {
    const spec: NameSpec = typeof name === 'string' ? { exact: name } : { source: name.source, flags: name.flags };
    const deadline = Date.now() + ms;
    for (;;) {
      const selector = await this.raw.evaluate(tagControl, { role, name: spec, tag: String(++this.#tags) });
      if (selector) return selector;
      if (Date.now() > deadline) {
        throw new Error(`${this.label}: no usable ${role} named ${describeName(name)} within ${ms} ms. The page says: ${(await this.text()).slice(0, 600)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async click(role: Role, name: string | RegExp): Promise<void> {
    await this.raw.click(await this.find(role, name));
  }

  /** Replaces a text field's value by typing, as a person does (select all, then type). */
  async fill(label: string | RegExp, value: string): Promise<void> {
    const selector = await this.find('textbox', label);
    await this.raw.click(selector);
    await this.raw.evaluate((s) => (document.querySelector(s) as HTMLInputElement).select(), selector);
    await this.raw.press('Backspace');
    if (value) await this.raw.type(value);
  }

  /** Ticks or unticks a checkbox (or picks a radio button) by clicking it when it is not as wanted. */
  async setChecked(role: 'checkbox' | 'radio', label: string | RegExp, checked = true): Promise<void> {
    const selector = await this.find(role, label);
    const now = await this.raw.evaluate((s) => (document.querySelector(s) as HTMLInputElement).checked, selector);
    if (now !== checked) await this.raw.click(selector);
  }

  /** A key pressed on whatever has the focus. */
  press(key: string): Promise<void> {
    return this.raw.press(key);
  }

  text(): Promise<string> {
    return this.raw.evaluate(() => document.body.innerText, undefined);
  }

  /** Waits (bounded) until the page's text matches; returns how long it took. */
  async waitForText(pattern: RegExp, ms = 15_000): Promise<number> {
    const started = Date.now();
    for (;;) {
      const text = await this.text();
      if (pattern.test(text)) return Date.now() - started;
      if (Date.now() - started > ms) throw new Error(`${this.label}: no text matching ${pattern} within ${ms} ms. The page says: ${text.slice(0, 800)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** The accessible names of the message rows, in order. */
  rows(): Promise<string[]> {
    return this.raw.evaluate(() => [...document.querySelectorAll('[data-row]')].map((el) => el.getAttribute('aria-label') ?? el.textContent ?? ''), undefined);
  }

  /** The name of the control that has the focus ('' for none). */
  focused(): Promise<string> {
    return this.raw.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.textContent ?? '', undefined);
  }

  screenshot(path: string): Promise<void> {
    return this.raw.screenshot(path);
  }

  close(): Promise<void> {
    return this.raw.close();
  }
}
