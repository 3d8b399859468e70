/**
 * `npm run authorize`, as a function of its settings and I/O: credentials,
 * the loopback callback, the code exchange, the account id (/v1/me), the .env
 * update, and optionally the Netlify site. Returns the process exit code.
 */
import { dirname } from 'node:path';
import { DEFAULT_ACCOUNTS_URL, DEFAULT_API_URL } from '../../src/lib/spotify/config';
import { READ_TIMEOUT_MS, TOKEN_TIMEOUT_MS } from '../../src/lib/spotify/limits';
import { RENEW_COMMAND } from '../../src/lib/spotify/rotation';
import { buildAuthorizeUrl, loopbackRedirect, missingScopes, newAuthorizeState } from '../../src/lib/spotify/authorize-url';
import { exchangeAuthorizationCode, readAccountId, type Fetch } from '../../src/lib/spotify/spotify-api';
import { PortBusyError, PortDeniedError, startCallbackServer, type CallbackResult, type CodeOutcome } from './callback-server';
import { mask, readDotenvFile, updateDotenvFile } from './files';
import { NETLIFY_VARS, RENEW_HINT, isNetlifyLinked, notLinkedMessage, pushToNetlify, type NetlifyRunner } from './netlify-env';
import { hiddenByShell, hiddenByShellMessage, shellOverDotenv } from './owner-env';
import type { Prompter } from './prompt';

export const DEFAULT_TIMEOUT_MS = 5 * 60_000;

export interface AuthorizeSettings {
  envFile: string;
  /** The redirect URI registered at Spotify; a port of 0 picks a free one. */
  redirectUri: string;
  timeoutMs: number;
  open: boolean;
  netlify: boolean;
}

export interface AuthorizeIO {
  env: NodeJS.ProcessEnv;
  fetch: Fetch;
  prompter(): Prompter;
  openBrowser(url: string): boolean;
  netlifyRunner: NetlifyRunner;
  out(line: string): void;
  err(line: string): void;
  now(): Date;
}

