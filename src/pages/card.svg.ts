import type { APIRoute } from 'astro';
import { cardResponse } from '../server/card';

/** `/card.svg`: the listening card for READMEs; options and snippets in docs/embed.md. */
export const GET: APIRoute = ({ request, locals }) => {
  // On Netlify the deploy context reaches server code at run time only through the request context.
  const netlify = locals.netlify?.context;
  return cardResponse(request, { deployContext: netlify?.deploy?.context, waitUntil: netlify?.waitUntil?.bind(netlify) });
};

export const HEAD = GET;
