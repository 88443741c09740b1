import type { RefObject, SVGAttributes } from 'preact';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';

/**
 * Hand-drawn SVG charts: horizontal stacked bars (per unit, per station), stacked columns (per month, per step)
 * and a line. Each is drawn at the pixel width it gets, so text stays readable from a phone to a wide screen,
 * carries a title and an aria description, and lists its legend in text.
 */

export interface Series {
  name: string;
  color: string;
}

export interface BarRow {
  label: string;
  /** One value per series, stacked in order. */
  values: number[];
  /** Written after the bar instead of the formatted total. */
  note?: string;
  onSelect?: () => void;
}

export const PALETTE = ['#2563eb', '#ea580c', '#16a34a', '#9333ea', '#0891b2', '#ca8a04', '#db2777', '#4b5563'];

/** The element's width in pixels, measured after layout and on every resize. */
export function useWidth<T extends Element>(fallback: number): [RefObject<T | null>, number] {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(fallback);
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) {
      return;
    }
    const measure = () => setWidth(Math.max(240, Math.floor(element.getBoundingClientRect().width)));
    measure();
    if (typeof ResizeObserver === 'undefined') {
      return;
    }
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}

/** A round upper bound for an axis: 1, 2, 5 times a power of ten. */
export function niceMax(value: number): number {
  if (value <= 0) {
    return 1;
  }
  const power = 10 ** Math.floor(Math.log10(value));
  return ([1, 2, 5, 10].find((m) => m * power >= value) ?? 10) * power;
}

function Legend({ series }: { series: Series[] }) {
  if (series.length < 2) {
    return null;
  }
  return (
    <ul class="legend">
      {series.map((s) => (
        <li key={s.name}>
          <span class="legend-swatch" style={{ background: s.color }} />
          {s.name}
        </li>
      ))}
    </ul>
  );
}

function describe(rows: { label: string; values: number[] }[], series: Series[], format: (n: number) => string) {
  return rows
    .map((row) => `${row.label}：${row.values.map((v, i) => `${series[i]?.name ?? ''} ${format(v)}`).join('，')}`)
    .join('；');
}

interface ChartProps {
  title: string;
  /** Counts: the axis shows whole numbers only. */
  integers?: boolean;
  series: Series[];
  format?: (value: number) => string;
  empty?: string;
}

/** One bar per row, its series stacked left to right; the total is written after the bar. Rows may be clickable. */
export function HBarChart({
  title,
  rows,
  series,
  format = String,
  empty = '暂无数据',
  valueWidth = 64,
}: ChartProps & { rows: BarRow[]; valueWidth?: number }) {
  const [ref, width] = useWidth<HTMLDivElement>(640);
  const barHeight = 22;
  const gap = 10;
  const labelWidth = Math.min(150, Math.round(width * 0.32));
  const plot = Math.max(40, width - labelWidth - valueWidth - 8);
  const max = niceMax(Math.max(0, ...rows.map((r) => r.values.reduce((a, b) => a + b, 0))));
  const height = rows.length * (barHeight + gap) + gap;
  return (
    <figure class="chart" ref={ref}>
      <figcaption>{title}</figcaption>
      {rows.length === 0 ? (
        <p class="empty">{empty}</p>
      ) : (
        <svg width={width} height={height} role="img" aria-label={`${title}。${describe(rows, series, format)}`}>
          {rows.map((row, i) => {
            const y = gap + i * (barHeight + gap);
            const total = row.values.reduce((a, b) => a + b, 0);
            let x = labelWidth;
            const interactive: SVGAttributes<SVGGElement> = row.onSelect
              ? {
                  class: 'chart-row chart-row-link',
                  tabIndex: 0,
                  role: 'link',
                  onClick: row.onSelect,
                  onKeyDown: (e: KeyboardEvent) => (e.key === 'Enter' || e.key === ' ') && row.onSelect?.(),
                }
              : { class: 'chart-row' };
            return (
              <g key={row.label} {...interactive}>
                <title>{`${row.label}：${row.values.map((v, s) => `${series[s]?.name ?? ''} ${format(v)}`).join('，')}`}</title>
                <rect x={0} y={y - gap / 2} width={width} height={barHeight + gap} class="chart-hit" />
                <text
                  x={labelWidth - 8}
                  y={y + barHeight / 2}
                  class="chart-label"
                  text-anchor="end"
                  dominant-baseline="central"
                >
                  {row.label.length > 9 && labelWidth < 140 ? `${row.label.slice(0, 8)}…` : row.label}
                </text>
                <rect x={labelWidth} y={y} width={plot} height={barHeight} class="chart-track" />
                {row.values.map((value, s) => {
                  const w = (value / max) * plot;
                  const rect = (
                    <rect
                      key={s}
                      x={x}
                      y={y}
                      width={Math.max(0, w)}
                      height={barHeight}
                      fill={series[s]?.color ?? PALETTE[s % PALETTE.length]}
                    />
                  );
                  x += w;
                  return rect;
                })}
                <text x={labelWidth + plot + 6} y={y + barHeight / 2} class="chart-value" dominant-baseline="central">
                  {row.note ?? format(total)}
                </text>
              </g>
            );
          })}
        </svg>
      )}
      <Legend series={series} />
    </figure>
  );
}

export interface Column {
  label: string;
  values: number[];
  onSelect?: () => void;
}

