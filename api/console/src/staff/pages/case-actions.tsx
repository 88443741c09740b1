import { useMemo, useState } from 'preact/hooks';
import { ApiError } from '../../shared/api.js';
import { useSubmission } from '../../shared/form-key.js';
import { fromShanghaiInput, parseYuan, shanghaiInputValue, yuan } from '../../shared/format.js';
import { ACTION_LABELS, DELIVERY_METHOD_LABELS, type CaseAction } from '../../shared/labels.js';
import { ErrorBanner } from '../../shared/ui.js';
import { actOnCase, suspendCase, type CaseDetail, type Me, type PlanItem } from '../data.js';
import type { Units } from '../units.js';

type Choice = CaseAction | 'suspend';

/** Actions that move a case forward come first and look primary; the others are quieter. */
const FORWARD: readonly CaseAction[] = [
  'accept',
  'dispatch',
  'verify',
  'plan',
  'approve',
  'deliver',
  'report',
  'close',
  'resume',
];

const HINTS: Partial<Record<Choice, string>> = {
  dispatch: '把工单派给下级单位办理，对方受理后开始核实。',
  accept: '由本单位受理并负责入户核实。',
  return: '退回上一级单位，请写明原因。',
  verify: '记录入户核实的结果；不符合条件时工单结束。',
  plan: '提出帮扶项目和金额（元），提交后按金额由相应层级审批。',
  approve: '批准方案并预留资金。',
  reject: '驳回方案，经办单位需重新制定。',
  deliver: '登记实际发放，明细须与批准的方案一致。',
  report: '反馈帮扶结果和职工满意度。',
  close: '审核通过，工单办结。',
  withdraw: '撤销后工单结束，已预留的资金会释放。',
  resume: '提前恢复本步骤计时。',
  suspend: '等待职工补充材料、住院等情况下暂停本步骤计时，到期自动恢复。',
};

interface Props {
  kase: CaseDetail;
  me: Me;
  units: Units;
  onActed: (answer: CaseDetail, what: string) => void;
  /** Reads the case again: after a refusal because someone else acted first, the page shows where it stands. */
  onRefresh: () => void;
}

/** The buttons for exactly the actions the API says the caller may take now, each opening its form. */
export function ActionPanel({ kase, me, units, onActed, onRefresh }: Props) {
  const [choice, setChoice] = useState<Choice | null>(null);
  const choices: Choice[] = [...kase.availableActions, ...(kase.canSuspend ? (['suspend'] as const) : [])];

  return (
    <section class="card card-actions" aria-labelledby="actions-title" data-testid="actions">
      <h2 id="actions-title">可办理的操作</h2>
      {choices.length === 0 ? (
        <p class="muted">
          {kase.status === 'open'
            ? `当前「${kase.stepLabel}」步骤由${units.name(kase.holderUnitId)}办理，您暂时没有可办理的操作。`
            : '工单已结束，不能再办理。'}
        </p>
      ) : (
        <div class="action-buttons">
          {choices.map((action) => (
            <button
              key={action}
              type="button"
              data-action={action}
              class={`button ${FORWARD.includes(action as CaseAction) ? 'button-primary' : ''} ${choice === action ? 'button-pressed' : ''}`}
              aria-pressed={choice === action}
              onClick={() => setChoice(choice === action ? null : action)}
            >
              {action === 'suspend' ? '暂停计时' : ACTION_LABELS[action]}
            </button>
          ))}
        </div>
      )}
      {choice && (
        <ActionForm
          key={`${choice}-${kase.timeline.length}`}
          choice={choice}
          kase={kase}
          me={me}
          units={units}
          onCancel={() => setChoice(null)}
          onRefresh={() => {
            setChoice(null);
            onRefresh();
          }}
          onActed={(answer) => {
            setChoice(null);
            onActed(answer, choice === 'suspend' ? '暂停计时' : ACTION_LABELS[choice]);
          }}
        />
      )}
    </section>
  );
}

interface ItemDraft {
  kind: string;
  amount: string;
  note: string;
}

const lastItems = (kase: CaseDetail): PlanItem[] => {
  const plan = [...kase.timeline].reverse().find((e) => e.kind === 'plan');
  return Array.isArray(plan?.data.items) ? (plan.data.items as PlanItem[]) : [];
};

