/** The producer side of a queue (SQS standard queue used as a fair queue, or the local disk queue). */
export interface OutgoingMessage {
  body: string;
  /** Fair-queue group: the tenant id. */
  groupId: string;
}

export interface MessageQueue {
  send(message: OutgoingMessage): Promise<void>;
}

/** Largest body the queue takes; bigger batches are claim-checked to the object store. */
export const MAX_QUEUE_MESSAGE_BYTES = 1024 * 1024;
