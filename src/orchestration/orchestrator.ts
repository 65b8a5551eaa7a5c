/**
 * The orchestrator: registers blocks, routes requests to whichever process serves a contract,
 * carries events, and watches health. It knows no block's internals; blocks are manifests,
 * contracts are schemas. This file wires the parts (see node-parts.ts) together and holds the
 * process's lifecycle; docs/blocks/00-orchestration.md maps the files.
 */
import type { Logger } from 'pino';
import type { AnyBlockManifest, BlockRuntime, SystemView } from './block.ts';
import type { MessageBus, Unsubscribe } from './bus/types.ts';
import { createBus } from './bus/index.ts';
import { ContractCatalog } from './catalog.ts';
import {
  BlockClient,
  type ClientCore,
  type AnyRequestOptions,
  type PublishOptions,
} from './client.ts';
import type { Contract, ContractId, EventName } from './contracts/define.ts';
import { productionContracts } from './contracts/index.ts';
import { DeadlineSweeper } from './deadlines.ts';
import { BusDiagnostics } from './diagnostics.ts';
import { EventDelivery, type EventHandler } from './event-delivery.ts';
import { HEARTBEAT_CHANNEL, HealthMonitor, type HealthHost } from './health.ts';
import { BlockLifecycle } from './lifecycle.ts';
import { OrchestratorMetrics } from './metrics.ts';
import type { NodeParts } from './node-parts.ts';
import { BlockRegistry, type BlockInfo } from './registry.ts';
import { NODE_CHANNEL, RemoteCalls } from './remote-calls.ts';
import { RequestPath, type Fallback } from './request-path.ts';
import { BreakerBoard, type BreakerState } from './resilience.ts';
import { systemView } from './system-view.ts';
import { newNodeId, resolveSettings, type OrchestratorOptions } from './options.ts';
import {
  defaultInstance,
  defaultSettings,
  defaultSharedSettings,
  type OrchestratorSettings,
} from './settings.ts';

export class Orchestrator implements ClientCore {
  readonly nodeId: string;
  readonly registry: BlockRegistry;
  readonly metrics: OrchestratorMetrics;
  readonly settings: OrchestratorSettings;
  readonly log: Logger;
  readonly bus: MessageBus;

  private readonly catalog = new ContractCatalog();
  private readonly sweeper = new DeadlineSweeper();
  private readonly diagnostics: BusDiagnostics;
  private readonly breakers: BreakerBoard;
  private readonly health: HealthMonitor;
  private readonly lifecycle: BlockLifecycle;
  private readonly remote: RemoteCalls;
  private readonly requests: RequestPath;
  private readonly events: EventDelivery;
  private readonly subscriptions: Unsubscribe[] = [];
  private state: 'new' | 'starting' | 'running' | 'stopping' | 'stopped' = 'new';

  constructor(opts: OrchestratorOptions) {
    this.nodeId = opts.nodeId ?? newNodeId();
    this.settings = resolveSettings(opts.settings);
    this.log = opts.logger.child({ node_id: this.nodeId });
    this.diagnostics = new BusDiagnostics(this.log, () => this);
    this.bus = 'publish' in opts.bus ? opts.bus : createBus(opts.bus, this.diagnostics.observer());
    this.registry = new BlockRegistry(this.nodeId);
    this.breakers = new BreakerBoard(this.settings.breaker, (block, state) =>
      this.onBreakerChange(block, state),
    );
    this.metrics = new OrchestratorMetrics(
      {
        bus: () => ({ ...this.bus.counters(), rejected: this.diagnostics.rejected }),
        breakers: () => this.breakers.all(),
        transportUp: () => this.bus.state() === 'connected',
      },
      opts.collectProcessMetrics ?? true,
    );
    const { nodeId, log, bus, settings, registry, metrics } = this;
    const parts: NodeParts = {
      ...{ nodeId, log, bus, settings, registry, metrics },
      catalog: this.catalog,
      handlers: new Map(),
      sweeper: this.sweeper,
      breakers: this.breakers,
      core: this,
      servesLocally: (id) => this.lifecycle.servesLocally(id),
      reject: (channel, reason, id) => this.diagnostics.reject(channel, reason, id),
      childLogger: (block, id) => this.childLogger(block, id),
    };
    this.events = new EventDelivery(parts, opts.instance ?? defaultInstance());
    this.lifecycle = new BlockLifecycle(parts, this.events, {
      env: opts.env ?? {},
      shared: opts.shared ?? defaultSharedSettings,
      system: () => systemView(this.nodeId, this.registry, this.breakers, this.bus, this.catalog),
    });
    this.remote = new RemoteCalls(parts);
    this.requests = new RequestPath(parts, this.remote);
    const host: HealthHost = {
      ...{ nodeId, registry, bus, reject: parts.reject },
      localBlockEntries: () => [...this.lifecycle.blocks.values()],
      setLocalStatus: (block, status, reason) => this.lifecycle.setStatus(block, status, reason),
      missingDependencies: (block) => this.lifecycle.missingDependencies(block),
      publishSystem: (event, payload) => this.publishSystem(event, payload),
      blockIsBack: (block) => this.breakers.reset(block),
      nodeLost: (node) => this.remote.nodeLost(node),
    };
    this.health = new HealthMonitor(host, this.settings);
    for (const c of opts.contracts ?? productionContracts) this.registerContract(c);
  }