export async function runAuthorize(settings: AuthorizeSettings, io: AuthorizeIO): Promise<number> {
  // The shell wins over .env, as in `npm run dev`; what is asked for is still saved to .env.
  const lookup = shellOverDotenv(io.env, await readDotenvFile(settings.envFile));

  const credentials = await resolveCredentials(settings.envFile, lookup, io);
  if (!credentials) return 1;
  const accountsUrl = (lookup('SPOTIFY_ACCOUNTS_URL') ?? DEFAULT_ACCOUNTS_URL).replace(/\/+$/, '');
  const apiUrl = (lookup('SPOTIFY_API_URL') ?? DEFAULT_API_URL).replace(/\/+$/, '');
  const previousOwnerId = lookup('SPOTIFY_OWNER_ID');

  const loopback = loopbackRedirect(settings.redirectUri);
  if ('message' in loopback) {
    io.err(`✗ ${loopback.message}`);
    return 1;
  }

  const state = newAuthorizeState();
  let redirectUri = settings.redirectUri;
  let saved: Record<string, string> = {};
  const onCode = (code: string) => exchange(code, redirectUri);
  let server;
  try {
    server = await startCallbackServer({
      host: loopback.host,
      port: loopback.port,
      path: loopback.path,
      state,
      timeoutMs: settings.timeoutMs,
      onCode,
      onBadState: () => io.err('! Ignored a request to the callback whose state is missing or not from this run. Use the link printed above.'),
    });
  } catch (error) {
    if (error instanceof PortBusyError) {
      io.err(portBusyMessage(settings.redirectUri, loopback.port));
      return 1;
    }
    if (error instanceof PortDeniedError) {
      io.err(portDeniedMessage(settings.redirectUri, loopback.port));
      return 1;
    }
    throw error;
  }

  const url = new URL(settings.redirectUri);
  url.port = String(server.port);
  redirectUri = url.href;
  const authorizeUrl = buildAuthorizeUrl({ accountsUrl, clientId: credentials.clientId, redirectUri, state });
  io.out(`Waiting for Spotify on ${redirectUri} (for ${formatDuration(settings.timeoutMs)}).`);
  io.out('Open this link, log in to Spotify and click Agree:');
  io.out(`\n  ${authorizeUrl}\n`);
  if (settings.open && io.openBrowser(authorizeUrl)) io.out('(Opened it in your browser.)');

  let result: CallbackResult;
  try {
    result = await server.result;
  } finally {
    await server.close();
  }
  if (result.kind !== 'done') {
    io.err(failureMessage(result, redirectUri, settings.timeoutMs));
    return 1;
  }
  if (!result.ok) return 1;
  if (!settings.netlify) return 0;
  if (hiddenByShell(io.env, saved).length > 0) {
    io.err('Nothing was stored on Netlify, since the shell would send its own value instead of the one just saved.');
    return 1;
  }
  return storeOnNetlify(settings.envFile, io);

  async function exchange(code: string, usedRedirectUri: string): Promise<CodeOutcome> {
    const grant = await exchangeAuthorizationCode(
      { fetch: io.fetch, accountsUrl, clientId: credentials!.clientId, clientSecret: credentials!.clientSecret, timeoutMs: TOKEN_TIMEOUT_MS },
      code,
      usedRedirectUri,
    );
    if (!grant.ok) {
      io.err(`✗ The code exchange failed: ${grant.error.message}`);
      return { ok: false, title: 'Authorization failed', message: grant.error.message };
    }
    const missing = missingScopes(grant.value.scopes);
    if (missing.length > 0) {
      const message = `Spotify granted the token without ${missing.join(', ')}, so nothing was saved. Run \`npm run authorize\` again and accept every permission on Spotify's page.`;
      io.err(`✗ ${message}`);
      return { ok: false, title: 'Permissions missing', message };
    }
    if (!grant.value.refreshToken) {
      const message = 'Spotify answered without a refresh token, so nothing was saved. Run `npm run authorize` again.';
      io.err(`✗ ${message}`);
      return { ok: false, title: 'No refresh token', message };
    }
    const issuedAt = io.now().toISOString();
    // Whose token this is: /connect renews only for this account. A failed
    // read must not cost the token, so it is saved either way.
    const account = await readAccountId({ fetch: io.fetch, apiUrl, accessToken: grant.value.accessToken, timeoutMs: READ_TIMEOUT_MS });
    saved = {
      SPOTIFY_REFRESH_TOKEN: grant.value.refreshToken,
      SPOTIFY_REFRESH_TOKEN_ISSUED_AT: issuedAt,
      ...(account.ok ? { SPOTIFY_OWNER_ID: account.value } : {}),
    };
    await updateDotenvFile(settings.envFile, saved);
    io.out(
      account.ok
        ? `✓ Saved SPOTIFY_REFRESH_TOKEN (${mask(grant.value.refreshToken)}), SPOTIFY_REFRESH_TOKEN_ISSUED_AT=${issuedAt} and SPOTIFY_OWNER_ID=${account.value} to ${settings.envFile}`
        : `✓ Saved SPOTIFY_REFRESH_TOKEN (${mask(grant.value.refreshToken)}) and SPOTIFY_REFRESH_TOKEN_ISSUED_AT=${issuedAt} to ${settings.envFile}`,
    );
    if (!account.ok) {
      io.err(`! Could not read which Spotify account the token belongs to (/v1/me): ${account.error.message}`);
      io.err(
        previousOwnerId
          ? `  SPOTIFY_OWNER_ID was not updated: it still names "${previousOwnerId}". The new refresh token is saved and works.`
          : '  SPOTIFY_OWNER_ID was not recorded, so renewing from /connect on your site stays off. The new refresh token is saved and works.',
      );
      io.err('  To record it, run `npm run authorize -- --netlify` again, then `npm run deploy`.');
    } else if (previousOwnerId && previousOwnerId !== account.value) {
      io.err(`! This token belongs to the Spotify account "${account.value}", not "${previousOwnerId}" that SPOTIFY_OWNER_ID named before; it names "${account.value}" now.`);
      io.err('  If that is the wrong account, log out of Spotify in the browser and run `npm run authorize` again.');
    }
    const how = account.ok || previousOwnerId ? RENEW_HINT : `with \`${RENEW_COMMAND}\``;
    io.out(`  It expires six months from now: renew it before then ${how} (\`npm run doctor\` shows the days left).`);
    const hidden = hiddenByShell(io.env, saved);
    if (hidden.length > 0) for (const line of hiddenByShellMessage(hidden, settings.envFile)) io.err(line);
    return { ok: true, title: 'Spotify is connected', message: 'The token is saved. You can close this tab and go back to the terminal.' };
  }
}