function ActionForm({
  choice,
  kase,
  me,
  units,
  onCancel,
  onRefresh,
  onActed,
}: Omit<Props, 'onActed'> & { choice: Choice; onCancel: () => void; onActed: (answer: CaseDetail) => void }) {
  const submission = useSubmission();
  const { busy, error } = submission;
  const [text, setText] = useState('');
  const [toUnitId, setToUnitId] = useState('');
  const [eligible, setEligible] = useState<'yes' | 'no'>('yes');
  const [satisfaction, setSatisfaction] = useState('5');
  const [method, setMethod] = useState('bank_transfer');
  const [reference, setReference] = useState('');
  const [until, setUntil] = useState(() => shanghaiInputValue(Date.now() + 3 * 86_400_000));
  const [items, setItems] = useState<ItemDraft[]>([{ kind: '', amount: '', note: '' }]);
  const planned = useMemo(() => lastItems(kase), [kase]);
  const targets = useMemo(
    () =>
      units.list.filter((u) => u.id !== me.unitId && u.path.startsWith(units.byId.get(me.unitId)?.path ?? '\u0000')),
    [units, me.unitId],
  );

  const body = (): Record<string, unknown> | string => {
    switch (choice) {
      case 'dispatch':
        return toUnitId ? { toUnitId } : '请选择要派往的下级单位';
      case 'return':
      case 'reject':
      case 'withdraw':
        return { reason: text };
      case 'verify':
        return { eligible: eligible === 'yes', findings: text };
      case 'plan': {
        const parsed = [];
        for (const [i, item] of items.entries()) {
          const amountFen = parseYuan(item.amount);
          if (amountFen === null) {
            return `第 ${i + 1} 项的金额须为数字，最多两位小数（单位：元）`;
          }
          parsed.push({ kind: item.kind, amountFen, ...(item.note.trim() ? { note: item.note } : {}) });
        }
        return { items: parsed };
      }
      case 'approve':
        return text.trim() ? { note: text } : {};
      case 'deliver':
        return { items: planned, method, reference };
      case 'report':
        return { result: text, satisfaction: Number(satisfaction) };
      case 'suspend': {
        const iso = fromShanghaiInput(until);
        return iso ? { reason: text, until: iso } : '请填写有效的恢复计时时间';
      }
      default:
        return {};
    }
  };

  const submit = (event: Event) => {
    event.preventDefault();
    const payload = body();
    if (typeof payload === 'string') {
      submission.refuse(payload);
      return;
    }
    void submission.send(async (key) =>
      onActed(
        choice === 'suspend'
          ? await suspendCase(kase.id, payload as { reason: string; until: string }, key)
          : await actOnCase(kase.id, choice, payload, key),
      ),
    );
  };

  const label = choice === 'suspend' ? '暂停计时' : ACTION_LABELS[choice];
  const textField = (title: string, required = true) => (
    <label class="field">
      <span>{title}</span>
      <textarea
        name="text"
        rows={3}
        required={required}
        maxLength={5000}
        value={text}
        onInput={(e) => setText(e.currentTarget.value)}
      />
    </label>
  );

  return (
    <form class="action-form" onSubmit={submit} data-form={choice} aria-label={label}>
      <h3>{label}</h3>
      {HINTS[choice] && <p class="muted small">{HINTS[choice]}</p>}
      {choice === 'dispatch' && (
        <label class="field">
          <span>派往单位</span>
          <select name="toUnitId" required value={toUnitId} onChange={(e) => setToUnitId(e.currentTarget.value)}>
            <option value="">请选择下级单位</option>
            {targets.map((u) => (
              <option key={u.id} value={u.id}>
                {units.indented(u, me.unitId)}
              </option>
            ))}
          </select>
        </label>
      )}
      {(choice === 'return' || choice === 'reject' || choice === 'withdraw') && textField('原因')}
      {choice === 'verify' && (
        <>
          <fieldset class="field">
            <legend>核实结论</legend>
            <label class="radio">
              <input
                type="radio"
                name="eligible"
                value="yes"
                checked={eligible === 'yes'}
                onChange={() => setEligible('yes')}
              />
              符合帮扶条件
            </label>
            <label class="radio">
              <input
                type="radio"
                name="eligible"
                value="no"
                checked={eligible === 'no'}
                onChange={() => setEligible('no')}
              />
              不符合帮扶条件（工单结束）
            </label>
          </fieldset>
          {textField('入户核实情况')}
        </>
      )}
      {choice === 'plan' && (
        <div class="items-editor">
          {items.map((item, i) => (
            <div class="item-row" key={i}>
              <label class="field">
                <span>帮扶项目</span>
                <input
                  name={`kind-${i}`}
                  required
                  maxLength={50}
                  placeholder="如：生活补助"
                  value={item.kind}
                  onInput={(e) => setItems(items.map((x, j) => (j === i ? { ...x, kind: e.currentTarget.value } : x)))}
                />
              </label>
              <label class="field field-amount">
                <span>金额（元）</span>
                <input
                  name={`amount-${i}`}
                  required
                  inputMode="decimal"
                  placeholder="1500.00"
                  value={item.amount}
                  onInput={(e) =>
                    setItems(items.map((x, j) => (j === i ? { ...x, amount: e.currentTarget.value } : x)))
                  }
                />
              </label>
              <label class="field">
                <span>备注</span>
                <input
                  name={`note-${i}`}
                  maxLength={500}
                  value={item.note}
                  onInput={(e) => setItems(items.map((x, j) => (j === i ? { ...x, note: e.currentTarget.value } : x)))}
                />
              </label>
              {items.length > 1 && (
                <button
                  type="button"
                  class="button button-quiet button-small"
                  onClick={() => setItems(items.filter((_, j) => j !== i))}
                >
                  删除
                </button>
              )}
            </div>
          ))}
          <p class="items-total">
            <button
              type="button"
              class="button button-quiet button-small"
              onClick={() => setItems([...items, { kind: '', amount: '', note: '' }])}
            >
              ＋ 增加一项
            </button>
            <span>合计 {yuan(items.reduce((sum, item) => sum + (parseYuan(item.amount) ?? 0), 0))}</span>
          </p>
        </div>
      )}
      {choice === 'approve' && textField('审批意见（可不填）', false)}
      {choice === 'deliver' && (
        <>
          <ul class="items">
            {planned.map((item, i) => (
              <li key={i}>
                {item.kind}：{yuan(item.amountFen)}
              </li>
            ))}
          </ul>
          <label class="field">
            <span>发放方式</span>
            <select name="method" value={method} onChange={(e) => setMethod(e.currentTarget.value)}>
              {Object.entries(DELIVERY_METHOD_LABELS).map(([code, name]) => (
                <option key={code} value={code}>
                  {name}
                </option>
              ))}
            </select>
          </label>
          <label class="field">
            <span>凭证号</span>
            <input
              name="reference"
              required
              maxLength={100}
              value={reference}
              onInput={(e) => setReference(e.currentTarget.value)}
            />
          </label>
        </>
      )}
      {choice === 'report' && (
        <>
          {textField('帮扶结果')}
          <label class="field">
            <span>职工满意度</span>
            <select name="satisfaction" value={satisfaction} onChange={(e) => setSatisfaction(e.currentTarget.value)}>
              {['5', '4', '3', '2', '1'].map((n) => (
                <option key={n} value={n}>
                  {n} 分
                </option>
              ))}
            </select>
          </label>
        </>
      )}
      {choice === 'suspend' && (
        <>
          {textField('暂停原因')}
          <label class="field">
            <span>恢复计时时间（北京时间）</span>
            <input
              name="until"
              type="datetime-local"
              required
              value={until}
              onInput={(e) => setUntil(e.currentTarget.value)}
            />
          </label>
        </>
      )}
      <ErrorBanner error={error} />
      {error instanceof ApiError && (error.status === 409 || error.status === 403) && (
        <p>
          <button type="button" class="button button-small" onClick={onRefresh}>
            刷新工单，查看最新状态
          </button>
        </p>
      )}
      <div class="form-buttons">
        <button type="submit" class="button button-primary" disabled={busy} data-submit={choice}>
          {busy ? '正在提交……' : `确认${label}`}
        </button>
        <button type="button" class="button button-quiet" onClick={onCancel} disabled={busy}>
          取消
        </button>
      </div>
    </form>
  );
}
