@{
    Synopsis    = 'Revokes ingress rules open to the world, or narrows them to the sources you name.'
    Description = @'
Revoke-OpenIngressRule removes the rules that come down the pipeline - Get-OpenIngressRule output, Export-IngressAudit output, change results, Import-Csv, ConvertFrom-Json or Import-Clixml of a record - reading each object's GroupId, SecurityGroupRuleId, Region, IpProtocol, FromPort, ToPort and CidrIpv4 or CidrIpv6 by property name. Or name one rule directly with -GroupId and -SecurityGroupRuleId, or -GroupId with its fields.

Input is complete or refused. GroupId, IpProtocol, a source (CidrIpv4, CidrIpv6 or PrefixListId) and, for tcp and udp, FromPort and ToPort (0-65535; for ICMP the type and code, -1 to 255) must be there. An object that lacks one, or holds a value out of range, is a non-terminating InvalidRuleObject error and is left alone; nothing is ever defaulted.

Every change is planned against the group as EC2 holds it now, ahead of the changes: as rules arrive, each account and region takes what has come (200 groups, or what came within a second, or the rest once the input ends), reads those groups' live ingress rules (DescribeSecurityGroupRules, 200 groups and 1000 rules a call), asks and journals, and makes that batch's changes while the next is planned. The first changes go out while Get-OpenIngressRule is still scanning. A rule's identity is what it allows - protocol, ports and source - and a recorded rule id is only a hint: it is used when the live rule with that id still allows exactly the recorded thing; otherwise the same rule is looked up by identity (a new id is fine, for example after a restore); otherwise the rule is AlreadyAbsent, with the reason. A live rule that allows something else is never touched, even when it has the recorded id (a rule edited in place keeps its id).

The object's own Region always wins; -Region is only for objects that carry none (and without it, the default chain's region). A group that does not exist in the rule's own region is AlreadyAbsent (it was deleted). A group that does not exist in a region taken from -Region or the default chain is a SecurityGroupNotFound error: the rule may live elsewhere.

Rules of the same group are revoked together in one RevokeSecurityGroupIngress call by their live ids. Results come from what EC2 says it removed. A call EC2 answered with an error changed nothing: a planned rule gone by then was removed by someone else (another run, the event closer, an admin) and is AlreadyAbsent with that reason, never Revoked, so two runs over the same rules never both claim one. Only after a reply that never came (a dropped connection, a timeout, a 5xx) does one more describe of the group decide: a rule that was there before this run's call and is gone after it was revoked. So a lost reply never turns into AlreadyAbsent.

With -ReplaceWith the rules are narrowed, never widened. IPv4 CIDRs replace 0.0.0.0/0 rules, IPv6 CIDRs replace ::/0 rules, and security group ids replace either; a CIDR replaces a broader rule only if it lies inside it. An open rule with no replacement of its own family stays as it is, with status Failed and a NoReplacementForFamily error that says how to narrow it. Replacements are trimmed; a value with a control or bidirectional character (NUL included) is refused, as is one broader than IPv4 /8 or IPv6 /32, or with host bits set, is refused before anything happens (InvalidReplacement). Narrowing costs one mutating call per kind per group. EC2 edits a rule in place only into a source of its own type (an IPv4 block into an IPv4 block, IPv6 into IPv6, a prefix list into a prefix list, a group reference into a group reference: API Reference, SecurityGroupRuleRequest), so each open rule is edited in place into its first replacement of its own type with one ModifySecurityGroupRules per group (atomic, the rule keeps its id, description 'SgNarrower: replaces <source> (<rule id>)'), after CreateTags adds the run id of the record that holds it (Export-IngressAudit's run, else this run's journal) to its sgnarrower:narrowed tag. Every other replacement is granted first, with one AuthorizeSecurityGroupIngress per group, tagged sgnarrower:replacement with that run id; an open rule with no replacement of its own type (0.0.0.0/0 narrowed to a security group, a prefix list narrowed to its measured CIDR cover) is then revoked, and its result names the new rules in NewRuleIds. A replacement that exists already is used as it is and the open rule is revoked; one that another run added gets this run's id added to its tags, so that restoring either run leaves the other's access. Run ids are never cut: past what one tag value holds (256 characters) they go on in sgnarrower:replacement.2, .3 and so on.

