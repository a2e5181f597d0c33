"""confluent-kafka-python (librdkafka) group member used by Eddy.Client's mixed-group tests.

usage: group_member.py BOOTSTRAP TOPIC GROUP ASSIGNOR
Joins GROUP with ASSIGNOR and prints "assigned t-p,..." / "revoked t-p,..." on every rebalance and
"record partition offset" per record (committing each). Leaves the group (LeaveGroup) when stdin closes
or says "leave".
"""
import select
import sys

from confluent_kafka import Consumer

bootstrap, topic, group, assignor = sys.argv[1:5]
consumer = Consumer({
    "bootstrap.servers": bootstrap,
    "group.id": group,
    "auto.offset.reset": "earliest",
    "enable.auto.commit": False,
    "partition.assignment.strategy": assignor,
    "session.timeout.ms": 10000,
    "heartbeat.interval.ms": 500,
    "client.id": "librdkafka-member",
})


def fmt(partitions):
    return ",".join(f"{p.topic}-{p.partition}" for p in sorted(partitions, key=lambda p: p.partition))


def on_assign(c, partitions):
    print("assigned", fmt(partitions), flush=True)
    if assignor == "cooperative-sticky":
        c.incremental_assign(partitions)
    else:
        c.assign(partitions)


def on_revoke(c, partitions):
    print("revoked", fmt(partitions), flush=True)
    if assignor == "cooperative-sticky":
        c.incremental_unassign(partitions)
    else:
        c.unassign()


consumer.subscribe([topic], on_assign=on_assign, on_revoke=on_revoke)
print("started", flush=True)
while True:
    ready, _, _ = select.select([sys.stdin], [], [], 0)
    if ready:
        line = sys.stdin.readline()
        if line == "" or line.strip() == "leave":
            break
    message = consumer.poll(0.2)
    if message is None or message.error():
        continue
    print("record", message.partition(), message.offset(), flush=True)
    consumer.commit(message=message, asynchronous=False)
consumer.close()
print("left", flush=True)
