import type { BackendStatus } from '../state/workbench-state.ts';

/**
 * Which tfjs backend the worker runs on, on what adapter, and why each backend before it was
 * skipped (e.g. a software-only WebGPU adapter passed over for wasm).
 */
export function BackendBadge({ backend }: { backend: BackendStatus }) {
  const text = backend.state === 'ready' ? backend.name : backend.state === 'failed' ? 'no backend' : 'starting…';
  return (
    <div className="backend">
      <div className="row">
        <span className="label">Backend</span>
        <span data-testid="backend-label" className={`badge ${backend.state}`}>{text}</span>
        {backend.adapter && <span data-testid="backend-adapter" className="hint">{backend.adapter}</span>}
      </div>
      {backend.fallbacks.length > 0 && (
        <span className="hint why" data-testid="backend-fallbacks">{backend.fallbacks.join('; ')}</span>
      )}
    </div>
  );
}
