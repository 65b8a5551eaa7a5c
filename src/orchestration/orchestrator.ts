/**
 * The orchestrator: registers blocks, routes requests to whichever process serves a contract,
 * carries events, and watches health. It knows no block's internals; blocks are manifests,
 * contracts are schemas.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { isBrokenCircuitError } from 'cockatiel';
import type {
  AnyBlockManifest,
  BlockManifest,
  BlockRuntime,
  BlockStatus,
  SystemView,
} from './block.ts';
import type { BusObserver, MessageBus, Unsubscribe } from './bus/types.ts';
import { createBus, type BusConfig } from './bus/index.ts';
import {
  BlockClient,
  HandlerContext,
  type ClientCore,
  type AnyRequestOptions,
  type PublishOptions,
} from './client.ts';
import type { Contract, ContractId, EventName, EventPayload } from './contracts/define.ts';
import { productionContracts } from './contracts/index.ts';
import { SYSTEM_EVENTS } from './contracts/orchestrator.ts';
import { Deadline, DeadlineSweeper } from './deadlines.ts';
import {
  BlockError,
  OrchestrationCodes as Codes,
  isInfrastructureError,
  toBlockError,
  type SerializedError,
} from './errors.ts';
import { HealthMonitor, type HealthHost } from './health.ts';
import {
  defaultInstance,
  defaultSettings,
  defaultSharedSettings,
  type OrchestratorSettings,
  type SharedSettings,
} from './settings.ts';
import type { SettingsEnv } from '../platform/settings.ts';
import type { LocalBlock } from './local-block.ts';
import { createEnvelope, newCorrelationId, type Envelope } from './message.ts';
import { OrchestratorMetrics } from './metrics.ts';
import { BlockRegistry, type BlockInfo } from './registry.ts';
import { BreakerBoard, type BreakerState } from './resilience.ts';
import { formatIssues } from './validation.ts';
import { loadConfig, type AppConfig } from '../platform/config.ts';

export interface OrchestratorOptions {
  /** A transport configuration (the orchestrator builds the bus and watches it) or a ready bus. */
  bus: BusConfig | MessageBus;
  logger: Logger;
  nodeId?: string;
  settings?: Partial<OrchestratorSettings>;
  /** Contracts known to this node; defaults to every production contract. */
  contracts?: readonly Contract[];
  collectProcessMetrics?: boolean;
  /** Handed to every block's setup; defaults to the configuration of an empty environment. */
  config?: Readonly<AppConfig>;
  /** The environment each block's `settings` reads at registration; default: an empty one. */
  env?: SettingsEnv;
  /** The deployment facts handed to every block; default: those of an empty environment. */
  shared?: SharedSettings;
  /** Names this process's durable consumer groups (`<block>.<instance>`); default: the host name. */
  instance?: string;
}

type AnyHandler = (input: unknown, call: HandlerContext) => unknown;
type Fallback = NonNullable<AnyRequestOptions['fallback']>;
/** An event handler of any event, as the orchestrator stores it; payloads are checked first. */
type AnyEventHandler = (
  payload: never,
  call: HandlerContext,
  message: Envelope,
) => void | Promise<void>;

/**
 * One request waiting for its answer: settles once, by answer, error or timeout. A class
 * rather than closures because a closure per call is measurably slower on the hot path.
 */
class PendingCall extends Deadline {
  readonly promise: Promise<unknown>;
  private resolve!: (v: unknown) => void;
  private reject!: (e: unknown) => void;

  constructor(
    at: number,
    private readonly sweeper: DeadlineSweeper,
    private readonly contractId: string,
    private readonly action: string,
    private readonly timeoutMs: number,
    private readonly correlationId: string,
    private readonly table?: Map<string, PendingCall>,
    private readonly id?: string,
    /** The node a remote request was sent to. */
    readonly node?: string,
  ) {
    super(at);
    this.promise = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  ok(value: unknown): void {
    this.done();
    this.resolve(value);
  }

  fail(err: unknown): void {
    this.done();
    this.reject(toBlockError(err, this.correlationId));
  }

  expire(): void {
    this.table?.delete(this.id!);
    this.reject(
      new BlockError(
        Codes.TIMEOUT,
        `${this.contractId}.${this.action} did not answer within ${this.timeoutMs} ms`,
        { retryable: true, correlationId: this.correlationId },
      ),
    );
  }

  /** The request could not even be sent (transport down). */
  unsent(err: unknown): void {
    this.fail(
      err instanceof BlockError
        ? err
        : new BlockError(Codes.TRANSPORT_DOWN, `cannot send request: ${String(err)}`, {
            retryable: true,
            correlationId: this.correlationId,
          }),
    );
  }

  private done(): void {
    this.sweeper.delete(this);
    this.table?.delete(this.id!);
  }
}

const NODE_CHANNEL = 'node.';
const HEARTBEAT_CHANNEL = 'heartbeat';
const BLOCK_ID = /^[a-z][a-z0-9_-]{0,63}$/;

export class Orchestrator implements ClientCore, HealthHost {
  readonly nodeId: string;
  readonly registry: BlockRegistry;
  readonly metrics: OrchestratorMetrics;
  readonly settings: OrchestratorSettings;
  readonly log: Logger;
  readonly bus: MessageBus;

