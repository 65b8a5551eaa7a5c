/**
 * Where durable delivery keeps its data in Redis, and the dead-letter streams read through those
 * keys: the names of every stream, dead-letter stream and "done" record, and the two operations
 * the admin dashboard needs on dead letters (list them, give one back to its consumer group).
 */
import type { Redis } from 'ioredis';
import type { DeadLetter } from './types.ts';

export function durableKeys(namespace?: string) {
  const p = namespace ? `${namespace}:` : '';
  return {
    stream: (channel: string) => `${p}stream:${channel}`,
    dead: (channel: string) => `${p}dead:${channel}`,
    done: (channel: string, group: string, id: string) => `${p}done:${channel}:${group}:${id}`,
    duplicates: `${p}durable:duplicates`,
  };
}

export type Keys = ReturnType<typeof durableKeys>;

/** One stream entry as XREAD and XRANGE return it: its id and its field/value pairs. */
export type Entry = [id: string, fields: string[] | null];

/**
 * Puts a dead letter back into its channel's stream addressed to one group (`only`): the other
 * groups acknowledge it without handling it. The letter is removed from the dead-letter stream.
 */
export async function replayDeadLetter(
  pub: Redis,
  keys: Keys,
  channel: string,
  group: string,
  id: string,
): Promise<boolean> {
  const entries = (await pub.call(
    'XREVRANGE',
    keys.dead(channel),
    '+',
    '-',
    'COUNT',
    10_000,
  )) as Entry[];
  for (const [deadId, fields] of entries) {
    const json = fieldOf(fields, 'letter');
    let letter: DeadLetter | undefined;
    try {
      letter = json ? (JSON.parse(json) as DeadLetter) : undefined;
    } catch {
      continue;
    }
    if (letter?.group !== group || letter.id !== id) continue;
    await pub.call('XADD', keys.stream(channel), '*', 'f', letter.raw, 'only', group);
    await pub.call('XDEL', keys.dead(channel), deadId);
    return true;
  }
  return false;
}

export async function readDeadLetters(
  pub: Redis,
  keys: Keys,
  channel: string,
  limit: number,
): Promise<DeadLetter[]> {
  const entries = (await pub.call(
    'XREVRANGE',
    keys.dead(channel),
    '+',
    '-',
    'COUNT',
    limit,
  )) as Entry[];
  return entries.flatMap(([, fields]) => {
    const json = fieldOf(fields, 'letter');
    try {
      return json ? [JSON.parse(json) as DeadLetter] : [];
    } catch {
      return [];
    }
  });
}

/** The value of one field of a stream entry. */
export function fieldOf(fields: string[] | null, name: string): string | undefined {
  if (!fields) return undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}
