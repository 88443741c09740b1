import { shanghaiTime, timeLeftLabel } from '../../../shared/format.js';
import { Badge } from '../../../shared/ui.js';
import { secondsLeft, type PipelineSummary } from '../../data-training.js';

/** "P7D" -> "7 天", "PT36H" -> "36 小时"; other durations as the API wrote them. */
export function durationLabel(iso: string): string {
  const match = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(iso);
  if (!match) {
    return iso;
  }
  const words = ['周', '天', '小时', '分钟', '秒'];
  const text = match
    .slice(1)
    .map((n, i) => (n ? `${n} ${words[i]}` : ''))
    .filter(Boolean)
    .join(' ');
  return text || iso;
}

/**
 * Time left or late on a pipeline's waiting step, on the natural clock from its deadline; a follow-up that has not
 * opened yet says from when it can be recorded.
 */
export function PipelineTimeLeft({ pipeline }: { pipeline: Pick<PipelineSummary, 'status' | 'dueAt' | 'opensAt'> }) {
  if (pipeline.status === 'open' && pipeline.opensAt && Date.parse(pipeline.opensAt) > Date.now()) {
    return <Badge tone="paused">{shanghaiTime(pipeline.opensAt).slice(5)} 起可办理</Badge>;
  }
  if (pipeline.status === 'open' && !pipeline.dueAt) {
    return <Badge>无时限</Badge>;
  }
  const { text, tone } = timeLeftLabel(
    { status: pipeline.status, stepCalendar: 'natural', timeLeftSeconds: secondsLeft(pipeline.dueAt) },
    86_400,
  );
  return <Badge tone={tone}>{text}</Badge>;
}

export function StalledBadge({ stalled }: { stalled: boolean }) {
  return stalled ? <Badge tone="late">停滞已督办</Badge> : null;
}
