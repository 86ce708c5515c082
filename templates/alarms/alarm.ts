/**
 * One CloudWatch alarm of an app (33.app-alarms) and its dashboard widget, from a small spec: the
 * metric (or a metric-math expression over several), the threshold and how long it must hold. Every
 * alarm notifies the app's alarm topic when it goes into ALARM and when it is OK again, treats
 * missing data as fine (no traffic is no error), and is named `{Prefix}{EnvironmentName}-{ApplicationName}-<name>`
 * so the topic's and key's policies can admit exactly this app's alarms.
 */
import { CloudWatch } from '../kit/resources';
import type { Handle, TemplateBuilder } from '../kit/builder';
import { Fn, sub, withCondition, type IntrinsicFunction, type Value } from '../kit/cf';
import { withTags } from '../service/cfn';

export type App = TemplateBuilder<'application'>;

/** The start of every alarm name of the app (a `Fn::Sub` pattern). */
export const ALARM_NAME_PREFIX = '${Prefix}${EnvironmentName}-${ApplicationName}-';

/** One CloudWatch metric with the statistic the alarm takes of it. */
export interface MetricSpec {
  namespace: Value<string>;
  name: string;
  dimensions: Record<string, Value<string>>;
  /** `Average`, `Sum`, `Minimum`, `Maximum`, or a percentile such as `p95`. */
  stat: string;
}

/** A metric-math expression over metrics named m1, m2... in order. */
export interface ExpressionSpec {
  expression: string;
  label: string;
  metrics: MetricSpec[];
}

export interface AlarmSpec {
  /** The logical id (alphanumeric). */
  id: string;
  /** The alarm name after the app's prefix, e.g. `5xx` or `${PostgresStore}-cpu`: a `Fn::Sub` pattern. */
  name: string;
  /** The dashboard widget's title. */
  title: string;
  /** What it means and where to look: the alarm's description, which the notification mail quotes. */
  description: string;
  metric: MetricSpec | ExpressionSpec;
  comparison:
    'GreaterThanOrEqualToThreshold' | 'GreaterThanThreshold' | 'LessThanOrEqualToThreshold' | 'LessThanThreshold';
  threshold: Value<number>;
  /** Seconds per data point. */
  period: number;
  /** Data points evaluated, every one of which must breach. */
  periods: Value<number>;
}

function dimensions(m: MetricSpec): { Name: string; Value: Value<string> }[] {
  return Object.entries(m.dimensions).map(([Name, Value]) => ({ Name, Value }));
}

/** The alarm's metric properties: one metric with its statistic, or the `Metrics` of an expression. */
function metricProperties(spec: AlarmSpec): Partial<InstanceType<typeof CloudWatch.Alarm>['Properties']> {
  const m = spec.metric;
  if ('expression' in m) {
    return {
      Metrics: [
        ...m.metrics.map((metric, i) => ({
          Id: `m${i + 1}`,
          MetricStat: {
            Metric: { Namespace: metric.namespace, MetricName: metric.name, Dimensions: dimensions(metric) },
            Period: spec.period,
            Stat: metric.stat,
          },
          ReturnData: false,
        })),
        { Id: 'e1', Expression: m.expression, Label: m.label, ReturnData: true },
      ],
    };
  }
  const percentile = /^p\d/.test(m.stat);
  return {
    Namespace: m.namespace,
    MetricName: m.name,
    Dimensions: dimensions(m),
    ...(percentile ? { ExtendedStatistic: m.stat } : { Statistic: m.stat }),
    Period: spec.period,
  };
}

/** Adds the alarm (under `condition` when given), notifying `topic` on ALARM and on OK. */
export function addAlarm(
  t: App,
  spec: AlarmSpec,
  topic: IntrinsicFunction,
  tags: unknown[],
  condition?: string,
): Handle {
  const alarm = new CloudWatch.Alarm({
    AlarmName: sub(ALARM_NAME_PREFIX + spec.name),
    AlarmDescription: spec.description,
    ...metricProperties(spec),
    ComparisonOperator: spec.comparison,
    Threshold: spec.threshold,
    // Every one of these data points must breach (DatapointsToAlarm defaults to EvaluationPeriods).
    EvaluationPeriods: spec.periods,
    TreatMissingData: 'notBreaching',
    AlarmActions: [topic],
    OKActions: [topic],
  });
  return t.add(spec.id, withCondition(withTags(alarm, tags), condition));
}

/**
 * The alarm's dashboard widget: its metric with the threshold line, drawn from the alarm itself
 * (CloudWatch's alarm annotation), so the dashboard always shows what is alarmed on.
 */
export function alarmWidget(spec: AlarmSpec, alarm: Handle): IntrinsicFunction {
  const widget = {
    type: 'metric',
    width: 8,
    height: 6,
    properties: {
      title: spec.title,
      region: '${AWS::Region}',
      view: 'timeSeries',
      annotations: { alarms: ['${Arn}'] },
    },
  };
  return Fn.Sub(JSON.stringify(widget), { Arn: alarm.att('Arn') });
}
