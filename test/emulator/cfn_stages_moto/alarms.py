"""AWS::CloudWatch::Alarm, dashboards that must be valid, and e-mail subscriptions that wait for
their confirmation: what an app's alarms stack (33.app-alarms) needs (test/e2e/alarms.test.ts).

AWS: an Alarm resource calls PutMetricAlarm (one metric by MetricName, or a metric-math `Metrics`
list of which exactly one element returns data); its Ref is the alarm name, GetAtt Arn its ARN.
PutDashboard refuses a body that is not a JSON object with a `widgets` list. An `email`
subscription stays pending (PendingConfirmation "true") until the recipient follows the link AWS
mails (ConfirmSubscription with the mailed token); while pending, ListSubscriptionsByTopic and
ListSubscriptions show "PendingConfirmation" where its ARN would be; an endpoint that is not an
e-mail address is refused. A new alarm starts in INSUFFICIENT_DATA; PutMetricAlarm on an existing
alarm leaves its state alone.
moto 5.2.1: no Alarm type in CloudFormation (skipped silently, so a dashboard that refers to an
alarm's ARN fails); any dashboard body is taken; e-mail subscriptions are confirmed at once and
listed by ARN; ConfirmSubscription takes any token and answers a made-up ARN; every PutMetricAlarm
makes a new alarm in OK.
Here: the Alarm type backed by moto's cloudwatch backend, the body check, e-mail subscriptions left
pending (moto's own `subscribe`, wrapped), listed and confirmed as on AWS, and alarm states as on
AWS (`put_metric_alarm`, wrapped).
"""

from __future__ import annotations

import json
import re
from typing import Any

from moto.core.common_models import CloudFormationModel

from .base import Resource, number, typed

_original: dict[str, Any] = {}


def _dimensions(items: Any) -> list[dict[str, str]]:
    return [{"Name": d["Name"], "Value": str(d["Value"])} for d in items or []]


def _queries(metrics: list[dict[str, Any]]) -> list[Any]:
    from moto.cloudwatch.models import Dimension, Metric, MetricDataQuery, MetricStat

    out = []
    for m in metrics:
        stat = None
        if m.get("MetricStat"):
            s, metric = m["MetricStat"], m["MetricStat"]["Metric"]
            dims = [Dimension(d["Name"], d["Value"]) for d in _dimensions(metric.get("Dimensions"))]
            stat = MetricStat(Metric(metric["MetricName"], metric["Namespace"], dims),
                              str(s["Period"]), s["Stat"], s.get("Unit"))
        out.append(MetricDataQuery(m["Id"], m.get("Label"), m.get("Period"), m.get("ReturnData", True),
                                   m.get("Expression"), stat))
    return out


def _check(props: dict[str, Any]) -> None:
    """PutMetricAlarm's own refusals that a template can run into."""
    from moto.cloudwatch.exceptions import ValidationError

    metrics = props.get("Metrics")
    if bool(metrics) == bool(props.get("MetricName")):
        raise ValidationError("Exactly one of MetricName and Metrics must be specified.")
    if metrics and sum(1 for m in metrics if m.get("ReturnData", True) in (True, "true")) != 1:
        raise ValidationError("Exactly one element of the metrics list should return data.")


@typed("AWS::CloudWatch::Alarm", "AlarmName")
class Alarm(Resource, CloudFormationModel):
    ATTRIBUTES = ("Arn",)

    @classmethod
    def create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str,
               logical_id: str) -> "Alarm":
        from moto.cloudwatch.models import cloudwatch_backends

        _check(props)
        backend = cloudwatch_backends[account_id][region_name]
        alarm = backend.put_metric_alarm(
            name=name, namespace=props.get("Namespace"), metric_name=props.get("MetricName"),
            comparison_operator=props["ComparisonOperator"], evaluation_periods=number(props["EvaluationPeriods"]),
            period=number(props.get("Period")), threshold=float(props["Threshold"]), statistic=props.get("Statistic"),
            description=props.get("AlarmDescription"), dimensions=_dimensions(props.get("Dimensions")),
            alarm_actions=list(props.get("AlarmActions") or []),
            metric_data_queries=_queries(props["Metrics"]) if props.get("Metrics") else None,
            datapoints_to_alarm=number(props.get("DatapointsToAlarm")),
            extended_statistic=props.get("ExtendedStatistic"), ok_actions=list(props.get("OKActions") or []),
            insufficient_data_actions=list(props.get("InsufficientDataActions") or []),
            treat_missing_data=props.get("TreatMissingData"), tags=props.get("Tags") or [])
        return cls(name, {"Arn": alarm.alarm_arn}, lambda: backend.delete_alarms([name]), alarm)

    def modify(self, props: dict[str, Any], account_id: str, region_name: str) -> None:
        # PutMetricAlarm on an existing name replaces its definition: an in-place update.
        self.create(self.ref, props, account_id, region_name, "")


def _put_dashboard(self: Any, name: str, body: str) -> Any:
    from moto.cloudwatch.exceptions import DashboardInvalidInputError

    try:
        doc = json.loads(body)
    except ValueError:
        raise DashboardInvalidInputError("The field DashboardBody must be a valid JSON object")
    if not isinstance(doc, dict) or not isinstance(doc.get("widgets"), list):
        raise DashboardInvalidInputError("The dashboard body is invalid, there are 1 validation errors: "
                                         "[ { \"dataPath\": \"\", \"message\": \"Should have required property 'widgets'\" } ]")
    return _original["put_dashboard"](self, name, body)


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _subscribe(self: Any, topic_arn: str, endpoint: str, protocol: str) -> Any:
    from moto.sns.exceptions import SNSInvalidParameter

    if _email(protocol) and not _EMAIL.match(endpoint or ""):
        raise SNSInvalidParameter("Invalid parameter: Email address")
    subscription = _original["subscribe"](self, topic_arn, endpoint, protocol)
    if _email(protocol) and not subscription.confirmed:
        subscription.attributes["PendingConfirmation"] = "true"
        subscription.attributes["ConfirmationWasAuthenticated"] = "false"
    return subscription


