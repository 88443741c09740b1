import type { StaffRole, UnitLevel } from '../workflows/shared/case-vocabulary.js';

/** The signed-in staff member, loaded fresh on every request so a disabled account stops at once. */
export interface Staff {
  id: string;
  username: string;
  name: string;
  role: StaffRole;
  unitId: string;
  unitPath: string;
  unitLevel: UnitLevel;
  unitName: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    staff: Staff | null;
    /** What the audit log records for this request; handlers fill in the target. */
    audit: AuditEntry | null;
  }
  interface FastifyContextConfig {
    /** `read` audits a read of personal data; every write is audited anyway. */
    audit?: 'read';
    /** Routes that need no staff token. */
    public?: boolean;
  }
}

export interface AuditEntry {
  action: string;
  targetType?: string;
  targetId?: string;
  details?: Record<string, unknown>;
}
