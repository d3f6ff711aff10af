import { useEffect, useState } from 'react';
import type { LesionFilterRule } from '../../core/lesion-filter.ts';

interface Props {
  /** The rule in force (the page's, or the model's defaults). */
  rule: LesionFilterRule;
  modelRule: LesionFilterRule;
  onRule: (rule: LesionFilterRule | null) => void;
  showRemoved: boolean;
  onShowRemoved: (on: boolean) => void;
}

/**
 * The lesion filter's two minimums: lesion size in mm^3 (so that it means the same on any voxel
 * size) and confidence (the lesion's peak probability); 0 turns either off. "Model defaults" goes
 * back to the values chosen for the model by cross-validation; "Show removed" draws the removed
 * lesions as a second layer so that a reader can overrule the filter.
 */
export function LesionFilterControls({ rule, modelRule, onRule, showRemoved, onShowRemoved }: Props) {
  // the size box holds what is typed (e.g. an empty box) until it is a number
  const [sizeText, setSizeText] = useState(String(rule.minLesionMm3));
  useEffect(() => setSizeText(String(rule.minLesionMm3)), [rule.minLesionMm3]);
  const atModel = rule.minLesionMm3 === modelRule.minLesionMm3 && rule.minConfidence === modelRule.minConfidence;
  return (
    <div className="lesion-filter" data-testid="lesion-filter">
      <label className="inline">
        <span>Min. size (mm³)</span>
        <input
          data-testid="min-lesion-mm3" type="number" min={0} step={1} value={sizeText} style={{ width: '5em' }}
          onChange={(e) => {
            setSizeText(e.target.value);
            const v = Number(e.target.value);
            if (e.target.value.trim() !== '' && Number.isFinite(v) && v >= 0) onRule({ ...rule, minLesionMm3: v });
          }}
        />
      </label>
      <label className="inline">
        <span>Min. confidence <output data-testid="min-confidence-value">{rule.minConfidence.toFixed(2)}</output></span>
        <input
          data-testid="min-confidence" type="range" min={0} max={1} step={0.01} value={rule.minConfidence}
          onChange={(e) => onRule({ ...rule, minConfidence: Number(e.target.value) })}
        />
      </label>
      <div className="row">
        <button type="button" data-testid="lesion-filter-defaults" disabled={atModel} onClick={() => onRule(null)}>Model defaults</button>
        <button type="button" data-testid="lesion-filter-off" disabled={rule.minLesionMm3 === 0 && rule.minConfidence === 0} onClick={() => onRule({ minLesionMm3: 0, minConfidence: 0 })}>Off</button>
        <label className="inline">
          <input data-testid="show-removed" type="checkbox" checked={showRemoved} onChange={(e) => onShowRemoved(e.target.checked)} />
          <span>Show removed (blue)</span>
        </label>
      </div>
    </div>
  );
}
