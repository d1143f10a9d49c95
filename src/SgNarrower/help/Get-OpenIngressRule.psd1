@{
    Synopsis    = 'Finds EC2 security-group ingress rules open to the world.'
    Description = @'
Get-OpenIngressRule writes one SgNarrower.OpenIngressRule object for each ingress rule - one source of one permission - whose source is open to the world: 0.0.0.0/0 or ::/0 by default, and optionally any CIDR at least as broad as a prefix length you give, or CIDRs you name. Every protocol counts: tcp, udp, icmp, icmpv6, all traffic (-1) and protocol numbers such as 50 (ESP). Group references are not reported. A rule whose source is a customer-managed prefix list is reported when the list holds an open entry: it carries PrefixListId and OpenEntry (the entry that makes it open) instead of a CIDR; AWS-managed lists (com.amazonaws.*) never count. Each list a page of groups refers to is described once and its entries read once per region (DescribeManagedPrefixLists, GetManagedPrefixListEntries). Revoking such a rule removes the group's reference, never the list or its entries; -ReplaceWith is refused for it, because other groups may share the list. Offline (-Path), prefix-list rules are not reported: an export of groups does not carry the lists' entries.

Live, it reads security groups with paginated DescribeSecurityGroups calls (1000 groups a page) and, only for groups that have open rules, DescribeSecurityGroupRules calls to learn each rule's SecurityGroupRuleId and tags. Objects stream out as pages arrive. Offline, with -Path, it reads the JSON that 'aws ec2 describe-security-groups' prints, or that 'Get-EC2SecurityGroup | ConvertTo-Json -Depth 5' writes, and calls no AWS service.

The output's property names (Region, GroupId, SecurityGroupRuleId, IpProtocol, FromPort, ToPort, CidrIpv4, CidrIpv6, ...) are those of EC2's SecurityGroupRule, so the objects pipe into Export-IngressAudit and Revoke-OpenIngressRule by property name.

Many accounts and regions: with -AccountId and -RoleName it assumes the role in each account, and -Region takes wildcards ('*' for every region enabled for the account, 'eu-*' for some). Every (account, region) is scanned at once (at most -ThrottleLimit), paced to EC2's request buckets; objects, errors and progress are written by the pipeline as pages arrive. An account whose role cannot be assumed is one non-terminating error; the others go on.

Temporary openings: a rule tagged sgnarrower:open-until with an ISO 8601 date (open until the end of that day, UTC) or date and time (like 2026-12-01T18:00Z) is not reported before that moment, unless -IncludeTemporary is given; after it, it is reported like any other rule, with OpenUntil showing when it should have closed. A value that is not a date or time is reported as open, with a warning.

Exceptions as code: -ExceptionPath (a .json, .csv or .psd1 file) or -ExceptionUri (s3://bucket/key) lists what may stay open. Each entry gives the scope - AccountId, Region, GroupId, SecurityGroupRuleId, IpProtocol, FromPort, ToPort, Source, each a value or "*" for any - and Owner, Reason, Ticket and Ends (a moment with its zone, like 2027-03-31T00:00:00Z); every field is required, nothing is defaulted. JSON: {"Exceptions": [ {...} ]}; CSV: a header with those names and a row an entry; a PowerShell data file: @{ Exceptions = @( @{...} ) }, read as data, never run. A file with any entry that is incomplete, ambiguous (a date without a zone, a block with host bits set, ports given for all traffic) or malformed is refused whole, naming the entry (InvalidExceptionFile). A rule an entry names carries ExceptionState Live (the exception has not ended: Revoke-OpenIngressRule leaves it, Excepted) or Ended (it is back in scope), with ExceptionOwner, ExceptionReason, ExceptionTicket, ExceptionEnds and ExceptionNote (every entry that names it, whose and until when); where several name it, the one that ends last speaks for it. An entry that has not ended and names no open rule in the accounts and regions scanned is stale: a warning says so.

Who opened each rule: with -CloudTrailUri (where a trail delivers its logs: s3://bucket or s3://bucket/prefix; -OrganizationId for an organisation trail's layout) or -CloudTrailPath (log files or folders), the trail's records from -CloudTrailSince (90 days ago by default) until now are read, only the days of that window and only for the accounts and regions that hold open rules, gzip JSON record by record. Each rule then carries OpenedBy (the principal's ARN), OpenedByType, OpenedByIssuer (the role an assumed session came from), OpenedAt, OpenedFrom (the source address, or the AWS service that made the call), OpenedWith (AuthorizeSecurityGroupIngress or ModifySecurityGroupRules, and what it came through: a stack, the console), LastChangedAt and ProvenanceNote. Rules are matched by their id (every record since EC2 answers with rule ids), else by group and what they allow; a modify that turned a rule into what it allows now opened it. A rule opened before the window says so in ProvenanceNote and names nobody: never a guess. With CloudTrail, rules come out once the trail is read. Past one machine, run the shipped Athena query (sql/cloudtrail-provenance.sql) over the CloudTrail table AWS documents and give its CSV result with -CloudTrailResultPath or -CloudTrailResultUri: it names the same openers.

Required IAM actions: ec2:DescribeSecurityGroups and ec2:DescribeSecurityGroupRules; ec2:DescribeManagedPrefixLists and ec2:GetManagedPrefixListEntries when a group refers to a prefix list; ec2:DescribeNetworkInterfaces and ec2:DescribeRouteTables with -IncludeExposure or -Exposure; ec2:DescribeRegions for a region wildcard; sts:AssumeRole on the role with -RoleName.
'@
    Parameters  = @{
        CloudTrailUri         = 'Where a trail delivers its logs (s3://bucket or s3://bucket/prefix): who opened each open rule is read from there, for the days of the window and the accounts and regions that hold open rules. Needs s3:ListBucket and s3:GetObject on the bucket.'
        CloudTrailPath        = 'CloudTrail log files (.json.gz as a trail delivers them, or .json) or folders of them: who opened each open rule is read from them.'
        CloudTrailSince       = 'The start of the window of CloudTrail records read (90 days ago by default). A rule opened before it says so.'
        CloudTrailResultPath  = 'The CSV result of the shipped Athena query (sql/cloudtrail-provenance.sql, over the CloudTrail table AWS documents), files or folders of them: read instead of the trail''s logs, with the same result. Give the query''s first day as -CloudTrailSince.'
        CloudTrailResultUri   = 'The Athena query''s result in S3 (s3://bucket/key.csv, or a prefix whose .csv objects are all read).'
        OrganizationId        = 'The id of an organisation trail''s organisation (o-...): its logs are under AWSLogs/<o-id>/<account>/ in the bucket.'
        ExceptionPath         = 'An exceptions file (.json, .csv or .psd1): the rules its entries name carry its owner, reason, ticket and end (ExceptionState Live or Ended). A file with any bad entry stops the command before anything is read.'
        ExceptionUri          = 'An exceptions file in S3 (s3://bucket/key), read with the bucket''s owner: -ExpectedBucketOwner, else the caller''s own account.'
        ExpectedBucketOwner   = 'The 12-digit account id that owns the bucket of -ExceptionUri, where it is not the caller''s own (a central bucket).'
        IncludeExposure       = 'Adds each rule''s Exposure: Unattached (no network interface carries the group), Private (attached, but nothing attached is reachable from the internet in the rule''s family) or Public (an attached interface has a public IPv4 address and its subnet routes 0.0.0.0/0 to an internet gateway, for a 0.0.0.0/0 rule; an IPv6 address and a ::/0 route to an internet gateway, for a ::/0 rule; or it belongs to an internet-facing load balancer). Also NetworkInterfaceCount and AttachedTo (instance ids, elb:<type>/<name>/<id>, <type>:eni-...). Costs a few DescribeNetworkInterfaces and DescribeRouteTables calls per region, never one per group.'
        Exposure              = 'Only rules of these exposures: Public, Private, Unattached (implies -IncludeExposure). -Exposure Public lists what really exposes running resources to the internet.'
        NetworkInterfacePath  = 'Offline exposure, with -Path: the region''s network interfaces, as ''aws ec2 describe-network-interfaces'' prints them (or ConvertTo-Json over Get-EC2NetworkInterface). Needs -RouteTablePath too; implies -IncludeExposure.'
        RouteTablePath        = 'Offline exposure, with -Path: the region''s route tables, as ''aws ec2 describe-route-tables'' prints them (or ConvertTo-Json over Get-EC2RouteTable). Needs -NetworkInterfacePath too.'
        IncludeTemporary      = 'Also lists rules opened on purpose whose sgnarrower:open-until deadline lies ahead (OpenUntil shows it). Without it they are left out, and -Verbose says so. Rule tags are known in live scans only.'
        AccountId           = 'Accounts to scan, with -RoleName: the role is assumed in each of them, and every region given (wildcards too) is scanned in each. Without it, the caller''s own account.'
        Region                = 'The regions to scan; wildcards allowed (* for every region enabled for the account, eu-* for some). Without it, the region of the default chain (AWS_REGION, the profile) is used. With -Path it only labels the rules read from the file. Tab completion lists region names.'
        Path                  = 'One or more JSON files saved from ''aws ec2 describe-security-groups'' or ''Get-EC2SecurityGroup | ConvertTo-Json -Depth 5''. No AWS call is made. A file that is not valid JSON or not a security-group export is a terminating error that names the file.'
        GroupId               = 'Scans only these security groups. A group that does not exist is reported as an error and the others go on. Binds from the pipeline by property name.'
        VpcId                 = 'Scans only the security groups of these VPCs.'
        PageSize              = 'Items per DescribeSecurityGroups and DescribeSecurityGroupRules page (5 to 1000). The default, 1000, makes the fewest calls.'
        Port                  = 'Reports only rules whose port range exposes at least one of these TCP or UDP ports. All-traffic rules expose every port and are always reported; ICMP and other protocols have no ports and are not.'
        PortPolicy            = 'A compliance preset. All (default): every open rule. HighRiskPorts: Security Hub EC2.19''s high-risk ports (tcp, udp and all traffic). RestrictedSsh: AWS Config restricted-ssh (TCP 22). RestrictedCommonPorts: AWS Config restricted-common-ports (TCP 20, 21, 3389, 3306, 4333). AuthorizedPortsOnly: Security Hub EC2.18 - only TCP 80 and 443 are authorized, every other open rule is reported. Combines with -Port and the authorized-port parameters.'
        AuthorizedTcpPort     = 'TCP ports or ranges that may be open to the world (like AWS Config''s authorizedTcpPorts: 443, 1020-1025). A TCP rule whose every port is authorized is not reported; all-traffic, ICMP and other rules still are.'
        AuthorizedUdpPort     = 'UDP ports or ranges that may be open to the world (like AWS Config''s authorizedUdpPorts). A UDP rule whose every port is authorized is not reported.'
        BroadIpv4PrefixLength = 'Also counts IPv4 CIDRs of this prefix length or broader as open: 8 reports 10.0.0.0/8 and 0.0.0.0/1 as well as 0.0.0.0/0.'
        BroadIpv6PrefixLength = 'Also counts IPv6 CIDRs of this prefix length or broader as open: 16 reports 2000::/3 and 2001::/16 as well as ::/0.'
        IncludeCidr           = 'Further CIDRs that count as open, matched exactly (after normalisation), for example a partner range that should never be in a security group.'
        ExcludeGroupId        = 'Security groups that are exempt: their rules are never reported.'
        ExcludeGroupTag       = 'Security groups whose tags match are exempt. Each item is ''key'' (any value) or ''key=value''.'
        ExcludeRuleTag        = 'Rules whose own tags match are exempt. Each item is ''key'' or ''key=value''. Rule tags are known only in live scans.'
    }
    Inputs      = @(
        @{ Type = 'System.String'; Description = 'GroupId (live) or Path (offline), by property name: Get-EC2SecurityGroup output, or Get-ChildItem output for -Path.' }
    )
    Outputs     = @(
        @{ Type = 'SgNarrower.OpenIngressRule'; Description = 'One object per open rule: Region, OwnerId, VpcId, GroupId, GroupName, SecurityGroupRuleId, IpProtocol, FromPort and ToPort (-1 where EC2 has none), CidrIpv4 or CidrIpv6, Description, Tags (the rule''s), GroupTags, and the read-only Cidr and Ports.' }
    )
    Notes       = @'
Errors have stable ids: NoCredentials, ProfileNotFound, NoRegion, UnknownRegion (terminating, before any call); AccessDenied (naming the missing IAM action), AuthenticationFailed, Throttled, EndpointUnreachable (per region: other regions go on); SecurityGroupNotFound (per group); InvalidSecurityGroupFile, FileNotFound, PathIsFolder (terminating, naming the file); InvalidPolicy, InvalidExceptionFile, ExceptionFileUnreadable (terminating); CloudTrailUnreadable (per CloudTrail file: the others are still read).
Calls are paced to EC2's request buckets, and throttling that still happens (RequestLimitExceeded) is waited out patiently before a region is reported failed.
'@
    Examples    = @(
        @{
            Title   = 'Who opened each open rule'
            Code    = 'Get-OpenIngressRule -Region * -CloudTrailUri s3://org-trail-logs -OrganizationId o-a1b2c3d4e5 -ExpectedBucketOwner 999988887777 | Format-Table GroupId, Rule, OpenedBy, OpenedAt, OpenedWith'
            Remarks = 'Reads the organisation trail in the log-archive account''s bucket, for the last 90 days; rules opened before that say so in ProvenanceNote.'
        }
        @{
            Title   = 'Who may keep what open'
            Code    = 'Get-OpenIngressRule -Region * -ExceptionPath ./exceptions.json | Format-Table GroupId, Rule, ExceptionState, ExceptionOwner, ExceptionEnds'
            Remarks = 'Rules under a live exception show its owner and end; rules whose exception has ended show Ended; a warning names every exception that names no open rule (stale).'
        }
        @{
            Title   = 'What really exposes running resources'
            Code    = 'Get-OpenIngressRule -Region * -Exposure Public | Format-Table GroupId, Rule, Exposure, AttachedTo'
            Remarks = 'Only open rules of groups carried by something the internet can reach.'
        }
        @{
            Title   = 'Every enabled region of several accounts'
            Code    = 'Get-OpenIngressRule -AccountId 111111111111, 222222222222 -RoleName Audit -Region *'
            Remarks = 'Assumes the Audit role in each account and scans every enabled region of each, all at once.'
        }
        @{
            Title   = 'Scan the default region'
            Code    = 'Get-OpenIngressRule'
            Remarks = 'Lists every ingress rule open to 0.0.0.0/0 or ::/0 in the region of the default chain, as a table.'
        }
        @{
            Title   = 'Scan several regions with a profile'
            Code    = 'Get-OpenIngressRule -Region us-east-1, eu-west-1 -ProfileName audit -Verbose'
            Remarks = 'Uses the ''audit'' profile; -Verbose shows each DescribeSecurityGroups and DescribeSecurityGroupRules call.'
        }
        @{
            Title   = 'Only the high-risk ports of Security Hub EC2.19, in one VPC'
            Code    = 'Get-OpenIngressRule -Region us-east-1 -VpcId vpc-0abc1234 -PortPolicy HighRiskPorts'
            Remarks = 'Reports rules that expose SSH, RDP, databases and the other EC2.19 ports, and all-traffic rules.'
        }
        @{
            Title   = 'Allow web ports, report everything else'
            Code    = 'Get-OpenIngressRule -AuthorizedTcpPort 80, 443 -ExcludeGroupTag ''sgnarrower:exempt'''
            Remarks = 'Like AWS Config''s vpc-sg-open-only-to-authorized-ports; groups tagged sgnarrower:exempt are skipped.'
        }
        @{
            Title   = 'Scan a saved export, without AWS'
            Code    = @'
aws ec2 describe-security-groups > groups.json
Get-OpenIngressRule -Path groups.json -Region us-east-1 -BroadIpv4PrefixLength 8
'@
            Remarks = 'Reads the CLI''s JSON; also counts IPv4 ranges of /8 or broader as open.'
        }
        @{
            Title   = 'Which open rules expose something, from saved exports'
            Code    = @'
aws ec2 describe-security-groups > groups.json
aws ec2 describe-network-interfaces > interfaces.json
aws ec2 describe-route-tables > route-tables.json
Get-OpenIngressRule -Path groups.json -Region us-east-1 -NetworkInterfacePath interfaces.json -RouteTablePath route-tables.json -Exposure Public
'@
            Remarks = 'Exposure judged as it is live, with no AWS call.'
        }
        @{
            Title   = 'Find, record, then close'
            Code    = 'Get-OpenIngressRule -Port 22, 3389 | Export-IngressAudit -BucketName audit-bucket | Revoke-OpenIngressRule -WhatIf'
            Remarks = 'The objects bind to the next cmdlets by property name.'
        }
    )
    Links       = @('Export-IngressAudit', 'Revoke-OpenIngressRule', 'Restore-IngressRule')
}
