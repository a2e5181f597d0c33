namespace Eddy.Sql.Ast;

/// <summary>Base of statements.</summary>
/// <example><code>Statement s = SqlParser.ParseStatement("SHOW STREAMS;");</code></example>
public abstract record Statement : SqlNode;

/// <summary>A statement together with its exact text and position in the parsed input.</summary>
/// <param name="Statement">The statement.</param>
/// <param name="Text">The statement's text, from its first token through its terminating ';'.</param>
/// <param name="Location">Where the statement starts.</param>
/// <example>
/// <code>
/// foreach (var p in SqlParser.ParseStatements(script)) Console.WriteLine(p.Text);
/// </code>
/// </example>
public sealed record ParsedStatement(Statement Statement, string Text, SourceLocation Location);

/// <summary>STREAM or TABLE.</summary>
/// <example><code>var k = SourceKind.Table;</code></example>
public enum SourceKind
{
    /// <summary>A stream.</summary>
    Stream,

    /// <summary>A table.</summary>
    Table,
}

/// <summary>Column constraints of a CREATE STREAM/TABLE column.</summary>
/// <example><code>var c = ColumnConstraint.PrimaryKey;</code></example>
public enum ColumnConstraint
{
    /// <summary>A value column.</summary>
    None,

    /// <summary>KEY (streams).</summary>
    Key,

    /// <summary>PRIMARY KEY (tables).</summary>
    PrimaryKey,

    /// <summary>HEADERS: all headers as ARRAY&lt;STRUCT&lt;KEY STRING, VALUE BYTES&gt;&gt;.</summary>
    Headers,

    /// <summary>HEADER('key'): one header's value as BYTES.</summary>
    Header,
}

/// <summary>One column of CREATE STREAM/TABLE: <c>name type [KEY | PRIMARY KEY | HEADERS | HEADER('k')]</c>.</summary>
/// <param name="Name">The column name.</param>
/// <param name="Type">The column type.</param>
/// <param name="Constraint">The constraint.</param>
/// <param name="HeaderKey">The header key for HEADER('k'), else null.</param>
/// <example><code>var e = new TableElement("ID", new BuiltInTypeRef(SqlTypes.BigInt), ColumnConstraint.Key, null);</code></example>
public sealed record TableElement(string Name, TypeRef Type, ColumnConstraint Constraint, string? HeaderKey) : SqlNode;

/// <summary>One WITH property: <c>NAME = literal</c>. Names are upper-cased.</summary>
/// <param name="Name">The property name.</param>
/// <param name="Value">The value.</param>
/// <example><code>var p = new Property("KAFKA_TOPIC", new StringLiteral("orders"));</code></example>
public sealed record Property(string Name, Literal Value) : SqlNode;

/// <summary>CREATE [OR REPLACE] [SOURCE] STREAM|TABLE [IF NOT EXISTS] name [(columns)] [WITH (props)].</summary>
/// <param name="Kind">STREAM or TABLE.</param>
/// <param name="Name">The source name.</param>
/// <param name="Elements">The columns (empty when inferred from a schema registry).</param>
/// <param name="Properties">The WITH properties.</param>
/// <param name="OrReplace">OR REPLACE given.</param>
/// <param name="IsSource">SOURCE given (read-only, materialized for pull queries).</param>
/// <param name="IfNotExists">IF NOT EXISTS given.</param>
/// <example><code>var s = SqlParser.ParseStatement("CREATE STREAM s (id INT KEY, v STRING) WITH (kafka_topic='t', format='JSON');");</code></example>
public sealed record CreateSource(
    SourceKind Kind,
    string Name,
    NodeList<TableElement> Elements,
    NodeList<Property> Properties,
    bool OrReplace,
    bool IsSource,
    bool IfNotExists) : Statement;

/// <summary>CREATE [OR REPLACE] STREAM|TABLE [IF NOT EXISTS] name [WITH (props)] AS SELECT ...</summary>
/// <param name="Kind">STREAM or TABLE.</param>
/// <param name="Name">The sink name.</param>
/// <param name="Properties">The WITH properties.</param>
/// <param name="Query">The query.</param>
/// <param name="OrReplace">OR REPLACE given.</param>
/// <param name="IfNotExists">IF NOT EXISTS given.</param>
/// <example><code>var s = SqlParser.ParseStatement("CREATE TABLE t AS SELECT id, COUNT(*) FROM s GROUP BY id;");</code></example>
public sealed record CreateAsSelect(
    SourceKind Kind,
    string Name,
    NodeList<Property> Properties,
    Query Query,
    bool OrReplace,
    bool IfNotExists) : Statement;

