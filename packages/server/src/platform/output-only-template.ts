/**
 * Most variant templates are text with a few outputs, like `Hi {{ traits.name | default:
 * "there" }}!`. Rendering those through LiquidJS costs about as much as deciding the rules
 * (its generators and filter objects), so such templates get a renderer of their own.
 *
 * It accepts only what it renders exactly as LiquidJS does (checked against LiquidJS by a
 * property test): text without tags, and outputs of a dotted path of identifiers with
 * `default: "literal"` filters and an optional final `raw`. A template with anything else
 * compiles to null, and a render that meets a value it does not handle (an array, an
 * object, a function) answers undefined: LiquidJS renders both.
 */
export type OutputOnlyTemplate = (scope: object) => string | undefined;

interface Output {
  path: readonly string[];
  /** The `default` filters' literals, in order. */
  defaults: readonly string[];
  escape: boolean;
}

type Part = string | Output;

const identifier = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Liquid reads these as literals, or as array/size accessors: LiquidJS renders them. */
const specialNames = new Set([
  'size',
  'first',
  'last',
  'nil',
  'null',
  'true',
  'false',
  'empty',
  'blank',
]);
const filterPattern = /^(default)\s*:\s*(?:"([^"\\{}]*)"|'([^'\\{}]*)')$|^(raw)$/;
const hasOwn = (value: object, key: string) => Object.prototype.hasOwnProperty.call(value, key);

export interface OutputOnlyOptions {
  escapeHtml: boolean;
  /**
   * Longer output is left to LiquidJS, so its memory limit applies as before: at this
   * length or under, LiquidJS's own count (each escaped output's length) is under it too.
   */
  maxLength: number;
}

/** The template's renderer, or null when it is more than text and simple outputs. */
export function compileOutputOnly(
  template: string,
  { escapeHtml, maxLength }: OutputOnlyOptions,
): OutputOnlyTemplate | null {
  const parts: Part[] = [];
  let at = 0;
  while (at < template.length) {
    const open = template.indexOf('{', at);
    const next = open === -1 ? -1 : nextTagStart(template, open);
    if (next === -1) {
      parts.push(template.slice(at));
      break;
    }
    if (template[next + 1] === '%') return null;
    if (next > at) parts.push(template.slice(at, next));
    const close = template.indexOf('}}', next + 2);
    if (close === -1) return null;
    const output = parseOutput(template.slice(next + 2, close), escapeHtml);
    if (output === null) return null;
    parts.push(output);
    at = close + 2;
  }
  return (scope) => {
    let text = '';
    for (const part of parts) {
      if (typeof part === 'string') {
        text += part;
        continue;
      }
      const value = renderOutput(part, scope);
      if (value === undefined) return undefined;
      text += value;
      if (text.length > maxLength) return undefined;
    }
    return text;
  };
}

/** The index of the next `{{` or `{%` from `from` (a `{` in the text), or -1. */
function nextTagStart(template: string, from: number): number {
  for (let i = from; i !== -1; i = template.indexOf('{', i + 1)) {
    const after = template[i + 1];
    if (after === '{' || after === '%') return i;
  }
  return -1;
}

function parseOutput(markup: string, escapeHtml: boolean): Output | null {
  // Whitespace control (`{{-`, `-}}`) trims the text around: LiquidJS's to do.
  if (markup.startsWith('-') || markup.endsWith('-')) return null;
  const [expression = '', ...filters] = markup.split('|').map((piece) => piece.trim());
  const path = expression.split('.');
  if (!path.every((name) => identifier.test(name) && !specialNames.has(name))) return null;
  const defaults: string[] = [];
  let raw = false;
  for (const filter of filters) {
    const match = filterPattern.exec(filter);
    if (match === null || raw) return null;
    if (match[4] === 'raw') raw = true;
    else defaults.push((match[2] ?? match[3]) as string);
  }
  return { path, defaults, escape: escapeHtml && !raw };
}

function renderOutput(output: Output, scope: object): string | undefined {
  let value: unknown = scope;
  for (const name of output.path) {
    if (value === null || value === undefined) break;
    if (!isPlainRecord(value)) return undefined;
    value = hasOwn(value, name) ? value[name] : undefined;
  }
  let text: string;
  if (typeof value === 'string') text = value;
  else if (value === null || value === undefined) text = '';
  else if (typeof value === 'number' || typeof value === 'boolean') text = String(value);
  else return undefined;
  for (const fallback of output.defaults) {
    // Liquid's `default` replaces an empty string, nil and false; 0 is a value.
    if (text === '' || value === false) {
      value = fallback;
      text = fallback;
    }
  }
  return output.escape ? escapeHtmlText(text) : text;
}

/** An object LiquidJS reads as plain data: no array, no `toLiquid`, no class instance. */
function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return false;
  return typeof (value as { toLiquid?: unknown }).toLiquid !== 'function';
}

const htmlEscapes: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&#34;',
  "'": '&#39;',
};

/** LiquidJS's `escape` filter. */
function escapeHtmlText(text: string): string {
  return /[&<>"']/.test(text) ? text.replace(/[&<>"']/g, (c) => htmlEscapes[c] as string) : text;
}