async function resolveCredentials(
  envFile: string,
  lookup: (name: string) => string | undefined,
  io: AuthorizeIO,
): Promise<{ clientId: string; clientSecret: string } | null> {
  let clientId = lookup('SPOTIFY_CLIENT_ID');
  let clientSecret = lookup('SPOTIFY_CLIENT_SECRET');
  if (clientId && clientSecret) return { clientId, clientSecret };
  // Save only what was asked: a value found in the shell or .env stays where it is.
  const asked: Record<string, string> = {};

  io.out('Your Spotify app\'s Client ID and Client secret are on its Settings page at https://developer.spotify.com/dashboard.');
  const prompter = io.prompter();
  try {
    if (!clientId) {
      clientId = await prompter.ask('SPOTIFY_CLIENT_ID: ');
      asked.SPOTIFY_CLIENT_ID = clientId;
    }
    if (!clientSecret) {
      clientSecret = await prompter.ask('SPOTIFY_CLIENT_SECRET (hidden): ', { secret: true });
      asked.SPOTIFY_CLIENT_SECRET = clientSecret;
    }
  } catch (error) {
    io.err(`✗ ${error instanceof Error ? error.message : String(error)} Add SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET to ${envFile} and run \`npm run authorize\` again.`);
    return null;
  } finally {
    prompter.close();
  }
  if (!clientId || !clientSecret) {
    io.err(`✗ Both the client id and the client secret are needed. Add them to ${envFile}, or run \`npm run authorize\` again and paste them.`);
    return null;
  }
  await updateDotenvFile(envFile, asked);
  io.out(`✓ Saved ${Object.keys(asked).join(' and ')}${asked.SPOTIFY_CLIENT_SECRET ? ` (${mask(clientSecret)})` : ''} to ${envFile}`);
  return { clientId, clientSecret };
}

export function portBusyMessage(redirectUri: string, port: number): string {
  const other = port === 8888 ? 8889 : port + 1;
  return [
    `✗ Port ${port} on ${new URL(redirectUri).hostname} is already in use, so the callback server cannot start.`,
    '  `netlify dev` also listens on 8888 by default: stop it (Ctrl+C in its terminal), or pick another port:',
    `    npm run authorize -- --port ${other}`,
    '  Spotify lets the port of a 127.0.0.1 redirect URI vary, so the redirect URI registered in your app',
    `  (${withPort(redirectUri, 8888)}) still matches; its host and path must stay the same.`,
  ].join('\n');
}

export function portDeniedMessage(redirectUri: string, port: number): string {
  const other = port === 8888 ? 8889 : 8888;
  return [
    `✗ This system does not allow listening on port ${port} on ${new URL(redirectUri).hostname} (EACCES), so the callback server cannot start.`,
    '  Ports below 1024 need administrator rights on most systems (and some systems reserve other ports),',
    '  so pick a port above 1024:',
    `    npm run authorize -- --port ${other}`,
    '  Spotify lets the port of a 127.0.0.1 redirect URI vary, so the redirect URI registered in your app',
    `  (${withPort(redirectUri, 8888)}) still matches; keep its host and path the same.`,
  ].join('\n');
}

/** The URI with an explicit port (URL drops a scheme's default port, such as 80 for http). */
function withPort(uri: string, port: number): string {
  const url = new URL(uri);
  return `${url.protocol}//${url.hostname}:${port}${url.pathname}${url.search}`;
}

function failureMessage(result: Exclude<CallbackResult, { kind: 'done' }>, redirectUri: string, timeoutMs: number): string {
  switch (result.kind) {
    case 'denied':
      return result.error === 'access_denied'
        ? '✗ Spotify says access was denied (access_denied): the Cancel button was clicked on its page, so nothing was saved.\n  Run `npm run authorize` again and click Agree.'
        : `✗ Spotify answered with the error "${result.error}"${result.description ? ` (${result.description})` : ''}, so nothing was saved.\n  Check the app's settings at https://developer.spotify.com/dashboard, then run \`npm run authorize\` again.`;
    case 'no_code':
      return '✗ Spotify redirected back without an authorization code. Run `npm run authorize` again.';
    case 'timeout':
      return [
        `✗ Timed out after ${formatDuration(timeoutMs)} waiting for Spotify to redirect to ${redirectUri}. Nothing was saved.`,
        '  Run `npm run authorize` again and open the printed link in a browser on this machine.',
        `  If Spotify showed "INVALID_CLIENT: Invalid redirect URI", add ${redirectUri.replace(/:\d+\//, ':8888/')} to the Redirect URIs in your app's settings.`,
      ].join('\n');
  }
}

async function storeOnNetlify(envFile: string, io: AuthorizeIO): Promise<number> {
  if (!(await isNetlifyLinked(dirname(envFile), io.env))) {
    for (const line of notLinkedMessage()) io.err(line);
    return 1;
  }
  io.out('Storing the values on the linked Netlify site…');
  const lookup = shellOverDotenv(io.env, await readDotenvFile(envFile));
  const report = await pushToNetlify(Object.fromEntries(NETLIFY_VARS.map((name) => [name, lookup(name) ?? ''])), io.netlifyRunner);
  for (const line of report.lines) (report.ok ? io.out : io.err)(line);
  return report.ok ? 0 : 1;
}

function formatDuration(ms: number): string {
  if (ms % 60_000 === 0) return ms === 60_000 ? '1 minute' : `${ms / 60_000} minutes`;
  return `${Math.round(ms / 100) / 10} seconds`;
}