/// <summary>INSERT INTO target [WITH (QUERY_ID='...')] SELECT ...</summary>
/// <param name="Target">The sink stream.</param>
/// <param name="Properties">The WITH properties.</param>
/// <param name="Query">The query.</param>
/// <example><code>var s = SqlParser.ParseStatement("INSERT INTO all_orders SELECT * FROM eu_orders;");</code></example>
public sealed record InsertInto(string Target, NodeList<Property> Properties, Query Query) : Statement;

/// <summary>INSERT INTO target [(columns)] VALUES (values).</summary>
/// <param name="Target">The stream or table.</param>
/// <param name="Columns">The column names, or null for all columns in order.</param>
/// <param name="Values">The values.</param>
/// <example><code>var s = SqlParser.ParseStatement("INSERT INTO s (id, v) VALUES (1, 'a');");</code></example>
public sealed record InsertValues(string Target, NodeList<string>? Columns, NodeList<SqlExpression> Values) : Statement;

/// <summary>DROP STREAM|TABLE [IF EXISTS] name [DELETE TOPIC].</summary>
/// <param name="Kind">STREAM or TABLE.</param>
/// <param name="Name">The source name.</param>
/// <param name="IfExists">IF EXISTS given.</param>
/// <param name="DeleteTopic">DELETE TOPIC given.</param>
/// <example><code>var s = SqlParser.ParseStatement("DROP TABLE IF EXISTS t DELETE TOPIC;");</code></example>
public sealed record DropSource(SourceKind Kind, string Name, bool IfExists, bool DeleteTopic) : Statement;

/// <summary>CREATE TYPE [IF NOT EXISTS] name AS type.</summary>
/// <param name="Name">The type name.</param>
/// <param name="Type">The type.</param>
/// <param name="IfNotExists">IF NOT EXISTS given.</param>
/// <example><code>var s = SqlParser.ParseStatement("CREATE TYPE ADDRESS AS STRUCT&lt;street STRING, zip INT&gt;;");</code></example>
public sealed record CreateType(string Name, TypeRef Type, bool IfNotExists) : Statement;

/// <summary>DROP TYPE [IF EXISTS] name.</summary>
/// <param name="Name">The type name.</param>
/// <param name="IfExists">IF EXISTS given.</param>
/// <example><code>var s = SqlParser.ParseStatement("DROP TYPE ADDRESS;");</code></example>
public sealed record DropType(string Name, bool IfExists) : Statement;

/// <summary>What a SHOW/LIST statement lists.</summary>
/// <example><code>var k = ListKind.Streams;</code></example>
public enum ListKind
{
    /// <summary>PROPERTIES</summary>
    Properties,

    /// <summary>TOPICS</summary>
    Topics,

    /// <summary>STREAMS</summary>
    Streams,

    /// <summary>TABLES</summary>
    Tables,

    /// <summary>FUNCTIONS</summary>
    Functions,

    /// <summary>CONNECTORS (optionally SOURCE or SINK)</summary>
    Connectors,

    /// <summary>CONNECTOR PLUGINS</summary>
    ConnectorPlugins,

    /// <summary>TYPES</summary>
    Types,

    /// <summary>VARIABLES</summary>
    Variables,

    /// <summary>QUERIES</summary>
    Queries,
}

/// <summary>SHOW|LIST PROPERTIES, [ALL] TOPICS [EXTENDED], STREAMS [EXTENDED], TABLES [EXTENDED], FUNCTIONS, [SOURCE|SINK] CONNECTORS, CONNECTOR PLUGINS, TYPES, VARIABLES, QUERIES [EXTENDED].</summary>
/// <param name="Kind">What is listed.</param>
/// <param name="Extended">EXTENDED given.</param>
/// <param name="All">ALL given (TOPICS: include internal topics).</param>
/// <param name="Scope">SOURCE or SINK for CONNECTORS, else null.</param>
/// <example><code>var s = (ListStatement)SqlParser.ParseStatement("SHOW STREAMS EXTENDED;");</code></example>
public sealed record ListStatement(ListKind Kind, bool Extended = false, bool All = false, string? Scope = null) : Statement;

/// <summary>DESCRIBE source [EXTENDED].</summary>
/// <param name="Name">The source name.</param>
/// <param name="Extended">EXTENDED given.</param>
/// <example><code>var s = SqlParser.ParseStatement("DESCRIBE orders EXTENDED;");</code></example>
public sealed record DescribeSource(string Name, bool Extended) : Statement;