  private readonly catalog = new Map<string, Contract>();
  private readonly eventSchemas = new Map<string, z.ZodType>();
  private readonly blocks = new Map<string, LocalBlock>();
  /** contract id → action → handler, for blocks hosted in this process. */
  private readonly localHandlers = new Map<string, Map<string, AnyHandler>>();
  private readonly fallbacks = new Map<string, Fallback>();
  private readonly pending = new Map<string, PendingCall>();
  private readonly sweeper = new DeadlineSweeper();
  private readonly breakers: BreakerBoard;
  private readonly health: HealthMonitor;
  private readonly subscriptions: Unsubscribe[] = [];
  /** Requests from other nodes being served here; stop() lets them finish. */
  private readonly serving = new Set<Promise<void>>();
  private rejected = 0;
  private readonly config: Readonly<AppConfig>;
  private readonly env: SettingsEnv;
  private readonly shared: SharedSettings;
  private readonly instance: string;
  private seq = 0;
  private state: 'new' | 'starting' | 'running' | 'stopping' | 'stopped' = 'new';

  constructor(opts: OrchestratorOptions) {
    this.nodeId = opts.nodeId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.settings = Object.freeze({
      ...defaultSettings,
      ...opts.settings,
      breaker: { ...defaultSettings.breaker, ...opts.settings?.breaker },
    });
    if (!(this.settings.requestTimeoutMs > 0))
      throw new Error('requestTimeoutMs must be greater than zero');
    this.log = opts.logger.child({ node_id: this.nodeId });
    this.config = opts.config ?? loadConfig({});
    this.env = opts.env ?? {};
    this.shared = opts.shared ?? defaultSharedSettings;
    this.instance = opts.instance ?? defaultInstance();
    this.bus = 'publish' in opts.bus ? opts.bus : createBus(opts.bus, this.busObserver());
    this.registry = new BlockRegistry(this.nodeId);
    this.breakers = new BreakerBoard(this.settings.breaker, (block, state) =>
      this.onBreakerChange(block, state),
    );
    this.metrics = new OrchestratorMetrics(
      {
        bus: () => ({ ...this.bus.counters(), rejected: this.rejected }),
        breakers: () => this.breakers.all(),
        transportUp: () => this.bus.state() === 'connected',
      },
      opts.collectProcessMetrics ?? true,
    );
    this.health = new HealthMonitor(this, this.settings);
    for (const c of opts.contracts ?? productionContracts) this.registerContract(c);
  }

  // ── registration ────────────────────────────────────────────────────────────────────────

  registerContract(contract: Contract): void {
    this.catalog.set(contract.id, contract);
    for (const [event, schema] of Object.entries(contract.events)) {
      const owner = [...this.catalog.values()].find(
        (c) => c.id !== contract.id && c.block !== contract.block && event in c.events,
      );
      if (owner)
        throw new Error(
          `event "${event}" of ${contract.id} is already declared by ${owner.id}; event names have one owner`,
        );
      this.eventSchemas.set(event, schema);
    }
  }

