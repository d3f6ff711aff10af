import type { WorkbenchState } from '../state/workbench-state.ts';

/** The error of the last action (visible until dismissed or replaced) and an informational notice. */
export function ErrorBanner({ error, notice, onDismiss }: Pick<WorkbenchState, 'error' | 'notice'> & { onDismiss: () => void }) {
  return (
    <>
      {error && (
        <div className="error" role="alert" data-testid="error-message" data-kind={error.kind}>
          <span>{error.message}</span>
          <button type="button" className="icon" aria-label="Dismiss" onClick={onDismiss}>×</button>
        </div>
      )}
      {notice && <div className="notice" data-testid="notice">{notice}</div>}
    </>
  );
}
