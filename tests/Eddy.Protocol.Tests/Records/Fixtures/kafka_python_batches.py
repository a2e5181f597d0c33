#!/usr/bin/python3
"""Record batches written and read by a real client: kafka-python 2.0.2 (Debian's python3-kafka).

  write CODEC OUT.bin OUT.json   build one batch with kafka.record.default_records.DefaultRecordBatchBuilder
                                 and describe its records as JSON (what a reader must find)
  read IN.bin                    read every batch with kafka.record.MemoryRecords / DefaultRecordBatch,
                                 check each CRC, and print the batches and records as JSON

CODEC is none, gzip, snappy, lz4 or zstd (kafka-python needs python3-snappy, python3-lz4,
python3-zstandard for the last three). Keys, values and header values are hex, or null.
Run with /usr/bin/python3. The committed fixtures *.bin/*.json were made with `write`.
"""
import json
import sys

from kafka.record.default_records import DefaultRecordBatchBuilder
from kafka.record.memory_records import MemoryRecords

CODECS = {"none": 0, "gzip": 1, "snappy": 2, "lz4": 3, "zstd": 4}


def hexify(b):
    return None if b is None else bytes(b).hex()


def records():
    """Deterministic records: null/empty/binary keys, compressible values, null header values,
    negative timestamp deltas."""
    out = []
    for i in range(60):
        key = None if i % 7 == 0 else (b"" if i % 11 == 0 else ("key-%d" % i).encode())
        if i % 13 == 5:
            value = None
        elif i % 17 == 3:
            value = b""
        else:
            value = (("value %d " % i) * (1 + i % 9)).encode() + bytes(range(i % 256))
        headers = []
        if i % 3 == 0:
            headers.append(("trace", ("t%d" % i).encode()))
        if i % 5 == 0:
            headers.append(("null-header", None))
        if i % 4 == 0:
            headers.append(("empty", b""))
        timestamp = 1_700_000_000_000 + (i * 37 % 23) * 1000 - 5000
        out.append((i, timestamp, key, value, headers))
    return out


def write(codec, bin_path, json_path):
    transactional = codec == "gzip"
    builder = DefaultRecordBatchBuilder(
        magic=2, compression_type=CODECS[codec], is_transactional=transactional,
        producer_id=4242, producer_epoch=3, base_sequence=100, batch_size=1 << 24)
    expected = []
    for offset, timestamp, key, value, headers in records():
        meta = builder.append(offset, timestamp, key, value, headers)
        assert meta is not None
        expected.append({"offset": offset, "timestamp": timestamp, "key": hexify(key), "value": hexify(value),
                         "headers": [[k, hexify(v)] for k, v in headers]})
    data = bytes(builder.build())
    attributes = int.from_bytes(data[21:23], "big")
    # kafka-python sends uncompressed when compression does not help; the records above compress.
    assert attributes & 7 == CODECS[codec], "kafka-python fell back to no compression"
    with open(bin_path, "wb") as f:
        f.write(data)
    with open(json_path, "w") as f:
        json.dump({"codec": codec, "transactional": transactional, "producer_id": 4242, "producer_epoch": 3,
                   "base_sequence": 100, "records": expected}, f, indent=1)
        f.write("\n")


def read(bin_path):
    with open(bin_path, "rb") as f:
        data = f.read()
    records = MemoryRecords(data)
    batches = []
    while True:
        batch = records.next_batch()
        if batch is None:
            break
        if not batch.validate_crc():
            raise SystemExit("CRC mismatch in batch at base offset %d" % batch.base_offset)
        out = {"base_offset": batch.base_offset, "codec": batch.compression_type,
               "transactional": batch.is_transactional, "control": batch.is_control_batch,
               "timestamp_type": batch.timestamp_type, "max_timestamp": batch.max_timestamp, "records": []}
        for r in batch:
            out["records"].append({"offset": r.offset, "timestamp": r.timestamp, "key": hexify(r.key),
                                   "value": hexify(r.value), "headers": [[k, hexify(v)] for k, v in r.headers]})
        batches.append(out)
    if records.has_next():
        raise SystemExit("unread bytes after the last batch")
    json.dump({"batches": batches}, sys.stdout)


if __name__ == "__main__":
    if sys.argv[1] == "write":
        write(sys.argv[2], sys.argv[3], sys.argv[4])
    elif sys.argv[1] == "read":
        read(sys.argv[2])
    else:
        raise SystemExit(__doc__)
