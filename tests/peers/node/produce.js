// KafkaJS 2.2.4 producer used by Eddy's compatibility tests.
// usage: node produce.js BOOTSTRAP TOPIC CODEC COUNT
// Sends COUNT keyed records with a header and fixed timestamps and prints "partition offset" per batch.
const { Kafka, CompressionTypes, logLevel } = require('kafkajs')

const [bootstrap, topic, codec, count] = process.argv.slice(2)
const codecs = { none: CompressionTypes.None, gzip: CompressionTypes.GZIP }

async function main () {
  const kafka = new Kafka({ clientId: 'kafkajs-golden', brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 2 } })
  const producer = kafka.producer({ allowAutoTopicCreation: true })
  await producer.connect()
  const messages = []
  for (let i = 0; i < Number(count); i++) {
    messages.push({ key: `key-${i}`, value: `value-${i}-` + 'abcdefghij'.repeat(20), headers: { h: `${i}` }, timestamp: String(1700000000000 + i) })
  }
  const results = await producer.send({ topic, acks: -1, compression: codecs[codec], messages })
  for (const r of results) console.log(r.partition, r.baseOffset)
  await producer.disconnect()
}

main().catch(e => { console.error(e); process.exit(1) })