  /** Adds a block to this process. Checks the manifest and fails with a named error. */
  register(block: AnyBlockManifest): void {
    // From here on the manifest is checked against the catalog, so its loose list type can go.
    const manifest = block as BlockManifest;
    if (this.state !== 'new') throw new Error(`cannot register block "${manifest.id}" after start`);
    if (!BLOCK_ID.test(manifest.id))
      throw new Error(`block id "${manifest.id}" must be lower-case letters, digits, - or _`);
    if (this.blocks.has(manifest.id))
      throw new Error(`block "${manifest.id}" is already registered in this process`);
    if (manifest.contracts.length === 0)
      throw new Error(`block "${manifest.id}" serves no contract`);
    for (const id of manifest.contracts) {
      const c = this.catalog.get(id);
      if (!c) throw new Error(`block "${manifest.id}" serves unknown contract "${id}"`);
      if (c.block !== manifest.id)
        throw new Error(
          `block "${manifest.id}" cannot serve ${id}: that contract belongs to block "${c.block}"`,
        );
    }
    for (const dep of manifest.dependencies ?? []) {
      if (!this.catalog.has(dep.contract))
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
      node_id: this.nodeId,
      started_at: new Date().toISOString(),
      last_seen: Date.now(),
    };
    // Read now, not at start: a bad setting of any block stops start-up before any block starts.
    const settings = manifest.settings?.(this.env);
    this.blocks.set(manifest.id, {
      manifest,
      settings,
      info,
      unsubscribe: [],
      dependencyProblem: null,
      report: { status: 'healthy' },
    });
    this.registry.upsert(info);
  }

  /** Declares the fallback used when `contract.action` cannot be answered. */
  setFallback<C extends ContractId>(contract: C, action: string, fallback: Fallback): void {
    this.fallbacks.set(`${contract}.${action}`, fallback);
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
      await this.bus.subscribe(NODE_CHANNEL + this.nodeId, (m) => this.onNodeMessage(m)),
    );
    this.subscriptions.push(
      await this.bus.subscribe(HEARTBEAT_CHANNEL, (m) => this.health.onHeartbeat(m)),
    );
    if (this.bus.kind !== 'memory') await this.health.discover();
    for (const block of this.startOrder()) await this.startBlock(block);
    this.state = 'running';
    this.health.start();
    this.log.info(
      { blocks: [...this.blocks.keys()], transport: this.bus.kind },
      'orchestrator started',
    );
  }

  /** Marks local blocks stopped, tells the other nodes, stops the blocks and leaves the bus. */
  async stop(): Promise<void> {
    if (this.state === 'stopped' || this.state === 'stopping') return;
    this.state = 'stopping';
    this.health.stop();
    for (const b of this.blocks.values()) this.setLocalStatus(b, 'stopped', 'shutting down');
    await this.health.announceLeaving().catch(() => {});
    // Requests already accepted from other nodes finish (each is bounded by its timeout).
    await Promise.allSettled([...this.serving]);
    for (const b of [...this.startOrder()].reverse()) await this.teardown(b);
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
    const block = this.blocks.get(id);
    if (!block) throw new Error(`block "${id}" is not hosted in this process`);
    this.setLocalStatus(block, 'stopped', 'stopped by request');
    await this.teardown(block);
    this.health.evaluate();
  }

  /** Starts a block stopped with stopBlock() again, through its manifest's setup. */
  async restartBlock(id: string): Promise<void> {
    const block = this.blocks.get(id);
    if (!block) throw new Error(`block "${id}" is not hosted in this process`);
    if (block.runtime) throw new Error(`block "${id}" is running`);
    this.setLocalStatus(block, 'starting', null);
    await this.startBlock(block);
    this.health.evaluate();
  }

  private async teardown(b: LocalBlock): Promise<void> {
    for (const c of b.info.contracts) this.localHandlers.delete(c);
    for (const u of b.unsubscribe.splice(0)) await u().catch(() => {});
    try {
      await b.runtime?.stop?.();
    } catch (err) {
      this.log.error({ err, block: b.info.id }, 'block failed to stop cleanly');
    }
    b.runtime = undefined;
  }

  /**
   * Records the base URL where this process serves HTTP, for every local block: it travels in
   * the heartbeats so that a gateway in another process can route the blocks' routes here.
   */
  async advertiseHttp(url: string): Promise<void> {
    for (const b of this.blocks.values()) b.info.http_url = url;
    // Other nodes learn it now rather than at the next heartbeat: a gateway can route at once.
    if (this.state === 'running' && this.bus.kind !== 'memory' && this.blocks.size > 0)
      await this.health.beatNow().catch(() => {});
  }

  get running(): boolean {
    return this.state === 'running';
  }

  localBlocks(): Array<{ info: BlockInfo; runtime?: BlockRuntime<ContractId> }> {
    return [...this.blocks.values()].map((b) => ({ info: b.info, runtime: b.runtime }));
  }

  /** A client speaking as `blockId` (a gateway or a test may speak as any name). */
  client(blockId: string, correlationId?: string): BlockClient {
    return new BlockClient(this, blockId, correlationId);
  }

