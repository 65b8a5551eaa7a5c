/**
 * The index behind the MiniSearch engine. MiniSearch keeps the postings, field lengths and a
 * radix tree of the vocabulary with fuzzy and prefix lookups; this subclass scores the postings
 * itself with MiniSearch's BM25 instead of going through its `search()`, which allocates a result
 * per matching document and sorts them all. Typed-array copies of the postings, words taken
 * rarest first so that only one word collects candidates, and a partial sort of the best
 * `offset + limit`.
 */
import MiniSearch from 'minisearch';
import { catalogKey, FIELD_BOOST, FIELDS, normalise, typosFor, type IndexDoc } from '../models.ts';

/** MiniSearch's own weights for fuzzy and prefix matches and its BM25 parameters. */
const [FUZZY, PREFIX] = [0.45, 0.375];
const [K, B, D] = [1.2, 0.7, 0.5];
/** Words after the tenth are ignored, as MeiliSearch does. */
const MAX_WORDS = 10;

type Field = (typeof FIELDS)[number];

const tokens = (text: string): string[] =>
  normalise(text)
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
/** The words of a query: the same tokens as the documents', at most MAX_WORDS. */
export const words = (text: string): string[] => tokens(text).slice(0, MAX_WORDS);

/** Every spelling of `w` with two neighbouring letters swapped: a swap is one typo, not two. */
function swaps(w: string): string[] {
  const out = new Set<string>();
  for (let i = 0; i < w.length - 1; i++)
    if (w[i] !== w[i + 1]) out.add(w.slice(0, i) + w[i + 1] + w[i] + w.slice(i + 2));
  return [...out];
}

/**
 * The k-th largest score; a sorted buffer of the best k so far, as few scores beat its smallest.
 */
function kth(scores: Float64Array, k: number): number {
  if (scores.length <= k) return -Infinity;
  if (k > 256) return scores.slice().sort()[scores.length - k];
  const top = scores.slice(0, k).sort();
  for (let n = k; n < scores.length; n++) {
    const x = scores[n];
    if (x <= top[0]) continue;
    let j = 1;
    for (; j < k && top[j] < x; j++) top[j - 1] = top[j]!;
    top[j - 1] = x;
  }
  return top[0];
}

/** Positions of the `k` best scores, best first; ties in match order so pages never overlap. */
export function best(scores: Float64Array, k: number): number[] {
  const cut = kth(scores, k);
  const picked: number[] = [];
  for (let n = 0; n < scores.length; n++) if (scores[n] >= cut) picked.push(n);
  return picked.sort((a, b) => scores[b] - scores[a] || a - b).slice(0, k);
}

/** What a query keeps of a document, by MiniSearch's short id: plain typed arrays, because
 *  reading scattered objects per posting costs a cache miss each (measured: 10× slower). */
class Columns {
  catalog = new Uint32Array(1024);
  /** NaN when unknown. */
  duration = new Float64Array(1024);
  lengths = FIELDS.map(() => new Float32Array(1024));
  /** Per query: the score so far, and how many query words a document has matched. */
  score = new Float64Array(1024);
  seen = new Uint8Array(1024);

  grow(size: number): void {
    if (size <= this.catalog.length) return;
    const n = Math.max(size, this.catalog.length * 2);
    const copy = <T extends Uint8Array | Uint32Array | Float32Array | Float64Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(n);
      b.set(a);
      return b;
    };
    Object.assign(this, {
      catalog: copy(this.catalog),
      duration: copy(this.duration),
      score: copy(this.score),
      seen: copy(this.seen),
    });
    this.lengths = this.lengths.map(copy);
  }
}

/** A filter on short ids, built from the query's filters. */
type Accept = (id: number) => boolean;
/**
 * A copy of one term's postings in one field as typed arrays (`size` tells whether it is stale).
 */
interface Compact {
  size: number;
  ids: Int32Array;
  tfs: Float32Array;
}

export class Index extends MiniSearch<IndexDoc> {
  /** By short id. */
  readonly docs: Array<IndexDoc | undefined> = [];
  readonly col = new Columns();
  private readonly catalogs = new Map<string, number>();
  private readonly compacts = new WeakMap<Map<number, number>, Compact>();

  constructor() {
    super({ idField: 'content_id', fields: [...FIELDS], tokenize: tokens, processTerm: (t) => t });
  }

  override add(doc: IndexDoc): void {
    super.add(doc);
    const id = this._idToShortId.get(doc.content_id)!;
    this.col.grow(this._nextId);
    this.docs[id] = doc;
    this.col.catalog[id] = this.catalogCode(doc.catalog);
    this.col.duration[id] = doc.duration_seconds ?? NaN;
    this._fieldLength.get(id)!.forEach((length, field) => (this.col.lengths[field][id] = length));
  }

