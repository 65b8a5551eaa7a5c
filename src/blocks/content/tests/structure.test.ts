import { describe, expect, it } from 'vitest';
import { structureOf, words, type Structure } from '../structure.ts';

type Expect = Partial<Omit<Structure, 'order'>>;

/** Real-looking library paths and what the scan must read from each. */
const CASES: Array<[string, Expect]> = [
  [
    'WSOP/2024/Main Event/Day 1.mp4',
    { catalog: 'WSOP', season: '2024', year: 2024, event: 'Main Event', day: 1 },
  ],
  ['WSOP/2024/Main Event/Day 1B.mp4', { day: 1, flight: 'B', event: 'Main Event' }],
  ['WSOP/2024/Main Event/Day1a.mp4', { day: 1, flight: 'A' }],
  ['WSOP/2024/Main Event/Day 10.mp4', { day: 10, flight: null }],
  ['WSOP/2024/Main Event/Final Table.mp4', { final_table: true, day: null }],
  ['WSOP/2024/Main Event/Day 8 Final Table.mp4', { final_table: true, day: 8 }],
  ['WSOP/2024/Main Event/Day 2 Part 2 of 3.mp4', { day: 2, part: 2, parts_total: 3 }],
  ['WSOP/2024/Main Event/Day 2/Part 1.mp4', { event: 'Main Event', day: 2, part: 1 }],
  ['WSOP/2023/High Roller/Day_2.mp4', { season: '2023', event: 'High Roller', day: 2 }],
  ['WSOP/2023/High.Roller/Day.3.mp4', { event: 'High Roller', day: 3 }],
  [
    'WSOP/2022/$10,000 Main Event/Day 4.mp4',
    { event: '$10,000 Main Event', buy_in: 10_000, year: 2022, day: 4 },
  ],
  [
    'WSOP/2021/Event 67 - $1,500 Millionaire Maker/Day 1C.mp4',
    { buy_in: 1_500, day: 1, flight: 'C', year: 2021 },
  ],
  ['WSOP/2019/$50K Poker Players Championship/Final Table.mp4', { buy_in: 50_000 }],
  ['WSOP/2018/$1.5K Monster Stack/Day 1.mp4', { buy_in: 1_500 }],
  ['WSOP/2024/$250,000 Super High Roller/Day 3.mp4', { buy_in: 250_000 }],
  ['WSOP/1973/Main Event/Final Table.mp4', { year: 1973, season: '1973', final_table: true }],
  ['WSOP/1988/Main Event/WSOP 1988 Main Event.mp4', { year: 1988, day: null }],
  [
    'HCL/Season 1/Episode 3.mp4',
    { catalog: 'HCL', season: 'Season 1', year: null, event: null, episode_number: 3 },
  ],
  ['HCL/Season 12/Episode 12.mp4', { season: 'Season 12', episode_number: 12 }],
  ['HCL/season 3/ep.05.mp4', { season: 'Season 3', episode_number: 5 }],
  ['HCL/S2/Ep 7.mp4', { season: 'Season 2', episode_number: 7 }],
  ['HCL/Season 4/High Stakes Poker S04E11.mp4', { episode_number: 11, day: null }],
  ['HCL/Season 1/E02 - The Big One.mp4', { episode_number: 2 }],
  ['HCL/2025/Episode 1.mp4', { season: '2025', year: 2025, episode_number: 1 }],
  [
    'Poker After Dark/Episode_14.mp4',
    { catalog: 'Poker After Dark', event: null, episode_number: 14 },
  ],
  [
    'WSOP/Final Table.mp4',
    { catalog: 'WSOP', season: null, event: null, final_table: true, year: null },
  ],
  ['Final Table 2011.mp4', { catalog: 'Unsorted', year: 2011, event: null }],
  ['WSOP/Main Event/Day 2.mp4', { season: null, event: 'Main Event', day: 2 }],
  ['WSOP/Main Event 2015/Day 2.mp4', { season: null, event: 'Main Event 2015', year: 2015 }],
  ['WSOP/2024/Main Event/2024 WSOP Main Event Day 2.mp4', { year: 2024, day: 2 }],
  ['WSOP/2024/Main Event/WSOP.2024.Main.Event.Day.5.mp4', { year: 2024, day: 5 }],
  ['WSOP/2024/Main Event/Highlights.mp4', { day: null, episode_number: null, final_table: false }],
  ['WSOP/2024/Main Event/DAY 6.MP4', { day: 6 }],
  ['WSOPE/2013/Main Event/Day 1 (Part 2).mp4', { catalog: 'WSOPE', day: 1, part: 2 }],
  ['WSOP/2024/Main Event/Day 3 - Part 2 of 3.mp4', { day: 3, part: 2, parts_total: 3 }],
  ['WSOP 한국/2024/메인 이벤트/1일차.mp4', { catalog: 'WSOP 한국', event: '메인 이벤트', day: 1 }],
  ['한국 포커/시즌 2/3화.mp4', { season: 'Season 2', episode_number: 3 }],
  ['WSOP/2024/메인 이벤트/파이널 테이블.mp4', { final_table: true }],
  ['EPT/2019/Barcelona Main Event/Día 2.mp4', { event: 'Barcelona Main Event', day: null }],
  [
    'EPT/2019/Monte-Carlo €25,000 High Roller/Day 1.mp4',
    { event: 'Monte-Carlo €25,000 High Roller', day: 1 },
  ],
  ['Triton/2023/Montenegro/Episode 4.mp4', { event: 'Montenegro', episode_number: 4 }],
  ['WPT/Season 20/Five Diamond/Final Table Part 1.mp4', { final_table: true, part: 1 }],
  ['WSOP/2024/Main Event/Day 1 (2024-07-03).mp4', { day: 1, year: 2024 }],
  ['WSOP/2024/Main Event/Day 7 ft.mp4', { day: 7, final_table: true }],
];

describe('structure of a library path', () => {
  it.each(CASES)('%s', (path, expected) => {
    expect(structureOf(path)).toMatchObject(expected);
  });

  it('reads at least forty names', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
  });

  it('turns dots and underscores into spaces but keeps decimal points and thousands', () => {
    expect(words('WSOP.2024_Main..Event.mp4')).toBe('WSOP 2024 Main Event');
    expect(words('$1.5K_Monster_Stack')).toBe('$1.5K Monster Stack');
    expect(words('$10,000 Main Event.MP4')).toBe('$10,000 Main Event');
  });

  it('orders the episodes of an event naturally, the final table after every day', () => {
    const names = [
      'Final Table',
      'Day 10',
      'Day 2',
      'Highlights',
      'Day 1B',
      'Day 1',
      'Day 1A',
      'Day 2 Part 2 of 2',
      'Day 2 Part 1 of 2',
    ];
    const sorted = [...names].sort((a, b) => {
      const [x, y] = [a, b].map((n) => structureOf(`WSOP/2024/Main Event/${n}.mp4`).order);
      return x < y ? -1 : x > y ? 1 : 0;
    });
    expect(sorted).toEqual([
      'Day 1',
      'Day 1A',
      'Day 1B',
      'Day 2',
      'Day 2 Part 1 of 2',
      'Day 2 Part 2 of 2',
      'Day 10',
      'Final Table',
      'Highlights',
    ]);
  });

  it('orders episodes by number, not by text', () => {
    const order = (n: string) => structureOf(`HCL/Season 1/${n}.mp4`).order;
    expect(order('Episode 3') < order('Episode 12')).toBe(true);
    expect(order('ep.05') < order('Episode 12')).toBe(true);
  });
});