  // ── registration ────────────────────────────────────────────────────────────────────────

  registerContract(contract: Contract): void {
    this.catalog.add(contract);
  }

  /** Adds a block to this process. Checks the manifest and fails with a named error. */
  register(block: AnyBlockManifest): void {
    if (this.state !== 'new') throw new Error(`cannot register block "${block.id}" after start`);
    this.lifecycle.register(block);
  }

  /** Declares the fallback used when `contract.action` cannot be answered. */
  setFallback<C extends ContractId>(contract: C, action: string, fallback: Fallback): void {
    this.requests.setFallback(contract, action, fallback);
  }

  /** Records a block served outside WSOPTV's processes, checked through its HTTP health URL. */
  registerExternal(
    info: Pick<BlockInfo, 'id' | 'name' | 'version' | 'health_url'> & Partial<BlockInfo>,
  ): void {
    this.health.addExternal(info);
  }

  // ── lifecycle ───────────────────────────────────────────────────────────────────────────

  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error('orchestrator already started');
    this.state = 'starting';
    await this.bus.connect();
    this.sweeper.start();
    this.subscriptions.push(
      await this.bus.subscribe(NODE_CHANNEL + this.nodeId, (m) => this.remote.onNodeMessage(m)),
    );
    this.subscriptions.push(
      await this.bus.subscribe(HEARTBEAT_CHANNEL, (m) => this.health.onHeartbeat(m)),
    );
    if (this.bus.kind !== 'memory') await this.health.discover();
    for (const block of this.lifecycle.startOrder()) await this.lifecycle.start(block);
    this.state = 'running';
    this.health.start();
    this.log.info(
      { blocks: [...this.lifecycle.blocks.keys()], transport: this.bus.kind },
      'orchestrator started',
    );
  }

  /** Marks local blocks stopped, tells the other nodes, stops the blocks and leaves the bus. */
  async stop(): Promise<void> {
    if (this.state === 'stopped' || this.state === 'stopping') return;
    this.state = 'stopping';
    this.health.stop();
    for (const b of this.lifecycle.blocks.values())
      this.lifecycle.setStatus(b, 'stopped', 'shutting down');
    await this.health.announceLeaving().catch(() => {});
    // Requests already accepted from other nodes finish (each is bounded by its timeout).
    await this.remote.drain();
    for (const b of [...this.lifecycle.startOrder()].reverse()) await this.lifecycle.teardown(b);
    for (const u of this.subscriptions) await u().catch(() => {});
    this.sweeper.expireAll();
    this.sweeper.stop();
    await this.bus.close();
    this.state = 'stopped';
    this.log.info('orchestrator stopped');
  }

  /**
   * Stops one block of this process while the rest keeps running: it is marked stopped, its
   * handlers and subscriptions go away, and callers get BLOCK_UNAVAILABLE (or its fallback).
   * Used by operators and by the tests of the fallback table.
   */
  async stopBlock(id: string): Promise<void> {
    const block = this.lifecycle.get(id);
    this.lifecycle.setStatus(block, 'stopped', 'stopped by request');
    await this.lifecycle.teardown(block);
    this.health.evaluate();
  }

  /** Starts a block stopped with stopBlock() again, through its manifest's setup. */
  async restartBlock(id: string): Promise<void> {
    const block = this.lifecycle.get(id);
    if (block.runtime) throw new Error(`block "${id}" is running`);
    this.lifecycle.setStatus(block, 'starting', null);
    await this.lifecycle.start(block);
    this.health.evaluate();
  }

  /**
   * Records the base URL where this process serves HTTP, for every local block: it travels in
   * the heartbeats so that a gateway in another process can route the blocks' routes here.
   */
  async advertiseHttp(url: string): Promise<void> {
    const blocks = [...this.lifecycle.blocks.values()];
    for (const b of blocks) b.info.http_url = url;
    // Other nodes learn it now rather than at the next heartbeat: a gateway can route at once.
    if (this.state === 'running' && this.bus.kind !== 'memory' && blocks.length > 0)
      await this.health.beatNow().catch(() => {});
  }

  get running(): boolean {
    return this.state === 'running';
  }

  localBlocks(): Array<{ info: BlockInfo; runtime?: BlockRuntime<ContractId> }> {
    return [...this.lifecycle.blocks.values()].map((b) => ({ info: b.info, runtime: b.runtime }));
  }

  /** A client speaking as `blockId` (a gateway or a test may speak as any name). */
  client(blockId: string, correlationId?: string): BlockClient {
    return new BlockClient(this, blockId, correlationId);
  }

  /** What the admin block may see of the system: blocks, transport, dead letters. */
  systemView(): SystemView {
    return systemView(this.nodeId, this.registry, this.breakers, this.bus, this.catalog);
  }

  breakerState(block: string): BreakerState {
    return this.breakers.state(block);
  }

  /** Rejected bus messages (malformed request, reply or event payloads). */
  rejectedCount(): number {
    return this.diagnostics.rejected;
  }

  // ── requests and events (ClientCore) ────────────────────────────────────────────────────

  request(
    from: string,
    contractId: string,
    action: string,
    input: unknown,
    opts: AnyRequestOptions | undefined,
    inherited: string | undefined,
  ): Promise<unknown> {
    return this.requests.request(from, contractId, action, input, opts, inherited);
  }

  publish(
    from: string,
    event: string,
    payload: unknown,
    opts: PublishOptions | undefined,
    inherited: string | undefined,
  ): Promise<void> {
    return this.events.publish(from, event, payload, opts, inherited);
  }

  /** Durable subscription of block `asBlock` to a domain event (see EventDelivery.consume). */
  consume<E extends EventName>(
    event: E,
    handler: EventHandler<E>,
    asBlock: string,
  ): Promise<Unsubscribe> {
    return this.events.consume(event, handler, asBlock);
  }

  /** Live subscription of `asBlock` to an event (see EventDelivery.subscribe). */
  subscribe<E extends EventName>(
    event: E,
    handler: EventHandler<E>,
    asBlock = 'orchestrator',
  ): Promise<Unsubscribe> {
    return this.events.subscribe(event, handler, asBlock);
  }

  childLogger(blockId: string, correlationId: string | undefined): Logger {
    return this.log.child(
      correlationId ? { block: blockId, correlation_id: correlationId } : { block: blockId },
    );
  }

  private publishSystem(
    event: 'block_unhealthy' | 'block_recovered' | 'breaker_state_changed',
    payload: Record<string, unknown>,
  ): void {
    this.publish('orchestrator', event, payload, undefined, undefined).catch((err) =>
      this.log.warn({ err, event }, 'could not publish system event'),
    );
  }

  private onBreakerChange(block: string, state: BreakerState): void {
    this.log.warn({ target: block, state }, 'circuit breaker state changed');
    if (this.state === 'running')
      this.publishSystem('breaker_state_changed', { block_id: block, state, node_id: this.nodeId });
  }
}

export { defaultSettings, type OrchestratorOptions, type OrchestratorSettings };
