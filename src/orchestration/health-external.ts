/**
 * External blocks: services outside WSOPTV's processes that the registry lists and the health
 * monitor polls through an HTTP health URL (spec: every 30 s). 200 → healthy, any other status →
 * degraded, no answer → unhealthy.
 */
import type { BlockInfo } from './registry.ts';
import { errorMessage } from '../platform/errors.ts';

/** The node id external blocks are registered under: no WSOPTV process hosts them. */
export const EXTERNAL_NODE = 'external';

export type ExternalBlock = Pick<BlockInfo, 'id' | 'name' | 'version' | 'health_url'> &
  Partial<BlockInfo>;

/** The registry entry of an external block, starting until its first poll. */
export function externalBlockInfo(partial: ExternalBlock): BlockInfo {
  if (!/^https?:\/\//.test(partial.health_url))
    throw new Error(`external block "${partial.id}" needs an absolute http(s) health URL`);
  return {
    status: 'starting',
    status_reason: null,
    endpoints: [],
    dependencies: [],
    contracts: [],
    started_at: new Date().toISOString(),
    last_seen: Date.now(),
    ...partial,
    node_id: EXTERNAL_NODE,
  };
}

/** Polls the block's health URL once and records the answer on `info`. */
export async function pollHealthUrl(info: BlockInfo, timeoutMs: number): Promise<void> {
  try {
    const res = await fetch(info.health_url, { signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    info.status = res.status === 200 ? 'healthy' : 'degraded';
    info.status_reason = res.status === 200 ? null : `health URL answered ${res.status}`;
  } catch (err) {
    info.status = 'unhealthy';
    info.status_reason = `health URL unreachable: ${errorMessage(err)}`;
  }
  info.last_seen = Date.now();
}
