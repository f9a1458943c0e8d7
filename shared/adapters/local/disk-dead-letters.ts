/** The local disk queue's `dlq/` folder as a dead-letter source of the dlq-sweeper. */
import type { DeadLetter, DeadLetterSource } from '../../dlq/ports.js';
import type { DiskQueue } from './disk-queue.js';

export class DiskDeadLetters implements DeadLetterSource {
  constructor(
    readonly name: string,
    private readonly queue: DiskQueue,
  ) {}

  /** A snapshot of the folder at the start, in pages: each letter is handed out once per sweep. */
  async *pages(pageSize: number): AsyncIterable<DeadLetter[]> {
    const letters = await this.queue.deadLetters();
    for (let i = 0; i < letters.length; i += pageSize) {
      yield letters.slice(i, i + pageSize).map((l) => ({
        id: l.messageId,
        body: l.body,
        groupId: l.groupId,
        receiveCount: l.receiveCount,
        sentAt: l.sentAt,
        lastError: l.lastError,
        handle: l.file,
      }));
    }
  }

  async redrive(letter: DeadLetter): Promise<void> {
    // False: another sweep took it meanwhile; either way it is no longer a dead letter here.
    await this.queue.redriveOne({ messageId: letter.id, file: letter.handle });
  }

  async remove(letter: DeadLetter): Promise<void> {
    await this.queue.removeDeadLetter({ messageId: letter.id, file: letter.handle });
  }
}
