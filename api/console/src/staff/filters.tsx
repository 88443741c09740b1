import type { Me } from './data.js';
import type { Units } from './units.js';

/** A list page's filters as its query string holds them: the names given, those set only. */
export function filtersFrom<Name extends string>(
  query: URLSearchParams,
  names: readonly Name[],
): Partial<Record<Name, string>> {
  return Object.fromEntries(names.flatMap((name) => (query.get(name) ? [[name, query.get(name)!]] : []))) as Partial<
    Record<Name, string>
  >;
}

/** One labelled filter of a list page. Its first choice, the empty value, means no filter. */
export function SelectFilter({
  label,
  value,
  choices,
  none = '全部',
  onChange,
}: {
  label: string;
  value: string | undefined;
  /** [value, text] pairs, in the order shown. */
  choices: Iterable<readonly [string, string]>;
  none?: string;
  onChange: (value: string) => void;
}) {
  return (
    <label class="field field-inline">
      <span>{label}</span>
      <select value={value ?? ''} onChange={(e) => onChange(e.currentTarget.value)}>
        <option value="">{none}</option>
        {[...choices].map(([code, text]) => (
          <option key={code} value={code}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The unit filter: the caller's whole subtree (no filter) or one unit below the caller's own, indented by depth. */
export function UnitFilter({
  me,
  units,
  value,
  onChange,
}: {
  me: Me;
  units: Units;
  value: string | undefined;
  onChange: (value: string) => void;
}) {
  const below = units.list.filter((u) => u.id !== me.unitId);
  return (
    <SelectFilter
      label="单位"
      value={value}
      none={`${me.unitName}（全部）`}
      choices={below.map((u) => [u.id, units.indented(u, me.unitId)] as const)}
      onChange={onChange}
    />
  );
}
