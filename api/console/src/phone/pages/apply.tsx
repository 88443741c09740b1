import { useState } from 'preact/hooks';
import { toApiError } from '../../shared/api.js';
import { useFormKey } from '../../shared/form-key.js';
import { CATEGORIES, CATEGORY_LABELS } from '../../shared/labels.js';
import { Link } from '../../shared/router.js';
import { ErrorBanner, Notice } from '../../shared/ui.js';
import { apply, text, type Loose } from '../data.js';

/** Self-application (POST /portal/applications): category, what happened, and whether it is urgent. */
export function ApplyPage() {
  const [key, afterFailure] = useFormKey();
  const [category, setCategory] = useState('living');
  const [description, setDescription] = useState('');
  const [urgent, setUrgent] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<Loose | null>(null);

  // A refusal because the same kind of case is already open names that case (details.openCaseId): link to it.
  const openCaseId = error ? (toApiError(error).details as { openCaseId?: unknown } | undefined)?.openCaseId : null;

  if (done) {
    return (
      <div class="phone-card">
        <Notice tone="success">申请已提交，工会将尽快联系您。</Notice>
        <p>
          申请编号：<strong>{text(done.number ?? done.id)}</strong>
        </p>
        {typeof done.id === 'string' && (
          <Link to={`progress/${done.id}`} class="button button-primary button-block">
            查看办理进度
          </Link>
        )}
      </div>
    );
  }
  return (
    <form
      class="phone-card"
      onSubmit={(e) => {
        e.preventDefault();
        setBusy(true);
        setError(null);
        apply({ category, description, urgency: urgent ? 'urgent' : 'normal' }, key).then(
          setDone,
          (failure: unknown) => {
            afterFailure(failure);
            setError(failure);
            setBusy(false);
          },
        );
      }}
    >
      <ErrorBanner error={error} />
      {typeof openCaseId === 'string' && (
        <Link to={`progress/${openCaseId}`} class="button button-block">
          查看正在办理的工单
        </Link>
      )}
      <label class="field">
        <span>遇到了什么困难</span>
        <select name="category" value={category} onChange={(e) => setCategory(e.currentTarget.value)}>
          {CATEGORIES.map((c) => (
            <option key={c} value={c}>
              {CATEGORY_LABELS[c]}
            </option>
          ))}
        </select>
      </label>
      <label class="field">
        <span>情况说明</span>
        <textarea
          name="description"
          rows={5}
          required
          maxLength={2000}
          placeholder="请简要说明家庭遇到的困难"
          value={description}
          onInput={(e) => setDescription(e.currentTarget.value)}
        />
      </label>
      <label class="radio">
        <input type="checkbox" checked={urgent} onChange={(e) => setUrgent(e.currentTarget.checked)} />
        情况紧急，需要尽快处理
      </label>
      <button type="submit" class="button button-primary button-block" disabled={busy}>
        {busy ? '正在提交……' : '提交申请'}
      </button>
    </form>
  );
}
