/**
 * Positions of rest stations: WGS-84 latitude and longitude in degrees, distances in metres on a sphere of the
 * Earth's mean radius (haversine). Good to well under a metre at city scale, which is all a lookup needs.
 */

/** Mean Earth radius (IUGG), metres; the same constant is used in SQL, so JS and SQL distances agree. */
export const EARTH_RADIUS_M = 6_371_008.8;

/**
 * The area the platform serves: a bounding box around Shaoxing's six districts and counties (越城, 柯桥, 上虞,
 * 诸暨, 嵊州, 新昌), a little generous at the edges. A station or a lookup outside it is refused.
 * Known limit: a box, not the city's boundary, so it also takes in edges of Hangzhou, Ningbo, Jinhua and Taizhou.
 */
export const SERVICE_AREA = { minLat: 29.2, maxLat: 30.4, minLng: 119.9, maxLng: 121.2 } as const;

/** Radius of a public lookup, in metres: from one metre to 50 km (the city is about 130 km across). */
export const RADIUS_LIMITS = { min: 1, max: 50_000, default: 3_000 } as const;

export interface Position {
  lat: number;
  lng: number;
}

export const withinServiceArea = ({ lat, lng }: Position): boolean =>
  lat >= SERVICE_AREA.minLat && lat <= SERVICE_AREA.maxLat && lng >= SERVICE_AREA.minLng && lng <= SERVICE_AREA.maxLng;

const toRadians = (degrees: number) => (degrees * Math.PI) / 180;
const toDegrees = (radians: number) => (radians * 180) / Math.PI;

/** Great-circle distance in metres. */
export function haversineMetres(a: Position, b: Position): number {
  const dLat = toRadians(b.lat - a.lat);
  const dLng = toRadians(b.lng - a.lng);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(toRadians(a.lat)) * Math.cos(toRadians(b.lat)) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * The smallest latitude/longitude box holding every point within `radiusM` of the centre, so an index on the
 * columns can prefilter before the exact distance is computed. The longitude half-width is the exact one for a
 * circle on the sphere, asin(sin d / cos φ), not the flat approximation, which is slightly too narrow.
 */
export function boundingBox(centre: Position, radiusM: number) {
  const angular = radiusM / EARTH_RADIUS_M;
  const dLat = toDegrees(angular);
  const ratio = Math.sin(angular) / Math.cos(toRadians(centre.lat));
  const dLng = ratio >= 1 ? 180 : toDegrees(Math.asin(ratio));
  return {
    minLat: centre.lat - dLat,
    maxLat: centre.lat + dLat,
    minLng: centre.lng - dLng,
    maxLng: centre.lng + dLng,
  };
}
