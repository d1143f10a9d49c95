@{
    Synopsis    = 'Revokes ingress rules open to the world, or narrows them to the sources you name.'
    Description = @'
Revoke-OpenIngressRule removes the rules that come down the pipeline - Get-OpenIngressRule output, Export-IngressAudit output, Import-Csv or ConvertFrom-Json of a record - binding GroupId, SecurityGroupRuleId, Region, IpProtocol, FromPort, ToPort, CidrIpv4 and CidrIpv6 by property name.

Rules of the same group and region are revoked together in one RevokeSecurityGroupIngress call (by rule id; by protocol, ports and source for rules without an id). A rule that is already gone does not make the others fail: outside the default VPC EC2 refuses the whole call when one rule is missing, so SgNarrower then describes the group's rules, reports the missing ones as AlreadyAbsent, and revokes the rest in one more call. A group deleted in the meantime makes its rules AlreadyAbsent.

With -ReplaceWith (CIDR blocks and/or security group ids), each open rule is narrowed: first the same protocol and ports are granted to every replacement source in one AuthorizeSecurityGroupIngress call per group (description 'SgNarrower: replaces <cidr> (<rule id>)', tag sgnarrower:replacement), then the open rule is revoked. A replacement that already exists is fine. If granting fails, the open rule stays and the error says so: nobody is locked out halfway.

Nothing is revoked without a record. Objects that came through Export-IngressAudit carry their record (AuditUri). For the others, a journal - the same format as Export-IngressAudit's JSON Lines - is written before any AWS call, to -AuditPath or to the journal folder (<LocalApplicationData>/SgNarrower/journal: ~/.local/share/SgNarrower/journal on Linux and macOS, %LOCALAPPDATA%\SgNarrower\journal on Windows). -SkipAudit turns that off.

Throttling (RequestLimitExceeded) is retried with backoff by the SDK's standard retry mode; a rule whose change still fails is reported as Failed, never silently lost.

Required IAM actions: ec2:RevokeSecurityGroupIngress, ec2:DescribeSecurityGroupRules, and with -ReplaceWith ec2:AuthorizeSecurityGroupIngress and ec2:CreateTags (for the rule tags).
'@
    Parameters  = @{
        GroupId             = 'The security group of the rule. Binds by property name.'
        SecurityGroupRuleId = 'The rule id (sgr-...). With it the rule is revoked by id; without it, by protocol, ports and CIDR.'
        IpProtocol          = 'tcp, udp, icmp, icmpv6, -1 (all traffic) or a protocol number.'
        FromPort            = 'The first port (ICMP: the type); -1 or empty where the protocol has none.'
        ToPort              = 'The last port (ICMP: the code); -1 or empty where the protocol has none.'
        CidrIpv4            = 'The rule''s IPv4 source.'
        CidrIpv6            = 'The rule''s IPv6 source.'
        Description         = 'The rule''s description, kept in the journal and the results.'
        GroupName           = 'The group''s name, kept in the journal and the results.'
        VpcId               = 'The group''s VPC, kept in the journal and the results.'
        OwnerId             = 'The account that owns the group, kept in the journal and the results.'
        Tags                = 'The rule''s tags, kept in the journal and the results.'
        GroupTags           = 'The group''s tags, kept in the journal and the results.'
        AuditUri            = 'Where the rule was recorded (set by Export-IngressAudit). Rules without it are journaled before anything is revoked.'
        AuditRunId          = 'The run id of the record the rule is in.'
        Region              = 'The region of rules that do not carry one. Without it, the region of the default chain.'
        ReplaceWith         = 'Narrow instead of close: CIDR blocks (IPv4 or IPv6, not the world) and/or security group ids that get the same protocol and ports before the open rule is removed.'
        AuditPath           = 'Where to write the journal of rules that were not recorded by Export-IngressAudit: a file, or a folder for a new per-run file.'
        SkipAudit           = 'Revokes rules without a record and without writing a journal. Only when you really do not need to put them back.'
        Force               = 'Does not ask for confirmation. -WhatIf still wins.'
    }
    Inputs      = @(
        @{ Type = 'SgNarrower.OpenIngressRule'; Description = 'Or any object with GroupId and the rule''s other properties (Import-Csv, ConvertFrom-Json of a record).' }
    )
    Outputs     = @(
        @{ Type = 'SgNarrower.IngressRuleChange'; Description = 'One per input rule: the rule''s properties, Status (Revoked, Narrowed, AlreadyAbsent, Skipped, Failed), Error, ErrorId, ReplacedWith and NewRuleIds. Results pipe into Export-IngressAudit and Restore-IngressRule.' }
    )
    Notes       = @'
Errors: per group (other groups go on): AccessDenied (names ec2:RevokeSecurityGroupIngress or ec2:AuthorizeSecurityGroupIngress), Throttled, AuthenticationFailed, EndpointUnreachable; per input object: InvalidRuleObject. Terminating: InvalidReplacement, AuditFileNotWritten (nothing revoked), NoCredentials, ProfileNotFound, NoRegion.
'@
    Examples    = @(
        @{
            Title   = 'Preview'
            Code    = 'Get-OpenIngressRule | Revoke-OpenIngressRule -WhatIf'
            Remarks = 'Says, rule by rule, what would be revoked. Nothing is changed and no journal is written.'
        }
        @{
            Title   = 'Record in S3, then narrow to the office range'
            Code    = 'Get-OpenIngressRule -Port 22 | Export-IngressAudit -BucketName audit | Revoke-OpenIngressRule -ReplaceWith 203.0.113.0/24 -Force'
            Remarks = 'SSH stays reachable from 203.0.113.0/24 before the 0.0.0.0/0 rule goes.'
        }
        @{
            Title   = 'Revoke from a CSV record'
            Code    = 'Import-Csv open-rules.csv | Revoke-OpenIngressRule -Confirm'
            Remarks = 'Asks before each rule.'
        }
        @{
            Title   = 'Revoke and keep the results'
            Code    = 'Get-OpenIngressRule | Revoke-OpenIngressRule -AuditPath ./journal -Force | Export-IngressAudit -Path ./results.jsonl'
            Remarks = 'The journal is written before the revoke; the results, with their statuses, after.'
        }
    )
    Links       = @('Get-OpenIngressRule', 'Export-IngressAudit', 'Restore-IngressRule')
}
