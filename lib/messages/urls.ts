/** Where the message routes live; pages, the sanitizer and tests build links only through these. */
export const messagePageUrl = (id: number) => `/messages/${id}`;

export const messageBodyUrl = (id: number, options: { remote?: boolean } = {}) =>
  `/api/v1/messages/${id}/body${options.remote ? '?remote=1' : ''}`;

export const messageSourceUrl = (id: number) => `/api/v1/messages/${id}/source`;

/** `token` (see inline-image-token.ts) lets the body frame's cookie-less image requests through. */
export function attachmentUrl(
  messageId: number,
  attachmentId: number,
  options: { inline?: boolean; token?: string } = {},
): string {
  const query = new URLSearchParams();
  if (options.inline) query.set('inline', '1');
  if (options.token) query.set('token', options.token);
  const search = query.toString();
  return `/api/v1/messages/${messageId}/attachments/${attachmentId}${search ? `?${search}` : ''}`;
}