/** Columns along the bottom, their series stacked upwards, with a value axis on the left. */
export function ColumnChart({
  title,
  columns,
  series,
  integers = false,
  format = String,
  empty = '暂无数据',
}: ChartProps & { columns: Column[] }) {
  const [ref, width] = useWidth<HTMLDivElement>(640);
  const height = 220;
  const left = 56;
  const bottom = 34;
  const top = 12;
  const plotW = width - left - 8;
  const plotH = height - top - bottom;
  const rawMax = niceMax(Math.max(0, ...columns.map((c) => c.values.reduce((a, b) => a + b, 0))));
  // Whole-number ticks at 0, half and full: the maximum must be even (1 -> 2, 5 -> 6).
  const max = integers && rawMax % 2 ? rawMax + 1 : rawMax;
  const slot = columns.length ? plotW / columns.length : plotW;
  const barW = Math.max(6, Math.min(48, slot * 0.6));
  const ticks = [0, 0.5, 1].map((share) => share * max);
  const everyLabel = Math.ceil(columns.length / Math.max(1, Math.floor(plotW / 44)));
  return (
    <figure class="chart" ref={ref}>
      <figcaption>{title}</figcaption>
      {columns.length === 0 ? (
        <p class="empty">{empty}</p>
      ) : (
        <svg width={width} height={height} role="img" aria-label={`${title}。${describe(columns, series, format)}`}>
          {ticks.map((tick) => {
            const y = top + plotH - (tick / max) * plotH;
            return (
              <g key={tick}>
                <line x1={left} x2={width - 8} y1={y} y2={y} class="chart-grid" />
                <text x={left - 6} y={y} class="chart-axis" text-anchor="end" dominant-baseline="central">
                  {format(tick)}
                </text>
              </g>
            );
          })}
          {columns.map((column, i) => {
            const x = left + i * slot + (slot - barW) / 2;
            let y = top + plotH;
            return (
              <g
                key={column.label}
                class={column.onSelect ? 'chart-row chart-row-link' : 'chart-row'}
                {...(column.onSelect ? { onClick: column.onSelect, role: 'link', tabIndex: 0 } : {})}
              >
                <title>{`${column.label}：${column.values.map((v, s) => `${series[s]?.name ?? ''} ${format(v)}`).join('，')}`}</title>
                <rect x={left + i * slot} y={top} width={slot} height={plotH} class="chart-hit" />
                {column.values.map((value, s) => {
                  const h = (value / max) * plotH;
                  y -= h;
                  return (
                    <rect
                      key={s}
                      x={x}
                      y={y}
                      width={barW}
                      height={Math.max(0, h)}
                      fill={series[s]?.color ?? PALETTE[s % PALETTE.length]}
                    />
                  );
                })}
                {i % everyLabel === 0 && (
                  <text x={x + barW / 2} y={height - bottom + 16} class="chart-axis" text-anchor="middle">
                    {column.label}
                  </text>
                )}
              </g>
            );
          })}
        </svg>
      )}
      <Legend series={series} />
    </figure>
  );
}

/** A single series over ordered points (months), with dots and the last value written out. */
export function LineChart({
  title,
  points,
  color = PALETTE[0]!,
  format = String,
  empty = '暂无数据',
}: {
  title: string;
  points: { label: string; value: number }[];
  color?: string;
  format?: (value: number) => string;
  empty?: string;
}) {
  const [ref, width] = useWidth<HTMLDivElement>(640);
  const height = 200;
  const left = 56;
  const top = 14;
  const bottom = 30;
  const plotW = width - left - 16;
  const plotH = height - top - bottom;
  const max = niceMax(Math.max(0, ...points.map((p) => p.value)));
  const xOf = (i: number) => left + (points.length < 2 ? plotW / 2 : (i / (points.length - 1)) * plotW);
  const yOf = (v: number) => top + plotH - (v / max) * plotH;
  const path = points.map((p, i) => `${i ? 'L' : 'M'}${xOf(i).toFixed(1)},${yOf(p.value).toFixed(1)}`).join(' ');
  return (
    <figure class="chart" ref={ref}>
      <figcaption>{title}</figcaption>
      {points.length === 0 ? (
        <p class="empty">{empty}</p>
      ) : (
        <svg
          width={width}
          height={height}
          role="img"
          aria-label={`${title}。${points.map((p) => `${p.label} ${format(p.value)}`).join('；')}`}
        >
          {[0, 0.5, 1].map((share) => (
            <g key={share}>
              <line x1={left} x2={width - 16} y1={yOf(share * max)} y2={yOf(share * max)} class="chart-grid" />
              <text x={left - 6} y={yOf(share * max)} class="chart-axis" text-anchor="end" dominant-baseline="central">
                {format(share * max)}
              </text>
            </g>
          ))}
          <path d={path} fill="none" stroke={color} stroke-width={2.5} />
          {points.map((p, i) => (
            <g key={p.label}>
              <circle cx={xOf(i)} cy={yOf(p.value)} r={4} fill={color}>
                <title>{`${p.label}：${format(p.value)}`}</title>
              </circle>
              <text x={xOf(i)} y={height - bottom + 18} class="chart-axis" text-anchor="middle">
                {p.label}
              </text>
            </g>
          ))}
        </svg>
      )}
    </figure>
  );
}
