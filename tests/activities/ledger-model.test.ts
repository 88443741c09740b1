import { randomUUID } from 'node:crypto';
import fc, { type AsyncCommand } from 'fast-check';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { createDb, type Db } from '../../db/database.js';
import {
  InsufficientFundsError,
  LedgerImbalanceError,
  move,
  type Movement,
} from '../../db/repositories/ledger.repository.js';
import { buildOrgTree } from '../../seeds/01-reference-data.js';

/*
 * RELIABILITY M5: random sequences of ledger movements against a plain in-memory model. Each run picks a year in
 * 2090-2097 and works on the warmth budgets of zhuji_t1 (the parent) and its grassroots unions zhuji_t1_g1 and
 * zhuji_t1_g2 (the children) for that year; nothing else uses them. Runs may land on a year an earlier run used,
 * so each run starts its model from the balances it finds. After every command the stored balances must equal the
 * model's, equal the sums of their ledger entries, and leave no budget overdrawn; a refused movement changes
 * nothing. The seed is printed; keep a failing seed as a regression.
 */

/**
 * A fixed seed by default, so CI is reproducible and the coverage check below (every kind of movement both posted
 * and refused) cannot fail by luck; `FC_SEED=random` explores new sequences, `FC_SEED=<n>` replays one.
 */
const DEFAULT_SEED = 22;
const SEED =
  process.env.FC_SEED === 'random' ? Math.floor(Math.random() * 2 ** 31) : Number(process.env.FC_SEED ?? DEFAULT_SEED);
const NUM_RUNS = 25;

type Slot = 'parent' | 'childA' | 'childB';
const SLOTS: readonly Slot[] = ['parent', 'childA', 'childB'];
const HANDLES: Record<Slot, string> = { parent: 'zhuji_t1', childA: 'zhuji_t1_g1', childB: 'zhuji_t1_g2' };

interface Balances {
  allocated: number;
  allocatedOut: number;
  reserved: number;
  paid: number;
}

interface Model {
  budgets: Record<Slot, Balances>;
  /** The last movement that was posted, to replay under the same posting key. */
  lastPosted: { movement: Movement; postingKey: string } | null;
}

interface Real {
  db: Db;
  ids: Record<Slot, string>;
}

/** Posted and refused movements per kind, printed after the run to show the sequences reach every branch. */
const tally = new Map<string, { posted: number; refused: number }>();
const count = (kind: string, outcome: 'posted' | 'refused') => {
  const entry = tally.get(kind) ?? { posted: 0, refused: 0 };
  entry[outcome] += 1;
  tally.set(kind, entry);
};

const available = (b: Balances) => b.allocated - b.allocatedOut - b.reserved - b.paid;

async function readBalances(real: Real): Promise<Record<Slot, Balances>> {
  const rows = await real.db
    .selectFrom('budget')
    .select(['id', 'allocated_fen', 'allocated_out_fen', 'reserved_fen', 'paid_fen'])
    .where('id', 'in', Object.values(real.ids))
    .execute();
  const byId = new Map(rows.map((r) => [r.id, r]));
  const out = {} as Record<Slot, Balances>;
  for (const slot of SLOTS) {
    const row = byId.get(real.ids[slot])!;
    out[slot] = {
      allocated: row.allocated_fen,
      allocatedOut: row.allocated_out_fen,
      reserved: row.reserved_fen,
      paid: row.paid_fen,
    };
  }
  return out;
}

/** Balances as the sums of each budget's ledger entries (available, reserved, paid) and their entry count. */
async function entrySums(real: Real) {
  const rows = await real.db
    .selectFrom('ledger_entry')
    .select(['budget_id', 'account'])
    .select((eb) => [eb.fn.sum<number>('amount_fen').as('total'), eb.fn.countAll<number>().as('n')])
    .where('budget_id', 'in', Object.values(real.ids))
    .groupBy(['budget_id', 'account'])
    .execute();
  const out = {} as Record<Slot, { available: number; reserved: number; paid: number; entries: number }>;
  for (const slot of SLOTS) {
    const mine = rows.filter((r) => r.budget_id === real.ids[slot]);
    const sum = (account: string) => Number(mine.find((r) => r.account === account)?.total ?? 0);
    out[slot] = {
      available: sum('available'),
      reserved: sum('reserved'),
      paid: sum('paid'),
      entries: mine.reduce((n, r) => n + Number(r.n), 0),
    };
  }
  return out;
}

async function expectConsistent(model: Model, real: Real): Promise<void> {
  const stored = await readBalances(real);
  expect(stored).toEqual(model.budgets);
  const sums = await entrySums(real);
  for (const slot of SLOTS) {
    const b = stored[slot];
    expect(available(b)).toBeGreaterThanOrEqual(0);
    expect({ available: sums[slot].available, reserved: sums[slot].reserved, paid: sums[slot].paid }).toEqual({
      available: available(b),
      reserved: b.reserved,
      paid: b.paid,
    });
  }
}

