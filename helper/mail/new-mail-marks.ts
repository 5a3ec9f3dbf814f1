/**
 * The per-mailbox high-water mark that makes "new mail" fire once per message: a UID above the
 * mark that shows up unread is new; the mark then moves past it and is persisted, so neither a
 * reconnect nor a restart announces it again, and mail present at the first sync never is.
 */
export interface Mark {
  uidValidity: number;
  highWater: number;
}

export interface MarkStore {
  load(): Promise<Record<string, Mark>>;
  save(marks: Record<string, Mark>): Promise<void>;
}

export class NewMailMarks {
  private marks: Record<string, Mark> = {};

  constructor(private readonly store: MarkStore) {}

  async load(): Promise<void> {
    this.marks = await this.store.load();
  }

  /**
   * Returns the UIDs among `unreadUids` that are new mail, and advances the mark to `highestUid`
   * (the highest UID known to exist in the mailbox, read or not). A mailbox never seen before, or
   * whose UIDVALIDITY changed, starts at `highestUid` and announces nothing: its UIDs say nothing
   * about what the user has already seen.
   */
  async take(path: string, uidValidity: number, highestUid: number, unreadUids: number[]): Promise<number[]> {
    const mark = this.marks[path];
    if (!mark || mark.uidValidity !== uidValidity) {
      await this.set(path, { uidValidity, highWater: highestUid });
      return [];
    }
    const fresh = unreadUids.filter((uid) => uid > mark.highWater);
    const highWater = Math.max(mark.highWater, highestUid, ...fresh);
    if (highWater !== mark.highWater) await this.set(path, { uidValidity, highWater });
    return fresh;
  }

  private async set(path: string, mark: Mark): Promise<void> {
    const next = { ...this.marks, [path]: mark };
    // Persist first: a crash after announcing but before saving would announce again.
    await this.store.save(next);
    this.marks = next;
  }
}
