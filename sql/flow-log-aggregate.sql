-- SgNarrower: the accepted records of one window of VPC flow logs, aggregated, for
--   Measure-OpenIngressRule -AggregatePath <result.csv>   or   -AggregateUri s3://<athena-output>/<query-id>.csv
--
-- Run it in Amazon Athena over the flow-log table AWS documents for the default (version 2) format: table
-- vpc_flow_logs, columns version, account_id, interface_id, srcaddr, dstaddr, srcport, dstport, protocol, packets,
-- bytes, start, end, action, log_status, over s3://<bucket>/<prefix>/AWSLogs/<account>/vpcflowlogs/<region>/,
-- partitioned by "date" (see "Query flow logs using Amazon Athena" in the Amazon VPC User Guide). Athena writes the
-- result as CSV to the query's output location; Measure-OpenIngressRule reads it as it reads raw logs, and gives the
-- same recommendations as from the raw logs of the same window.
--
-- Set the window in both places below: the days (so that Athena reads only their partitions) and the same window in
-- Unix seconds, inclusive at both ends, as Measure-OpenIngressRule's -Since and -Until
-- ([DateTimeOffset]'2026-11-01Z' | ForEach-Object ToUnixTimeSeconds). Give Measure the same -Since and -Until.
SELECT account_id,
       regexp_extract("$path", '/vpcflowlogs/([^/]+)/', 1) AS region,
       interface_id,
       protocol,
       dstport,
       srcaddr,
       dstaddr,
       count(*) AS flows,
       coalesce(sum(packets), 0) AS packets
FROM vpc_flow_logs
WHERE "date" BETWEEN DATE '2026-11-01' AND DATE '2026-12-01'
  AND start >= 1793491200 AND start <= 1796083200
  AND action = 'ACCEPT'
  AND log_status = 'OK'
GROUP BY account_id, regexp_extract("$path", '/vpcflowlogs/([^/]+)/', 1), interface_id, protocol, dstport, srcaddr, dstaddr
