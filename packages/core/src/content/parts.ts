import { escapeHtmlTags } from './markdown.ts';
import { Disposition, type ExternalPart, type NestedPart, type PartSemantics } from './model.ts';
import { encodeUtf8 } from './text.ts';

/** Media types every MIMI client must accept. */
export const MediaTypes = {
  plainText: 'text/plain;charset=utf-8',
  markdown: 'text/markdown;variant=GFM-MIMI',
  mimiContent: 'application/mimi-content',
} as const;

/** The header every part has: how to present it and its language. */
export interface PartOptions {
  /** See `Disposition`; defaults to `render`. */
  readonly disposition?: number;
  /** Comma-separated RFC 5646 language tags; defaults to none. */
  readonly language?: string;
}

/** A plain-text part (text/plain;charset=utf-8). */
export function textPart(text: string, options: PartOptions = {}): NestedPart {
  return {
    disposition: options.disposition ?? Disposition.render,
    language: options.language ?? '',
    kind: 'single',
    contentType: MediaTypes.plainText,
    content: encodeUtf8(text, 'text'),
  };
}

/**
 * A GFM-MIMI Markdown part. HTML tags are neutralised (`<` becomes `&lt;`) as the draft's
 * mandatory "No HTML" extension requires.
 */
export function markdownPart(markdown: string, options: PartOptions = {}): NestedPart {
  return {
    disposition: options.disposition ?? Disposition.render,
    language: options.language ?? '',
    kind: 'single',
    contentType: MediaTypes.markdown,
    content: encodeUtf8(escapeHtmlTags(markdown), 'markdown'),
  };
}

/** An empty part: the body of a retraction or an unreaction. */
export function nullPart(disposition: number = Disposition.render): NestedPart {
  return { disposition, language: '', kind: 'null' };
}

/** A multipart of at least two parts. */
export function multiPart(
  semantics: PartSemantics,
  parts: readonly NestedPart[],
  options: PartOptions = {},
): NestedPart {
  return {
    disposition: options.disposition ?? Disposition.render,
    language: options.language ?? '',
    kind: 'multi',
    semantics,
    parts,
  };
}

/** An encrypted blob stored elsewhere, as Kith sends attachments. */
export interface ExternalContent extends PartOptions {
  readonly url: string;
  readonly contentType: string;
  /** Plaintext size in bytes. */
  readonly size: number;
  readonly key: Uint8Array;
  readonly nonce: Uint8Array;
  readonly contentHash: Uint8Array;
  /** IANA AEAD algorithm; defaults to 1, AES-128-GCM, which every MIMI client implements. */
  readonly encAlg?: number;
  readonly aad?: Uint8Array;
  /** IANA Named Information hash algorithm; defaults to 1, SHA-256. */
  readonly hashAlg?: number;
  /** Seconds since the UNIX epoch after which the blob is gone; 0 (default) for never. */
  readonly expires?: number;
  readonly filename?: string;
  readonly description?: string;
}

/** An external part for an encrypted blob (an attachment unless `disposition` says otherwise). */
export function externalPart(content: ExternalContent): ExternalPart {
  return {
    disposition: content.disposition ?? Disposition.attachment,
    language: content.language ?? '',
    kind: 'external',
    contentType: content.contentType,
    url: content.url,
    expires: content.expires ?? 0,
    size: content.size,
    encAlg: content.encAlg ?? 1,
    key: content.key,
    nonce: content.nonce,
    aad: content.aad ?? new Uint8Array(),
    hashAlg: content.hashAlg ?? 1,
    contentHash: content.contentHash,
    description: content.description ?? '',
    filename: content.filename ?? '',
  };
}

/**
 * Every part in part-index order (depth first, a multipart before its children), as
 * `cid:<partIndex>@local.invalid` URIs count them.
 */
export function partsInIndexOrder(body: NestedPart): NestedPart[] {
  const out: NestedPart[] = [];
  const visit = (part: NestedPart): void => {
    out.push(part);
    if (part.kind === 'multi') part.parts.forEach(visit);
  };
  visit(body);
  return out;
}

/**
 * The part a `cid:N@local.invalid` URI refers to. Only single and external parts can be
 * referenced; anything else gives undefined.
 */
export function partByContentId(body: NestedPart, cid: string): NestedPart | undefined {
  const match = /^cid:(0|[1-9][0-9]{0,5})@local\.invalid$/.exec(cid);
  if (match?.[1] === undefined) return undefined;
  const part = partsInIndexOrder(body)[Number(match[1])];
  return part?.kind === 'single' || part?.kind === 'external' ? part : undefined;
}
