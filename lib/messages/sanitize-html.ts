import sanitizeHtml, { type Attributes, type IOptions } from 'sanitize-html';

/**
 * Mail HTML made inert for display. This is one of three layers: the body route also sends a CSP with
 * `default-src 'none'`, and the page frames it in a sandbox without allow-scripts or allow-same-origin.
 * So `<style>` can stay (newsletters need it): CSS cannot run code there and can only fetch images, which the
 * CSP's img-src decides.
 */

const LINK_SCHEMES = new Set(['http:', 'https:', 'mailto:', 'tel:']);
const IMAGE_SCHEMES = new Set(['http:', 'https:']);
const DATA_IMAGE = /^data:image\/(png|jpeg|gif|webp);base64,/i;

/** The URL's scheme as the browser would read it (entities are already decoded; tabs and newlines ignored). */
function schemeOf(value: string): string | null {
  try {
    return new URL(value).protocol.toLowerCase();
  } catch {
    return null; // relative: it would point into the console, so it is dropped
  }
}

/** `cid:` names an inline part by its Content-ID (stored without angle brackets; the URL form may be %-encoded). */
function inlineImageSource(src: string, inlineImages: ReadonlyMap<string, string>): string | undefined {
  const contentId = src.slice(4).trim();
  const decoded = (() => {
    try {
      return decodeURIComponent(contentId);
    } catch {
      return contentId;
    }
  })();
  return inlineImages.get(contentId) ?? inlineImages.get(decoded) ?? inlineImages.get(decoded.replace(/^<|>$/g, ''));
}

function imageSource(src: string | undefined, inlineImages: ReadonlyMap<string, string>): string | undefined {
  const value = src?.trim();
  if (!value) return undefined;
  if (/^cid:/i.test(value)) return inlineImageSource(value, inlineImages);
  if (DATA_IMAGE.test(value)) return value;
  const scheme = schemeOf(value);
  return scheme && IMAGE_SCHEMES.has(scheme) ? value : undefined;
}

function withAttribute(attribs: Attributes, name: string, value: string | undefined): Attributes {
  const { [name]: _dropped, ...rest } = attribs;
  return value === undefined ? rest : { ...rest, [name]: value };
}

const GLOBAL_ATTRIBUTES = [
  'style',
  'class',
  'id',
  'align',
  'valign',
  'width',
  'height',
  'bgcolor',
  'color',
  'border',
  'dir',
  'lang',
  'title',
];

function options(inlineImages: ReadonlyMap<string, string>): IOptions {
  return {
    allowedTags: [
      ...sanitizeHtml.defaults.allowedTags,
      'img',
      'style',
      'font',
      'center',
      'big',
      'strike',
      'del',
      'ins',
      'tt',
    ],
    allowVulnerableTags: true, // `style`, see above
    // Their text is not content: a <title> or Outlook's <xml> block would otherwise show up as stray words.
    nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'title', 'xml', 'template'],
    allowedAttributes: {
      '*': GLOBAL_ATTRIBUTES,
      a: ['href', 'name', 'target', 'rel'],
      img: ['src', 'alt', 'width', 'height'],
      font: ['face', 'size', 'color'],
      table: ['cellpadding', 'cellspacing'],
      td: ['colspan', 'rowspan', 'nowrap'],
      th: ['colspan', 'rowspan', 'nowrap', 'scope'],
      col: ['span'],
      colgroup: ['span'],
      ol: ['start', 'type'],
      li: ['value'],
    },
    allowedSchemes: ['http', 'https', 'mailto', 'tel'],
    allowedSchemesByTag: { img: ['http', 'https', 'data'] },
    allowProtocolRelative: false,
    transformTags: {
      a: (tagName, attribs) => {
        const href = attribs.href?.trim();
        const scheme = href ? schemeOf(href) : null;
        const safe = withAttribute(attribs, 'href', href && scheme && LINK_SCHEMES.has(scheme) ? href : undefined);
        // The frame allows popups only; a new top-level tab that knows nothing of the console.
        return { tagName, attribs: { ...safe, target: '_blank', rel: 'noopener noreferrer' } };
      },
      img: (tagName, attribs) => ({
        tagName,
        attribs: withAttribute(attribs, 'src', imageSource(attribs.src, inlineImages)),
      }),
    },
  };
}

/**
 * Sanitized HTML of a message body. `inlineImages` maps a Content-ID to the URL serving that part; a `cid:`
 * without a stored part loses its src.
 */
export function sanitizeMessageHtml(html: string, inlineImages: ReadonlyMap<string, string> = new Map()): string {
  return sanitizeHtml(html, options(inlineImages));
}
