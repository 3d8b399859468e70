/**
 * `npm run themes`: writes src/components/themes.css from src/lib/themes.ts,
 * the one source of the widget's colours. A unit test fails while the file on
 * disk differs from what this would write.
 */
import { writeFileSync } from 'node:fs';
import { themeCss } from '../src/lib/themes';

export const THEMES_CSS_PATH = new URL('../src/components/themes.css', import.meta.url);

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(THEMES_CSS_PATH, themeCss());
  console.log('Wrote src/components/themes.css from src/lib/themes.ts.');
}
