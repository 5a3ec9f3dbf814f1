/**
 * One mailbox's unread truth as the helper knows it: the set of unseen UIDs (all of them, so the
 * count is exact) and previews for the newest few. Pure: the session feeds it server answers and
 * gets back what changed.
 */
import type { MessageKey, Preview } from '../../protocol';

export interface UnreadChange {
  /** UIDs that became unread (new mail, or marked unread elsewhere). */
  added: number[];
  /** UIDs that stopped being unread (read, deleted, moved). */
  removed: number[];
}

export class MailboxView {
  private unseen = new Set<number>();
  private readonly previews = new Map<number, Preview>();

  constructor(
    readonly path: string,
    readonly uidValidity: number,
  ) {}

  get unreadCount(): number {
    return this.unseen.size;
  }

  has(uid: number): boolean {
    return this.unseen.has(uid);
  }

  unseenUids(): number[] {
    return [...this.unseen];
  }

  /** Replaces the unseen set with the server's answer to SEARCH UNSEEN. */
  replaceUnseen(uids: Iterable<number>): UnreadChange {
    const next = new Set(uids);
    const added = [...next].filter((uid) => !this.unseen.has(uid));
    const removed = [...this.unseen].filter((uid) => !next.has(uid));
    this.unseen = next;
    for (const uid of removed) this.previews.delete(uid);
    return { added: added.sort((a, b) => a - b), removed: removed.sort((a, b) => a - b) };
  }

  /** Applies what the server said about some UIDs (a FETCH FLAGS, or new messages). */
  applyFlags(entries: Iterable<{ uid: number; seen: boolean }>): UnreadChange {
    const change: UnreadChange = { added: [], removed: [] };
    for (const { uid, seen } of entries) {
      if (!seen && !this.unseen.has(uid)) {
        this.unseen.add(uid);
        change.added.push(uid);
      } else if (seen && this.unseen.delete(uid)) {
        this.previews.delete(uid);
        change.removed.push(uid);
      }
    }
    return change;
  }

  /** The newest `limit` unread UIDs that have no preview yet: what to fetch. */
  missingPreviews(limit: number): number[] {
    return this.newest(limit).filter((uid) => !this.previews.has(uid));
  }

  setPreview(preview: Preview): void {
    if (this.unseen.has(preview.key.uid)) this.previews.set(preview.key.uid, preview);
  }

  preview(uid: number): Preview | undefined {
    return this.previews.get(uid);
  }

  /** Previews of the newest `limit` unread messages, newest first. */
  listPreviews(limit: number): Preview[] {
    return this.newest(limit)
      .map((uid) => this.previews.get(uid))
      .filter((p): p is Preview => p !== undefined);
  }

  /** Forgets previews that fell out of the newest `limit`, so memory stays bounded by it. */
  trimPreviews(limit: number): void {
    if (this.previews.size <= limit) return;
    const kept = new Set(this.newest(limit));
    for (const uid of this.previews.keys()) if (!kept.has(uid)) this.previews.delete(uid);
  }

  key(uid: number): MessageKey {
    return { mailbox: this.path, uidValidity: this.uidValidity, uid };
  }

  private newest(limit: number): number[] {
    return [...this.unseen].sort((a, b) => b - a).slice(0, limit);
  }
}
