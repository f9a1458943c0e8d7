/**
 * TaskCallbacks over Step Functions: SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat.
 * A token the workflow no longer waits for (TaskTimedOut, TaskDoesNotExist, InvalidToken)
 * becomes TaskTokenGoneError: the conversion stays done, the retry's own message answers.
 */
import {
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { type TaskCallbacks, TaskTokenGoneError } from '../../shared/conversion/task-callbacks.js';

const GONE = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);
/** Step Functions limits: error 256 characters, cause 32,768, output 256 KiB. */
const MAX_ERROR = 256;
const MAX_CAUSE = 32_768;

export class SfnTaskCallbacks implements TaskCallbacks {
  constructor(private readonly client: SFNClient) {}

  private async send(token: string, send: () => Promise<unknown>): Promise<void> {
    try {
      await send();
    } catch (error) {
      const name = (error as { name?: string }).name ?? '';
      if (GONE.has(name))
        throw new TaskTokenGoneError(`${name} for task token ${token.slice(0, 16)}…`, { cause: error });
      throw error;
    }
  }

  success(token: string, output: unknown): Promise<void> {
    return this.send(token, () =>
      this.client.send(
        new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(output ?? null) }),
      ),
    );
  }

  failure(token: string, error: string, cause: string): Promise<void> {
    return this.send(token, () =>
      this.client.send(
        new SendTaskFailureCommand({
          taskToken: token,
          error: error.slice(0, MAX_ERROR),
          cause: cause.slice(0, MAX_CAUSE),
        }),
      ),
    );
  }

  heartbeat(token: string): Promise<void> {
    return this.send(token, () => this.client.send(new SendTaskHeartbeatCommand({ taskToken: token })));
  }
}
