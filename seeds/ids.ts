import { createHash } from 'node:crypto';

/**
 * Deterministic identity and randomness for seeds. A seed row's id is derived from a stable name, so every run
 * produces the same ids and a conflict-ignoring insert makes a repeat run a no-op; the generator makes the same
 * fictional people on every run.
 */

/**
 * A fixed UUID for a seed row, from the SHA-256 of its stable name (`seedId('unit:yuecheng')`). It is shaped like
 * a version-4 UUID (version and variant bits set) so that it passes any UUID check; it is not random.
 */
export function seedId(name: string): string {
  const hex = createHash('sha256').update(name, 'utf8').digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return [
    hex.slice(0, 8),
    hex.slice(8, 12),
    `4${hex.slice(13, 16)}`,
    `${variant}${hex.slice(17, 20)}`,
    hex.slice(20, 32),
  ].join('-');
}

/** mulberry32: a tiny 32-bit PRNG returning numbers in [0, 1). The same seed always yields the same sequence. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A whole number from 0 up to, not including, `bound`. */
export const randomInt = (random: () => number, bound: number): number => Math.floor(random() * bound);

export const pick = <T>(random: () => number, items: readonly T[]): T => {
  const item = items[randomInt(random, items.length)];
  if (item === undefined) {
    throw new Error('Cannot pick from an empty list');
  }
  return item;
};
