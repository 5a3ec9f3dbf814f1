/** A piece of mail text as text nodes, with any bidi control shown as a visible mark, never applied. */
import { markBidiControls } from '../extension/text';

export function MailText({ text }: { text: string }) {
  return (
    <>
      {markBidiControls(text).map((segment, i) =>
        segment.kind === 'control' ? (
          <span key={i} class="bidi-mark">
            {segment.code}
          </span>
        ) : (
          segment.text
        ),
      )}
    </>
  );
}
