import type { ComponentChildren } from 'preact';

type Props = { href: string | null; class?: string; title?: string; children: ComponentChildren };

/** A link when Spotify gave an https URL; otherwise the same content as plain text, never an empty link. */
export default function Link({ href, ...rest }: Props) {
  return href?.startsWith('https://') ? <a href={href} {...rest} /> : <span {...rest} />;
}
