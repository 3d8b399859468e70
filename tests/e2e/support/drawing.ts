/**
 * In-page checks of how the widget draws what a screenshot would show: focus
 * rings cut off by boxes that clip, and text that runs out of its box without
 * an ellipsis. Each check runs in the page (`page.evaluate(check)`), so each
 * is self-contained and reads computed styles and layout boxes only.
 */

export interface FocusedLink {
  /** The focused element's text, to name it in failures; null when focus is outside the widget. */
  label: string;
  href: string | null;
  /** What is wrong with its focus indicator, or null when it is fully visible. */
  problem: string | null;
}

/**
 * The focused element inside the widget and whether its focus ring shows
 * whole: an outline (or box-shadow) is drawn, and the outline's outer edge
 * lies inside every ancestor that clips (overflow other than visible). One
 * cut is accepted: at the end of a line whose ellipsis shortens the link
 * itself, the ring ends where the visible text ends.
 */
export function inspectFocus(): FocusedLink | null {
  const element = document.activeElement as HTMLElement | null;
  const root = document.querySelector('[data-widget="listening"]');
  if (!element || !root?.contains(element)) return null;
  const label = (element.textContent ?? '').trim().slice(0, 40) || element.tagName;
  const href = element.getAttribute('href');
  const style = getComputedStyle(element);
  const outlineWidth = parseFloat(style.outlineWidth) || 0;
  const hasOutline = style.outlineStyle !== 'none' && outlineWidth > 0 && !/rgba\(.*,\s*0\)$/.test(style.outlineColor);
  if (!hasOutline && style.boxShadow === 'none') return { label, href, problem: 'no outline or box-shadow while focused' };

  const extent = hasOutline ? outlineWidth + (parseFloat(style.outlineOffset) || 0) : 0;
  const box = element.getBoundingClientRect();
  const ring = { left: box.left - extent, top: box.top - extent, right: box.right + extent, bottom: box.bottom + extent };
  const cuts: string[] = [];
  for (let ancestor = element.parentElement; ancestor && ancestor !== document.body; ancestor = ancestor.parentElement) {
    const clip = getComputedStyle(ancestor);
    if (clip.overflowX === 'visible' && clip.overflowY === 'visible') continue;
    const outer = ancestor.getBoundingClientRect();
    const left = outer.left + ancestor.clientLeft;
    const top = outer.top + ancestor.clientTop;
    const edges = { left, top, right: left + ancestor.clientWidth, bottom: top + ancestor.clientHeight };
    const endSide = clip.direction === 'rtl' ? 'left' : 'right';
    const shortened =
      clip.textOverflow === 'ellipsis' &&
      (endSide === 'right' ? box.right > edges.right : box.left < edges.left) &&
      (endSide === 'right' ? edges.right - box.left : box.right - edges.left) >= 24;
    const tolerance = 0.05;
    const sides = (['left', 'top', 'right', 'bottom'] as const).filter((side) =>
      side === 'left' || side === 'top' ? ring[side] < edges[side] - tolerance : ring[side] > edges[side] + tolerance,
    );
    for (const side of sides) {
      if (side === endSide && shortened) continue;
      cuts.push(`${side} by ${Math.abs(ring[side] - edges[side]).toFixed(1)} px (clipped by .${[...ancestor.classList].join('.') || ancestor.tagName})`);
    }
  }
  return { label, href, problem: cuts.length ? `focus ring cut at the ${cuts.join(', ')}` : null };
}

/**
 * Every text box in the widget's now-playing lines and top-artist names that
 * is wider inside than out (scrollWidth > clientWidth) without ending in an
 * ellipsis: text that stops mid-letter. An ellipsis needs text-overflow:
 * ellipsis on a box that clips and lays out lines (a flex or grid container
 * never shows one for its own text).
 */
export function textCutWithoutEllipsis(): string[] {
  const root = document.querySelector('[data-widget="listening"]');
  if (!root) return ['no widget'];
  const problems: string[] = [];
  for (const element of root.querySelectorAll<HTMLElement>('.lw-meta > *, .lw-meta > * *, .lw-artist > *')) {
    if (element.scrollWidth <= element.clientWidth) continue;
    const style = getComputedStyle(element);
    const ellipsis =
      style.textOverflow === 'ellipsis' && style.overflowX !== 'visible' && !/^(inline-)?(flex|grid)$/.test(style.display);
    if (!ellipsis) {
      problems.push(
        `.${[...element.classList].join('.') || element.tagName.toLowerCase()} "${(element.textContent ?? '').trim().slice(0, 40)}" ` +
          `overflows by ${element.scrollWidth - element.clientWidth} px with no ellipsis (display ${style.display}, text-overflow ${style.textOverflow})`,
      );
    }
  }
  return problems;
}
