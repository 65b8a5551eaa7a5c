/**
 * The content block's pure rules: what a catalog's id is, which media paths are safe, when an
 * item counts as watched to the end, and what a new item or a patch may hold.
 */
import {
  ContentErrors,
  FINISHED_PERCENT,
  FINISHED_REMAINING_S,
  MAX_METADATA_BYTES,
  type ContentPatchInput,
} from './models.ts';

/**
 * A catalog's id: its name lower-cased, runs of anything but letters and digits turned into "-".
 */
export function catalogId(name: string): string {
  return (
    name
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, '-')
      .replace(/^-+|-+$/g, '') || 'other'
  );
}

/** Why a media path is not a safe path relative to the library root, or null when it is. */
export function mediaPathProblem(p: string): string | null {
  if (p.includes('\0')) return 'it contains a NUL character';
  if (p.includes('\\')) return 'it contains a backslash';
  if (p.startsWith('/') || /^[A-Za-z]:/.test(p)) return 'it is absolute';
  const segments = p.split('/');
  if (segments.includes('..')) return 'it contains a ".." segment';
  if (segments.some((s) => s === '' || s === '.')) return 'it contains an empty or "." segment';
  return null;
}

/** At least 95 % watched, or at most 30 s left once more than half is watched. */
export const isFinished = (position: number, duration: number): boolean =>
  duration > 0 &&
  (position >= (duration * FINISHED_PERCENT) / 100 ||
    (duration - position <= FINISHED_REMAINING_S && position > duration / 2));

/** Throws the coded error of the first rule the fields of a new item or a patch break. */
export function checkFields(f: ContentPatchInput): void {
  const why = f.media_path === undefined ? null : mediaPathProblem(f.media_path);
  if (why) throw ContentErrors.badPath(why);
  if (f.thumbnail_url && !/^(https?:\/\/|\/(?![/\\]))/i.test(f.thumbnail_url))
    throw ContentErrors.badThumbnail();
  if (f.metadata && Buffer.byteLength(JSON.stringify(f.metadata)) > MAX_METADATA_BYTES)
    throw ContentErrors.metadataTooLarge();
  if (f.title?.trim() === '' || f.catalog?.trim() === '') throw ContentErrors.blank();
}
