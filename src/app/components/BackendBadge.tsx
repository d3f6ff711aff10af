import type { BackendStatus } from '../state/workbench-state.ts';

/** Which tfjs backend the worker runs on, and on what adapter. */
export function BackendBadge({ backend }: { backend: BackendStatus }) {
  const text = backend.state === 'ready' ? backend.name : backend.state === 'failed' ? 'no backend' : 'starting…';
  const title = backend.fallbacks.length > 0 ? `Skipped: ${backend.fallbacks.join('; ')}` : 'The first backend tried started';
  return (
    <div className="backend" title={title}>
      <span className="label">Backend</span>
      <span data-testid="backend-label" className={`badge ${backend.state}`}>{text}</span>
      {backend.adapter && <span data-testid="backend-adapter" className="hint">{backend.adapter}</span>}
      {backend.fallbacks.length > 0 && <span className="hint" data-testid="backend-fallbacks">({backend.fallbacks.length} skipped)</span>}
    </div>
  );
}