type Kind = 'fund' | 'allocate' | 'reserve' | 'release' | 'pay' | 'reverse';

/**
 * One movement. `exact` makes the amount the whole balance the movement draws on (when that is positive), to hit
 * the boundary; otherwise `amountFen` is used as drawn. The model decides whether it fits, the real ledger must
 * agree: posted and applied when it fits, InsufficientFundsError and no change at all when it does not.
 */
class MoveCommand implements AsyncCommand<Model, Real> {
  constructor(
    readonly kind: Kind,
    readonly slot: Slot,
    readonly amountFen: number,
    readonly exact: boolean,
  ) {}

  check(): boolean {
    return true;
  }

  private source(): Slot {
    return this.kind === 'allocate' ? 'parent' : this.slot;
  }

  /** What the movement draws on in the model. */
  private limit(m: Model): number {
    const b = m.budgets[this.source()];
    switch (this.kind) {
      case 'fund':
        return Number.POSITIVE_INFINITY;
      case 'allocate':
      case 'reserve':
        return available(b);
      case 'release':
      case 'pay':
        return b.reserved;
      case 'reverse':
        return b.paid;
    }
  }

  private amount(m: Model): number {
    const limit = this.limit(m);
    return this.exact && Number.isFinite(limit) && limit > 0 ? limit : this.amountFen;
  }

  private movement(m: Model, ids: Record<Slot, string>): Movement {
    const amountFen = this.amount(m);
    if (this.kind === 'fund') {
      return { kind: 'fund', budgetId: ids[this.slot], amountFen };
    }
    if (this.kind === 'allocate') {
      const to = this.slot === 'parent' ? 'childA' : this.slot;
      return { kind: 'allocate', fromBudgetId: ids.parent, toBudgetId: ids[to], amountFen };
    }
    return { kind: this.kind, budgetId: ids[this.slot], amountFen };
  }

  async run(m: Model, r: Real): Promise<void> {
    const amountFen = this.amount(m);
    const fits = amountFen <= this.limit(m);
    const movement = this.movement(m, r.ids);
    const postingKey = `model:${randomUUID()}`;
    const entriesBefore = await entrySums(r);

    const attempt = r.db.transaction().execute((trx) => move(trx, movement, { postingKey, memo: 'ledger model' }));

    count(this.kind, fits ? 'posted' : 'refused');
    if (!fits) {
      await expect(attempt).rejects.toBeInstanceOf(InsufficientFundsError);
      expect(await entrySums(r)).toEqual(entriesBefore);
      const written = await r.db
        .selectFrom('ledger_transaction')
        .select('id')
        .where('posting_key', '=', postingKey)
        .execute();
      expect(written).toEqual([]);
    } else {
      expect((await attempt).created).toBe(true);
      applyToModel(m, movement, r.ids);
      m.lastPosted = { movement, postingKey };
    }
    await expectConsistent(m, r);
  }

  toString(): string {
    return `${this.kind}(${this.slot}, ${this.exact ? 'exact' : this.amountFen})`;
  }
}

function applyToModel(m: Model, movement: Movement, ids: Record<Slot, string>): void {
  const slotOf = (id: string) => SLOTS.find((s) => ids[s] === id)!;
  const x = movement.amountFen;
  switch (movement.kind) {
    case 'fund':
      m.budgets[slotOf(movement.budgetId)].allocated += x;
      return;
    case 'allocate':
      m.budgets[slotOf(movement.fromBudgetId)].allocatedOut += x;
      m.budgets[slotOf(movement.toBudgetId)].allocated += x;
      return;
    case 'reserve':
      m.budgets[slotOf(movement.budgetId)].reserved += x;
      return;
    case 'release':
      m.budgets[slotOf(movement.budgetId)].reserved -= x;
      return;
    case 'pay':
      m.budgets[slotOf(movement.budgetId)].reserved -= x;
      m.budgets[slotOf(movement.budgetId)].paid += x;
      return;
    case 'reverse':
      m.budgets[slotOf(movement.budgetId)].paid -= x;
      return;
  }
}

/** Sends the last posted movement again under its posting key: it must be found, and nothing must move. */
class ReplayCommand implements AsyncCommand<Model, Real> {
  check(m: Readonly<Model>): boolean {
    return m.lastPosted !== null;
  }

  async run(m: Model, r: Real): Promise<void> {
    const { movement, postingKey } = m.lastPosted!;
    const entriesBefore = await entrySums(r);

    const posted = await r.db.transaction().execute((trx) => move(trx, movement, { postingKey }));

    expect(posted.created).toBe(false);
    expect(await entrySums(r)).toEqual(entriesBefore);
    await expectConsistent(m, r);
  }

