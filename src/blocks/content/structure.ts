/**
 * The archive's structure, read from where a file sits in the library and what its name says.
 *
 *   WSOP/2024/Main Event/Day 1B.mp4  → catalog WSOP, season 2024, event "Main Event", Day 1B
 *   HCL/Season 1/Episode 3.mp4       → catalog HCL, season "Season 1", no event, episode 3
 *   WSOP/Final Table.mp4             → catalog WSOP, no season, no event
 *
 * The first folder is the catalog; the second is the season when it reads as a year or as
 * "Season N"; the next folder is the event; folders below it only add what their names say (a
 * "Day 2" folder holding "Part 1.mp4"). `order` sorts the episodes of one event naturally: Day 1
 * < Day 1B < Day 2 < Day 10, Episode 3 < Episode 12, the final table after every day, and what
 * has no number after that, by name. Pure functions: no I/O.
 */

export interface Structure {
  catalog: string;
  /** "2024" or "Season 1"; null when the second level is neither. */
  season: string | null;
  year: number | null;
  /** The folder holding the episodes (e.g. "Main Event"); null for a file with no event. */
  event: string | null;
  /** Buy-in in dollars, from the event's folder or the file name ("$10,000", "$1.5K"). */
  buy_in: number | null;
  day: number | null;
  /** The flight letter of a day ("Day 1B" → "B"). */
  flight: string | null;
  episode_number: number | null;
  part: number | null;
  parts_total: number | null;
  final_table: boolean;
  /** Sorts the episodes of one event in broadcast order (compare as plain strings). */
  order: string;
}

const YEAR = /(?<![\d$,.])(19[7-9]\d|20\d\d)(?![\d,])/u;
const SEASON = /^(?:season|series|시즌)\s*(\d{1,3})$|^s(\d{1,3})$/iu;
const DAY = /\bday\s*(\d{1,2})\s*([a-h])?(?![a-z\d])/iu;
const KO_DAY = /(\d{1,2})\s*일차/u;
const PART = /\bpart\s*(\d{1,2})(?:\s*(?:of|\/)\s*(\d{1,2}))?\b/iu;
const SXE = /\bs(\d{1,2})\s*e(\d{1,3})\b/iu;
const EPISODE = /\b(?:episode|ep|e)\s*(\d{1,3})\b|(\d{1,3})\s*화/iu;
const FINAL_TABLE = /\bfinal\s*table\b|\bft\b|파이널\s*테이블/iu;
const BUY_IN = /\$\s*(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(k|m)?\b/iu;

/** A file or folder name as words: no extension, dots and underscores as spaces. */
export function words(name: string): string {
  return (
    name
      .normalize('NFC')
      .replace(/\.(mp4|m4v|mov|mkv)$/iu, '')
      .replace(/_+/gu, ' ')
      // A dot between two digits is a decimal point ($1.5K); every other dot separates words.
      .replace(/\.+(?!\d)|(?<!\d)\.+/gu, ' ')
      .replace(/\s+/gu, ' ')
      .trim()
  );
}

const int = (s: string | undefined) => (s === undefined ? null : Number(s));
const pad = (n: number | null) => String(n ?? 0).padStart(4, '0');

/** Digits padded so that "Part 2" sorts before "Part 10" in a plain string comparison. */
const natural = (s: string) =>
  s.toLocaleLowerCase('en').replace(/\d+/gu, (d) => d.padStart(6, '0'));

function buyIn(text: string): number | null {
  const m = BUY_IN.exec(text);
  if (!m) return null;
  const n = Number(m[1].replace(/,/gu, ''));
  const scale = { k: 1e3, m: 1e6 }[m[2]?.toLowerCase() ?? ''] ?? 1;
  return Math.round(n * scale);
}

/** What one name says; `text` is already `words(name)`. */
function facts(text: string) {
  // A year such as "2024" must not be read as an episode or a day; take it out first.
  const withoutYear = text.replace(new RegExp(YEAR.source, 'gu'), ' ');
  const day = DAY.exec(withoutYear) ?? KO_DAY.exec(withoutYear);
  const part = PART.exec(withoutYear);
  const sxe = SXE.exec(withoutYear);
  const episode = sxe ? null : EPISODE.exec(withoutYear.replace(PART, ' '));
  return {
    year: int(YEAR.exec(text)?.[1]),
    day: int(day?.[1]),
    flight: day?.[2]?.toUpperCase() ?? null,
    part: int(part?.[1]),
    parts_total: int(part?.[2]),
    episode_number: int(sxe?.[2] ?? episode?.[1] ?? episode?.[2]),
    season_number: int(sxe?.[1]),
    final_table: FINAL_TABLE.test(withoutYear),
    buy_in: buyIn(text),
  };
}

/** A season folder: a year or "Season N"; its label as shown, or null. */
function seasonOf(folder: string): { label: string; year: number | null } | null {
  const text = words(folder);
  if (/^(19[7-9]\d|20\d\d)$/u.test(text)) return { label: text, year: Number(text) };
  const m = SEASON.exec(text);
  return m ? { label: `Season ${Number(m[1] ?? m[2])}`, year: null } : null;
}

/** The file's name as words (what the order sorts by among unnumbered episodes). */
export const fileName = (mediaPath: string) => words(mediaPath.split('/').pop() ?? '');

/** The structure of a media path relative to the library ("WSOP/2024/Main Event/Day 1.mp4"). */
export function structureOf(mediaPath: string): Structure {
  const parts = mediaPath.split('/').filter(Boolean);
  const file = parts.pop() ?? '';
  const catalog = parts.length ? words(parts.shift()!) : 'Unsorted';
  const season = parts.length ? seasonOf(parts[0]) : null;
  if (season) parts.shift();
  const event = parts.length ? words(parts.shift()!) : null;
  // Folders below the event (a "Day 2" folder) and the file name each add what they say; the
  // file name wins where both say something.
  const said = [...parts.map(words), words(file)].map(facts);
  const pick = <K extends keyof ReturnType<typeof facts>>(k: K) =>
    said.reduce<ReturnType<typeof facts>[K] | null>((v, f) => f[k] ?? v, null);
  const f = {
    day: pick('day'),
    flight: pick('flight'),
    part: pick('part'),
    parts_total: pick('parts_total'),
    episode_number: pick('episode_number'),
    final_table: said.some((s) => s.final_table),
  };
  const eventFacts = event === null ? null : facts(event);
  const year = pick('year') ?? eventFacts?.year ?? season?.year ?? facts(catalog).year;
  return {
    catalog,
    season: season?.label ?? null,
    year,
    event,
    buy_in: eventFacts?.buy_in ?? pick('buy_in'),
    ...f,
    order: orderOf(f, fileName(mediaPath)),
  };
}

export type Ordered = Pick<Structure, 'day' | 'flight' | 'part' | 'episode_number' | 'final_table'>;

/**
 * Days and episodes first, by number, flight and part; then the final table (it ends an event);
 * then whatever carries no number, by name.
 */
export function orderOf(s: Ordered, name: string): string {
  const number = s.day ?? s.episode_number;
  const group = s.final_table && s.day === null ? 2 : number !== null ? 1 : 3;
  return [group, pad(number), s.flight ?? ' ', pad(s.part), natural(name)].join('|');
}
