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
  whole = '全部',
}: {
  me: Me;
  units: Units;
  value: string | undefined;
  onChange: (value: string) => void;
  /** What the empty choice says after the caller's unit name: the whole subtree. */
  whole?: string;
}) {
  const below = units.list.filter((u) => u.id !== me.unitId);
  return (
    <SelectFilter
      label="单位"
      value={value}
      none={`${me.unitName}（${whole}）`}
      choices={below.map((u) => [u.id, units.indented(u, me.unitId)] as const)}
      onChange={onChange}
    />
  );
}

/** A report's conditions as typed, before they are applied: a unit (empty for the caller's subtree) and dates. */
export interface ReportDraft {
  unitId: string;
  from: string;
  to: string;
}

/** The conditions form of a report: the unit, a period of Shanghai dates, and 查询 to apply them. */
export function ReportConditions({
  me,
  units,
  draft,
  onDraft,
  onApply,
}: {
  me: Me;
  units: Units;
  draft: ReportDraft;
  onDraft: (draft: ReportDraft) => void;
  onApply: (draft: ReportDraft) => void;
}) {
  return (
    <form
      class="filters"
      onSubmit={(e) => {
        e.preventDefault();
        onApply(draft);
      }}
      aria-label="报表条件"
    >
      <UnitFilter
        me={me}
        units={units}
        value={draft.unitId}
        whole="全辖区"
        onChange={(unitId) => onDraft({ ...draft, unitId })}
      />
      <label class="field field-inline">
        <span>从</span>
        <input type="date" value={draft.from} onInput={(e) => onDraft({ ...draft, from: e.currentTarget.value })} />
      </label>
      <label class="field field-inline">
        <span>到</span>
        <input type="date" value={draft.to} onInput={(e) => onDraft({ ...draft, to: e.currentTarget.value })} />
      </label>
      <button type="submit" class="button button-primary">
        查询
      </button>
    </form>
  );
}
