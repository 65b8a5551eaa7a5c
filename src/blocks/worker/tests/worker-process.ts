/**
 * A separate process hosting the worker block (with a content mock) for the kill -9 tests, on the
 * data directory or Redis named by the environment. Holds one content item (ITEM_ID, ITEM_PATH).
 *   ENQUEUE=1     enqueue a probe and a thumbnail job for it and print `JOBS <probe id> <thumbnail
 *   id>` SLOW_GET_MS   make content's get_content hang that long (the job is then mid-flight);
 *                 `RUNNING` is printed when a job first asks for the item
 *   WATCH=<ids>   print `DONE <jobs json>` once all those jobs are completed
 */
import { contentMock, startWorkerHost } from './helpers.ts';

const env = process.env as Record<string, string>;
let said = false;
const content = contentMock({
  slowGetMs: Number(env.SLOW_GET_MS ?? 0),
  onGet: () => void (said || process.stdout.write('RUNNING\n'), (said = true)),
});
content.put(env.ITEM_PATH, { id: env.ITEM_ID });
const host = await startWorkerHost({ WSOPTV_JOB_LEASE_MS: '1000', ...env }, { content });
process.stdout.write('READY\n');
if (env.ENQUEUE) {
  const jobs = await Promise.all(
    (['probe', 'thumbnail'] as const).map((type) =>
      host.client.request('worker:v1', 'enqueue', { type, payload: { content_id: env.ITEM_ID } }),
    ),
  );
  process.stdout.write(`JOBS ${jobs.map((j) => j.id).join(' ')}\n`);
}
if (env.WATCH) {
  const ids = env.WATCH.split(',');
  for (;;) {
    const jobs = await Promise.all(
      ids.map((job_id) => host.client.request('worker:v1', 'get_job', { job_id })),
    );
    if (jobs.every((j) => j?.status === 'completed')) {
      process.stdout.write(
        `DONE ${JSON.stringify({ jobs, item: content.items.get(env.ITEM_ID) })}\n`,
      );
      break;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
process.once('SIGTERM', () => void host.app.close().then(() => process.exit(0)));
