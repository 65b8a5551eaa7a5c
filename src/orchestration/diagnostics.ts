/**
 * How a node accounts for what it could not deliver or refused: every drop, rejection, failed
 * handler and dead letter is logged, and drops and rejections are counted on /metrics.
 */
import type { Logger } from 'pino';
import type { BusObserver, MessageBus } from './bus/types.ts';
import type { OrchestratorMetrics } from './metrics.ts';

export class BusDiagnostics {
  /** Rejected bus messages (malformed request, reply or event payloads). */
  rejected = 0;

  constructor(
    private readonly log: Logger,
    /** Read when something happens: the bus and metrics are built after the observer. */
    private readonly parts: () => { bus?: MessageBus; metrics?: OrchestratorMetrics },
  ) {}

  /** Counts and logs a message that arrived but will not be acted on. */
  reject(channel: string, reason: string, correlationId?: string): void {
    this.rejected++;
    this.parts().metrics?.countDrop(reason.split(':')[0].slice(0, 60));
    this.log.warn({ channel, reason, correlation_id: correlationId }, 'bus message rejected');
  }

  /** How the bus reports what it could not deliver. */
  observer(): BusObserver {
    return {
      onDrop: (channel, reason, raw) => {
        this.parts().metrics?.countDrop(reason.slice(0, 60));
        this.log.warn({ channel, reason, sample: raw?.slice(0, 200) }, 'bus message dropped');
      },
      onHandlerError: (channel, message, err) => {
        this.log.error(
          { err, channel, event_type: message.event_type, correlation_id: message.correlation_id },
          'event handler failed',
        );
      },
      onDeadLetter: (letter) => {
        this.log.error(
          {
            channel: letter.channel,
            group: letter.group,
            message_id: letter.id,
            deliveries: letter.deliveries,
            reason: letter.error,
          },
          'event dead-lettered after repeated failure',
        );
      },
      onStateChange: (state) => {
        const level = state === 'connected' ? 'info' : 'warn';
        this.log[level](
          { transport: this.parts().bus?.kind, state },
          'bus transport state changed',
        );
      },
    };
  }
}
