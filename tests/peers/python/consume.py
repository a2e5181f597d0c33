"""kafka-python 2.0.2 consumer used by Eddy.Client's interop tests.

usage: consume.py BOOTSTRAP TOPIC COUNT
Reads COUNT records from the beginning of every partition (manual assignment) and prints one JSON
line per record: partition, offset, key, value, timestamp, headers.
"""
import json
import sys
import time

from kafka import KafkaConsumer, TopicPartition

bootstrap, topic, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
consumer = KafkaConsumer(bootstrap_servers=bootstrap, client_id="kafka-python-interop", enable_auto_commit=False,
                         auto_offset_reset="earliest", consumer_timeout_ms=30000)
partitions = None
deadline = time.time() + 30
while not partitions and time.time() < deadline:
    partitions = consumer.partitions_for_topic(topic)
    if not partitions:
        time.sleep(0.2)
consumer.assign([TopicPartition(topic, p) for p in sorted(partitions)])
consumer.seek_to_beginning()
seen = 0
for record in consumer:
    print(json.dumps({
        "partition": record.partition, "offset": record.offset,
        "key": None if record.key is None else record.key.decode(),
        "value": None if record.value is None else record.value.decode(),
        "timestamp": record.timestamp,
        "headers": {k: (None if v is None else v.decode()) for k, v in record.headers},
    }), flush=True)
    seen += 1
    if seen >= count:
        break
consumer.close()
if seen < count:
    sys.exit(f"timed out after {seen} records")
