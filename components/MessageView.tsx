/**
 * One opened message: header, actions, and its text (fetched through the background). Every field
 * the sender wrote is isolated (`<bdi>`, `dir="auto"`), the sender's real address is shown in full
 * beside the display name, a long To list is collapsed so the text starts on the first screen, and
 * whatever the helper cut short is said.
 */
import { useState } from 'preact/hooks';
import type { Address, Attachment, Body } from '../protocol';
import { displayName, fileSize, fullDate } from '../extension/format';
import { plural, t } from '../extension/i18n';
import type { ReaderState } from '../extension/popup-model';
import { Icon } from './icons';
import { MailText } from './MailText';
import { MessageBody } from './MessageBody';
import { subjectText } from './MessageList';

interface Props {
  reader: ReaderState;
  onBack: () => void;
  onToggleSeen: () => void;
  onArchive: () => void;
  onDelete: () => void;
  onOpenWebmail: (url: string) => void;
}

/** Recipients shown before "and N more": enough to see who else got it, few enough for the text to start on the first screen. */
export const RECIPIENTS_SHOWN = 3;

/** "Name <address>", each part isolated; the address in full, as it is what cannot be faked. */
function Person({ who }: { who: Address }) {
  const name = displayName(who);
  const address = who.address?.trim();
  return (
    <bdi class="person">
      {name && (
        <bdi class="name">
          <MailText text={name} />
        </bdi>
      )}
      {name && address && ' '}
      {address && (
        <span class="address">
          &lt;<bdi>{address}</bdi>&gt;
        </span>
      )}
      {!name && !address && t('unknownSender')}
    </bdi>
  );
}

function Recipients({ body }: { body: Body }) {
  const [expanded, setExpanded] = useState(false);
  // Collapsing one or two names saves nothing: they are all shown then.
  const collapsible = body.to.length > RECIPIENTS_SHOWN + 1;
  const shown = collapsible && !expanded ? body.to.slice(0, RECIPIENTS_SHOWN) : body.to;
  const rest = body.toTotal - shown.length;
  // toCut: the To field went on beyond what the helper read, so there are more than it counted.
  const restWords = body.toCut
    ? rest > 0
      ? plural('moreRecipientsThan', rest)
      : t('moreRecipientsNotRead')
    : rest > 0
      ? plural('moreRecipients', rest)
      : undefined;
  // One toggle whose words change, so the keyboard focus stays on it.
  return (
    <p class="to">
      <span class="label">{t('toLabel')}</span>{' '}
      {shown.map((who, i) => (
        <span key={i}>
          {i > 0 && t('listSeparator')}
          <Person who={who} />
        </span>
      ))}{' '}
      {collapsible ? (
        <>
          {expanded && restWords && <span class="meta">{restWords} </span>}
          <button type="button" class="link" aria-expanded={expanded} onClick={() => setExpanded(!expanded)}>
            {expanded ? t('showFewer') : restWords}
          </button>
        </>
      ) : (
        restWords && <span class="meta">{restWords}</span>
      )}
    </p>
  );
}

function Attachments({ list, total }: { list: Attachment[]; total: number }) {
  return (
    <section class="attachments" aria-label={plural('attachmentCount', total)}>
      <h2>
        <Icon name="clip" /> {plural('attachmentCount', total)}
      </h2>
      <ul>
        {list.map((file, i) => (
          <li key={i}>
            <bdi class="name">{file.name ? <MailText text={file.name} /> : t('unnamedAttachment')}</bdi> <span class="size">{fileSize(file.size)}</span>
          </li>
        ))}
      </ul>
      {total > list.length && <p class="meta">{plural('moreAttachments', total - list.length)}</p>}
    </section>
  );
}

export function MessageView({ reader, onBack, onToggleSeen, onArchive, onDelete, onOpenWebmail }: Props) {
  const { preview, body } = reader;
  const subject = subjectText(body ?? preview);
  const from = body?.from ?? preview.from;
  const subjectCut = body?.subjectCut ?? preview.subjectCut;
  const fromCut = body?.fromCut ?? preview.fromCut;
  const date = body?.date ?? preview.date;
  const webmail = reader.webmailUrl;
  return (
    <article class="reader" aria-label={t('messageLabel', subject)}>
      <div class="toolbar" role="toolbar" aria-label={t('messageActions')}>
        <button type="button" onClick={onBack} aria-label={t('backToList')}>
          <Icon name="back" /> {t('back')}
        </button>
        <button type="button" onClick={onToggleSeen}>
          <Icon name={reader.seen ? 'unread' : 'check'} /> {reader.seen ? t('markUnread') : t('markRead')}
        </button>
        <button type="button" onClick={onArchive}>
          <Icon name="archive" /> {t('archive')}
        </button>
        <button type="button" class="danger" onClick={onDelete}>
          <Icon name="trash" /> {t('delete')}
        </button>
        {webmail && (
          <button type="button" onClick={() => onOpenWebmail(webmail)} aria-label={t('openInWebmail')}>
            <Icon name="external" /> {t('webmail')}
          </button>
        )}
      </div>
      <header class="reader-head">
        <h1 dir="auto">
          <MailText text={(body ?? preview).subject.trim() || t('noSubject')} />
        </h1>
        <p class="from">
          <Person who={from} />
        </p>
        {(subjectCut || fromCut) && (
          <p class="cut-note" role="note">
            {[subjectCut && t('subjectCut'), fromCut && t('senderCut')].filter(Boolean).join(' ')}
          </p>
        )}
        <p class="meta">
          <time dateTime={new Date(date).toISOString()}>{fullDate(date)}</time>
          {body && body.attachmentTotal > 0 && (
            <>
              {' · '}
              <Icon name="clip" /> {plural('attachmentCount', body.attachmentTotal)}
            </>
          )}
        </p>
        {body && body.toTotal > 0 && <Recipients body={body} />}
      </header>
      {reader.error ? (
        <p class="notice attention" role="alert">
          {reader.error}
        </p>
      ) : body ? (
        <>
          {body.text === '' ? <p class="no-text">{t('noTextPart')}</p> : <MessageBody text={body.text} />}
          {body.truncated && (
            <div class="notice waiting" role="note">
              <p>{t('restInWebmail')}</p>
              {webmail && (
                <button type="button" onClick={() => onOpenWebmail(webmail)}>
                  <Icon name="external" /> {t('continueInWebmail')}
                </button>
              )}
            </div>
          )}
          {body.attachmentTotal > 0 && <Attachments list={body.attachments} total={body.attachmentTotal} />}
        </>
      ) : (
        <p aria-live="polite">{t('loading')}</p>
      )}
    </article>
  );
}
