import { HBarChart } from '../../../shared/charts.js';
import { shanghaiTime } from '../../../shared/format.js';
import { CATEGORY_LABELS, type Category } from '../../../shared/labels.js';
import { navigate, withQuery } from '../../../shared/router.js';
import { Badge, Empty, Pending, useResource } from '../../../shared/ui.js';
import { PageHeader } from '../../components.js';
import { fetchRules, type Rule } from '../../data-perception.js';
import { thresholdLabel, thresholdValue } from './words.js';

const SERIES = [
  { name: '已确认', color: '#16a34a' },
  { name: '已排除', color: '#dc2626' },
];

/** Below this share of confirmed reviews, with enough reviews to judge, a rule is marked as weak. */
const WEAK_RATE = 0.5;
const REVIEWS_TO_JUDGE = 3;

const percent = (rate: number | null) => (rate === null ? '—' : `${Math.round(rate * 100)}%`);
const isWeak = (rule: Rule) =>
  rule.record.confirmRate !== null &&
  rule.record.confirmed + rule.record.dismissed >= REVIEWS_TO_JUDGE &&
  rule.record.confirmRate < WEAK_RATE;

function Thresholds({ rule }: { rule: Rule }) {
  const version = rule.published;
  if (!version) {
    return <span class="muted">尚未发布</span>;
  }
  return (
    <ul class="items">
      {rule.thresholdSpec.map((spec) => (
        <li key={spec.key}>
          {thresholdLabel(spec)}：{thresholdValue(spec, version.thresholds[spec.key])}
        </li>
      ))}
    </ul>
  );
}

/**
 * The rule models (GET /rules): what each looks at, its published version with thresholds and weight, and its
 * record of confirmed versus dismissed leads, drawn as one bar per rule so that rules reviewers keep dismissing
 * stand out. A rule's bar lists the open leads it took part in.
 */
export function RulesPage() {
  const rules = useResource(fetchRules, []);

  if (!rules.data) {
    return (
      <main class="page">
        <PageHeader title="感知规则" />
        <Pending resource={rules} label="正在读取规则……" />
      </main>
    );
  }
  const items = rules.data.items;
  const reviewed = items.filter((rule) => rule.record.confirmed + rule.record.dismissed > 0);

  return (
    <main class="page">
      <PageHeader title="感知规则" />
      <p class="muted">
        每条规则的现行版本、阈值与权重，以及由它参与发现的线索被确认或排除的记录。确认率低的规则提示可能需要调整阈值或权重。
      </p>
      <section class="card">
        <HBarChart
          title="各规则线索审核结果（已确认 / 已排除）"
          series={SERIES}
          valueWidth={120}
          empty="还没有审核过的线索。"
          rows={reviewed.map((rule) => ({
            label: rule.name,
            values: [rule.record.confirmed, rule.record.dismissed],
            note: `确认率 ${percent(rule.record.confirmRate)}${isWeak(rule) ? ' 偏低' : ''}`,
            onSelect: () => navigate(withQuery('perception/leads', { ruleId: rule.id })),
          }))}
        />
      </section>
      {items.length === 0 ? (
        <Empty>还没有规则。</Empty>
      ) : (
        <section class="card">
          <table class="table table-cards" data-testid="rules-table">
            <thead>
              <tr>
                <th>规则</th>
                <th>现行版本</th>
                <th>阈值</th>
                <th class="num">权重</th>
                <th>审核记录</th>
              </tr>
            </thead>
            <tbody>
              {items.map((rule) => (
                <tr key={rule.id} data-rule-code={rule.code}>
                  <td data-label="规则">
                    <strong>{rule.name}</strong>
                    {rule.category && (
                      <span class="muted small"> · {CATEGORY_LABELS[rule.category as Category] ?? rule.category}</span>
                    )}
                    <div class="muted small">{rule.description}</div>
                  </td>
                  <td data-label="现行版本">
                    {rule.published ? (
                      <>
                        v{rule.published.version}
                        {!rule.published.enabled && <Badge tone="paused">已停用</Badge>}
                        <div class="muted small">{shanghaiTime(rule.published.publishedAt)} 发布</div>
                      </>
                    ) : (
                      '—'
                    )}
                    {rule.drafts.length > 0 && <Badge tone="info">草稿 {rule.drafts.length} 个</Badge>}
                  </td>
                  <td data-label="阈值">
                    <Thresholds rule={rule} />
                  </td>
                  <td data-label="权重" class="num">
                    {rule.published ? `${rule.published.weight > 0 ? '+' : ''}${rule.published.weight}` : '—'}
                  </td>
                  <td data-label="审核记录">
                    确认 {rule.record.confirmed} · 排除 {rule.record.dismissed} · 待审 {rule.record.open}
                    <div class="small">
                      确认率 {percent(rule.record.confirmRate)} {isWeak(rule) && <Badge tone="late">确认率偏低</Badge>}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </main>
  );
}
