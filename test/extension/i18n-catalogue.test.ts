/**
 * The catalogues are complete and the code says nothing outside them: every message of the English
 * catalogue exists in every locale (with the plural forms that language has) and the same
 * placeholders; every name the code uses exists, with as many substitutions as it has
 * placeholders; no component carries user-visible text of its own (JSX text, aria-label, title,
 * placeholder, alt, or a sentence in a string).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { LOCALES, readCatalogue, type Catalogue } from './catalogue';

const ROOT = resolve(import.meta.dirname, '../..');
const RIGHT_TO_LEFT = new Set(['ar', 'fa', 'he', 'ur', 'yi']);
const PLURAL = /^(.+)_(zero|one|two|few|many|other)$/;
const english = readCatalogue('en');
const pluralBases = new Set(Object.keys(english).flatMap((name) => name.match(PLURAL)?.[1] ?? []));

function placeholdersUsed(message: string): string[] {
  return [...message.matchAll(/\$([A-Za-z0-9_]+)\$/g)].map((m) => m[1].toLowerCase()).sort();
}
function placeholdersDefined(entry: Catalogue[string]): Record<string, string> {
  return Object.fromEntries(Object.entries(entry.placeholders ?? {}).map(([k, v]) => [k.toLowerCase(), v.content]));
}
/** The English entry a localized name answers to (a plural form to its "other" form). */
function englishFor(name: string): Catalogue[string] | undefined {
  const plural = name.match(PLURAL);
  return english[name] ?? (plural ? english[`${plural[1]}_other`] : undefined);
}

function sourceFiles(dir: string, ext = /\.tsx?$/): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name), ext) : ext.test(e.name) ? [join(dir, e.name)] : [],
  );
}
const parse = (file: string, text = readFileSync(join(ROOT, file), 'utf8')) => ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
function walk(node: ts.Node, visit: (node: ts.Node) => void): void {
  visit(node);
  node.forEachChild((child) => walk(child, visit));
}