/// <summary>DESCRIBE STREAMS [EXTENDED] or DESCRIBE TABLES [EXTENDED]: every source of a kind.</summary>
/// <param name="Kind">STREAM or TABLE.</param>
/// <param name="Extended">EXTENDED given.</param>
/// <example><code>var s = SqlParser.ParseStatement("DESCRIBE TABLES;");</code></example>
public sealed record DescribeSources(SourceKind Kind, bool Extended) : Statement;

/// <summary>DESCRIBE FUNCTION name.</summary>
/// <param name="Name">The function name.</param>
/// <example><code>var s = SqlParser.ParseStatement("DESCRIBE FUNCTION SUBSTRING;");</code></example>
public sealed record DescribeFunction(string Name) : Statement;

/// <summary>DESCRIBE CONNECTOR name.</summary>
/// <param name="Name">The connector name.</param>
/// <example><code>var s = SqlParser.ParseStatement("DESCRIBE CONNECTOR jdbc;");</code></example>
public sealed record DescribeConnector(string Name) : Statement;

/// <summary>PRINT topic [FROM BEGINNING] [INTERVAL|SAMPLE n] [LIMIT n].</summary>
/// <param name="Topic">The topic name (quoted names keep their case).</param>
/// <param name="FromBeginning">FROM BEGINNING given.</param>
/// <param name="Interval">Print every n-th record, or null.</param>
/// <param name="Limit">Stop after n records, or null.</param>
/// <example><code>var s = SqlParser.ParseStatement("PRINT 'orders' FROM BEGINNING LIMIT 10;");</code></example>
public sealed record PrintTopic(string Topic, bool FromBeginning, int? Interval, int? Limit) : Statement;

/// <summary>TERMINATE query_id, TERMINATE ALL, PAUSE ..., RESUME ...</summary>
/// <param name="Action">TERMINATE, PAUSE or RESUME.</param>
/// <param name="QueryId">The query id, or null for ALL.</param>
/// <example><code>var s = SqlParser.ParseStatement("TERMINATE CSAS_OUT_0;");</code></example>
public sealed record QueryControl(QueryAction Action, string? QueryId) : Statement;

/// <summary>What <see cref="QueryControl"/> does.</summary>
/// <example><code>var a = QueryAction.Terminate;</code></example>
public enum QueryAction
{
    /// <summary>TERMINATE</summary>
    Terminate,

    /// <summary>PAUSE</summary>
    Pause,

    /// <summary>RESUME</summary>
    Resume,
}

/// <summary>SET 'property' = 'value'.</summary>
/// <param name="Name">The property name.</param>
/// <param name="Value">The value.</param>
/// <example><code>var s = SqlParser.ParseStatement("SET 'auto.offset.reset' = 'earliest';");</code></example>
public sealed record SetProperty(string Name, string Value) : Statement;

/// <summary>UNSET 'property'.</summary>
/// <param name="Name">The property name.</param>
/// <example><code>var s = SqlParser.ParseStatement("UNSET 'auto.offset.reset';");</code></example>
public sealed record UnsetProperty(string Name) : Statement;

/// <summary>ALTER SYSTEM 'property' = 'value'.</summary>
/// <param name="Name">The property name.</param>
/// <param name="Value">The value.</param>
/// <example><code>var s = SqlParser.ParseStatement("ALTER SYSTEM 'ksql.x' = 'y';");</code></example>
public sealed record AlterSystemProperty(string Name, string Value) : Statement;

/// <summary>DEFINE name = 'value': a session variable, referenced as <c>${name}</c>.</summary>
/// <param name="Name">The variable name.</param>
/// <param name="Value">The value.</param>
/// <example><code>var s = SqlParser.ParseStatement("DEFINE topic = 'orders';");</code></example>
public sealed record DefineVariable(string Name, string Value) : Statement;

/// <summary>UNDEFINE name.</summary>
/// <param name="Name">The variable name.</param>
/// <example><code>var s = SqlParser.ParseStatement("UNDEFINE topic;");</code></example>
public sealed record UndefineVariable(string Name) : Statement;

/// <summary>CREATE SOURCE|SINK CONNECTOR [IF NOT EXISTS] name WITH (props).</summary>
/// <param name="IsSource">SOURCE (true) or SINK (false).</param>
/// <param name="Name">The connector name.</param>
/// <param name="Properties">The configuration.</param>
/// <param name="IfNotExists">IF NOT EXISTS given.</param>
/// <example><code>var s = SqlParser.ParseStatement("CREATE SOURCE CONNECTOR c WITH ('connector.class'='x');");</code></example>
public sealed record CreateConnector(bool IsSource, string Name, NodeList<Property> Properties, bool IfNotExists) : Statement;

