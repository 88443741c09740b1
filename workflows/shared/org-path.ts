/**
 * Org units carry a materialised path of their ids and their ancestors' ids, `/<city>/<district>/.../<self>/`.
 * Subtree checks are prefix checks on that path, the same test the SQL read model uses with LIKE.
 */
export interface UnitRef {
  id: string;
  path: string;
}

export const isWithin = (unitPath: string, ancestorPath: string): boolean => unitPath.startsWith(ancestorPath);

export const isStrictlyBelow = (unitPath: string, ancestorPath: string): boolean =>
  unitPath !== ancestorPath && unitPath.startsWith(ancestorPath);

/** Ids from the unit itself up to the root: `[self, parent, ..., city]`. */
export const selfAndAncestorIds = (unitPath: string): string[] => unitPath.split('/').filter(Boolean).reverse();

export const parentOf = (unit: UnitRef): UnitRef | null => {
  const ids = unit.path.split('/').filter(Boolean);
  if (ids.length < 2) {
    return null;
  }
  const parentIds = ids.slice(0, -1);
  return { id: parentIds[parentIds.length - 1]!, path: `/${parentIds.join('/')}/` };
};
