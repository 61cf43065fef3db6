import type { Condition } from '@attune/contracts';

/** A `segment` node of a condition tree and its JSON pointer. */
export interface SegmentReference {
  segmentId: string;
  path: string;
}

/** The `segment` nodes of a (checked) condition, in document order, with their pointers. */
export function segmentReferences(condition: Condition, root = ''): SegmentReference[] {
  const found: SegmentReference[] = [];
  const walk = (node: Condition, path: string): void => {
    switch (node.type) {
      case 'and':
      case 'or':
        node.conditions.forEach((child, i) => walk(child, `${path}/conditions/${i}`));
        return;
      case 'not':
        walk(node.condition, `${path}/condition`);
        return;
      case 'segment':
        found.push({ segmentId: node.segment, path });
        return;
      default:
        return;
    }
  };
  walk(condition, root);
  return found;
}

/**
 * A path of segment ids from `start` back to `start` through `dependsOn`, or null when
 * `start` does not depend on itself. Depth-first, so the path is one cycle, not the shortest.
 */
export function findCycle(
  start: string,
  dependsOn: (segmentId: string) => Iterable<string>,
): string[] | null {
  const done = new Set<string>();
  const path: string[] = [start];
  const visit = (id: string): boolean => {
    for (const next of dependsOn(id)) {
      if (next === start) {
        path.push(next);
        return true;
      }
      if (done.has(next)) continue;
      done.add(next);
      path.push(next);
      if (visit(next)) return true;
      path.pop();
    }
    return false;
  };
  return visit(start) ? path : null;
}
