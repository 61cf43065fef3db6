import { parseDuration } from '@attune/engine';

/** Reading settings from environment and flag text (see config.ts). */

/** How a setting's text is read. */
export type SettingKind = 'string' | 'list' | 'integer' | 'duration' | 'boolean';

export function convert(text: string, kind: SettingKind): unknown {
  switch (kind) {
    case 'string':
      return text;
    case 'list':
      return text
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '');
    case 'integer':
      return /^\d+$/.test(text.trim()) ? Number(text) : undefined;
    case 'duration':
      return parseDuration(text) ?? undefined;
    case 'boolean': {
      const t = text.trim().toLowerCase();
      if (['1', 'true', 'on', 'yes'].includes(t)) return true;
      if (['0', 'false', 'off', 'no'].includes(t)) return false;
      return undefined;
    }
  }
}

export function describeKind(kind: SettingKind): string {
  if (kind === 'duration') return 'a duration like 7d, 24h or 90s';
  return kind === 'integer' ? 'an integer' : `a ${kind}`;
}

export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    node[part] ??= {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1] as string] = value;
}

export function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

export function flagText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
