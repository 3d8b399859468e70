import { DAY_MS, EXPIRY_WARNING_DAYS, REFRESH_TOKEN_LIFETIME_DAYS } from './limits';

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

/** The owner-facing warning for a token near or past its end, or null while it has time left. */
export function expiryWarning(expiry: RefreshTokenExpiry): string | null {
  const day = expiry.expiresAt.toISOString().slice(0, 10);
  if (expiry.status === 'expired') {
    return `The Spotify refresh token expired on ${day} (six months after authorization). Renew it on your site's /connect page, or run \`${RENEW_COMMAND}\`.`;
  }
  if (expiry.status === 'expiring') {
    const days = expiry.daysLeft === 1 ? '1 day' : `${expiry.daysLeft} days`;
    return `The Spotify refresh token expires in ${days} (on ${day}). Renew it before then on your site's /connect page, or run \`${RENEW_COMMAND}\`.`;
  }
  return null;
}
