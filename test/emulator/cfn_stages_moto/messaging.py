"""AWS::SQS::QueuePolicy, AWS::SNS::TopicPolicy and AWS::SNS::Subscription.

AWS: a QueuePolicy / TopicPolicy sets the Policy attribute of each queue (by URL) or topic (by
ARN) it lists; its Ref is a generated id. A Subscription subscribes Endpoint to TopicArn over
Protocol, with RawMessageDelivery, FilterPolicy, FilterPolicyScope and RedrivePolicy as
subscription attributes; its Ref (and GetAtt Arn) is the subscription ARN.
moto 5.2.1: none of the three exists in CloudFormation (skipped silently: no policies, no
subscriptions, so a topic's messages never reach its queues).
Here: backed by moto's sqs backend (set_queue_attributes) and sns backend (set_topic_attribute,
subscribe, set_subscription_attributes).
"""

from __future__ import annotations

import json
from typing import Any

from moto.core.common_models import CloudFormationModel

from .base import Resource, typed


def _policy_text(document: Any) -> str:
    return document if isinstance(document, str) else json.dumps(document)


@typed("AWS::SQS::QueuePolicy")
class QueuePolicy(Resource, CloudFormationModel):
    ATTRIBUTES = ("Id",)

    @classmethod
    def create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str,
               logical_id: str) -> "QueuePolicy":
        from moto.sqs.models import sqs_backends

        backend = sqs_backends[account_id][region_name]
        queues = [url.rstrip("/").split("/")[-1] for url in props["Queues"]]
        for queue in queues:
            backend.set_queue_attributes(queue, {"Policy": _policy_text(props["PolicyDocument"])})

        def delete() -> None:
            for queue in queues:
                if queue in backend.queues:
                    backend.set_queue_attributes(queue, {"Policy": ""})

        return cls(name, {"Id": name}, delete)


@typed("AWS::SNS::TopicPolicy")
class TopicPolicy(Resource, CloudFormationModel):
    ATTRIBUTES = ("Id",)

    @classmethod
    def create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str,
               logical_id: str) -> "TopicPolicy":
        from moto.sns.models import sns_backends

        backend = sns_backends[account_id][region_name]
        topics = list(props["Topics"])
        for topic in topics:
            backend.set_topic_attribute(topic, "policy", _policy_text(props["PolicyDocument"]))

        def delete() -> None:  # the topic falls back to its default policy, as on AWS
            for topic in topics:
                if topic in backend.topics:
                    default = backend.topics[topic]._create_default_topic_policy(
                        backend.region_name, backend.account_id, topic.split(":")[-1])
                    backend.set_topic_attribute(topic, "policy", json.dumps(default))

        return cls(name, {"Id": name}, delete)


@typed("AWS::SNS::Subscription")
class Subscription(Resource, CloudFormationModel):
    ATTRIBUTES = ("Arn",)

    @classmethod
    def create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str,
               logical_id: str) -> "Subscription":
        from moto.sns.models import sns_backends

        backend = sns_backends[account_id][props.get("Region") or region_name]
        subscription = backend.subscribe(props["TopicArn"], props["Endpoint"], props["Protocol"])
        for key in ("RawMessageDelivery", "FilterPolicy", "FilterPolicyScope", "RedrivePolicy", "DeliveryPolicy"):
            if props.get(key) is not None:
                value = props[key]
                value = json.dumps(value) if isinstance(value, dict) else str(value).lower() \
                    if isinstance(value, bool) else str(value)
                backend.set_subscription_attributes(subscription.arn, key, value)
        arn = subscription.arn
        return cls(arn, {"Arn": arn}, lambda: backend.unsubscribe(arn), subscription)
