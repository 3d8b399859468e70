/**
 * Time budgets for one call. The contract promises an answer within 10 s even
 * when Spotify hangs: the token exchange and the parallel reads run one after
 * the other, so their sum must stay well below that.
 */
export const TOKEN_TIMEOUT_MS = 4_000;
export const READ_TIMEOUT_MS = 4_000;
/**
 * The whole call, including the rotated-token store and a retry with a token
 * another instance rotated meanwhile: still under the contract's 10 s.
 */
export const CALL_BUDGET_MS = 9_000;

/** How long the page's server render waits for Spotify before it renders the skeleton. */
export const SSR_BUDGET_MS = 800;

/** Spotify refresh tokens expire this long after authorization (since July 2026). */
export const REFRESH_TOKEN_LIFETIME_DAYS = 182;
/** Warn the owner when fewer days than this remain. */
export const EXPIRY_WARNING_DAYS = 14;
