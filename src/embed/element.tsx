/**
 * `<listening-widget>`: the widget for any page on any origin, served by the
 * site as one module script, `/embed.js` (bundled by src/integrations/embed.ts).
 * It renders the page's own component in a shadow root, so the host page's
 * styles cannot break it, while the host's `--lw-*` custom properties still
 * theme it: custom properties inherit into shadow trees. docs/embed.md has the
 * attributes and the snippets.
 */
import { render } from 'preact';
import Compact from '../components/Compact';
import ListeningWidget from '../components/ListeningWidget';
import SpotifyMark from '../components/SpotifyMark';
import listeningCss from '../components/listening.css?inline';
import themesCss from '../components/themes.css?inline';
import { MIN_POLL_MS } from '../lib/spotify/limits';
import { DEFAULT_QUERY, apiUrl } from '../lib/spotify/query';
import { TIME_RANGES, type TimeRange } from '../lib/spotify/types';
import { isThemeName } from '../lib/themes';
import { site } from '../site.config';

const HOST_CSS = ':host{display:block}:host([hidden]){display:none}';

/**
 * One stylesheet shared by every element on the page. A constructed sheet, not
 * a `<style>` element: a host page's Content-Security-Policy governs inline
 * `<style>` elements (style-src) but not constructed sheets, so the host needs
 * no 'unsafe-inline' for us.
 */
let sheet: CSSStyleSheet | undefined;
function styles(): CSSStyleSheet {
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(HOST_CSS + themesCss + listeningCss);
  }
  return sheet;
}

/** 1–50 in plain digits, as the API takes it. */
const LIMIT = /^(?:[1-9]|[1-4]\d|50)$/;

class ListeningWidgetElement extends HTMLElement {
  static observedAttributes = ['api', 'range', 'limit', 'top-artists', 'theme', 'layout'];
  #root: ShadowRoot | undefined;

  connectedCallback() {
    this.#render();
  }

  /** Unmounting aborts the request in flight and stops the polling. */
  disconnectedCallback() {
    if (this.#root) render(null, this.#root);
  }

  attributeChangedCallback() {
    if (this.isConnected) this.#render();
  }

  /** An attribute's value when it is one of the allowed ones; otherwise a warning, and the default. */
  #option<T extends string>(name: string, allowed: (value: string) => value is T, fallback: T): T {
    const value = this.getAttribute(name);
    if (value === null || allowed(value)) return value ?? fallback;
    console.warn(`<listening-widget>: ${name}="${value}" is not a valid value; using "${fallback}". See docs/embed.md.`);
    return fallback;
  }

  #render() {
    if (!this.#root) {
      this.#root = this.attachShadow({ mode: 'open' });
      this.#root.adoptedStyleSheets = [styles()];
    }
    const range = this.#option('range', (v): v is TimeRange => (TIME_RANGES as readonly string[]).includes(v), DEFAULT_QUERY.range);
    const limit = Number(this.#option('limit', (v): v is string => LIMIT.test(v), String(DEFAULT_QUERY.limit)));
    const topArtists = this.#option('top-artists', (v): v is 'on' | 'off' => v === 'on' || v === 'off', 'on') === 'on';
    const layout = this.#option('layout', (v): v is 'card' | 'compact' => v === 'card' || v === 'compact', 'card');
    const theme = this.#option('theme', isThemeName, 'auto');
    // The API next to this script unless told otherwise: the site that serves /embed.js serves its data.
    const url = new URL(this.getAttribute('api') || '/api/spotify', import.meta.url);
    url.search = apiUrl({ range, limit }).split('?')[1] ?? '';
    render(
      <ListeningWidget
        // A new URL is a new feed: remount, so the polling starts over for it.
        key={url.href}
        initial={null}
        url={url.href}
        pollMs={Math.max(MIN_POLL_MS, site.pollIntervalMs)}
        showTopArtists={topArtists}
        count={limit}
        theme={theme === 'auto' ? undefined : theme}
        compact={layout === 'compact' ? Compact : undefined}
      >
        <SpotifyMark word={layout !== 'compact'} />
      </ListeningWidget>,
      this.#root,
    );
  }
}

if (!customElements.get('listening-widget')) customElements.define('listening-widget', ListeningWidgetElement);
