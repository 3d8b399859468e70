import type { ComponentChildren } from 'preact';

type Props = { href: string | null; class?: string; title?: string; children: ComponentChildren };

/**
 * A link when Spotify gave an https URL; otherwise the same content as plain
 * text, never an empty link. Either way the name is isolated with its own
 * direction (dir="auto"), so a right-to-left name cannot reorder its neighbours.
 */
export default function Link({ href, ...rest }: Props) {
  return href?.startsWith('https://') ? <a href={href} dir="auto" {...rest} /> : <span dir="auto" {...rest} />;
}
