/**
 * Formatters shared by the console and the phone page: money in fen shown as yuan, instants in Asia/Shanghai,
 * durations in (working) days, hours and minutes. Pure, no DOM: unit tests import them directly.
 */

/** Asia/Shanghai has kept UTC+8 without daylight saving since 1991. */
export const SHANGHAI_OFFSET_MS = 8 * 3600_000;
const DAY_S = 86_400;
const HOUR_S = 3600;

const groupThousands = (digits: string) => digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** 123456 fen -> "1,234.56 元". Exact for any safe integer: no floating-point division. */
export function yuan(fen: number, unit = ' 元'): string {
  if (!Number.isFinite(fen)) {
    return '—';
  }
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(Math.trunc(fen));
  return `${sign}${groupThousands(String(Math.floor(abs / 100)))}.${String(abs % 100).padStart(2, '0')}${unit}`;
}

/** Short money for chart labels: "12.5 万元" from ten thousand yuan up, "1,234 元" below. */
export function yuanShort(fen: number): string {
  const value = fen / 100;
  if (Math.abs(value) >= 10_000) {
    return `${(value / 10_000).toFixed(value >= 1_000_000 ? 0 : 1)} 万元`;
  }
  return `${groupThousands(String(Math.round(value)))} 元`;
}

/**
 * What a person typed as yuan ("1500", "1,500.5", "１５００") as whole fen, or null when it is not an amount with
 * at most two decimals. Parsed as text, so 0.1 + 0.2 never creeps in.
 */
export function parseYuan(text: string): number | null {
  const normal = text
    .trim()
    .replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0))
    .replace(/[,，\s]/g, '')
    .replace(/[．。]/g, '.');
  const match = /^(\d{1,13})(?:\.(\d{1,2}))?$/.exec(normal);
  if (!match) {
    return null;
  }
  const fen = Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  return Number.isSafeInteger(fen) ? fen : null;
}

export const count = (n: number): string => groupThousands(String(n));

/** An instant (ISO-8601 text or epoch ms) as "2026-12-05 10:30" in Shanghai; "—" when absent or invalid. */
export function shanghaiTime(value: string | number | null | undefined, withSeconds = false): string {
  if (value === null || value === undefined) {
    return '—';
  }
  const ms = typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms)) {
    return '—';
  }
  return new Date(ms + SHANGHAI_OFFSET_MS)
    .toISOString()
    .slice(0, withSeconds ? 19 : 16)
    .replace('T', ' ');
}

/** The Shanghai calendar date of an instant: "2026-12-05". */
export const shanghaiDate = (ms: number): string => new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);

/** An instant as the value of an `<input type="datetime-local">` read as Shanghai time: "2026-12-05T10:30". */
export const shanghaiInputValue = (ms: number): string => new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 16);

/** A datetime-local value read as Shanghai time, as ISO-8601 with +08:00; null when it is not a valid time. */
export function fromShanghaiInput(value: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value.trim());
  if (!match) {
    return null;
  }
  const iso = `${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:00+08:00`;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) && shanghaiInputValue(ms) === value.trim() ? iso : null;
}

/** The first instant of a Shanghai date ("2026-01-01") as ISO-8601 with +08:00. */
export const shanghaiDayStartIso = (date: string): string => `${date}T00:00:00+08:00`;

function parts(seconds: number, dayWord: string): string {
  const s = Math.floor(Math.abs(seconds));
  if (s < 60) {
    return '不到 1 分钟';
  }
  const days = Math.floor(s / DAY_S);
  const hours = Math.floor((s % DAY_S) / HOUR_S);
  const minutes = Math.floor((s % HOUR_S) / 60);
  if (days > 0) {
    return hours > 0 ? `${days} ${dayWord} ${hours} 小时` : `${days} ${dayWord}`;
  }
  if (hours > 0) {
    return minutes > 0 ? `${hours} 小时 ${minutes} 分钟` : `${hours} 小时`;
  }
  return `${minutes} 分钟`;
}

/** Counted working time as working days and hours: 97200 -> "1 个工作日 3 小时". A working day counts 24 hours. */
export const workingDuration = (seconds: number): string => parts(seconds, '个工作日');

/** Wall-clock time as days and hours: 97200 -> "1 天 3 小时". */
export const naturalDuration = (seconds: number): string => parts(seconds, '天');

export type Tone = 'ok' | 'soon' | 'late' | 'paused' | 'none';

export interface StepTiming {
  status: string;
  stepCalendar?: 'working' | 'natural' | null;
  timeLeftSeconds?: number | null;
  timeLeftWorkingSeconds?: number | null;
  suspendedUntil?: string | null;
}

/**
 * "剩余 1 个工作日 3 小时" / "已超时 2 小时" / "暂停计时至 12-08 17:00", with a tone for colour. Working-day steps
 * count in working days (weekends and holidays left out); natural-clock steps in days and hours.
 */
export function timeLeftLabel(step: StepTiming, soonSeconds = 4 * HOUR_S): { text: string; tone: Tone } {
  if (step.status !== 'open') {
    return { text: '已结束', tone: 'none' };
  }
  if (step.suspendedUntil) {
    return { text: `暂停计时至 ${shanghaiTime(step.suspendedUntil).slice(5)}`, tone: 'paused' };
  }
  const working = step.stepCalendar === 'working' && typeof step.timeLeftWorkingSeconds === 'number';
  const left = working ? step.timeLeftWorkingSeconds : step.timeLeftSeconds;
  if (typeof left !== 'number') {
    return { text: '期限计算中', tone: 'none' };
  }
  const say = working ? workingDuration : naturalDuration;
  if (left < 0 || (left === 0 && (step.timeLeftSeconds ?? 0) < 0)) {
    return { text: `已超时 ${say(left)}`, tone: 'late' };
  }
  return { text: `剩余 ${say(left)}`, tone: left <= soonSeconds ? 'soon' : 'ok' };
}

/** A year-on-year change in percent: "+12.5%", "-3%", "—" when there is nothing to compare with. */
export function percentChange(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) {
    return '—';
  }
  return `${value > 0 ? '+' : ''}${value}%`;
}