Quotas are known before the first call. A group holds at most 60 inbound rules per address family (VPC User Guide, Amazon VPC quotas); a group reference or AWS-managed prefix list counts once in each family, a customer-managed prefix list as its MaxEntries (read with DescribeManagedPrefixLists). Every grant of a group goes out before anything is revoked, so a narrowing that would take the group past its quota is refused before anything is granted: the rule stays as it is, status Failed, error RuleQuotaExceeded naming the group, its count and the quota. If the account's quota is raised, say so with -RuleQuota.

All or nothing per rule: a rule reported Failed has nothing changed for it. If a grant, the edit or the revoke fails part-way, the replacements this run granted for that rule are revoked again and checked, and the tags it added are set back. Only if that too fails is the rule Incomplete (error ChangeNotTakenBack), naming what was left to remove by hand.

Accounts and regions: each rule is changed in its own account (OwnerId) and region; with -RoleName the role is assumed in each account. Every (account, region) is planned and changed at once (at most -ThrottleLimit), paced to EC2's request buckets (see -RateShare); the results, errors and progress are written by the pipeline as each group finishes.

Nothing is revoked without a record. Rules that did not come through Export-IngressAudit, and rules whose description changed since they were recorded, are journaled as EC2 holds them now - the same format as Export-IngressAudit's JSON Lines - before any change, to -AuditPath or to the journal folder (<LocalApplicationData>/SgNarrower/journal: ~/.local/share/SgNarrower/journal on Linux and macOS, %LOCALAPPDATA%\SgNarrower\journal on Windows). If it cannot be written, nothing is revoked. With -SigningKeyId the journal is signed as Export-IngressAudit signs records (<journal>.sig beside it). -SkipAudit turns the journal off.

Exceptions: a rule under an exception that has not ended is not changed: its status is Excepted, and Error names the exception, its owner and its end. Give the exceptions file as it is now with -ExceptionPath or -ExceptionUri (see Get-Help Get-OpenIngressRule for its format), and it decides for every rule, whatever the input says; without it, a rule that comes marked ExceptionState Live (from Get-OpenIngressRule -ExceptionPath, or a record) is left while its ExceptionEnds lies ahead. An exception past its end leaves its rule in scope.

Calls are paced to EC2's request buckets (see -RateShare), and within an account and region up to 50 groups are changed at once, so that the bucket, not the time EC2 takes to answer, sets the pace; one group's calls stay in order and never overlap, and the results come out in the order planned. Throttling that still happens (RequestLimitExceeded) is waited out patiently, and a rule whose change still fails is reported as Failed, never silently lost.

