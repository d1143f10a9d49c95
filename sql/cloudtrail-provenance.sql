-- SgNarrower: the calls that opened or changed security-group ingress rules in one window of CloudTrail, for
--   Get-OpenIngressRule -CloudTrailResultPath <result.csv>   or   -CloudTrailResultUri s3://<athena-output>/<query-id>.csv
--
-- Run it in Amazon Athena over the CloudTrail table AWS documents ("Query AWS CloudTrail logs" in the Athena User
-- Guide: table cloudtrail_logs over s3://<bucket>/<prefix>/AWSLogs/[<o-id>/]<account>/CloudTrail/, with partition
-- projection by region and "timestamp", the day as yyyy/MM/dd). Its columns useridentity (a struct), requestparameters
-- and responseelements (JSON text) are returned as they are; Get-OpenIngressRule reads the result as it reads the
-- trail's own log files, and names the same openers as from the raw logs of the same window.
--
-- Set the window's first day below (a past day: who opened a rule before it is not asked), and give
-- Get-OpenIngressRule the same day as -CloudTrailSince.
SELECT eventtime,
       eventname,
       awsregion,
       recipientaccountid,
       useridentity.type AS useridentity_type,
       useridentity.arn AS useridentity_arn,
       useridentity.accountid AS useridentity_accountid,
       useridentity.invokedby AS useridentity_invokedby,
       useridentity.sessioncontext.sessionissuer.arn AS sessionissuer_arn,
       sourceipaddress,
       useragent,
       errorcode,
       requestparameters,
       responseelements
FROM cloudtrail_logs
WHERE "timestamp" >= '2026/09/01'
  AND eventsource = 'ec2.amazonaws.com'
  AND eventname IN ('AuthorizeSecurityGroupIngress', 'ModifySecurityGroupRules')
  AND errorcode IS NULL