describe('the catalogues', () => {
  it('ship English, German, French, Spanish, Japanese and a right-to-left language', () => {
    expect(LOCALES).toEqual(expect.arrayContaining(['en', 'de', 'fr', 'es', 'ja', 'he']));
  });

  it.each(LOCALES)('%s: names are valid and unique, each says which language it is', (locale) => {
    const catalogue = readCatalogue(locale);
    const lower = Object.keys(catalogue).map((n) => n.toLowerCase());
    expect(new Set(lower).size).toBe(lower.length); // the browsers read names case-insensitively
    for (const [name, entry] of Object.entries(catalogue)) {
      expect(name).toMatch(/^[A-Za-z0-9_]+$/);
      expect(entry.message.trim(), name).not.toBe('');
    }
    expect(catalogue.catalogueLanguage.message.replace('-', '_')).toBe(locale);
    expect(catalogue.catalogueDirection.message).toBe(RIGHT_TO_LEFT.has(locale.split('_')[0]) ? 'rtl' : 'ltr');
  });

  it.each(LOCALES)('%s: has every message, with the plural forms of its language', (locale) => {
    const catalogue = readCatalogue(locale);
    const categories = new Intl.PluralRules(locale.replace('_', '-')).resolvedOptions().pluralCategories;
    const expected = Object.keys(english)
      .filter((name) => !PLURAL.test(name))
      .concat([...pluralBases].flatMap((base) => categories.map((c) => `${base}_${c}`)));
    expect(Object.keys(catalogue).sort()).toEqual(expected.sort());
  });

  it.each(LOCALES)('%s: every message has the placeholders of the English one', (locale) => {
    for (const [name, entry] of Object.entries(readCatalogue(locale))) {
      const source = englishFor(name)!;
      expect(placeholdersDefined(entry), name).toEqual(placeholdersDefined(source));
      const used = placeholdersUsed(entry.message);
      // "one message", "two messages": those forms may say the number in words.
      const wordsForNumber = /_(zero|one|two)$/.test(name) ? placeholdersUsed(source.message).filter((p) => p !== 'count') : undefined;
      expect(used, `${locale} ${name}: ${entry.message}`).toEqual(wordsForNumber && !used.includes('count') ? wordsForNumber : placeholdersUsed(source.message));
      // A lone "$" would read as a placeholder: written "$$".
      expect(entry.message.replace(/\$\$|\$[A-Za-z0-9_]+\$/g, ''), name).not.toContain('$');
      // WXT writes the messages into its generated types with String.replace, where "$`", "$'" and
      // "$&" are replacement patterns: the build's type file came out broken.
      expect(entry.message, name).not.toMatch(/\$[`'&]/);
    }
  });
});

/** Each use of a catalogue name in the code: t('name', …), plural('name', n, …), rich('name', …). */
function catalogueCalls(file: string) {
  const calls: { fn: string; name: string; args: number; where: string }[] = [];
  const sf = parse(file);
  walk(sf, (node) => {
    if (!ts.isCallExpression(node) || !ts.isIdentifier(node.expression) || !['t', 'plural', 'rich'].includes(node.expression.text)) return;
    const [first] = node.arguments;
    if (first && ts.isStringLiteral(first)) {
      calls.push({ fn: node.expression.text, name: first.text, args: node.arguments.length - 1, where: `${file}:${sf.getLineAndCharacterOfPosition(node.getStart()).line + 1}` });
    }
  });
  return calls;
}

const CODE = [...sourceFiles('components'), ...sourceFiles('extension'), ...sourceFiles('entrypoints')];

describe('the code and the catalogue', () => {
  it('uses only names that exist, with one substitution per placeholder', () => {
    const calls = CODE.flatMap(catalogueCalls);
    expect(calls.length).toBeGreaterThan(100);
    for (const call of calls) {
      const entry = call.fn === 'plural' ? english[`${call.name}_other`] : english[call.name];
      expect(entry, `${call.where}: ${call.name}`).toBeDefined();
      expect(call.args, `${call.where}: ${call.name}`).toBe(placeholdersUsed(entry.message).length);
    }
  });

  it('leaves no message unused (the manifest’s come from wxt.config.ts)', () => {
    const text = [...CODE, 'wxt.config.ts'].map((f) => readFileSync(join(ROOT, f), 'utf8')).join('\n');
    const used = (name: string) => text.includes(`'${name}'`) || text.includes(`__MSG_${name}__`);
    const unused = Object.keys(english).filter((name) => {
      const plural = name.match(PLURAL);
      return !used(plural ? plural[1] : name);
    });
    expect(unused).toEqual([]);
  });
});

/** User-facing attributes: what a screen reader reads or a person sees. */
const SPOKEN_ATTRIBUTES = new Set(['aria-label', 'aria-description', 'aria-roledescription', 'aria-valuetext', 'title', 'placeholder', 'alt', 'label']);
const LETTER = /\p{L}/u;
/** A sentence-like string: two words. Class names, keys and addresses are single tokens or sit in `class`. */
const WORDS = /\p{L}{2,}[,.:;!?]*\s+\p{L}/u;
/** Catalogue names (and plural bases): strings that name words rather than being them. */
const NAMES = new Set([...Object.keys(english), ...pluralBases]);

/** Hard-coded user-visible text in a component's source: [line, text] for each. */
function hardCodedText(file: string, text?: string): [number, string][] {
  const sf = parse(file, text);
  const found: [number, string][] = [];
  const report = (node: ts.Node, what: string): void => void found.push([sf.getLineAndCharacterOfPosition(node.getStart()).line + 1, what.trim()]);
  const literalText = (node: ts.Node): string | undefined => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return NAMES.has(node.text) ? undefined : node.text;
    return ts.isTemplateExpression(node) ? [node.head.text, ...node.templateSpans.map((s) => s.literal.text)].join(' ') : undefined;
  };
  /** The strings an expression can evaluate to (not those it compares with, as in `kind === 'icloud'`). */
  const values = (node: ts.Node): ts.Node[] => {
    if (ts.isParenthesizedExpression(node) || ts.isJsxExpression(node)) return node.expression ? values(node.expression) : [];
    if (ts.isConditionalExpression(node)) return [...values(node.whenTrue), ...values(node.whenFalse)];
    if (ts.isBinaryExpression(node) && [ts.SyntaxKind.BarBarToken, ts.SyntaxKind.QuestionQuestionToken, ts.SyntaxKind.AmpersandAmpersandToken].includes(node.operatorToken.kind)) {
      return [...values(node.left), ...values(node.right)];
    }
    return [node];
  };
  const saysWords = (node: ts.Node) => values(node).some((v) => LETTER.test(literalText(v) ?? ''));
  const isChild = (node: ts.Node) => ts.isJsxElement(node.parent) || ts.isJsxFragment(node.parent);
  const visit = (node: ts.Node): void => {
    if (ts.isJsxText(node)) {
      if (LETTER.test(node.text.replace(/&\w+;/g, ''))) report(node, node.text);
      return;
    }
    if (ts.isJsxAttribute(node)) {
      const name = node.name.getText();
      if (name === 'class' || name === 'className' || !node.initializer || ts.isStringLiteral(node.initializer) && !SPOKEN_ATTRIBUTES.has(name)) return;
      if (SPOKEN_ATTRIBUTES.has(name) && saysWords(node.initializer)) return report(node, node.getText());
      if (!SPOKEN_ATTRIBUTES.has(name) && ts.isJsxExpression(node.initializer) && node.initializer.expression && literalText(node.initializer.expression) !== undefined) return;
    }
    if (ts.isJsxExpression(node) && isChild(node) && saysWords(node)) return report(node, node.getText());
    const literal = literalText(node);
    if (literal !== undefined && WORDS.test(literal) && !ts.isImportDeclaration(node.parent)) return report(node, literal);
    node.forEachChild(visit);
  };
  visit(sf);
  return found;
}

describe('components say nothing outside the catalogue', () => {
  it('finds hard-coded text of every kind (the check itself can fail)', () => {
    const sample = `
      export const A = () => <p title="Hi there">Hello</p>;
      export const B = () => <button aria-label={\`Remove \${name}\`}>{'Save'}</button>;
      export const C = (x: boolean) => <input placeholder={x ? 'you@example.com' : ''} />;
      const words = 'No unread mail.';
      export const D = () => <p class={x ? 'notice attention' : 'state'}>{t('ok')}</p>;`;
    expect(hardCodedText('sample.tsx', sample).map(([, what]) => what)).toEqual([
      'title="Hi there"',
      'Hello',
      'aria-label={`Remove ${name}`}',
      "{'Save'}",
      "placeholder={x ? 'you@example.com' : ''}",
      'No unread mail.',
    ]);
  });

  it.each(sourceFiles('components', /\.tsx$/).map((f) => relative(ROOT, join(ROOT, f))))('%s', (file) => {
    expect(hardCodedText(file)).toEqual([]);
  });
});
