"""confluent-kafka-python transactional producer used by Eddy's compatibility tests.

usage: transactional_produce.py BOOTSTRAP TOPIC COUNT
Produces COUNT records in one committed transaction and one aborted record.
"""
import sys

from confluent_kafka import Producer

bootstrap, topic, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
producer = Producer({"bootstrap.servers": bootstrap, "transactional.id": "eddy-golden-txn", "client.id": "confluent-txn"})
producer.init_transactions(10)
producer.begin_transaction()
for i in range(count):
    producer.produce(topic, key=f"tx-{i}", value=f"committed-{i}")
producer.commit_transaction(10)
producer.begin_transaction()
producer.produce(topic, key="tx-aborted", value="aborted")
producer.abort_transaction(10)
print("ok")
