// KafkaJS 2.2.4 peer for Eddy's broker tests.
// usage:
//   node broker_kafkajs.js idempotent-produce BOOTSTRAP TOPIC COUNT
//     Idempotent producer (acks=-1, one send per 100 records); prints "partition baseOffset count" per batch result.
//   node broker_kafkajs.js group BOOTSTRAP TOPIC GROUP
//     Two consumers in one group; prints "assigned NAME p,p" on every group join, "record NAME partition offset value"
//     per record. Reads commands from stdin: "leave" disconnects the second consumer, "quit" ends.
//   node broker_kafkajs.js admin BOOTSTRAP TOPIC GROUP
//     Admin: create topic (2 partitions), list topics, fetch topic offsets, fetch group offsets, delete topic;
//     prints one JSON document.
const { Kafka, logLevel } = require('kafkajs')
const readline = require('readline')

const [mode, bootstrap, topic, arg] = process.argv.slice(2)
const kafka = new Kafka({ clientId: 'kafkajs-eddy', brokers: bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 100 } })

async function idempotentProduce () {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
  await producer.connect()
  const count = Number(arg)
  for (let i = 0; i < count; i += 100) {
    const messages = []
    for (let j = i; j < Math.min(count, i + 100); j++) messages.push({ key: `key-${j % 7}`, value: `value-${j}` })
    const results = await producer.send({ topic, acks: -1, messages })
    for (const r of results) console.log(r.partition, r.baseOffset, messages.length)
  }
  await producer.disconnect()
}

async function group () {
  const groupId = arg
  const consumers = {}
  for (const name of ['a', 'b']) {
    const consumer = kafka.consumer({ groupId, sessionTimeout: 10000, heartbeatInterval: 500, rebalanceTimeout: 10000 })
    consumer.on(consumer.events.GROUP_JOIN, e => {
      const parts = (e.payload.memberAssignment[topic] || []).slice().sort((x, y) => x - y)
      console.log(`assigned ${name} ${parts.join(',')}`)
    })
    await consumer.connect()
    await consumer.subscribe({ topic, fromBeginning: true })
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        console.log(`record ${name} ${partition} ${message.offset} ${message.value.toString()}`)
      }
    })
    consumers[name] = consumer
  }
  const rl = readline.createInterface({ input: process.stdin })
  for await (const line of rl) {
    if (line === 'leave') {
      await consumers.b.disconnect()
      console.log('left b')
    } else if (line === 'quit') {
      break
    }
  }
  await consumers.a.disconnect()
  console.log('closed')
}

async function admin () {
  const groupId = arg
  const a = kafka.admin()
  await a.connect()
  const seen = {}
  seen.created = await a.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true })
  seen.listed = (await a.listTopics()).includes(topic)
  const producer = kafka.producer()
  await producer.connect()
  await producer.send({ topic, messages: [{ key: 'a', value: '1', partition: 0 }, { key: 'b', value: '2', partition: 0 }, { key: 'c', value: '3', partition: 1 }] })
  await producer.disconnect()
  seen.topicOffsets = (await a.fetchTopicOffsets(topic)).sort((x, y) => x.partition - y.partition)
  await a.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '1' }, { partition: 1, offset: '1' }] })
  seen.groupOffsets = (await a.fetchOffsets({ groupId, topics: [topic] }))[0].partitions.sort((x, y) => x.partition - y.partition)
  await a.deleteTopics({ topics: [topic] })
  seen.deleted = !(await a.listTopics()).includes(topic)
  await a.disconnect()
  console.log(JSON.stringify(seen))
}

const modes = { 'idempotent-produce': idempotentProduce, group, admin }
modes[mode]().then(() => process.exit(0)).catch(e => { console.error(e); process.exit(1) })
