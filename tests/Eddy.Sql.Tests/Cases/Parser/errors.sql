-- Malformed input: every error names the line and column and says what was expected.

SELEC * FROM t;
!! line 1:1: Syntax Error
!! Syntax error at or near 'SELEC' at line 1:1: expected a statement
!! Did you mean SELECT?

SELECT * FRM t;
!! line 1:10: Syntax Error
!! missing 'FROM' at 'FRM'. Did you mean FROM?

SELECT * FROM;
!! line 1:14: Syntax Error
!! expected a stream or table name

SELECT a, FROM t;
!! line 1:11: Syntax Error
!! expected an expression

SELECT *
FROM t
WHERE a = 1 b;
!! line 3:13: Syntax Error
!! expected GROUP BY, PARTITION BY, HAVING, EMIT, LIMIT or ';'

SELECT * FROM t EMIT SOON;
!! line 1:22: Syntax Error
!! Syntax error at or near 'SOON' at line 1:22

CREATE STREAM OUTPUT AS SELECT ID, cast(f0 as NULL) FROM TEST;
!! line 1:47: Syntax Error
!! Syntax error at or near 'NULL' at line 1:47: expected a data type

CREATE STREAM INPUT (ROWKEY INT KEY, COL0 NULL) WITH (kafka_topic='test_topic', value_format='JSON');
!! Syntax Error

CREATE TABLE OUTPUT AS SELECT f1, f2, COUNT(*) FROM TEST GROUP BY f3, (f2, f1);
!! line 1:74: Syntax Error\nmissing ')' at ','

CREATE TABLE OUTPUT AS SELECT COUNT(*) FROM TEST GROUP BY DATA AND ID;
!! Syntax Error

CREATE STREAM OUTPUT AS SELECT * FROM INPUT WHERE ID IN ( );
!! Syntax Error
!! IN needs at least one value

CREATE STREAM OUTPUT AS SELECT * FROM EXPLODE(MY_ARR);
!! table functions such as EXPLODE belong in the SELECT list

SELECT * FROM (SELECT * FROM t);
!! Subqueries are not supported

CREATE TABLE INPUT (ID INT KEY, NAME STRING) WITH (kafka_topic='input',value_format='JSON');
!! Line: 1, Col: 21: Column `ID` is a 'KEY' column: please use 'PRIMARY KEY' for tables.

CREATE STREAM INPUT (ID INT PRIMARY KEY, NAME STRING) WITH (kafka_topic='input',value_format='JSON');
!! Line: 1, Col: 22: Column `ID` is a 'PRIMARY KEY' column: please use 'KEY' for streams.

SELECT 9223372036854775808 FROM t;
!! line 1:8: Invalid numeric literal: 9223372036854775808

SELECT -9223372036854775809 FROM t;
!! Invalid numeric literal: -9223372036854775809

SELECT 1.7976931348623159E308 FROM t;
!! Number overflows DOUBLE: 1.7976931348623159E308

SELECT 'unterminated FROM t;
!! line 1:8: Syntax Error
!! Unterminated string literal

SELECT * FROM t /* never closed
!! Unterminated comment

SELECT a # b FROM t;
!! Unexpected character '#' at line 1:10

SELECT * FROM t WHERE a = ${x FROM t;
!! Invalid variable reference

SELECT SIZE FROM t;
!! 'SIZE' is a reserved keyword and it can't be used as an identifier. You can use it as an identifier by escaping it as `SIZE`

CREATE STREAM s (a INT) WITH (kafka_topc='t', value_format='JSON');
!! Invalid config variable(s) in the WITH clause: KAFKA_TOPC. Did you mean KAFKA_TOPIC?

CREATE STREAM s (a INT) WITH (kafka_topic='t', value_format='JSN');
!! Unknown format: JSN. Did you mean JSON?

CREATE STREAM s (a INT) WITH (kafka_topic='t', format='JSON', value_format='JSON');
!! Cannot supply both 'VALUE_FORMAT' and 'FORMAT' properties

CREATE STREAM s (a INT) WITH (kafka_topic='t', value_format='DELIMITED', value_delimiter='<~>');
!! Failed to prepare statement: Configuration VALUE_DELIMITER is invalid: Invalid delimiter value: '<~>'. Delimiter must be a single character or TAB,SPACE

CREATE STREAM s (a INT) WITH (kafka_topic='t', partitions='many');
!! Invalid value 'many' for property PARTITIONS: expected an integer.

CREATE TABLE t (k STRING PRIMARY KEY, v INT) WITH (kafka_topic='t', value_format='DELIMITED', WINDOW_TYPE='Session', WINDOW_SIZE='30 seconds');
!! 'WINDOW_SIZE' should not be set for SESSION windows.

CREATE TABLE t (k STRING PRIMARY KEY, v INT) WITH (kafka_topic='t', value_format='JSON', WINDOW_TYPE='TUMBLING');
!! Tumbling and Hopping window types should set 'WINDOW_SIZE' in the WITH clause.

CREATE STREAM s (a INT) WITH (kafka_topic='t', kafka_topic='u');
!! Duplicate property in the WITH clause: KAFKA_TOPIC.

INSERT INTO s WITH (partitions=1) SELECT * FROM t;
!! INSERT INTO accepts only QUERY_ID

CREATE STREAM s (a INT, s STRUCT<x INT, x STRING>) WITH (kafka_topic='t');
!! Duplicate field names found in STRUCT: 'X'

SELECT * FROM t WINDOW HOPPING (SIZE 1 SECOND, ADVANCE BY 2 SECONDS) GROUP BY a EMIT CHANGES;
!! Window advance must be less than or equal to the window size

SELECT * FROM t WINDOW TUMBLING (SIZE 1 FORTNIGHT) EMIT CHANGES;
!! expected a time unit

CREATE SOURCE STREAM s AS SELECT * FROM t;
!! CREATE SOURCE STREAM cannot be used with AS SELECT

CREATE STREAM s (a INT) AS SELECT * FROM t;
!! CREATE STREAM AS SELECT cannot declare columns

SHOW STREMS;
!! Did you mean STREAMS?

DROP VIEW v;
!! expected STREAM, TABLE, TYPE or CONNECTOR

SELECT CASE WHEN a THEN 1 FROM t;
!! expected WHEN, ELSE or END

SELECT SUBSTRING(a, FROM t;
!! expected an expression
