-- Expressions: precedence, literals, predicates, constructors, lambdas.

SELECT 2 * 3 + 4, 2 + 3 * 4, -a * b, a - -1, NOT a = b AND c OR d, a || b || c FROM t;
=> SELECT ((2 * 3) + 4), (2 + (3 * 4)), (-A * B), (A - -1), (((NOT (A = B)) AND C) OR D), ((A || B) || C) FROM T

SELECT 1, 2147483648, 1.50, .5, 1.5E0, 1e3, -9223372036854775808, 'it''s', TRUE, false, NULL, DECIMAL '1.230' FROM t;
=> SELECT 1, 2147483648, 1.50, 0.5, 1.5E0, 1000.0E0, -9223372036854775808, 'it''s', true, false, null, 1.230 FROM T

SELECT a BETWEEN 1 AND 5, a NOT BETWEEN b AND c, a IN (1, 2), a NOT IN ('x'), a LIKE 'x%', a NOT LIKE 'a!%%' ESCAPE '!', a IS NULL, a IS NOT NULL, a IS DISTINCT FROM b, a IS NOT DISTINCT FROM NULL FROM t;
=> SELECT (A BETWEEN 1 AND 5), (A NOT BETWEEN B AND C), (A IN (1, 2)), (A NOT IN ('x')), (A LIKE 'x%'), (A NOT LIKE 'a!%%' ESCAPE '!'), (A IS NULL), (A IS NOT NULL), (A IS DISTINCT FROM B), (A IS NOT DISTINCT FROM null) FROM T

SELECT a <> b, a != b, a <= b, a >= b, a < b, a > b, a % 2, a / 2 FROM t;
=> SELECT (A <> B), (A <> B), (A <= B), (A >= B), (A < B), (A > B), (A % 2), (A / 2) FROM T

SELECT CASE WHEN a > 0 THEN 'pos' WHEN a < 0 THEN 'neg' ELSE 'zero' END, CASE a WHEN 1 THEN 'one' END FROM t;
=> SELECT (CASE WHEN (A > 0) THEN 'pos' WHEN (A < 0) THEN 'neg' ELSE 'zero' END), (CASE A WHEN 1 THEN 'one' END) FROM T

SELECT CAST(a AS DECIMAL(10, 2)), CAST(b AS ARRAY<STRUCT<x INT>>), CAST(c AS MAP<STRING, STRING>), TIMESTAMP '2020-01-01T00:00:00' FROM t;
=> SELECT CAST(A AS DECIMAL(10, 2)), CAST(B AS ARRAY<STRUCT<X INTEGER>>), CAST(C AS MAP<STRING, STRING>), CAST('2020-01-01T00:00:00' AS TIMESTAMP) FROM T

SELECT ARRAY[1, 2], MAP('a' := 1, 'b' := 2), STRUCT(x := 1, "y" := 'z'), arr[1], m['k'], s->f->g, arr[1]->f, ARRAY[] FROM t;
=> SELECT ARRAY[1, 2], MAP('a':=1, 'b':=2), STRUCT(X:=1, `y`:='z'), ARR[1], M['k'], S->F->G, ARR[1]->F, ARRAY[] FROM T

SELECT COUNT(*), COUNT(), SUBSTRING(s, 1, 2), TRANSFORM(arr, x => x + 1), FILTER(m, (k, v) => v > 0), REDUCE(arr, 0, (s, x) => s + x), TIMESTAMPADD(SECONDS, 5, ts) FROM t;
=> SELECT COUNT(*), COUNT(), SUBSTRING(S, 1, 2), TRANSFORM(ARR, (X) => (X + 1)), FILTER(M, (K, V) => (V > 0)), REDUCE(ARR, 0, (S, X) => (S + X)), TIMESTAMPADD(SECONDS, 5, TS) FROM T

SELECT ts AT TIME ZONE 'UTC', ${var}, "quoted function"(1) FROM t;
=> SELECT TS AT TIME ZONE 'UTC', ${VAR}, `QUOTED FUNCTION`(1) FROM T
