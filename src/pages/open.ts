import type { APIRoute } from 'astro';
import { openResponse } from '../server/card';

/** `/open`: redirects to what /card.svg shows, so a README can link the card to it. */
export const GET: APIRoute = ({ request, locals }) => {
  const netlify = locals.netlify?.context;
  return openResponse(request, { deployContext: netlify?.deploy?.context, waitUntil: netlify?.waitUntil?.bind(netlify) });
};

export const HEAD = GET;
