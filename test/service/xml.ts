/**
 * A strict reader for the small XML the service files use (elements, attributes, text, the five
 * entities): enough to check the generated plist and task structurally, and it throws on anything
 * malformed, so an escaping mistake fails the test instead of passing a substring match.
 */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(text: string): string {
  return text.replace(/&([a-z]+);|&/g, (match, name: string | undefined) => {
    if (name && name in ENTITIES) return ENTITIES[name];
    throw new Error(`Unescaped or unknown entity at ${JSON.stringify(match)}`);
  });
}

export function parseXml(source: string): XmlElement {
  const body = source
    .replace(/^\uFEFF?<\?xml[^?]*\?>/, '')
    .replace(/<!DOCTYPE[^>]*>/, '')
    .replace(/<!--[\s\S]*?-->/g, '');
  const root: XmlElement = { name: '#root', attrs: {}, children: [], text: '' };
  const stack = [root];
  for (const [token] of body.matchAll(/<[^>]*>|[^<]+/g)) {
    const top = stack[stack.length - 1];
    if (!token.startsWith('<')) {
      if (token.includes('>')) throw new Error(`Stray ">" in text ${JSON.stringify(token)}`);
      if (top === root) {
        if (token.trim()) throw new Error(`Text outside the root element: ${JSON.stringify(token)}`);
        continue;
      }
      top.text += decode(token);
      continue;
    }
    const close = /^<\/([\w:-]+)\s*>$/.exec(token);
    if (close) {
      if (close[1] !== top.name) throw new Error(`</${close[1]}> closes <${top.name}>`);
      stack.pop();
      continue;
    }
    const open = /^<([\w:-]+)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>$/.exec(token);
    if (!open) throw new Error(`Malformed tag ${JSON.stringify(token)}`);
    const attrs: Record<string, string> = {};
    for (const [, name, value] of open[2].matchAll(/([\w:-]+)="([^"]*)"/g)) attrs[name] = decode(value);
    const element: XmlElement = { name: open[1], attrs, children: [], text: '' };
    top.children.push(element);
    if (!open[3]) stack.push(element);
  }
  if (stack.length !== 1 || root.children.length !== 1) throw new Error('Unclosed elements or not exactly one root element');
  return root.children[0];
}

/** The element at a path of child names below `from`, e.g. child(task, 'Settings', 'RestartOnFailure'). */
export function child(from: XmlElement, ...names: string[]): XmlElement {
  return names.reduce((element, name) => {
    const found = element.children.filter((c) => c.name === name);
    if (found.length !== 1) throw new Error(`<${element.name}> has ${found.length} <${name}> children`);
    return found[0];
  }, from);
}

export type PlistValue = string | number | boolean | PlistValue[] | { [key: string]: PlistValue };

/** A plist element as a JS value: dict, array, string, integer, true, false. */
export function plistValue(element: XmlElement): PlistValue {
  switch (element.name) {
    case 'plist':
      return plistValue(child(element, 'dict'));
    case 'dict': {
      const result: Record<string, PlistValue> = {};
      for (let i = 0; i < element.children.length; i += 2) {
        const [key, value] = [element.children[i], element.children[i + 1]];
        if (key.name !== 'key' || !value) throw new Error('A dict must hold key/value pairs');
        result[key.text] = plistValue(value);
      }
      return result;
    }
    case 'array':
      return element.children.map(plistValue);
    case 'string':
      return element.text;
    case 'integer':
      return Number(element.text);
    case 'true':
      return true;
    case 'false':
      return false;
    default:
      throw new Error(`Unexpected plist element <${element.name}>`);
  }
}
