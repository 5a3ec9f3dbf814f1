/**
 * Mail text as text nodes, with http(s) URLs as links opening in a new tab. Never HTML. Every line
 * is its own paragraph with its own direction (`dir="auto"`), so no bidi control or right-to-left
 * run can reorder text outside its line; the controls themselves show as marks (MailText).
 */
import { textLines } from '../extension/text';
import { MailText } from './MailText';

export function MessageBody({ text }: { text: string }) {
  return (
    <div class="body-text">
      {textLines(text).map((line, n) => (
        <div key={n} class="line" dir="auto">
          {line.map((segment, i) =>
            segment.kind === 'link' ? (
              <a key={i} href={segment.href} target="_blank" rel="noopener noreferrer">
                {segment.text}
              </a>
            ) : (
              <MailText key={i} text={segment.text} />
            ),
          )}
        </div>
      ))}
    </div>
  );
}