  toString(): string {
    return 'replay(last)';
  }
}

/** A movement of zero, negative or fractional fen: refused before anything is written. */
class BadAmountCommand implements AsyncCommand<Model, Real> {
  constructor(
    readonly slot: Slot,
    readonly amountFen: number,
  ) {}

  check(): boolean {
    return true;
  }

  async run(m: Model, r: Real): Promise<void> {
    const entriesBefore = await entrySums(r);

    const attempt = r.db
      .transaction()
      .execute((trx) =>
        move(
          trx,
          { kind: 'fund', budgetId: r.ids[this.slot], amountFen: this.amountFen },
          { postingKey: `model:${randomUUID()}` },
        ),
      );

    await expect(attempt).rejects.toBeInstanceOf(LedgerImbalanceError);
    expect(await entrySums(r)).toEqual(entriesBefore);
    await expectConsistent(m, r);
  }

  toString(): string {
    return `fund(${this.slot}, ${this.amountFen}) [bad amount]`;
  }
}

const slotArb = fc.constantFrom(...SLOTS);
/** Funding brings large sums; the other movements draw small ones, or (exact) the whole balance they draw on. */
const fundAmountArb = fc.integer({ min: 100_000, max: 3_000_000 });
const drawAmountArb = fc.oneof(
  { arbitrary: fc.integer({ min: 1, max: 1_000 }), weight: 2 },
  { arbitrary: fc.integer({ min: 1, max: 100_000 }), weight: 3 },
  { arbitrary: fc.integer({ min: 1, max: 5_000_000 }), weight: 1 },
);
const moveArb = (kind: Kind) =>
  fc
    .tuple(slotArb, kind === 'fund' ? fundAmountArb : drawAmountArb, fc.boolean())
    .map(([slot, amount, exact]) => new MoveCommand(kind, slot, amount, kind !== 'fund' && exact));

const commandArbs = [
  moveArb('fund'),
  moveArb('allocate'),
  moveArb('allocate'),
  moveArb('reserve'),
  moveArb('reserve'),
  moveArb('release'),
  moveArb('pay'),
  moveArb('pay'),
  moveArb('pay'),
  moveArb('reverse'),
  moveArb('reverse'),
  fc.constant(new ReplayCommand()),
  fc
    .tuple(slotArb, fc.constantFrom(0, -1, -500, 0.5, 1.5, Number.MAX_SAFE_INTEGER + 2))
    .map(([slot, amount]) => new BadAmountCommand(slot, amount)),
];

describe('ledger move() against an in-memory model', () => {
  let db: Db;
  const units = new Map(buildOrgTree().map((unit) => [unit.handle, unit]));

  beforeAll(() => {
    db = createDb({ connectionString: inject('databaseUrl'), poolSize: 2 });
  });

  afterAll(async () => {
    await db?.destroy();
  });

  async function budgetsFor(year: number): Promise<Record<Slot, string>> {
    const ids = {} as Record<Slot, string>;
    for (const slot of SLOTS) {
      const unit = units.get(HANDLES[slot])!;
      await db
        .insertInto('budget')
        .values({ unit_id: unit.id, unit_path: unit.path, year, fund: 'warmth' })
        .onConflict((oc) => oc.columns(['unit_id', 'year', 'fund']).doNothing())
        .execute();
      const row = await db
        .selectFrom('budget')
        .select('id')
        .where('unit_id', '=', unit.id)
        .where('year', '=', year)
        .where('fund', '=', 'warmth')
        .executeTakeFirstOrThrow();
      ids[slot] = row.id;
    }
    return ids;
  }

  test('real balances equal the model after every command, none goes negative, refused moves change nothing', async () => {
    console.log(`ledger model: fast-check seed ${SEED} (replay with FC_SEED=${SEED})`);
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2090, max: 2097 }),
        fc.commands(commandArbs, { maxCommands: 40, size: 'max' }),
        async (year, commands) => {
          const ids = await budgetsFor(year);
          const setup = async () => {
            const real: Real = { db, ids };
            const model: Model = { budgets: await readBalances(real), lastPosted: null };
            return { model, real };
          };
          await fc.asyncModelRun(setup, commands);
        },
      ),
      { seed: SEED, numRuns: NUM_RUNS, endOnFailure: true },
    );
    console.log('ledger model: movements posted/refused by kind', Object.fromEntries(tally));
    for (const kind of ['fund', 'allocate', 'reserve', 'release', 'pay', 'reverse']) {
      expect(tally.get(kind)?.posted ?? 0, `${kind} posted`).toBeGreaterThan(0);
    }
    for (const kind of ['allocate', 'reserve', 'release', 'pay', 'reverse']) {
      expect(tally.get(kind)?.refused ?? 0, `${kind} refused`).toBeGreaterThan(0);
    }
  });
});
