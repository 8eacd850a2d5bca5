-- A small sqlite3 workload with a known answer: a table on disk (/tmp),
-- a recursive CTE, an index, a join, aggregates, a transaction rolled back.
.headers off
.mode list
CREATE TABLE nums(n INTEGER PRIMARY KEY, sq INTEGER, parity TEXT);
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 5000)
INSERT INTO nums SELECT x, x * x, CASE x % 2 WHEN 0 THEN 'even' ELSE 'odd' END FROM c;
CREATE INDEX nums_parity ON nums(parity);
SELECT count(*), sum(n), max(sq) FROM nums;
SELECT parity, count(*), sum(n) FROM nums GROUP BY parity ORDER BY parity;
CREATE TABLE names(n INTEGER, name TEXT);
INSERT INTO names VALUES (1, 'one'), (2, 'two'), (3, 'three'), (4096, 'page');
SELECT names.name, nums.sq FROM names JOIN nums USING (n) ORDER BY n;
BEGIN;
DELETE FROM nums WHERE n > 10;
SELECT count(*) FROM nums;
ROLLBACK;
SELECT count(*) FROM nums;
SELECT group_concat(n, ',') FROM (SELECT n FROM nums WHERE sq % 1000 = 0 ORDER BY n LIMIT 5);
SELECT printf('%.2f', avg(n)), length(hex(randomblob(16))) FROM nums;
PRAGMA integrity_check;