  systemView(): SystemView {
    return {
      nodeId: this.nodeId,
      blocks: () => this.registry.list().map((b) => ({ ...b, breaker: this.breakers.state(b.id) })),
      transport: () => ({ kind: this.bus.kind, state: this.bus.state() }),
      deadLetters: async (limit) => {
        const durable = [...this.eventSchemas.keys()].filter((e) => !SYSTEM_EVENTS.has(e));
        const lists = await Promise.all(durable.map((e) => this.bus.deadLetters(e, limit)));
        return lists
          .flat()
          .sort((a, b) => b.at.localeCompare(a.at))
          .slice(0, limit);
      },
      replayDeadLetter: (channel, group, id) =>
        SYSTEM_EVENTS.has(channel) || !this.eventSchemas.has(channel)
          ? Promise.resolve(false)
          : this.bus.replayDeadLetter(channel, group, id),
    };
  }

  breakerState(block: string): BreakerState {
    return this.breakers.state(block);
  }

  /** Rejected bus messages (malformed request, reply or event payloads). */
  rejectedCount(): number {
    return this.rejected;
  }

  // ── requests ────────────────────────────────────────────────────────────────────────────

  async request(
    from: string,
    contractId: string,
    action: string,
    input: unknown,
    opts: AnyRequestOptions | undefined,
    inherited: string | undefined,
  ): Promise<unknown> {
    const correlationId = opts?.correlationId ?? inherited ?? newCorrelationId();
    const contract = this.catalog.get(contractId);
    if (!contract)
      throw new BlockError(Codes.UNKNOWN_CONTRACT, `no contract "${contractId}" is known`, {
        correlationId,
      });
    const spec = contract.actions[action];
    if (!spec)
      throw new BlockError(Codes.UNKNOWN_ACTION, `${contractId} has no action "${action}"`, {
        correlationId,
      });
    const parsed = spec.input.safeParse(input);
    if (!parsed.success) {
      throw new BlockError(
        Codes.INVALID_PAYLOAD,
        `invalid input for ${contractId}.${action}: ${formatIssues(parsed.error)}`,
        { correlationId },
      );
    }
    const stats = this.metrics.action(contract.block, contractId, action);
    const started = performance.now();
    const timeoutMs = opts?.timeoutMs ?? this.settings.requestTimeoutMs;
    try {
      const result = await this.breakers
        .for(contract.block)
        .execute(() =>
          this.dispatch(from, contract, action, parsed.data, correlationId, timeoutMs),
        );
      stats.observe((performance.now() - started) / 1000);
      return result;
    } catch (raw) {
      const err = isBrokenCircuitError(raw)
        ? new BlockError(
            Codes.CIRCUIT_OPEN,
            `circuit to block "${contract.block}" is open: it failed repeatedly`,
            { retryable: true, correlationId },
          )
        : toBlockError(raw, correlationId);
      stats.observe((performance.now() - started) / 1000);
      stats.error(err.code);
      const fallback = isInfrastructureError(err)
        ? (opts?.fallback ?? this.fallbacks.get(`${contractId}.${action}`))
        : undefined;
      if (!fallback) throw err;
      this.childLogger(from, correlationId).warn(
        { target: contractId, action, code: err.code },
        'using fallback: target unavailable',
      );
      return fallback(parsed.data as never, err);
    }
  }

  private dispatch(
    from: string,
    contract: Contract,
    action: string,
    input: unknown,
    correlationId: string,
    timeoutMs: number,
  ): unknown {
    const local = this.localHandlers.get(contract.id);
    if (local) {
      const block = this.blocks.get(contract.block);
      if (block && this.registry.isServing(block.info))
        return this.invokeLocal(
          local.get(action)!,
          input,
          new HandlerContext(this, contract.block, correlationId, from),
          timeoutMs,
          contract.id,
          action,
        );
    }
    const server = this.registry.pickServer(contract.id);
    if (!server) throw this.noServer(contract, correlationId);
    if (server.node_id === this.nodeId) {
      const handlers = this.localHandlers.get(contract.id);
      if (!handlers) throw this.noServer(contract, correlationId);
      return this.invokeLocal(
        handlers.get(action)!,
        input,
        new HandlerContext(this, contract.block, correlationId, from),
        timeoutMs,
        contract.id,
        action,
      );
    }
    return this.invokeRemote(
      server.node_id,
      from,
      contract,
      action,
      input,
      correlationId,
      timeoutMs,
    );
  }