  /**
   * Removes a document with its postings at once (MiniSearch's `discard` would leave them to be
   * vacuumed). Their compact copies are forgotten: an add could bring a Map back to the same size.
   */
  drop(id: string): void {
    const short = this._idToShortId.get(id);
    if (short === undefined) return;
    const doc = this.docs[short]!;
    for (const field of FIELDS) {
      for (const t of tokens(doc[field])) {
        const postings = this._index.get(t)?.get(this._fieldIds[field]);
        if (postings) this.compacts.delete(postings);
      }
    }
    this.remove(doc);
    this.docs[short] = undefined;
  }

  /** 0 for a catalog no document has (matches nothing). */
  catalogCode(name: string, add = true): number {
    const key = catalogKey(name);
    if (add && !this.catalogs.has(key)) this.catalogs.set(key, this.catalogs.size + 1);
    return this.catalogs.get(key) ?? 0;
  }

  /**
   * Short ids of the documents matching every word and accepted, with their scores. Words are
   * taken rarest first: only the first one collects candidates, the others merely check them.
   */
  match(
    ws: string[],
    fields: readonly Field[],
    accept?: Accept,
  ): { ids: number[]; scores: Float64Array } {
    const { score, seen } = this.col;
    const plan = ws.map((w, i) => {
      const postings = [...this.expand(w, i === ws.length - 1)].flatMap(([term, weight]) =>
        fields
          .map((field) => ({
            field,
            weight,
            p: this._index.get(term)!.get(this._fieldIds[field]),
          }))
          .filter((x) => x.p),
      );
      return { postings, size: postings.reduce((n, x) => n + x.p!.size, 0) };
    });
    let [touched, ids]: number[][] = [[], []];
    for (const [i, { postings }] of plan.sort((a, b) => a.size - b.size).entries()) {
      const next: number[] = [];
      for (const { field, weight, p } of postings) {
        const fieldId = this._fieldIds[field];
        const idf = Math.log(1 + (this._documentCount - p!.size + 0.5) / (p!.size + 0.5));
        this.addPostings(
          p!,
          i,
          weight * FIELD_BOOST[field] * idf,
          (K * B) / this._avgFieldLength[fieldId],
          this.col.lengths[fieldId],
          next,
          accept,
        );
      }
      if (i === 0) touched = next;
      ids = next;
      if (!ids.length) break;
    }
    const scores = new Float64Array(ids.length);
    for (let n = 0; n < ids.length; n++) scores[n] = score[ids[n]]!;
    for (const id of touched) {
      score[id] = 0;
      seen[id] = 0;
    }
    return { ids, scores };
  }

  /** Adds one term's BM25 scores in one field to the documents still in the running at word `i`. */
  private addPostings(
    postings: Map<number, number>,
    i: number,
    boost: number,
    norm: number,
    lengths: Float32Array,
    next: number[],
    accept?: Accept,
  ): void {
    const { score, seen } = this.col;
    const { ids, tfs } = this.compact(postings);
    for (let n = 0; n < ids.length; n++) {
      const id = ids[n];
      const s = seen[id];
      if (s === i) {
        if (i === 0 && accept && !accept(id)) continue; // filters apply before any other word
        seen[id] = i + 1;
        next.push(id);
      } else if (s !== i + 1) continue;
      const tf = tfs[n];
      score[id] += boost * (D + (tf * (K + 1)) / (tf + K * (1 - B) + norm * lengths[id]));
    }
  }

  /**
   * Iterating a JS Map costs ≈ 10–15 ns an entry, typed arrays a fraction: copy once, reuse until
   * it changes.
   */
  private compact(postings: Map<number, number>): Compact {
    let c = this.compacts.get(postings);
    if (c?.size === postings.size) return c;
    c = {
      size: postings.size,
      ids: Int32Array.from(postings.keys()),
      tfs: Float32Array.from(postings.values()),
    };
    this.compacts.set(postings, c);
    return c;
  }

  /** The indexed terms a query word stands for, with their weights. */
  private expand(w: string, last: boolean): Map<string, number> {
    const terms = new Map<string, number>();
    const put = (t: string, weight: number) => (terms.get(t) ?? 0) < weight && terms.set(t, weight);
    if (this._index.has(w)) put(w, 1);
    const typos = typosFor(w);
    if (typos) {
      for (const [t, [, d]] of this._index.fuzzyGet(w, typos))
        put(t, (FUZZY * t.length) / (t.length + d));
      for (const s of swaps(w))
        for (const [t, [, d]] of this._index.fuzzyGet(s, typos - 1))
          put(t, (FUZZY * t.length) / (t.length + d + 1));
    }
    if (last)
      for (const [t] of this._index.atPrefix(w))
        put(t, (PREFIX * t.length) / (t.length + 0.3 * (t.length - w.length)));
    return terms;
  }
}
