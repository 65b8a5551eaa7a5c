/** Reading the admin API's answers defensively: lists bare or wrapped, numbers and strings checked. */
import type { Dict } from './types.ts';

/** Arrays come either bare or as {items}/{streams}/…; this finds the list. */
export function listOf<T>(data: unknown, ...keys: string[]): T[] {
  if (Array.isArray(data)) return data as T[];
  if (data && typeof data === 'object') {
    for (const k of [...keys, 'items', 'results', 'data']) {
      const v = (data as Dict)[k];
      if (Array.isArray(v)) return v as T[];
    }
  }
  return [];
}

/** A finite number, or undefined. */
export const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v : undefined;

/** A string (numbers turned into one), or undefined. */
export const str = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
