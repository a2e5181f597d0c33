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
  // The push query starts first and the rows are inserted while it runs, one at a time: this client
  // parses each HTTP/2 data frame as one row, so rows that arrive together would not parse.
  const rows = [];
  let metadataSeen;
  const started = new Promise((resolve) => { metadataSeen = resolve; });
  let rowSeen = () => {};
  const pushed = client.streamQuery(`SELECT ID, PAGE FROM ${name} EMIT CHANGES LIMIT 2;`, (data) => {
    if (data.metadata) metadataSeen();
    if (data.rows && data.rows.length > 0) { rows.push(...data.rows); rowSeen(); }
  });
  await started;
  const statuses = [];
  for (const row of [{ ID: 1, PAGE: "home" }, { ID: 2, PAGE: "about" }]) {
    const seen = new Promise((resolve) => { rowSeen = resolve; });
    const inserted = await client.insertInto(name, row);
    statuses.push(inserted.status);
    await seen;
  }
  console.log(JSON.stringify({ step: "insert", statuses }));
  const result = await pushed;
  console.log(JSON.stringify({ step: "push", status: result.status, error: result.error ? String(result.error) : null, rows }));
  await client.disconnect();
  clearTimeout(timer);
})().catch((e) => { console.log(JSON.stringify({ step: "error", message: String(e && e.stack || e) })); process.exit(2); });