/// <summary>DROP CONNECTOR [IF EXISTS] name.</summary>
/// <param name="Name">The connector name.</param>
/// <param name="IfExists">IF EXISTS given.</param>
/// <example><code>var s = SqlParser.ParseStatement("DROP CONNECTOR c;");</code></example>
public sealed record DropConnector(string Name, bool IfExists) : Statement;

/// <summary>EXPLAIN statement, or EXPLAIN query_id.</summary>
/// <param name="Statement">The statement to explain, or null.</param>
/// <param name="QueryId">The running query to explain, or null.</param>
/// <example><code>var s = SqlParser.ParseStatement("EXPLAIN CSAS_OUT_0;");</code></example>
public sealed record Explain(Statement? Statement, string? QueryId) : Statement;

/// <summary>One ADD [COLUMN] name type of ALTER STREAM/TABLE.</summary>
/// <param name="Name">The column name.</param>
/// <param name="Type">The column type.</param>
/// <example><code>var a = new AlterColumn("EMAIL", new BuiltInTypeRef(SqlTypes.String));</code></example>
public sealed record AlterColumn(string Name, TypeRef Type) : SqlNode;

/// <summary>ALTER STREAM|TABLE name ADD [COLUMN] name type [, ...].</summary>
/// <param name="Kind">STREAM or TABLE.</param>
/// <param name="Name">The source name.</param>
/// <param name="Columns">The added columns.</param>
/// <example><code>var s = SqlParser.ParseStatement("ALTER STREAM s ADD COLUMN email STRING;");</code></example>
public sealed record AlterSource(SourceKind Kind, string Name, NodeList<AlterColumn> Columns) : Statement;

/// <summary>ASSERT [NOT EXISTS] TOPIC name [WITH (props)] [TIMEOUT n unit].</summary>
/// <param name="Topic">The topic.</param>
/// <param name="Properties">Expected topic properties (PARTITIONS, REPLICAS).</param>
/// <param name="Timeout">How long to wait, or null.</param>
/// <param name="Exists">False for NOT EXISTS.</param>
/// <example><code>var s = SqlParser.ParseStatement("ASSERT TOPIC orders TIMEOUT 5 SECONDS;");</code></example>
public sealed record AssertTopic(string Topic, NodeList<Property> Properties, Duration? Timeout, bool Exists) : Statement;

/// <summary>ASSERT [NOT EXISTS] SCHEMA [SUBJECT name] [ID n] [TIMEOUT n unit].</summary>
/// <param name="Subject">The subject, or null.</param>
/// <param name="Id">The schema id, or null.</param>
/// <param name="Timeout">How long to wait, or null.</param>
/// <param name="Exists">False for NOT EXISTS.</param>
/// <example><code>var s = SqlParser.ParseStatement("ASSERT SCHEMA SUBJECT 'orders-value';");</code></example>
public sealed record AssertSchema(string? Subject, int? Id, Duration? Timeout, bool Exists) : Statement;

/// <summary>RUN SCRIPT 'path'.</summary>
/// <param name="Path">The script file.</param>
/// <example><code>var s = SqlParser.ParseStatement("RUN SCRIPT '/tmp/setup.sql';");</code></example>
public sealed record RunScript(string Path) : Statement;

/// <summary>Test-only: ASSERT VALUES source [(columns)] VALUES (...), or ASSERT NULL VALUES source [(columns)] KEY (...) (a tombstone).</summary>
/// <param name="Source">The source.</param>
/// <param name="Columns">The columns, or null for all.</param>
/// <param name="Values">The expected values (the key for a tombstone).</param>
/// <param name="IsTombstone">True for ASSERT NULL VALUES.</param>
/// <example><code>var s = SqlParser.ParseStatement("ASSERT VALUES out (id, v) VALUES (1, 'a');");</code></example>
public sealed record AssertValues(string Source, NodeList<string>? Columns, NodeList<SqlExpression> Values, bool IsTombstone) : Statement;

/// <summary>Test-only: ASSERT STREAM|TABLE name [(columns)] [WITH (props)].</summary>
/// <param name="Kind">STREAM or TABLE.</param>
/// <param name="Name">The source name.</param>
/// <param name="Elements">The expected columns.</param>
/// <param name="Properties">The expected properties.</param>
/// <example><code>var s = SqlParser.ParseStatement("ASSERT STREAM out (id INT KEY) WITH (kafka_topic='out');");</code></example>
public sealed record AssertSource(SourceKind Kind, string Name, NodeList<TableElement> Elements, NodeList<Property> Properties) : Statement;
