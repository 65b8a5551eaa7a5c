/**
 * How a WSOPTV process ends on request: SIGTERM or SIGINT (or another reason the caller passes
 * to the returned trigger) runs `stop` once, then exits 0; a failing stop exits 1, and so does
 * one that has not finished after `forceAfterMs` (a hung shutdown must not keep a port busy).
 */
import type { Logger } from 'pino';

export function stopOnSignals(
  logger: Logger,
  what: string,
  stop: () => Promise<void>,
  forceAfterMs = 15_000,
): (reason: string) => void {
  let stopping = false;
  const trigger = (reason: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ reason }, `${what}: stopping`);
    setTimeout(() => process.exit(1), forceAfterMs).unref();
    stop().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err }, `${what}: unclean stop`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => trigger('SIGTERM'));
  process.once('SIGINT', () => trigger('SIGINT'));
  return trigger;
}
