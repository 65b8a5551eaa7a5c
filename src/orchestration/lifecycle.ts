/**
 * The blocks hosted in this process: registering a manifest (checked against the catalog),
 * starting each after the local blocks it depends on, installing its handlers and event
 * subscriptions, stopping it, and the status it reports.
 */
import type { AnyBlockManifest, BlockManifest, BlockStatus, SystemView } from './block.ts';
import type { AnyHandler } from './calls.ts';
import { BlockClient } from './client.ts';
import type { EventName } from './contracts/define.ts';
import type { EventDelivery } from './event-delivery.ts';
import type { LocalBlock } from './local-block.ts';
import type { NodeParts } from './node-parts.ts';
import type { BlockInfo } from './registry.ts';
import type { SharedSettings } from './settings.ts';
import type { SettingsEnv } from '../platform/settings.ts';
import { errorMessage } from '../platform/errors.ts';

const BLOCK_ID = /^[a-z][a-z0-9_-]{0,63}$/;

/** What every block's setup receives besides its own settings. */
export interface SetupFacts {
  env: SettingsEnv;
  shared: SharedSettings;
  system: () => SystemView;
}

export class BlockLifecycle {
  readonly blocks = new Map<string, LocalBlock>();

  constructor(
    private readonly node: NodeParts,
    private readonly events: EventDelivery,
    private readonly facts: SetupFacts,
  ) {}

  /** Adds a block to this process. Checks the manifest and fails with a named error. */
  register(block: AnyBlockManifest): void {
    // From here on the manifest is checked against the catalog, so its loose list type can go.
    const manifest = block as BlockManifest;
    if (!BLOCK_ID.test(manifest.id))
      throw new Error(`block id "${manifest.id}" must be lower-case letters, digits, - or _`);
    if (this.blocks.has(manifest.id))
      throw new Error(`block "${manifest.id}" is already registered in this process`);
    if (manifest.contracts.length === 0)
      throw new Error(`block "${manifest.id}" serves no contract`);
    for (const id of manifest.contracts) {
      const c = this.node.catalog.get(id);
      if (!c) throw new Error(`block "${manifest.id}" serves unknown contract "${id}"`);
      if (c.block !== manifest.id)
        throw new Error(
          `block "${manifest.id}" cannot serve ${id}: that contract belongs to block "${c.block}"`,
        );
    }
    for (const dep of manifest.dependencies ?? []) {
      if (!this.node.catalog.has(dep.contract))
        throw new Error(`block "${manifest.id}" depends on unknown contract "${dep.contract}"`);
    }
    const info: BlockInfo = {
      id: manifest.id,
      name: manifest.name,
      version: manifest.version,
      status: 'starting',
      status_reason: null,
      endpoints: [...(manifest.endpoints ?? [])],
      dependencies: (manifest.dependencies ?? []).map((d) => d.contract),
      health_url: `/health#${manifest.id}`,
      contracts: [...manifest.contracts],
      node_id: this.node.nodeId,
      started_at: new Date().toISOString(),
      last_seen: Date.now(),
    };
    // Read now, not at start: a bad setting of any block stops start-up before any block starts.
    const settings = manifest.settings?.(this.facts.env);
    this.blocks.set(manifest.id, {
      manifest,
      settings,
      info,
      unsubscribe: [],
      dependencyProblem: null,
      report: { status: 'healthy' },
    });
    this.node.registry.upsert(info);
  }

  /** The block hosted here, or a named error. */
  get(id: string): LocalBlock {
    const block = this.blocks.get(id);
    if (!block) throw new Error(`block "${id}" is not hosted in this process`);
    return block;
  }

  /** Whether the block is hosted here and currently serving requests. */
  servesLocally(blockId: string): boolean {
    const block = this.blocks.get(blockId);
    return block !== undefined && this.node.registry.isServing(block.info);
  }

  /** Runs the manifest's setup, then installs its handlers and subscriptions. */
  async start(block: LocalBlock): Promise<void> {
    const id = block.manifest.id;
    try {
      const runtime = await block.manifest.setup({
        id,
        log: this.node.log.child({ block: id }),
        client: new BlockClient(this.node.core, id),
        nodeId: this.node.nodeId,
        settings: block.settings,
        shared: this.facts.shared,
        system: this.facts.system(),
      });
      for (const contractId of block.manifest.contracts) {
        const impl = (runtime.handlers as Record<string, Record<string, AnyHandler>>)[contractId];
        const contract = this.node.catalog.get(contractId)!;
        const missing = Object.keys(contract.actions).filter(
          (a) => typeof impl?.[a] !== 'function',
        );
        if (missing.length)
          throw new Error(
            `block "${id}" does not implement ${contractId} action(s): ${missing.join(', ')}`,
          );
        this.node.handlers.set(
          contractId,
          new Map(Object.keys(contract.actions).map((a) => [a, impl[a].bind(impl)])),
        );
      }
      for (const [event, handler] of Object.entries(runtime.events ?? {})) {
        block.unsubscribe.push(await this.events.consume(event as EventName, handler as never, id));
      }
      block.runtime = runtime;
    } catch (err) {
      this.setStatus(block, 'unhealthy', `setup failed: ${errorMessage(err)}`);
      throw err;
    }
    const missing = this.missingDependencies(block);
    block.dependencyProblem = missing.length
      ? `missing dependency: ${missing.join(', ')} (no block serves it)`
      : null;
    this.setStatus(block, missing.length ? 'degraded' : 'healthy', block.dependencyProblem);
  }

  /** Removes the block's handlers and subscriptions and lets it release what it holds. */
  async teardown(b: LocalBlock): Promise<void> {
    for (const c of b.info.contracts) this.node.handlers.delete(c);
    for (const u of b.unsubscribe.splice(0)) await u().catch(() => {});
    try {
      await b.runtime?.stop?.();
    } catch (err) {
      this.node.log.error({ err, block: b.info.id }, 'block failed to stop cleanly');
    }
    b.runtime = undefined;
  }

  setStatus(block: LocalBlock, status: BlockStatus, reason: string | null): void {
    if (block.info.status === status && block.info.status_reason === reason) return;
    const previous = block.info.status;
    block.info.status = status;
    block.info.status_reason = reason;
    block.info.last_seen = Date.now();
    const level = status === 'healthy' || status === 'starting' ? 'info' : 'warn';
    this.node.log[level](
      { block: block.info.id, status, previous, reason },
      'block status changed',
    );
  }

  missingDependencies(block: LocalBlock): string[] {
    return (block.manifest.dependencies ?? [])
      .filter((d) => !d.optional && !this.node.registry.pickServer(d.contract))
      .map((d) => d.contract);
  }

  /** Local blocks ordered so that a block starts after the local blocks it depends on. */
  startOrder(): LocalBlock[] {
    const order: LocalBlock[] = [];
    const seen = new Set<string>();
    const visit = (b: LocalBlock, path: string[]) => {
      if (seen.has(b.info.id)) return;
      // A cycle: start in registration order; both sides are degraded until the other is up.
      if (path.includes(b.info.id)) return;
      for (const dep of b.manifest.dependencies ?? []) {
        const target = this.blocks.get(this.node.catalog.get(dep.contract)!.block);
        if (target) visit(target, [...path, b.info.id]);
      }
      seen.add(b.info.id);
      order.push(b);
    };
    for (const b of this.blocks.values()) visit(b, []);
    return order;
  }
}
