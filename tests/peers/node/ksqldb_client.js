// Drives Eddy's SQL server with the ksqldb-client npm package (HTTP/2 cleartext, /ksql, /inserts-stream and
// /query-stream). Usage: node ksqldb_client.js <host> <port> <stream name>. Prints one JSON object per step.
const KsqldbClient = require("ksqldb-client");

const [host, port, name] = process.argv.slice(2);
const timer = setTimeout(() => { console.log(JSON.stringify({ step: "timeout" })); process.exit(3); }, 90000);

(async () => {
  const client = new KsqldbClient({ host: `http://${host}`, port: Number(port) });
  await client.connect();
  const created = await client.executeStatement(
    `CREATE STREAM ${name} (ID INT KEY, PAGE STRING) WITH (kafka_topic='${name.toLowerCase()}', value_format='JSON', partitions=1);`);
  console.log(JSON.stringify({ step: "create", status: created.status, error: created.error ? String(created.error) : null }));
  const streams = await client.listStreams();
  console.log(JSON.stringify({ step: "streams", names: streams.map((s) => s.name) }));
  const first = await client.insertInto(name, { ID: 1, PAGE: "home" });
  const second = await client.insertInto(name, { ID: 2, PAGE: "about" });
  console.log(JSON.stringify({ step: "insert", statuses: [first.status, second.status], rows: [first.data, second.data] }));
  const rows = [];
  const pushed = await client.streamQuery(`SELECT ID, PAGE FROM ${name} EMIT CHANGES LIMIT 2;`, (data) => {
    if (data.rows) rows.push(...data.rows);
  }, { streamsProperties: { "auto.offset.reset": "earliest" } });
  console.log(JSON.stringify({ step: "push", status: pushed.status, error: pushed.error ? String(pushed.error) : null, rows }));
  await client.disconnect();
  clearTimeout(timer);
})().catch((e) => { console.log(JSON.stringify({ step: "error", message: String(e && e.stack || e) })); process.exit(2); });
