/**
 * Which values of a Segment message or a profile are personal data (PII), and a walker that
 * rewrites exactly those: encryption at rest, decryption on read and masking in responses
 * all use it, so they always agree on what PII is.
 */

type Json = Record<string, unknown>;

/** A PII leaf: what the rewrite function receives. */
export type PiiLeaf = string | number | boolean;

/**
 * Keys that are PII wherever they appear inside traits, context.traits or properties (but
 * see isThingLevel)
 * (compared lowercase with `_` and `-` removed, so `first_name` = `firstName`). An `address`
 * is PII as a whole: every leaf under it is rewritten.
 */
export const defaultPiiKeys = [
  'email',
  'phone',
  'name',
  'firstname',
  'lastname',
  'address',
  'street',
  'postalcode',
  'zip',
  'zipcode',
] as const;

/**
 * Where `name` is not a person's: directly in `properties` (the page's or product's name in
 * Segment's page and e-commerce specs) and in each of `properties.products`. Deeper, as in
 * `properties.shipping.name`, it is PII. Configuring `name` in ATTUNE_PII_PATHS makes it PII
 * there too.
 */
const productsPrefix = 'properties.products.';
function isThingLevel(path: string): boolean {
  return (
    path === 'properties' ||
    (path.startsWith(productsPrefix) && path.indexOf('.', productsPrefix.length) === -1)
  );
}

/** Exact paths (from the message root) that are PII besides the keys. */
export const defaultPiiPaths = ['context.ip'] as const;

/** Containers in which PII keys are looked for, at any depth (arrays included). */
const keyedContainers = [['traits'], ['properties'], ['context', 'traits']] as const;

export interface PiiPolicy {
  /** Normalized key names. */
  keys: ReadonlySet<string>;
  /** True when `name` is PII even where it names a page or product (see isThingLevel). */
  thingNamesArePii: boolean;
  /** Exact paths, each as its segments. */
  paths: readonly (readonly string[])[];
}

export function normalizePiiKey(key: string): string {
  return key.toLowerCase().replace(/[_-]/g, '');
}

/**
 * normalizePiiKey for the walker, remembered: messages repeat a few hundred distinct keys,
 * and lowercasing plus a regex for every key of every event is a visible cost at ingest.
 */
const normalizedKeys = new Map<string, string>();
function normalizedKey(key: string): string {
  let normalized = normalizedKeys.get(key);
  if (normalized === undefined) {
    if (normalizedKeys.size >= 10_000) normalizedKeys.clear();
    normalized = normalizePiiKey(key);
    normalizedKeys.set(key, normalized);
  }
  return normalized;
}

/**
 * The default policy plus configured paths (`traits.ssn`, `properties.card.last4`). A
 * configured path of one segment is a key: PII wherever it appears in the containers.
 */
export function piiPolicy(extraPaths: readonly string[] = []): PiiPolicy {
  const keys = new Set<string>(defaultPiiKeys);
  let thingNamesArePii = false;
  const paths: string[][] = defaultPiiPaths.map((path) => path.split('.'));
  for (const raw of extraPaths) {
    const path = raw.trim();
    if (path === '') continue;
    const parts = path.split('.');
    if (parts.length === 1) {
      const key = normalizePiiKey(parts[0] as string);
      keys.add(key);
      if (key === 'name') thingNamesArePii = true;
    } else paths.push(parts);
  }
  return { keys, thingNamesArePii, paths };
}

export type PiiRewrite = (value: PiiLeaf, path: string) => unknown;

/**
 * A copy of a Segment message with every PII leaf replaced by `rewrite(leaf)`; parts without
 * PII are shared, not copied. Objects that hold no PII come back as the same object.
 */
