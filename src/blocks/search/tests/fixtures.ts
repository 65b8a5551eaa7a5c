/** A small poker catalogue whose titles, descriptions and catalogs exercise every matching rule. */
import type { IndexDoc } from '../models.ts';

export const doc = (
  content_id: string,
  title: string,
  description: string,
  catalog: string,
  duration_seconds: number | null = 3600,
): IndexDoc => ({
  content_id,
  title,
  description,
  catalog,
  duration_seconds,
  thumbnail_url: `/thumbnails/${content_id}.jpg`,
  added_at: '2024-06-01T12:00:00.000Z',
});

export const catalogue: IndexDoc[] = [
  doc(
    'me19d1',
    'WSOP 2019 Main Event Day 1',
    'Daniel Negreanu and Phil Hellmuth start their run.',
    'WSOP',
    7200,
  ),
  doc(
    'me19ft',
    'WSOP 2019 Main Event Final Table',
    'Hossein Ensan wins the bracelet.',
    'WSOP',
    14400,
  ),
  doc('me21d3', 'WSOP 2021 Main Event Day 3', 'Koray Aldemir builds a stack.', 'WSOP', 10800),
  doc(
    'me19d1b',
    'WSOP 2019 Main Event Day 1',
    'The same day, another camera.',
    'WSOP Archive',
    7000,
  ),
  doc('medoc', 'Main Event Documentary', 'Behind the scenes.', 'Documentary', null),
  doc(
    'hcl12',
    'Hustler Casino Live Episode 12',
    'Garrett Adelstein and Tom Dwan play $200/$400.',
    'Hustler Casino Live',
    9000,
  ),
  doc(
    'negivey',
    'Negreanu vs Ivey Heads-Up',
    'A grudge match for the ages.',
    'High Stakes Poker',
    3600,
  ),
  doc(
    'esf',
    'Antonio Esfandiari wins the Big One for One Drop',
    'The largest prize in poker history.',
    'WSOP',
    5400,
  ),
  doc('rank-title', 'Bracelet Ceremony Highlights', 'Winners receive their awards.', 'PokerGO'),
  doc('rank-desc', 'Tournament Recap 2018', 'Every bracelet winner of the summer.', 'PokerGO'),
  doc('rank-cat', 'Season Opener', 'The first episode of the season.', 'Bracelet Stories'),
  ...Array.from({ length: 25 }, (_, i) =>
    doc(
      `cash${String(i + 1).padStart(2, '0')}`,
      `Cash Game Session ${i + 1}`,
      'High stakes cash game.',
      'Cash Games',
      1000 + i * 100,
    ),
  ),
];
