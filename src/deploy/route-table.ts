/**
 * Which block answers an /api path, from the `endpoints` each block declares in its manifest
 * (and advertises in the registry). An endpoint such as `/api/stream/:contentId` matches on its
 * literal part before the first parameter (`/api/stream/`); one without a parameter matches
 * itself and anything below it (`/api/contents` → `/api/contents/42`), never a sibling
 * (`/api/contentsx`). The longest literal wins, so a block may own a sub-tree of another's path.
 */

export interface RouteEntry {
  prefix: string;
  /** true when the prefix came from an endpoint with a parameter: plain string prefix match. */
  open: boolean;
  blockId: string;
}

export function literalPrefix(endpoint: string): { prefix: string; open: boolean } {
  const param = endpoint.search(/[:*]/);
  if (param === -1) return { prefix: endpoint.replace(/\/+$/, ''), open: false };
  return { prefix: endpoint.slice(0, param), open: true };
}

export class RouteTable {
  private entries: RouteEntry[] = [];

  /** Adds a block's endpoints; duplicates are ignored. */
  add(blockId: string, endpoints: readonly string[]): void {
    let changed = false;
    for (const e of endpoints) {
      if (!e.startsWith('/api/')) continue;
      const { prefix, open } = literalPrefix(e);
      if (this.entries.some((x) => x.prefix === prefix && x.open === open && x.blockId === blockId))
        continue;
      this.entries.push({ prefix, open, blockId });
      changed = true;
    }
    if (changed) this.entries.sort((a, b) => b.prefix.length - a.prefix.length);
  }

  /** The block owning `path` (no query string), or undefined when no block declares it. */
  match(path: string): string | undefined {
    for (const e of this.entries) {
      if (e.open ? path.startsWith(e.prefix) : path === e.prefix || path.startsWith(`${e.prefix}/`))
        return e.blockId;
    }
    return undefined;
  }

  blocks(): string[] {
    return [...new Set(this.entries.map((e) => e.blockId))].sort();
  }
}