def _email(protocol: str) -> bool:
    return protocol in ("email", "email-json")


def _pending(subscription: Any) -> bool:
    return _email(subscription.protocol) and subscription.attributes.get("PendingConfirmation") == "true"


def token_of(subscription: Any) -> str:
    """AWS mails the token in the confirmation link, and no API returns it. Here the token is the id
    at the end of the subscription's ARN (the Ref of an `AWS::SNS::Subscription`), so a test
    confirms a subscription as its recipient would: ConfirmSubscription(TopicArn, Token)."""
    return subscription.arn.rsplit(":", 1)[-1]


class _Listed:
    """A pending e-mail subscription as the list actions show it: no ARN yet."""

    subscription_arn = "PendingConfirmation"

    def __init__(self, subscription: Any) -> None:
        self.owner = subscription.owner
        self.protocol = subscription.protocol
        self.endpoint = subscription.endpoint
        self.topic_arn = subscription.topic_arn


def _as_listed(subscriptions: list[Any]) -> list[Any]:
    return [_Listed(s) if _pending(s) else s for s in subscriptions]


def _list_subscriptions(self: Any) -> Any:
    from moto.core.responses import ActionResult

    subscriptions, next_token = self.backend.list_subscriptions(next_token=self._get_param("NextToken"))
    return ActionResult({"Subscriptions": _as_listed(subscriptions), "NextToken": next_token})


def _list_subscriptions_by_topic(self: Any) -> Any:
    from moto.core.responses import ActionResult

    subscriptions, next_token = self.backend.list_subscriptions_by_topic(
        self._get_param("TopicArn"), next_token=self._get_param("NextToken"))
    return ActionResult({"Subscriptions": _as_listed(subscriptions), "NextToken": next_token})


def _confirm_subscription(self: Any) -> Any:
    """ConfirmSubscription: the topic must exist and the token be one it mailed (the wording of the
    refusal is ours: AWS does not document it). Confirming again answers the same ARN."""
    from moto.core.responses import ActionResult
    from moto.sns.exceptions import SNSInvalidParameter, SNSNotFoundError

    topic_arn, token = self._get_param("TopicArn"), self._get_param("Token")
    if topic_arn not in self.backend.topics:
        raise SNSNotFoundError("Topic does not exist")
    found = [s for s in self.backend.subscriptions.values()
             if s.topic_arn == topic_arn and _email(s.protocol) and token_of(s) == token]
    if not found:
        raise SNSInvalidParameter("Invalid parameter: Token")
    subscription = found[0]
    subscription.confirmed = True
    subscription.attributes["PendingConfirmation"] = "false"
    subscription.attributes["ConfirmationWasAuthenticated"] = \
        "true" if str(self._get_param("AuthenticateOnUnsubscribe")).lower() == "true" else "false"
    return ActionResult({"SubscriptionArn": subscription.arn})


def _put_metric_alarm(self: Any, *args: Any, **kwargs: Any) -> Any:
    """AWS: "When this operation creates an alarm, the alarm state is immediately set to
    INSUFFICIENT_DATA"; an update leaves the state unchanged. moto builds a new alarm in OK each time."""
    name = kwargs["name"] if "name" in kwargs else args[0]
    before = self.alarms.get(name)
    alarm = _original["put_metric_alarm"](self, *args, **kwargs)
    if before is None:
        alarm.state_value = "INSUFFICIENT_DATA"
    else:
        for field in ("state_value", "state_reason", "state_reason_data", "state_updated_timestamp", "history"):
            setattr(alarm, field, getattr(before, field))
    return alarm


def _protocol(service_model: Any, content_type: str | None = None) -> str:
    """AWS: CloudWatch answers AWS JSON 1.0 (`awsQueryCompatible`), which current SDKs send.
    moto 5.2.1's copy of the service model lists only the query protocol and refuses JSON."""
    from moto.utilities.constants import JSON_TYPES

    if service_model.service_name == "cloudwatch" and (content_type or "") in JSON_TYPES:
        return "json"
    return _original["determine_request_protocol"](service_model, content_type)


def install() -> None:
    from moto.cloudwatch.models import CloudWatchBackend
    from moto.core import responses
    from moto.sns.models import SNSBackend
    from moto.sns.responses import SNSResponse

    _original["determine_request_protocol"] = responses.determine_request_protocol
    responses.determine_request_protocol = _protocol

    _original["put_dashboard"] = CloudWatchBackend.put_dashboard
    CloudWatchBackend.put_dashboard = _put_dashboard  # type: ignore[method-assign]
    _original["put_metric_alarm"] = CloudWatchBackend.put_metric_alarm
    CloudWatchBackend.put_metric_alarm = _put_metric_alarm  # type: ignore[method-assign]
    _original["subscribe"] = SNSBackend.subscribe
    SNSBackend.subscribe = _subscribe  # type: ignore[method-assign]
    SNSResponse.list_subscriptions = _list_subscriptions  # type: ignore[method-assign]
    SNSResponse.list_subscriptions_by_topic = _list_subscriptions_by_topic  # type: ignore[method-assign]
    SNSResponse.confirm_subscription = _confirm_subscription  # type: ignore[method-assign]
