import { useWidth } from './charts.js';
import { clientConfig } from './config.js';
import { project, tileUrlOf, tilesFor, toView, viewOf, type LngLat, type View } from './geo.js';

export interface MapPoint extends LngLat {
  label: string;
  /** `here` is the viewer's own position; `alert` draws a point in the late colour. */
  kind?: 'here' | 'place' | 'alert';
  /** A fill of its own (a colour per station type or status), instead of the kind's. */
  color?: string;
  onSelect?: () => void;
}

/** Graticule lines every 1, 2 or 5 times a power of ten degrees, about four across the box. */
function graticule(view: View) {
  const west = unproject(view.left, view.zoom);
  const east = unproject(view.left + view.width, view.zoom);
  const span = Math.max(1e-6, east - west);
  const power = 10 ** Math.floor(Math.log10(span / 4));
  const step = ([1, 2, 5, 10].find((m) => span / (m * power) <= 5) ?? 10) * power;
  const lines: number[] = [];
  for (let v = Math.ceil(west / step) * step; v <= east; v += step) {
    lines.push(Number(v.toFixed(6)));
  }
  return { step, lines };
}

const unproject = (x: number, zoom: number) => (x / (256 * 2 ** zoom)) * 360 - 180;
const latOf = (y: number, zoom: number) => {
  const n = Math.PI - (2 * Math.PI * y) / (256 * 2 ** zoom);
  return (180 / Math.PI) * Math.atan(0.5 * (Math.exp(n) - Math.exp(-n)));
};

/**
 * Points on a map: over the configured tile server's tiles (MAP_TILE_URL), or, when none is configured, over a
 * plain canvas with longitude and latitude lines, so positions still read right without any outside service.
 */
export function PointMap({
  title,
  points,
  center,
  height = 280,
}: {
  title: string;
  points: MapPoint[];
  center?: LngLat;
  height?: number;
}) {
  const [ref, width] = useWidth<HTMLDivElement>(640);
  const view = viewOf(points, width, height, center);
  const tileUrl = clientConfig.tileUrl;
  const grid = graticule(view);
  const latLines = (() => {
    const north = latOf(view.top, view.zoom);
    const south = latOf(view.top + view.height, view.zoom);
    const lines: number[] = [];
    for (let v = Math.ceil(south / grid.step) * grid.step; v <= north; v += grid.step) {
      lines.push(Number(v.toFixed(6)));
    }
    return lines;
  })();
  const digits = Math.max(0, -Math.floor(Math.log10(grid.step)));
  return (
    <figure class="chart map" ref={ref}>
      <figcaption>{title}</figcaption>
      <svg width={width} height={height} role="img" aria-label={`${title}：${points.map((p) => p.label).join('、')}`}>
        <rect width={width} height={height} class="map-canvas" />
        {tileUrl
          ? tilesFor(view).map((tile) => (
              <image
                key={`${tile.x}-${tile.y}`}
                href={tileUrlOf(tileUrl, tile)}
                x={tile.left}
                y={tile.top}
                width={256}
                height={256}
              />
            ))
          : [
              ...grid.lines.map((lng) => {
                const x = project({ lng, lat: 0 }, view.zoom).x - view.left;
                return (
                  <g key={`lng-${lng}`}>
                    <line x1={x} x2={x} y1={0} y2={height} class="map-grid" />
                    <text x={x + 3} y={height - 6} class="chart-axis">
                      {lng.toFixed(digits)}°E
                    </text>
                  </g>
                );
              }),
              ...latLines.map((lat) => {
                const y = project({ lng: 0, lat }, view.zoom).y - view.top;
                return (
                  <g key={`lat-${lat}`}>
                    <line x1={0} x2={width} y1={y} y2={y} class="map-grid" />
                    <text x={4} y={y < 16 ? y + 12 : y - 3} class="chart-axis">
                      {lat.toFixed(digits)}°N
                    </text>
                  </g>
                );
              }),
            ]}
        {points.map((point, i) => {
          const { x, y } = toView(point, view);
          return (
            <g
              key={i}
              class={point.onSelect ? 'map-point chart-row-link' : 'map-point'}
              {...(point.onSelect ? { onClick: point.onSelect, role: 'link', tabIndex: 0 } : {})}
            >
              <title>{point.label}</title>
              <circle
                cx={x}
                cy={y}
                r={point.kind === 'here' ? 7 : 6}
                class={`map-dot map-dot-${point.kind ?? 'place'}`}
                {...(point.color ? { style: { fill: point.color } } : {})}
              />
              {point.kind !== 'here' && (
                <text x={x + 9} y={y} class="chart-label map-label" dominant-baseline="central">
                  {point.label.length > 12 ? `${point.label.slice(0, 11)}…` : point.label}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      {tileUrl && <p class="muted small map-credit">地图瓦片：{new URL(tileUrl.replace(/\{[zxy]\}/g, '0')).host}</p>}
    </figure>
  );
}