  private noServer(contract: Contract, correlationId: string): BlockError {
    if (this.registry.hasBlock(contract.block)) {
      const serving = this.registry
        .instancesOf(contract.block)
        .filter((i) => this.registry.isServing(i));
      if (serving.length > 0) {
        const versions = [...new Set(serving.flatMap((i) => i.contracts))].join(', ');
        return new BlockError(
          Codes.CONTRACT_UNAVAILABLE,
          `no instance of block "${contract.block}" serves ${contract.id} (served: ${versions})`,
          { correlationId },
        );
      }
      const status = this.registry.aggregateStatus(contract.block);
      return new BlockError(
        Codes.BLOCK_UNAVAILABLE,
        `block "${contract.block}" is ${status}; it cannot answer ${contract.id}`,
        { retryable: true, correlationId },
      );
    }
    return new BlockError(
      Codes.BLOCK_UNAVAILABLE,
      `no process serves block "${contract.block}" (${contract.id})`,
      { retryable: true, correlationId },
    );
  }

  private invokeLocal(
    handler: AnyHandler,
    input: unknown,
    call: HandlerContext,
    timeoutMs: number,
    contractId: string,
    action: string,
  ): unknown {
    let result: unknown;
    try {
      result = handler(input, call);
    } catch (err) {
      throw toBlockError(err, call.correlationId);
    }
    if (
      result === null ||
      typeof result !== 'object' ||
      typeof (result as Promise<unknown>).then !== 'function'
    )
      return result;
    const deadline = new PendingCall(
      performance.now() + timeoutMs,
      this.sweeper,
      contractId,
      action,
      timeoutMs,
      call.correlationId,
    );
    this.sweeper.add(deadline);
    (result as Promise<unknown>).then(
      (v) => deadline.ok(v),
      (e) => deadline.fail(e),
    );
    return deadline.promise;
  }

  private invokeRemote(
    nodeId: string,
    from: string,
    contract: Contract,
    action: string,
    input: unknown,
    correlationId: string,
    timeoutMs: number,
  ): Promise<unknown> {
    const id = `${this.nodeId}:${++this.seq}`;
    const pending = new PendingCall(
      performance.now() + timeoutMs,
      this.sweeper,
      contract.id,
      action,
      timeoutMs,
      correlationId,
      this.pending,
      id,
      nodeId,
    );
    this.pending.set(id, pending);
    this.sweeper.add(pending);
    const envelope = createEnvelope({
      source_block: from,
      target_block: contract.block,
      event_type: 'request',
      payload: {
        id,
        contract: contract.id,
        action,
        input,
        reply_to: this.nodeId,
        timeout_ms: timeoutMs,
      },
      correlation_id: correlationId,
    });
    this.bus.publish(NODE_CHANNEL + nodeId, envelope).then(undefined, (err) => pending.unsent(err));
    return pending.promise;
  }

  private onNodeMessage(m: Envelope): void | Promise<void> {
    if (m.event_type === 'request') {
      const work = this.serveRemote(m);
      this.serving.add(work);
      return work.finally(() => this.serving.delete(work));
    }
    if (m.event_type === 'response') return this.settleRemote(m);
    this.reject(
      NODE_CHANNEL + this.nodeId,
      `unexpected event_type "${m.event_type}" on a node channel`,
    );
  }

