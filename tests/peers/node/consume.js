// KafkaJS 2.2.4 consumer used by Eddy.Client's interop tests.
// usage: node consume.js BOOTSTRAP TOPIC COUNT
// Reads COUNT records from the beginning (no group commits) and prints one JSON line per record:
// {"partition","offset","key","value","timestamp","headers"}.
const { Kafka, logLevel } = require('kafkajs')

const [bootstrap, topic, count] = process.argv.slice(2)

async function main () {
  const kafka = new Kafka({ clientId: 'kafkajs-interop', brokers: [bootstrap], logLevel: logLevel.NOTHING })
  const consumer = kafka.consumer({ groupId: `kafkajs-interop-${Date.now()}-${Math.random()}` })
  await consumer.connect()
  await consumer.subscribe({ topic, fromBeginning: true })
  let seen = 0
  const done = new Promise((resolve) => {
    consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        const headers = {}
        for (const [k, v] of Object.entries(message.headers || {})) headers[k] = v === null ? null : v.toString()
        console.log(JSON.stringify({ partition, offset: message.offset, key: message.key === null ? null : message.key.toString(), value: message.value === null ? null : message.value.toString(), timestamp: message.timestamp, headers }))
        seen++
        if (seen >= Number(count)) resolve()
      }
    })
  })
  const timer = setTimeout(() => { console.error(`timed out after ${seen} records`); process.exit(2) }, 60000)
  await done
  clearTimeout(timer)
  await consumer.disconnect()
}

main().catch(e => { console.error(e); process.exit(1) })
