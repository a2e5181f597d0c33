"""kafka-python 2.0.2 (Debian python3-kafka) producer used by Eddy's compatibility tests.

usage: produce.py BOOTSTRAP TOPIC CODEC COUNT
Sends COUNT keyed records with a header and fixed timestamps, waits for every acknowledgement,
and prints one line per record: partition offset.
"""
import sys

from kafka import KafkaProducer

bootstrap, topic, codec, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
producer = KafkaProducer(
    bootstrap_servers=bootstrap,
    client_id="kafka-python-golden",
    compression_type=None if codec == "none" else codec,
    acks="all",
    linger_ms=20,
    request_timeout_ms=10000,
    max_block_ms=10000,
)
futures = [
    producer.send(
        topic,
        key=f"key-{i}".encode(),
        value=(f"value-{i}-" + "abcdefghij" * 20).encode(),  # compressible, so codecs are really used
        headers=[("h", str(i).encode())],
        timestamp_ms=1700000000000 + i,
    )
    for i in range(count)
]
producer.flush(10)
for future in futures:
    metadata = future.get(timeout=10)
    print(metadata.partition, metadata.offset)
producer.close(5)