  private async serveRemote(m: Envelope): Promise<void> {
    const p = m.payload as Record<string, unknown>;
    if (
      !p ||
      typeof p.id !== 'string' ||
      typeof p.contract !== 'string' ||
      typeof p.action !== 'string' ||
      typeof p.reply_to !== 'string'
    ) {
      this.reject(
        NODE_CHANNEL + this.nodeId,
        'malformed request payload (needs id, contract, action, reply_to)',
      );
      return;
    }
    const contract = this.catalog.get(p.contract);
    const handlers = this.localHandlers.get(p.contract);
    const block = contract && this.blocks.get(contract.block);
    if (!contract || !handlers || !block || !this.registry.isServing(block.info)) {
      const err = contract
        ? this.noServer(contract, m.correlation_id)
        : new BlockError(Codes.UNKNOWN_CONTRACT, `no contract "${p.contract}" is known here`);
      return void (await this.reply(m, p.id, p.reply_to, { ok: false, error: err.toJSON() }));
    }
    const spec = contract.actions[p.action];
    if (!spec)
      return void (await this.reply(m, p.id, p.reply_to, {
        ok: false,
        error: new BlockError(
          Codes.UNKNOWN_ACTION,
          `${p.contract} has no action "${p.action}"`,
        ).toJSON(),
      }));
    const parsed = spec.input.safeParse(p.input);
    if (!parsed.success) {
      return void (await this.reply(m, p.id, p.reply_to, {
        ok: false,
        error: new BlockError(
          Codes.INVALID_PAYLOAD,
          `invalid input for ${p.contract}.${p.action}: ${formatIssues(parsed.error)}`,
        ).toJSON(),
      }));
    }
    const timeoutMs =
      typeof p.timeout_ms === 'number' && p.timeout_ms > 0
        ? p.timeout_ms
        : this.settings.requestTimeoutMs;
    try {
      const call = new HandlerContext(this, contract.block, m.correlation_id, m.source_block);
      const result = await this.invokeLocal(
        handlers.get(p.action)!,
        parsed.data,
        call,
        timeoutMs,
        p.contract,
        p.action,
      );
      await this.reply(m, p.id, p.reply_to, {
        ok: true,
        result: result === undefined ? null : result,
      });
    } catch (err) {
      const e = toBlockError(err, m.correlation_id);
      if (e.code === Codes.INTERNAL)
        this.childLogger(contract.block, m.correlation_id).error(
          { err },
          `${p.contract}.${p.action} failed`,
        );
      await this.reply(m, p.id, p.reply_to, { ok: false, error: e.toJSON() });
    }
  }

  private reply(
    request: Envelope,
    id: string,
    replyTo: string,
    body: { ok: true; result: unknown } | { ok: false; error: SerializedError },
  ): Promise<void> {
    const envelope = createEnvelope({
      source_block: request.target_block ?? 'orchestrator',
      target_block: request.source_block,
      event_type: 'response',
      payload: { id, ...body },
      correlation_id: request.correlation_id,
    });
    return this.bus
      .publish(NODE_CHANNEL + replyTo, envelope)
      .then(undefined, (err) =>
        this.log.warn({ err, correlation_id: request.correlation_id }, 'could not send reply'),
      );
  }

  private settleRemote(m: Envelope): void {
    const p = m.payload as {
      id?: unknown;
      ok?: unknown;
      result?: unknown;
      error?: Partial<SerializedError>;
    };
    if (!p || typeof p.id !== 'string' || typeof p.ok !== 'boolean') {
      this.reject(NODE_CHANNEL + this.nodeId, 'malformed response payload (needs id and ok)');
      return;
    }
    const entry = this.pending.get(p.id);
    if (!entry) return; // the caller already timed out; a late answer has nobody to go to
    if (p.ok) entry.ok(p.result);
    else {
      const e = p.error ?? {};
      entry.fail(
        BlockError.from(
          {
            code: typeof e.code === 'string' ? e.code : Codes.INTERNAL,
            message: typeof e.message === 'string' ? e.message : 'remote error',
            retryable: e.retryable === true,
            status: e.status,
            details: e.details,
          },
          m.correlation_id,
        ),
      );
    }
  }

  // ── events ──────────────────────────────────────────────────────────────────────────────

  async publish(
    from: string,
    event: string,
    payload: unknown,
    opts: PublishOptions | undefined,
    inherited: string | undefined,
  ): Promise<void> {
    const correlationId = opts?.correlationId ?? inherited ?? newCorrelationId();
    const schema = this.eventSchemas.get(event);
    if (!schema)
      throw new BlockError(Codes.UNKNOWN_ACTION, `no contract declares event "${event}"`, {
        correlationId,
      });
    const parsed = schema.safeParse(payload);
    if (!parsed.success)
      throw new BlockError(
        Codes.INVALID_PAYLOAD,
        `invalid payload for event ${event}: ${formatIssues(parsed.error)}`,
        { correlationId },
      );
    const envelope = createEnvelope({
      source_block: from,
      target_block: opts?.target ?? null,
      event_type: event,
      payload: parsed.data,
      correlation_id: correlationId,
    });
    // Domain events are durable (a block that is down receives them when it is back); the
    // orchestrator's own health events are only news while they are fresh.
    const channel = channelOf(event);
    if (channel === 'system') await this.bus.publish(channel, envelope);
    else await this.bus.publishDurable(channel, envelope);
  }

