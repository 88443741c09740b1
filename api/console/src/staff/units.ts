import { useMemo } from 'preact/hooks';
import { useResource } from '../shared/ui.js';
import { fetchUnits, type OrgUnit } from './data.js';

export interface Units {
  byId: Map<string, OrgUnit>;
  list: OrgUnit[];
  /** The unit's name; "上级单位" or "其他单位" for one outside the caller's subtree. */
  name: (id: string | null | undefined) => string;
  children: (id: string) => OrgUnit[];
  /** The unit's name indented by its depth below `rootId`, for a picker. */
  indented: (unit: OrgUnit, rootId: string) => string;
}

const depth = (path: string) => path.split('/').length - 2;

export function unitsFrom(list: OrgUnit[], unknown?: string): Units {
  const byId = new Map(list.map((unit) => [unit.id, unit]));
  // The list is the caller's subtree in path order: its first unit is the caller's own, whose path names every
  // unit above it. Units outside the subtree have no name here; say which side of it they are on.
  const ancestors = new Set(list[0]?.path.split('/').filter(Boolean) ?? []);
  const outside = (id: string) => unknown ?? (ancestors.has(id) ? '上级单位' : '其他单位');
  return {
    byId,
    list,
    name: (id) => (id ? (byId.get(id)?.name ?? outside(id)) : '—'),
    children: (id) => list.filter((unit) => unit.parentId === id),
    indented: (unit, rootId) => {
      const root = byId.get(rootId);
      const below = root ? depth(unit.path) - depth(root.path) - 1 : 0;
      return `${'　'.repeat(Math.max(0, below))}${unit.name}`;
    },
  };
}

const LOADING = unitsFrom([], '…');
const FAILED = unitsFrom([], '—');

/** The caller's units for names and pickers; names read "…" until they arrive and "—" if they could not be read. */
export function useUnits(): Units {
  const resource = useResource(fetchUnits, []);
  return useMemo(
    () => (resource.data ? unitsFrom(resource.data) : resource.error ? FAILED : LOADING),
    [resource.data, resource.error],
  );
}
