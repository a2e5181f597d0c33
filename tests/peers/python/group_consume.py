"""confluent-kafka-python (librdkafka) group consumer used by Eddy's compatibility tests.

usage: group_consume.py BOOTSTRAP TOPIC GROUP COUNT [ASSIGNOR]
Joins GROUP, consumes COUNT records from the beginning, commits synchronously, leaves the group,
and prints one line per record: partition offset key value.
"""
import sys

from confluent_kafka import Consumer

bootstrap, topic, group, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
assignor = sys.argv[5] if len(sys.argv) > 5 else "range"
consumer = Consumer({
    "bootstrap.servers": bootstrap,
    "group.id": group,
    "auto.offset.reset": "earliest",
    "enable.auto.commit": False,
    "partition.assignment.strategy": assignor,
    "session.timeout.ms": 10000,
    "client.id": "confluent-golden",
})
consumer.subscribe([topic])
seen = 0
while seen < count:
    message = consumer.poll(10)
    if message is None:
        sys.exit(f"timed out after {seen} records")
    if message.error():
        continue
    seen += 1
    print(message.partition(), message.offset(), message.key().decode(), message.value().decode(), flush=True)
consumer.commit(asynchronous=False)
consumer.close()
