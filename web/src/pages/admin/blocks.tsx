/** The system panel's grid: a card per running block process, and one per block nothing runs. */
import type { BlockRow } from './types.ts';

export function BlockGrid({ blocks, missing }: { blocks: BlockRow[]; missing: string[] }) {
  return (
    <div class="block-grid" data-testid="block-grid">
      {blocks.map((b) => (
        <BlockCard key={`${b.id}@${b.node_id}`} block={b} />
      ))}
      {missing.map((id) => (
        <MissingBlockCard key={`missing-${id}`} id={id} />
      ))}
      {blocks.length === 0 && missing.length === 0 ? (
        <p class="muted">No blocks reported.</p>
      ) : null}
    </div>
  );
}

/** Status, breaker, version, node and the reason for a status other than healthy. */
function BlockCard({ block: b }: { block: BlockRow }) {
  return (
    <div
      class={`block-card status-${b.status}`}
      data-testid="block-card"
      data-block={b.id}
      data-status={b.status}
    >
      <div class="block-top">
        <span class="block-id">{b.name}</span>
        <span class={`pill pill-${b.status}`}>{b.status}</span>
      </div>
      <dl class="block-facts">
        <div>
          <dt>version</dt>
          <dd>{b.version}</dd>
        </div>
        <div>
          <dt>breaker</dt>
          <dd class={`breaker breaker-${b.breaker}`}>{b.breaker}</dd>
        </div>
        <div>
          <dt>node</dt>
          <dd title={b.node_id}>{b.node_id.slice(0, 12)}</dd>
        </div>
      </dl>
      {b.status_reason ? <p class="block-reason small">{b.status_reason}</p> : null}
      {b.contracts.length ? <p class="muted tiny">{b.contracts.join(' · ')}</p> : null}
    </div>
  );
}

function MissingBlockCard({ id }: { id: string }) {
  return (
    <div
      class="block-card status-missing"
      data-testid="block-card"
      data-block={id}
      data-status="missing"
    >
      <div class="block-top">
        <span class="block-id">{id}</span>
        <span class="pill pill-stopped">missing</span>
      </div>
      <p class="block-reason small">No process runs this block.</p>
    </div>
  );
}
