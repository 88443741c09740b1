import { sql, type Expression, type SqlBool } from 'kysely';
import type { Db } from '../db/database.js';
import type { OrgUnit } from '../db/tables/org-unit.table.js';
import { isWithin } from '../workflows/shared/org-path.js';
import { notFound } from './errors.js';
import type { Staff } from './staff.js';

/**
 * The one place that decides what a staff member may see: their own unit's subtree, nothing outside it.
 * Paths are `/<id>/<id>/.../` of UUIDs, so a prefix LIKE needs no escaping.
 */
export function withinSubtree(column: Expression<string | null>, unitPath: string): Expression<SqlBool> {
  return sql<SqlBool>`${column} like ${`${unitPath}%`}`;
}

/** A unit in the caller's subtree, or 404 as if it did not exist. */
export async function unitInScope(db: Db, staff: Staff, unitId: string, field = 'unitId'): Promise<OrgUnit> {
  const unit = await db.selectFrom('org_unit').selectAll().where('id', '=', unitId).executeTakeFirst();
  if (!unit || !isWithin(unit.path, staff.unitPath)) {
    throw notFound('UNIT_NOT_FOUND', `${field}：单位不存在或不在您的管辖范围内`);
  }
  return unit;
}
