"""kafka-python 2.0.2 (Debian python3-kafka) peer for Eddy's broker tests. Run with /usr/bin/python3.

usage:
  broker_kafka_python.py produce BOOTSTRAP TOPIC COUNT API_VERSION CODEC
      KafkaProducer with acks=all; API_VERSION "auto" probes the broker, "0.10"/"0.9"/"0.8.2" force an old
      protocol (Produce v2 with message format v1, Produce v1/v0 with message format v0). Prints
      "partition offset value" per acknowledged record.
  broker_kafka_python.py group-consume BOOTSTRAP TOPIC GROUP COUNT
      KafkaConsumer in GROUP: reads COUNT records from the beginning, commits synchronously and prints
      "record partition offset value" per record and "committed partition offset" per partition.
"""
import sys

from kafka import KafkaConsumer, KafkaProducer, TopicPartition

mode, bootstrap = sys.argv[1], sys.argv[2]

if mode == "produce":
    topic, count, api, codec = sys.argv[3], int(sys.argv[4]), sys.argv[5], sys.argv[6]
    kwargs = {}
    if api != "auto":
        kwargs["api_version"] = tuple(int(p) for p in api.split("."))
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=10,
                             compression_type=None if codec == "none" else codec,
                             request_timeout_ms=15000, max_block_ms=15000, **kwargs)
    futures = [(i, producer.send(topic, key=f"key-{i}".encode(), value=(f"value-{i}-" + "x" * 50).encode()))
               for i in range(count)]
    producer.flush(30)
    for i, future in futures:
        metadata = future.get(timeout=30)
        print(metadata.partition, metadata.offset, f"value-{i}", flush=True)
    producer.close(5)

elif mode == "group-consume":
    topic, group, count = sys.argv[3], sys.argv[4], int(sys.argv[5])
    consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group, auto_offset_reset="earliest",
                             enable_auto_commit=False, consumer_timeout_ms=30000, session_timeout_ms=10000)
    seen = 0
    for message in consumer:
        print("record", message.partition, message.offset, message.value.decode(), flush=True)
        seen += 1
        if seen >= count:
            break
    consumer.commit()
    for tp in sorted(consumer.assignment(), key=lambda t: t.partition):
        print("committed", tp.partition, consumer.committed(tp), flush=True)
    consumer.close()

else:
    sys.exit(f"unknown mode {mode}")
