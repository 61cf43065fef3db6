/** Built-in prototypes a prototype pollution would add keys to. */
const prototypes = {
  Object: Object.prototype,
  Array: Array.prototype,
  Function: Function.prototype,
  String: String.prototype,
  Number: Number.prototype,
} as const;

export type PrototypeKeys = Record<keyof typeof prototypes, string[]>;

/**
 * The own keys of this thread's built-in prototypes, sorted. Each thread has its own, so a
 * pollution on the processor thread shows only in what that thread reports (tests compare
 * a snapshot before and after hostile input).
 */
export function prototypeKeys(): PrototypeKeys {
  const names = (o: object) => Reflect.ownKeys(o).map(String).sort();
  return Object.fromEntries(
    Object.entries(prototypes).map(([name, proto]) => [name, names(proto)]),
  ) as PrototypeKeys;
}