  /**
   * Subscribes block `asBlock` to a domain event durably: its consumer group gets every such
   * event once, including those published while it was down; a handler that throws
   * is retried and, after repeated failure, the event is dead-lettered. Payloads failing the
   * schema and events targeted at another block are acknowledged and skipped.
   */
  async consume<E extends EventName>(
    event: E,
    handler: (
      payload: EventPayload<E>,
      call: HandlerContext,
      message: Envelope,
    ) => void | Promise<void>,
    asBlock: string,
  ): Promise<Unsubscribe> {
    if (SYSTEM_EVENTS.has(event)) return this.subscribe(event, handler, asBlock);
    const deliver = this.eventDelivery(event, handler, asBlock);
    // One group per block instance: every process hosting the block gets every event (its
    // caches and indexes are its own); handlers with shared side effects are idempotent by id.
    return this.bus.consume(event, `${asBlock}.${this.instance}`, this.instance, (m, meta) =>
      deliver(m, `${event}/${meta.id}`),
    );
  }

  /**
   * Subscribes `asBlock` to an event. Messages targeted at another block are skipped; payloads
   * that fail the event's schema are rejected (logged, counted) and never reach the handler.
   */
  async subscribe<E extends EventName>(
    event: E,
    handler: (
      payload: EventPayload<E>,
      call: HandlerContext,
      message: Envelope,
    ) => void | Promise<void>,
    asBlock = 'orchestrator',
  ): Promise<Unsubscribe> {
    const deliver = this.eventDelivery(event, handler, asBlock);
    return this.bus.subscribe(channelOf(event), (m) => deliver(m));
  }

  /**
   * What live and durable subscriptions share: skip messages targeted at another block, check
   * the payload against the event's schema (rejected, logged and counted when it fails), then
   * hand it to the handler with the message's correlation id (and durable message id).
   */
  private eventDelivery(
    event: EventName,
    handler: AnyEventHandler,
    asBlock: string,
  ): (m: Envelope, messageId?: string) => void | Promise<void> {
    const schema = this.eventSchemas.get(event);
    if (!schema) throw new Error(`no contract declares event "${event}"`);
    const channel = channelOf(event);
    return (m, messageId) => {
      // The system channel carries several event types; any other channel carries one.
      if (m.event_type !== event)
        return channel === 'system'
          ? undefined
          : this.reject(
              channel,
              `event_type "${m.event_type}" on the channel of ${event}`,
              m.correlation_id,
            );
      if (m.target_block !== null && m.target_block !== asBlock) return;
      const parsed = schema.safeParse(m.payload);
      if (!parsed.success)
        return this.reject(
          channel,
          `invalid payload for event ${event}: ${formatIssues(parsed.error)}`,
          m.correlation_id,
        );
      return handler(
        parsed.data as never,
        new HandlerContext(this, asBlock, m.correlation_id, m.source_block, messageId),
        m,
      );
    };
  }

  // ── internals shared with the health monitor ────────────────────────────────────────────

  /** How the bus reports what it could not deliver: every drop is logged and counted. */
  busObserver(): BusObserver {
    return {
      onDrop: (channel, reason, raw) => {
        this.metrics?.countDrop(reason.slice(0, 60));
        this.log.warn({ channel, reason, sample: raw?.slice(0, 200) }, 'bus message dropped');
      },
      onHandlerError: (channel, message, err) => {
        this.log.error(
          { err, channel, event_type: message.event_type, correlation_id: message.correlation_id },
          'event handler failed',
        );
      },
      onDeadLetter: (letter) => {
        this.log.error(
          {
            channel: letter.channel,
            group: letter.group,
            message_id: letter.id,
            deliveries: letter.deliveries,
            reason: letter.error,
          },
          'event dead-lettered after repeated failure',
        );
      },
      onStateChange: (state) => {
        const level = state === 'connected' ? 'info' : 'warn';
        this.log[level]({ transport: this.bus?.kind, state }, 'bus transport state changed');
      },
    };
  }

  childLogger(blockId: string, correlationId: string | undefined): Logger {
    return this.log.child(
      correlationId ? { block: blockId, correlation_id: correlationId } : { block: blockId },
    );
  }

  /** Counts and logs a message that arrived but will not be acted on. */
  reject(channel: string, reason: string, correlationId?: string): void {
    this.rejected++;
    this.metrics.countDrop(reason.split(':')[0].slice(0, 60));
    this.log.warn({ channel, reason, correlation_id: correlationId }, 'bus message rejected');
  }

  localBlockEntries(): LocalBlock[] {
    return [...this.blocks.values()];
  }

