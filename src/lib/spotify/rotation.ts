import { DAY_MS, EXPIRY_WARNING_DAYS, REFRESH_TOKEN_LIFETIME_DAYS } from './limits';

/**
 * Which refresh token a call should use. Spotify may rotate the refresh token
 * on any exchange, and the old one may then stop working, so the newest one is
 * persisted outside the environment. The owner can also renew from the live
 * site (/connect), which persists a token of a new line. The rule between
 * lines is simply "the most recently issued token wins": a token the owner
 * later puts in the environment (with a newer SPOTIFY_REFRESH_TOKEN_ISSUED_AT)
 * wins over a renewal, and a renewal over an older environment token.
 */

/** `descendsFrom` of a token that began with a renewal on /connect rather than in the environment. */
export const RENEWAL_LINE = 'renewal';

export interface PersistedRefreshToken {
  refreshToken: string;
  /**
   * Where this token's line began: SHA-256 (hex) of the environment token it
   * was rotated from (never the token itself), or RENEWAL_LINE.
   */
  descendsFrom: string;
  /** ISO time Spotify last issued this line a token (a rotation or the renewal). */
  rotatedAt: string;
  /** For a renewal: ISO time the owner authorized it. Spotify's six months run from here. */
  authorizedAt?: string;
}

export interface EnvironmentToken {
  refreshToken: string;
  fingerprint: string;
  /** SPOTIFY_REFRESH_TOKEN_ISSUED_AT, when the owner's tooling recorded it. */
  issuedAt: Date | null;
}

export interface RefreshTokenChoice {
  source: 'environment' | 'persisted' | 'renewed';
  refreshToken: string;
  /** When the owner authorized the token's line (its six months run from here); null when unknown. */
  issuedAt: Date | null;
}

/** A one-way fingerprint, so records and logs can name a token without holding it. */
export async function tokenFingerprint(token: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

export function chooseRefreshToken({ refreshToken, fingerprint, issuedAt }: EnvironmentToken, persisted: PersistedRefreshToken | null): RefreshTokenChoice {
  if (persisted?.descendsFrom === fingerprint) return { source: 'persisted', refreshToken: persisted.refreshToken, issuedAt };
  // A renewal's authorizedAt is there: parsePersistedRefreshToken admits no renewal without it.
  const renewedAt = persisted?.descendsFrom === RENEWAL_LINE ? new Date(persisted.authorizedAt!) : null;
  // An environment token of unknown age is older: only the owner's tooling records the issue time, and it always does.
  if (renewedAt && !(issuedAt && issuedAt > renewedAt)) return { source: 'renewed', refreshToken: persisted!.refreshToken, issuedAt: renewedAt };
  return { source: 'environment', refreshToken, issuedAt };
}

/** The record after Spotify rotated `refreshToken` out of `from`'s line: a renewal's keeps its authorization time. */
export function rotatedRecord(refreshToken: string, from: RefreshTokenChoice, environment: EnvironmentToken, now: Date): PersistedRefreshToken {
  const line = from.source === 'renewed' ? { descendsFrom: RENEWAL_LINE, authorizedAt: from.issuedAt?.toISOString() } : { descendsFrom: environment.fingerprint };
  return { refreshToken, ...line, rotatedAt: now.toISOString() };
}

/** The record of a token the owner just authorized on /connect. */
export function renewedRecord(refreshToken: string, now: Date): PersistedRefreshToken {
  return { refreshToken, descendsFrom: RENEWAL_LINE, rotatedAt: now.toISOString(), authorizedAt: now.toISOString() };
}

/** Reads a stored record defensively: anything malformed counts as no record. */
export function parsePersistedRefreshToken(value: unknown): PersistedRefreshToken | null {
  const record = value as Partial<PersistedRefreshToken> | null;
  const line = record?.descendsFrom === RENEWAL_LINE
    ? typeof record.authorizedAt === 'string' && !Number.isNaN(Date.parse(record.authorizedAt))
    : /^[0-9a-f]{64}$/.test(String(record?.descendsFrom));
  return line && typeof record?.refreshToken === 'string' && record.refreshToken ? (record as PersistedRefreshToken) : null;
}

/** The command that renews the owner's authorization, locally and on the Netlify site. */
export const RENEW_COMMAND = 'npm run authorize -- --netlify && npm run deploy';

interface RefreshTokenExpiry {
  expiresAt: Date;
  /** Whole days left, rounded down; zero or less once expired. */
  daysLeft: number;
  status: 'ok' | 'expiring' | 'expired';
}

/**
 * Spotify refresh tokens die six months after authorization, and refreshing
 * does not extend that: the clock starts at SPOTIFY_REFRESH_TOKEN_ISSUED_AT.
 */
export function refreshTokenExpiry(issuedAt: Date, now: Date): RefreshTokenExpiry {
  const expiresAt = new Date(issuedAt.getTime() + REFRESH_TOKEN_LIFETIME_DAYS * DAY_MS);
  const remainingMs = expiresAt.getTime() - now.getTime();
  const daysLeft = Math.floor(remainingMs / DAY_MS);
  const status = remainingMs <= 0 ? 'expired' : daysLeft < EXPIRY_WARNING_DAYS ? 'expiring' : 'ok';
  return { expiresAt, daysLeft, status };
}
