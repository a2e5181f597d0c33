"""confluent-kafka-python (Debian python3-confluent-kafka, librdkafka 2.0.2) peer for Eddy's broker tests.

usage:
  broker_confluent.py idempotent-produce BOOTSTRAP TOPIC COUNT
      Idempotent producer (acks=all); prints "partition offset value" per acknowledged record.
  broker_confluent.py produce-until-killed BOOTSTRAP TOPIC PREFIX
      Idempotent acks=all producer that keeps producing values PREFIX-0, PREFIX-1, ...; prints
      "partition offset value" per acknowledgement, flushed at once (the crash test kills the broker
      underneath it).
  broker_confluent.py group-member BOOTSTRAP TOPIC GROUP ASSIGNOR
      Joins GROUP; prints "assigned p,p,..." after every rebalance and "record partition offset value"
      per record; commits synchronously after each record batch; leaves when stdin closes.
  broker_confluent.py committed BOOTSTRAP TOPIC GROUP PARTITIONS
      Prints "partition offset" of the group's committed offsets.
  broker_confluent.py admin BOOTSTRAP TOPIC
      AdminClient: create TOPIC (3 partitions, a config override), describe its configs, delete it;
      prints one JSON document of what it saw.
"""
import json
import select
import sys
import time

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic

mode, bootstrap = sys.argv[1], sys.argv[2]


def delivery_printer(err, msg):
    if err is None:
        print(msg.partition(), msg.offset(), msg.value().decode(), flush=True)


if mode == "idempotent-produce":
    topic, count = sys.argv[3], int(sys.argv[4])
    producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True, "acks": "all", "linger.ms": 5})
    for i in range(count):
        producer.produce(topic, key=f"key-{i % 17}", value=f"value-{i}", on_delivery=delivery_printer)
        producer.poll(0)
    if producer.flush(30) != 0:
        sys.exit("not every record was acknowledged")

elif mode == "produce-until-killed":
    topic, prefix = sys.argv[3], sys.argv[4]
    producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True, "acks": "all",
                         "linger.ms": 2, "message.timeout.ms": 5000, "retries": 3})
    i = 0
    while True:
        try:
            producer.produce(topic, key=f"key-{i % 13}", value=f"{prefix}-{i}", on_delivery=delivery_printer)
            i += 1
        except BufferError:
            pass
        producer.poll(0.001 if i % 100 == 0 else 0)

elif mode == "group-member":
    topic, group, assignor = sys.argv[3], sys.argv[4], sys.argv[5]
    consumer = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": group,
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
        "partition.assignment.strategy": assignor,
        "session.timeout.ms": 10000,
        "heartbeat.interval.ms": 500,
    })

    def show(c, partitions):
        try:
            assignment = sorted(tp.partition for tp in c.assignment())
        except KafkaException:
            return  # the consumer is closing: no assignment to report
        print("assigned " + ",".join(str(p) for p in assignment), flush=True)

    def on_assign(c, partitions):
        if assignor == "cooperative-sticky":
            c.incremental_assign(partitions)
        else:
            c.assign(partitions)
        show(c, partitions)

    def on_revoke(c, partitions):
        if assignor == "cooperative-sticky":
            c.incremental_unassign(partitions)
        else:
            c.unassign()
        show(c, partitions)

    consumer.subscribe([topic], on_assign=on_assign, on_revoke=on_revoke)
    while True:
        if select.select([sys.stdin], [], [], 0)[0] and sys.stdin.read(1) == "":
            break
        messages = consumer.consume(100, 0.2)
        good = [m for m in messages if not m.error()]
        for m in good:
            print("record", m.partition(), m.offset(), m.value().decode(), flush=True)
        if good:
            try:
                consumer.commit(asynchronous=False)
            except KafkaException as e:
                print("commit-failed", e, flush=True)
    consumer.close()
    print("closed", flush=True)

elif mode == "committed":
    topic, group, partitions = sys.argv[3], sys.argv[4], int(sys.argv[5])
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group})
    for tp in consumer.committed([TopicPartition(topic, p) for p in range(partitions)], timeout=10):
        print(tp.partition, tp.offset, flush=True)
    consumer.close()

elif mode == "admin":
    topic = sys.argv[3]
    admin = AdminClient({"bootstrap.servers": bootstrap})
    seen = {}
    futures = admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=1, config={"retention.ms": "3600000"})])
    futures[topic].result(10)
    seen["created"] = True
    md = admin.list_topics(timeout=10)
    seen["partitions"] = len(md.topics[topic].partitions)
    try:
        admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])[topic].result(10)
        seen["duplicate"] = "accepted"
    except KafkaException as e:
        seen["duplicate"] = e.args[0].name()
    resource = ConfigResource(ConfigResource.Type.TOPIC, topic)
    configs = admin.describe_configs([resource])[resource].result(10)
    seen["configs"] = {name: {"value": entry.value, "default": entry.is_default, "source": getattr(entry.source, "value", entry.source)}
                       for name, entry in configs.items()}
    admin.delete_topics([topic])[topic].result(10)
    deadline = time.time() + 10
    while topic in admin.list_topics(timeout=10).topics and time.time() < deadline:
        time.sleep(0.1)
    seen["deleted"] = topic not in admin.list_topics(timeout=10).topics
    print(json.dumps(seen), flush=True)

else:
    sys.exit(f"unknown mode {mode}")
