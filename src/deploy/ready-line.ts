/**
 * The one line a WSOPTV process prints on stdout once it serves HTTP and the other processes
 * can know where: `WSOPTV_READY {"url":…,"node_id":…,"blocks":[…]}`. pino's logs are JSON
 * objects per line, so a line starting with this word can never be mistaken for one.
 */

export const READY_WORD = 'WSOPTV_READY';

export interface ReadyInfo {
  url: string;
  node_id: string;
  blocks: string[];
  pid: number;
}

export function formatReady(info: ReadyInfo): string {
  return `${READY_WORD} ${JSON.stringify(info)}`;
}

/** The announcement in a line of output, or undefined for any other line. */
export function parseReady(line: string): ReadyInfo | undefined {
  if (!line.startsWith(`${READY_WORD} `)) return undefined;
  try {
    const v = JSON.parse(line.slice(READY_WORD.length + 1)) as ReadyInfo;
    return typeof v.url === 'string' && typeof v.node_id === 'string' && Array.isArray(v.blocks)
      ? v
      : undefined;
  } catch {
    return undefined;
  }
}
