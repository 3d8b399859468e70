/**
 * Which refresh token a call should use. Spotify may rotate the refresh token
 * on any exchange, and the old one may then stop working, so the newest one is
 * persisted outside the environment. But the owner re-authorizing puts a fresh
 * token in the environment, which must win over the persisted descendant of an
 * older one. Each persisted token therefore remembers a fingerprint of the
 * environment token it descends from.
 */

export interface PersistedRefreshToken {
  refreshToken: string;
  /** SHA-256 (hex) of the environment token this one was rotated from, never the token itself. */
  descendsFrom: string;
  /** ISO time Spotify issued this rotated token. */
  rotatedAt: string;
}

type RefreshTokenChoice =
  | { source: 'environment'; refreshToken: string }
  | { source: 'persisted'; refreshToken: string; rotatedAt: string };

/** A one-way fingerprint, so records and logs can name a token without holding it. */
export async function tokenFingerprint(token: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

export function chooseRefreshToken(
  environmentToken: string,
  environmentFingerprint: string,
  persisted: PersistedRefreshToken | null,
): RefreshTokenChoice {
  if (persisted && persisted.descendsFrom === environmentFingerprint && persisted.refreshToken !== '') {
    return { source: 'persisted', refreshToken: persisted.refreshToken, rotatedAt: persisted.rotatedAt };
  }
  return { source: 'environment', refreshToken: environmentToken };
}

export function rotatedRecord(refreshToken: string, environmentFingerprint: string, now: Date): PersistedRefreshToken {
  return { refreshToken, descendsFrom: environmentFingerprint, rotatedAt: now.toISOString() };
}

/** Reads a stored record defensively: anything malformed counts as no record. */
export function parsePersistedRefreshToken(value: unknown): PersistedRefreshToken | null {
  if (typeof value !== 'object' || value === null) return null;
  const record = value as Record<string, unknown>;
  const { refreshToken, descendsFrom, rotatedAt } = record;
  if (typeof refreshToken !== 'string' || refreshToken === '') return null;
  if (typeof descendsFrom !== 'string' || !/^[0-9a-f]{64}$/.test(descendsFrom)) return null;
  return { refreshToken, descendsFrom, rotatedAt: typeof rotatedAt === 'string' ? rotatedAt : '' };
}