  setLocalStatus(block: LocalBlock, status: BlockStatus, reason: string | null): void {
    if (block.info.status === status && block.info.status_reason === reason) return;
    const previous = block.info.status;
    block.info.status = status;
    block.info.status_reason = reason;
    block.info.last_seen = Date.now();
    const level = status === 'healthy' || status === 'starting' ? 'info' : 'warn';
    this.log[level]({ block: block.info.id, status, previous, reason }, 'block status changed');
  }

  missingDependencies(block: LocalBlock): string[] {
    return (block.manifest.dependencies ?? [])
      .filter((d) => !d.optional && !this.registry.pickServer(d.contract))
      .map((d) => d.contract);
  }

  publishSystem(
    event: 'block_unhealthy' | 'block_recovered' | 'breaker_state_changed',
    payload: Record<string, unknown>,
  ): void {
    this.publish('orchestrator', event, payload, undefined, undefined).catch((err) =>
      this.log.warn({ err, event }, 'could not publish system event'),
    );
  }

  /**
   * Fails at once every request waiting on a node that stopped sending heartbeats: its process
   * is gone and no answer will come, so callers get BLOCK_UNAVAILABLE (or their fallback) now
   * rather than at their timeout.
   */
  nodeLost(nodeId: string): void {
    let failed = 0;
    for (const call of [...this.pending.values()]) {
      if (call.node !== nodeId) continue;
      call.fail(
        new BlockError(
          Codes.BLOCK_UNAVAILABLE,
          `the process serving this request (${nodeId}) stopped answering`,
          { retryable: true },
        ),
      );
      failed++;
    }
    if (failed)
      this.log.warn({ lost_node: nodeId, failed }, 'failed requests waiting on a lost node');
  }

  blockIsBack(block: string): void {
    this.breakers.reset(block);
  }

  private onBreakerChange(block: string, state: BreakerState): void {
    this.log.warn({ target: block, state }, 'circuit breaker state changed');
    if (this.state === 'running')
      this.publishSystem('breaker_state_changed', { block_id: block, state, node_id: this.nodeId });
  }

  private async startBlock(block: LocalBlock): Promise<void> {
    const id = block.manifest.id;
    const client = new BlockClient(this, id);
    try {
      const runtime = await block.manifest.setup({
        id,
        log: this.log.child({ block: id }),
        client,
        nodeId: this.nodeId,
        config: this.config,
        settings: block.settings,
        shared: this.shared,
        system: this.systemView(),
      });
      for (const contractId of block.manifest.contracts) {
        const impl = (runtime.handlers as Record<string, Record<string, AnyHandler>>)[contractId];
        const contract = this.catalog.get(contractId)!;
        const missing = Object.keys(contract.actions).filter(
          (a) => typeof impl?.[a] !== 'function',
        );
        if (missing.length)
          throw new Error(
            `block "${id}" does not implement ${contractId} action(s): ${missing.join(', ')}`,
          );
        this.localHandlers.set(
          contractId,
          new Map(Object.keys(contract.actions).map((a) => [a, impl[a].bind(impl)])),
        );
      }
      for (const [event, handler] of Object.entries(runtime.events ?? {})) {
        block.unsubscribe.push(await this.consume(event as EventName, handler as never, id));
      }
      block.runtime = runtime;
    } catch (err) {
      this.setLocalStatus(
        block,
        'unhealthy',
        `setup failed: ${err instanceof Error ? err.message : String(err)}`,
      );
      throw err;
    }
    const missing = this.missingDependencies(block);
    block.dependencyProblem = missing.length
      ? `missing dependency: ${missing.join(', ')} (no block serves it)`
      : null;
    this.setLocalStatus(block, missing.length ? 'degraded' : 'healthy', block.dependencyProblem);
  }

  /** Local blocks ordered so that a block starts after the local blocks it depends on. */
  private startOrder(): LocalBlock[] {
    const order: LocalBlock[] = [];
    const seen = new Set<string>();
    const visit = (b: LocalBlock, path: string[]) => {
      if (seen.has(b.info.id)) return;
      if (path.includes(b.info.id)) return; // a cycle: start in registration order, both sides degrade until the other is up
      for (const dep of b.manifest.dependencies ?? []) {
        const target = this.blocks.get(this.catalog.get(dep.contract)!.block);
        if (target) visit(target, [...path, b.info.id]);
      }
      seen.add(b.info.id);
      order.push(b);
    };
    for (const b of this.blocks.values()) visit(b, []);
    return order;
  }
}

function channelOf(event: string): string {
  return SYSTEM_EVENTS.has(event) ? 'system' : event;
}

export { defaultSettings, type OrchestratorSettings };
