/** Mail text as text nodes, with http(s) URLs as links opening in a new tab. Never HTML. */
import { linkify } from '../extension/text';

export function MessageBody({ text }: { text: string }) {
  return (
    <div class="body-text">
      {linkify(text).map((segment, i) =>
        segment.kind === 'link' ? (
          <a key={i} href={segment.href} target="_blank" rel="noopener noreferrer">
            {segment.text}
          </a>
        ) : (
          segment.text
        ),
      )}
    </div>
  );
}