export function rewriteMessagePii(message: Json, policy: PiiPolicy, rewrite: PiiRewrite): Json {
  let result = message;
  for (const container of keyedContainers) {
    const inner = getPath(result, container);
    if (inner === undefined) continue;
    const rewritten = rewriteKeyed(inner, policy, rewrite, container.join('.'), false);
    if (rewritten !== inner) result = setPath(result, container, rewritten);
  }
  for (const path of policy.paths) {
    const value = getPath(result, path);
    if (value === undefined || value === null) continue;
    const rewritten = rewriteAll(value, rewrite, path.join('.'));
    if (rewritten !== value) result = setPath(result, path, rewritten);
  }
  return result;
}

/**
 * The same for a profile's traits object (what `traits` holds in a message): PII keys at any
 * depth, and configured `traits.*` paths.
 */
export function rewriteTraitsPii(traits: Json, policy: PiiPolicy, rewrite: PiiRewrite): Json {
  const wrapped = rewriteMessagePii({ traits }, policy, rewrite);
  return (wrapped['traits'] as Json | undefined) ?? traits;
}

/** True when the message holds at least one PII leaf (cheap pre-check for hot paths). */
export function hasPii(message: Json, policy: PiiPolicy): boolean {
  let found = false;
  rewriteMessagePii(message, policy, (leaf) => {
    found = true;
    return leaf;
  });
  return found;
}

function rewriteKeyed(
  value: unknown,
  policy: PiiPolicy,
  rewrite: PiiRewrite,
  path: string,
  inPii: boolean,
): unknown {
  if (inPii) return rewriteAll(value, rewrite, path);
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((item, index) => {
      if (typeof item !== 'object' || item === null) return;
      const next = rewriteKeyed(item, policy, rewrite, `${path}.${index}`, false);
      if (next !== item) (copy ??= [...(value as unknown[])])[index] = next;
    });
    return copy ?? value;
  }
  if (!isObject(value)) return value;
  let copy: Json | undefined;
  const namesThing = !policy.thingNamesArePii && isThingLevel(path);
  for (const key of Object.keys(value)) {
    const item = value[key];
    const normalized = normalizedKey(key);
    const pii = policy.keys.has(normalized) && !(namesThing && normalized === 'name');
    // A plain value under a key that is not PII: nothing to rewrite, no path to build.
    if (!pii && (typeof item !== 'object' || item === null)) continue;
    const next = rewriteKeyed(item, policy, rewrite, `${path}.${key}`, pii);
    if (next !== item) {
      copy ??= copyObject(value);
      defineOwn(copy, key, next);
    }
  }
  return copy ?? value;
}

function rewriteAll(value: unknown, rewrite: PiiRewrite, path: string): unknown {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return rewrite(value, path);
  }
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((item, index) => {
      const next = rewriteAll(item, rewrite, `${path}.${index}`);
      if (next !== item) (copy ??= [...(value as unknown[])])[index] = next;
    });
    return copy ?? value;
  }
  if (!isObject(value)) return value;
  let copy: Json | undefined;
  for (const key of Object.keys(value)) {
    const item = value[key];
    const next = rewriteAll(item, rewrite, `${path}.${key}`);
    if (next !== item) {
      copy ??= copyObject(value);
      defineOwn(copy, key, next);
    }
  }
  return copy ?? value;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function getPath(root: Json, path: readonly string[]): unknown {
  let node: unknown = root;
  for (const part of path) {
    if (!isObject(node) || !Object.hasOwn(node, part)) return undefined;
    node = node[part];
  }
  return node;
}

/** A copy of root with path set to value; copies only the objects along the path. */
function setPath(root: Json, path: readonly string[], value: unknown): Json {
  const [head, ...rest] = path as [string, ...string[]];
  const copy = copyObject(root);
  const next = rest.length === 0 ? value : setPath(root[head] as Json, rest, value);
  defineOwn(copy, head, next);
  return copy;
}

// Keys like `__proto__` arrive as own properties from JSON.parse. A spread copies them as
// own data properties, and only that key needs defineProperty to be set as data, never as a
// prototype change (defineProperty for every key would be several times slower: hot path).
function copyObject(value: Json): Json {
  return { ...value };
}

function defineOwn(target: Json, key: string, value: unknown): void {
  if (key !== '__proto__') {
    target[key] = value;
    return;
  }
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}
