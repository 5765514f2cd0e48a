import type { MimiContent, NestedPart } from '../content/model.ts';

/**
 * The text a person reads of a message: the first text part (plain or Markdown) of its body,
 * looking into multipart bodies; '' for content without text (an attachment, a retraction).
 */
export function messageText(content: MimiContent): string {
  return textOf(content.body) ?? '';
}

function textOf(part: NestedPart): string | undefined {
  if (part.kind === 'single') {
    return part.contentType.startsWith('text/')
      ? new TextDecoder().decode(part.content)
      : undefined;
  }
  if (part.kind === 'multi') {
    for (const p of part.parts) {
      const t = textOf(p);
      if (t !== undefined) return t;
    }
  }
  return undefined;
}