Required IAM actions: ec2:DescribeSecurityGroupRules, ec2:DescribeSecurityGroups, ec2:RevokeSecurityGroupIngress; with -ReplaceWith also ec2:ModifySecurityGroupRules, ec2:AuthorizeSecurityGroupIngress and ec2:CreateTags; with -RoleName sts:AssumeRole on the role.
'@
    Parameters  = @{
        ExceptionPath       = 'An exceptions file (.json, .csv or .psd1) as it is now: a rule it keeps open is not changed (Excepted), whatever the input says. A file with any bad entry stops the command before anything is changed.'
        ExceptionUri        = 'An exceptions file in S3 (s3://bucket/key), read with the bucket''s owner: -ExpectedBucketOwner, else the caller''s own account.'
        ExpectedBucketOwner = 'The 12-digit account id that owns the bucket of -ExceptionUri, where it is not the caller''s own.'
        AccountId           = 'The account for rules that do not name one (OwnerId). A rule''s own OwnerId always wins. With -RoleName the role is assumed in each rule''s account; without it, a rule of another account than the caller''s is refused (AccountMismatch), never looked for in the wrong account.'
        InputObject         = 'Rules from the pipeline, read by property name: Get-OpenIngressRule and Export-IngressAudit output, change results, Import-Csv, ConvertFrom-Json or Import-Clixml of a record.'
        GroupId             = 'Names one rule directly: its security group (with -SecurityGroupRuleId, or with -IpProtocol, -FromPort, -ToPort and -CidrIpv4 or -CidrIpv6).'
        SecurityGroupRuleId = 'Names one rule directly by id (sgr-...), with -GroupId. Given alone, the rule is revoked as EC2 holds it now, and journaled first.'
        IpProtocol          = 'With -GroupId: the rule''s protocol (tcp, udp, icmp, icmpv6, -1 for all traffic, or a number).'
        FromPort            = 'With -GroupId: the first port (ICMP: the type, -1 for all). Required for tcp, udp, icmp and icmpv6.'
        ToPort              = 'With -GroupId: the last port (ICMP: the code, -1 for all). Required for tcp, udp, icmp and icmpv6.'
        CidrIpv4            = 'With -GroupId: the rule''s IPv4 source.'
        CidrIpv6            = 'With -GroupId: the rule''s IPv6 source.'
        Region              = 'The region of rules that carry none. A rule''s own Region always wins. Without either, the region of the default chain.'
        ReplaceWith         = 'Narrow instead of close: CIDR blocks (IPv4 /8 or narrower, IPv6 /32 or narrower, network addresses) and/or security group ids. Each rule gets those of its own family (and the groups), before it is removed.'
        SigningKeyId        = 'A KMS key (id, ARN or alias) that signs the journal, as Export-IngressAudit -SigningKeyId signs its records, so that a restore from it can prove SgNarrower wrote it.'
        AuditPath           = 'Where to write the journal of rules that were not recorded by Export-IngressAudit (or changed since): a file, or a folder for a new per-run file.'
        SkipAudit           = 'Revokes rules without a record and without writing a journal. Only when you really do not need to put them back.'
        RuleQuota           = 'Inbound rules a group may hold per address family: 60 by default, as EC2; give the account''s raised quota (Service Quotas L-0EA8095F) if it has one. A narrowing that would take a group past it is refused before anything is granted (RuleQuotaExceeded).'
        Force               = 'Does not ask for confirmation. -WhatIf still wins.'
    }
    Inputs      = @(
        @{ Type = 'SgNarrower.OpenIngressRule'; Description = 'Or a change result, or any object with the rule''s property names (Import-Csv, ConvertFrom-Json, Import-Clixml of a record).' }
    )
    Outputs     = @(
        @{ Type = 'SgNarrower.IngressRuleChange'; Description = 'One per input rule: the rule''s properties (for a changed rule, its id and description as EC2 held them), Status (Revoked, Narrowed, AlreadyAbsent, Skipped, Failed), Error, ErrorId, ReplacedWith and NewRuleIds, and the exposure and evidence the rule came with (Exposure, Recommendation, RecommendationReason, ObservedSources...). Results pipe into Export-IngressAudit, Export-IngressReport and Restore-IngressRule.' }
    )
    Notes       = @'
Errors: per group (other groups go on): AccessDenied (names the IAM action), Throttled, AuthenticationFailed, EndpointUnreachable, SecurityGroupNotFound (a region given by -Region that holds no such group), ChangeNotVerified; per rule: NoReplacementForFamily; per input object: InvalidRuleObject. Terminating: InvalidReplacement, AuditFileNotWritten (nothing revoked), NoCredentials, ProfileNotFound, NoRegion.
'@
    Examples    = @(
        @{
            Title   = 'Preview'
            Code    = 'Get-OpenIngressRule | Revoke-OpenIngressRule -WhatIf'
            Remarks = 'Reads the groups as they are now and says, rule by rule, what would be revoked. Nothing is changed and no journal is written.'
        }
        @{
            Title   = 'Narrow both families'
            Code    = 'Get-OpenIngressRule -Port 443 | Revoke-OpenIngressRule -ReplaceWith 203.0.113.0/24, 2001:db8:1::/48 -Force'
            Remarks = '0.0.0.0/0 rules get the IPv4 range, ::/0 rules the IPv6 range. Neither gets the other family.'
        }
        @{
            Title   = 'Across an organisation'
            Code    = 'Get-OpenIngressRule -AccountId 111111111111, 222222222222 -RoleName Audit -Region * | Export-IngressAudit -BucketName central-audit | Revoke-OpenIngressRule -RoleName Remediate -Force'
            Remarks = 'Scans every enabled region of both accounts at once, records centrally with the caller''s credentials, and revokes each rule in its own account through the Remediate role.'
        }
        @{
            Title   = 'One rule by id'
            Code    = 'Revoke-OpenIngressRule -GroupId sg-0123456789abcdef0 -SecurityGroupRuleId sgr-0123456789abcdef0 -Region eu-west-1'
            Remarks = 'The rule is read from EC2, journaled, then revoked after a prompt.'
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
