@{
    Synopsis    = 'Reads VPC flow logs and proposes, for each open rule, the narrowing that keeps every real client working.'
    Description = @'
Measure-OpenIngressRule takes open rules from the pipeline (Get-OpenIngressRule output, or records read back) and reads the VPC flow logs of the interfaces that carry their groups: from the flow log's S3 destination (-FlowLogUri s3://bucket[/prefix], under which AWS writes AWSLogs/<account>/vpcflowlogs/<region>/<yyyy>/<mm>/<dd>/, hourly partitions included; only the days of the window and the accounts and regions of the rules are listed), and from local files or folders (-FlowLogPath, .log and .log.gz). The text format is read with its header line: the default version-2 fields or any custom order, including version 3-5 fields such as pkt-srcaddr and flow-direction. A Parquet file, a header with unknown fields, or a file that ends early is a non-terminating error naming the file.

A record counts for a rule when it is ACCEPTed (log-status OK), arrives at a network interface that carries the rule's group (inbound: flow-direction ingress, or addressed to one of the interface's addresses), on the rule's protocol, at a port in its range (ICMP: any), from a source of its address family. The source is srcaddr, the address the security group saw. An interface with several groups counts its traffic for every group whose rule would admit it, so no real client is lost.

For each rule it adds ObservedSources (the sources that reached it, most flows first, with flow and packet counts; ObservedSourceCount says how many in all), FlowRecordCount, EvidenceSince and EvidenceUntil, Exposure, and a Recommendation: Revoke (no accepted traffic in the window, or nothing carries the group), Narrow (ReplaceWith holds at most -MaxCidr blocks that cover every observed source with the least address space, computed exactly by a dynamic programme over the prefix trie, none broader than IPv4 /8 or IPv6 /32), or Keep (covering it would need a broader block: it serves the internet). RecommendationReason says why.

Revoke-OpenIngressRule honours it rule by rule: ReplaceWith binds by property name, so each rule is narrowed to its own sources; rules marked Keep are Skipped with the reason; Revoke closes them. Export-IngressAudit records the evidence with each rule, so an auditor can see why.

Files are read as streams, several at once (at most -ThrottleLimit), decompressed and parsed record by record: memory grows with the distinct (rule, source) pairs, not with the size of the logs.

Required IAM actions: ec2:DescribeNetworkInterfaces and ec2:DescribeRouteTables (which interfaces carry the groups); s3:ListBucket and s3:GetObject on the flow log bucket; sts:GetCallerIdentity when rules carry no account.
'@
    Parameters  = @{
        InputObject   = 'Open rules from the pipeline, read by property name.'
        FlowLogUri    = 'The flow logs'' S3 destination, as configured on the flow log: s3://bucket or s3://bucket/prefix.'
        FlowLogPath   = 'Flow log files (.log, .log.gz) or folders of them (searched with their subfolders).'
        Since         = 'The start of the window (default: 30 days ago). Records that started earlier are not counted; S3 is listed from that day on.'
        Until         = 'The end of the window (default: now).'
        MaxCidr       = 'At most this many blocks in a rule''s ReplaceWith (1 to 64, default 8).'
        Region        = 'The region of rules that carry none, and of the flow log bucket.'
        AggregatePath = 'The CSV result of the aggregate query SgNarrower ships (sql/flow-log-aggregate.sql in the module folder), run in Amazon Athena over the flow-log table AWS documents: files, or folders of .csv files. Instead of raw logs (not with -FlowLogPath or -FlowLogUri); the same recommendations as from the raw logs of the same window. Give the -Since and -Until the query was run for.'
        AggregateUri  = 'Where Athena wrote that result: s3://bucket/path/<query-id>.csv, or s3://bucket/path/ for every .csv under it. Read through S3 like -FlowLogUri.'
        HiveCompatiblePartitions = 'With -FlowLogUri: the flow log was created with Hive-compatible S3 prefixes (its HiveCompatiblePartitions destination option), so files are under AWSLogs/aws-account-id=<account>/aws-service=vpcflowlogs/aws-region=<region>/year=<yyyy>/month=<mm>/day=<dd>/ (hourly partitions too).'
        NetworkInterfacePath = 'Which interfaces carry the groups, from a saved ''aws ec2 describe-network-interfaces'' export (or ConvertTo-Json over Get-EC2NetworkInterface) instead of DescribeNetworkInterfaces calls. Needs -RouteTablePath too. With -FlowLogPath, Measure then calls no AWS service.'
        RouteTablePath = 'The route tables, from a saved ''aws ec2 describe-route-tables'' export (or ConvertTo-Json over Get-EC2RouteTable) instead of DescribeRouteTables calls. Needs -NetworkInterfacePath too.'
        S3EndpointUrl = 'The URL of the flow logs'' S3 store (a VPC endpoint or an S3-compatible store), when it differs from -EndpointUrl, which is used for EC2.'
    }
    Inputs      = @(
        @{ Type = 'SgNarrower.OpenIngressRule'; Description = 'Or any object with the rule''s property names.' }
    )
    Outputs     = @(
        @{ Type = 'SgNarrower.OpenIngressRule'; Description = 'Each rule with Recommendation, RecommendationReason, ReplaceWith, ObservedSources, ObservedSourceCount, FlowRecordCount, EvidenceSince, EvidenceUntil and Exposure.' }
    )
    Notes       = @'
Errors: NoFlowLogs, InvalidWindow, InvalidUri, FileNotFound (terminating); InvalidRuleObject (per input object); InvalidFlowLog, FlowLogUnreadable (per file, the others go on); AccessDenied for s3:ListBucket or s3:GetObject (per day listed).
'@
    Examples    = @(
        @{
            Title   = 'Narrow every open rule to the sources that used it in the last 30 days'
            Code    = 'Get-OpenIngressRule | Measure-OpenIngressRule -FlowLogUri s3://flow-logs/vpc | Export-IngressAudit -BucketName audit | Revoke-OpenIngressRule'
            Remarks = 'Each rule is narrowed to its own ReplaceWith, closed when nobody used it, and kept when it serves the internet; the record holds the evidence.'
        }
        @{
            Title   = 'Look first'
            Code    = 'Get-OpenIngressRule -Port 22 | Measure-OpenIngressRule -FlowLogPath ./flow-logs -Since (Get-Date).AddDays(-7) | Format-Table GroupId, Rule, Recommendation, ReplaceWith'
            Remarks = 'Reads local .log.gz files; nothing is changed.'
        }
        @{
            Title   = 'Entirely offline, from saved exports'
            Code    = 'Get-OpenIngressRule -Path groups.json -Region us-east-1 | Measure-OpenIngressRule -FlowLogPath ./flow-logs -NetworkInterfacePath interfaces.json -RouteTablePath route-tables.json'
            Remarks = 'The groups, interfaces and route tables as the AWS CLI saved them; no AWS call is made.'
        }
        @{
            Title   = 'Terabytes of flow logs: aggregate them in Athena first'
            Code    = 'Get-OpenIngressRule | Measure-OpenIngressRule -AggregateUri s3://athena-results/sgnarrower/0d2f5c1e-query.csv -Since 2026-11-01Z -Until 2026-12-01Z'
            Remarks = 'Run sql/flow-log-aggregate.sql (from the module folder) in Athena for the window, then give Measure its result and the same window. One row per interface, port, source and destination instead of every record.'
        }
    )
    Links       = @('Get-OpenIngressRule', 'Revoke-OpenIngressRule', 'Export-IngressAudit')
}
