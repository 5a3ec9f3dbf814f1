/** One opened message: header, actions, and its text (fetched through the background). */
import { addressLine, fullDate, senderName } from '../extension/format';
import type { ReaderState } from '../extension/popup-model';
import { MessageBody } from './MessageBody';

interface Props {
  reader: ReaderState;
  onBack: () => void;
  onToggleSeen: () => void;
  onArchive: () => void;
  onDelete: () => void;
  onOpenWebmail: (url: string) => void;
}

export function MessageView({ reader, onBack, onToggleSeen, onArchive, onDelete, onOpenWebmail }: Props) {
  const { preview, body } = reader;
  const subject = (body?.subject ?? preview.subject).trim() || '(no subject)';
  const from = body?.from ?? preview.from;
  return (
    <article class="reader" aria-label={`Message: ${subject}`}>
      <div class="toolbar" role="toolbar" aria-label="Message actions">
        <button type="button" onClick={onBack} aria-label="Back to the list">
          ← Back
        </button>
        <button type="button" onClick={onToggleSeen}>
          {reader.seen ? 'Mark unread' : 'Mark read'}
        </button>
        <button type="button" onClick={onArchive}>
          Archive
        </button>
        <button type="button" class="danger" onClick={onDelete}>
          Delete
        </button>
        {reader.webmailUrl && (
          <button type="button" onClick={() => onOpenWebmail(reader.webmailUrl!)} aria-label="Open in webmail">
            Webmail
          </button>
        )}
      </div>
      <header class="reader-head">
        <h1>{subject}</h1>
        <p class="meta">
          <span title={addressLine(from)}>{senderName(from)}</span> · <time dateTime={new Date(body?.date ?? preview.date).toISOString()}>{fullDate(body?.date ?? preview.date)}</time>
        </p>
        {body && body.to.length > 0 && <p class="meta">To: {body.to.map(addressLine).join(', ')}</p>}
      </header>
      {reader.error ? (
        <p class="notice attention" role="alert">
          {reader.error}
        </p>
      ) : body ? (
        <>
          <MessageBody text={body.text} />
          {body.truncated && <p class="meta">This message is long; the rest is in webmail.</p>}
        </>
      ) : (
        <p aria-live="polite">Loading…</p>
      )}
    </article>
  );
}
