"""Starts librdkafka's own mock cluster (Debian librdkafka 2.0.2 via python3-confluent-kafka).

usage: mock_cluster.py BROKERS
Prints the bootstrap list on one line, then keeps the cluster up until stdin closes.
See tests' reference: a second broker nobody at Eddy wrote.
"""
import sys

from confluent_kafka import Producer

producer = Producer({"test.mock.num.brokers": int(sys.argv[1]), "bootstrap.servers": ""})
metadata = producer.list_topics(timeout=10)
print(",".join(f"{b.host}:{b.port}" for b in sorted(metadata.brokers.values(), key=lambda b: b.id)), flush=True)
sys.stdin.read()
