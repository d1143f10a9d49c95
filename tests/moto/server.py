"""moto's server for SgNarrower's tests, patched where moto differs from AWS's documented behaviour.

Usage: python3 server.py PORT   (binds 127.0.0.1 only)

moto is an independent emulator: the tests run the module's main pipelines against it as well as against the
project's own endpoint. Where moto and AWS's documentation differ, the documentation wins; each patch below says
what AWS does. Nothing here changes what moto answers where it already behaves as AWS documents.
"""

import json
import string
import sys
import threading

from werkzeug.serving import run_simple

from moto.ec2.exceptions import InvalidParameterValue, InvalidPermissionDuplicateError
from moto.ec2.models.security_groups import SecurityGroupBackend
from moto.ec2.responses.security_groups import SecurityGroups
from moto.core.responses import ActionResult
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

MAX_DESCRIPTION = 255
DESCRIPTION_CHARACTERS = set(string.ascii_letters + string.digits + " ._-:/()#,@[]+=&;{}!$*")
MAX_RULES_PER_FAMILY = 60
PROTOCOLS = {"tcp": "tcp", "6": "tcp", "udp": "udp", "17": "udp", "icmp": "icmp", "1": "icmp", "-1": "-1", "all": "-1"}


def check_description(description):
    # AWS (API Reference, IpRange.Description): "Constraints: Up to 255 characters in length. Allowed characters are
    # a-z, A-Z, 0-9, spaces, and ._-:/()#,@[]+=&;{}!$*" (InvalidParameterValue otherwise). moto stores anything.
    if description is not None and len(description) > MAX_DESCRIPTION:
        raise InvalidParameterValue(
            f"Invalid rule description. The description can be at most {MAX_DESCRIPTION} characters long."
        )
    if description is not None and any(c not in DESCRIPTION_CHARACTERS for c in description):
        raise InvalidParameterValue(
            "Invalid rule description. Valid descriptions are strings less than 256 characters from the following set: "
            "a-zA-Z0-9. _-:/()#,@[]+=&;{}!$*"
        )


def weight(backend, cidr_ipv4=None, cidr_ipv6=None, group=None, prefix_list_id=None):
    """What one rule counts as against its group's quota, (IPv4, IPv6).

    AWS (VPC User Guide, "Amazon VPC quotas"): 60 inbound rules per security group, "enforced separately for IPv4 rules
    and IPv6 rules"; "A rule that references a security group or AWS-managed prefix list ID counts as one rule for IPv4
    and one rule for IPv6"; "If you reference a customer-managed prefix list in a security group rule, the maximum
    number of entries for the prefix lists equals the same number of security group rules." moto counts both families
    together and a prefix list as one rule.
    """
    if cidr_ipv4:
        return 1, 0
    if cidr_ipv6:
        return 0, 1
    if prefix_list_id:
        pl = getattr(backend, "managed_prefix_lists", {}).get(prefix_list_id)
        if pl is not None and not str(pl.prefix_list_name or "").startswith("com.amazonaws.") and pl.max_entries:
            n = int(pl.max_entries)
            return (0, n) if str(pl.address_family).lower() == "ipv6" else (n, 0)
    return 1, 1


def rule_weight(backend, rule):
    return weight(backend, rule.ip_range.get("CidrIp"), rule.ip_range.get("CidrIpv6"), rule.source_group, rule.prefix_list_id)


def check_quota(backend, rules, added):
    v4 = v6 = 0
    for a, b in [rule_weight(backend, r) for r in rules] + added:
        v4 += a
        v6 += b
    if v4 > MAX_RULES_PER_FAMILY or v6 > MAX_RULES_PER_FAMILY:
        from moto.ec2.exceptions import RulesPerSecurityGroupLimitExceededError
        raise RulesPerSecurityGroupLimitExceededError


_pending_prefix_lists = []


def verify_group_will_respect_rule_count_limit(self, group, current_rule_nb, ip_ranges, source_groups=None, egress=False):
    added = []
    for item in ip_ranges or []:
        if isinstance(item, dict):
            added.append(weight(self, item.get("CidrIp"), item.get("CidrIpv6")))
        else:
            added.append(weight(self, None, item) if ":" in str(item) else weight(self, item))
    added += [weight(self, group=g) for g in source_groups or []]
    added += [weight(self, prefix_list_id=p.get("PrefixListId") if isinstance(p, dict) else p) for p in _pending_prefix_lists]
    check_quota(self, group.egress_rules if egress else group.ingress_rules, added)


_authorize_ingress = SecurityGroupBackend.authorize_security_group_ingress


def authorize_security_group_ingress(self, *args, **kwargs):
    for key in ("ip_ranges", "source_groups", "prefix_list_ids"):
        for item in kwargs.get(key) or []:
            if isinstance(item, dict):
                check_description(item.get("Description"))
    # The quota check below is handed the ranges and groups only; the prefix lists of this call wait here for it.
    _pending_prefix_lists[:] = kwargs.get("prefix_list_ids") or []
    try:
        return _authorize_ingress(self, *args, **kwargs)
    finally:
        _pending_prefix_lists.clear()


def authorize_ingress_response(self):
    # AWS: AuthorizeSecurityGroupIngress is atomic and answers SecurityGroupRules for every rule it created.
    # moto answers the rules of the last permission only and keeps earlier permissions when a later one fails.
    self.error_on_dryrun()
    created, groups = [], []
    try:
        for kwargs in self._process_rules_from_querystring():
            rules, group = self.ec2_backend.authorize_security_group_ingress(**kwargs)
            created.extend(rules)
            groups.append(group)
    except Exception:
        ids = {r.id for r in created}
        for group in groups:
            group.ingress_rules = [r for r in group.ingress_rules if r.id not in ids]
        raise
    return ActionResult({"Return": True, "SecurityGroupRules": created})


def modify_security_group_rules(self, group_id, rules):
    # AWS: ModifySecurityGroupRules replaces each rule as given (protocol, ports, one source of any kind, and the
    # description, an omitted one leaving none), keeping its id and tags; atomic per call. moto applies only
    # CidrIpv4 and keeps an omitted description.
    group = self.get_security_group_by_name_or_id(group_id)
    if group is None:
        from moto.ec2.exceptions import InvalidSecurityGroupNotFoundError
        raise InvalidSecurityGroupNotFoundError(group_id)
    planned = []
    for rule_id, new in rules.items():
        existing = group.get_rule(rule_id)
        if existing is None:
            from moto.ec2.exceptions import InvalidSecurityGroupRuleIdNotFoundError
            raise InvalidSecurityGroupRuleIdNotFoundError(rule_id)
        sources = [k for k in ("CidrIpv4", "CidrIpv6", "PrefixListId", "ReferencedGroupId") if new.get(k) is not None]
        if len(sources) != 1:
            raise InvalidParameterValue("A rule needs exactly one of CidrIpv4, CidrIpv6, PrefixListId or ReferencedGroupId.")
        # AWS (API Reference, SecurityGroupRuleRequest): "When you modify a rule, you cannot change the rule type. For
        # example, if the rule uses an IPv4 address range, you must use CidrIpv4 to specify a new IPv4 address range."
        # moto lets the type change.
        kind = ("CidrIpv4" if existing.ip_range.get("CidrIp") else "CidrIpv6" if existing.ip_range.get("CidrIpv6")
                else "PrefixListId" if existing.prefix_list_id else "ReferencedGroupId")
        if sources[0] != kind:
            raise InvalidParameterValue(f"You cannot change the type of security group rule {rule_id} from {kind} to {sources[0]}.")
        protocol = str(new.get("IpProtocol") or "")
        protocol = PROTOCOLS.get(protocol.lower(), protocol)
        if not protocol:
            raise InvalidParameterValue("Invalid value 'null' for protocol.")
        description = new.get("Description")
        check_description(description)
        planned.append((existing, protocol, new, sources[0], description or None))
    for existing, protocol, new, kind, description in planned:
        existing.ip_protocol = protocol
        if protocol == "-1":
            existing.from_port = existing.to_port = None
        else:
            existing.from_port = int(new["FromPort"]) if new.get("FromPort") is not None else None
            existing.to_port = int(new["ToPort"]) if new.get("ToPort") is not None else None
        ip_range = {}
        existing.source_group = {}
        existing.prefix_list_id = None
        if kind == "CidrIpv4":
            ip_range["CidrIp"] = new["CidrIpv4"]
        elif kind == "CidrIpv6":
            ip_range["CidrIpv6"] = new["CidrIpv6"]
        elif kind == "PrefixListId":
            existing.prefix_list_id = new["PrefixListId"]
        else:
            existing.source_group = {"GroupId": new["ReferencedGroupId"], "UserId": self.account_id}
        if description is not None:
            ip_range["Description"] = description
        existing.ip_range = ip_range
    for existing, *_ in planned:
        if any(other is not existing and other == existing for other in group.ingress_rules):
            raise InvalidPermissionDuplicateError()


from moto.kms.models import Key as KmsKey

_kms_key_to_dict = KmsKey.to_dict


def kms_key_to_dict(self):
    # AWS (KMS API Reference, KeyMetadata.MacAlgorithms): "The message authentication code (MAC) algorithm that the HMAC
    # KMS key supports. This value is present only when the KeyUsage of the KMS key is GENERATE_VERIFY_MAC." moto leaves
    # it out.
    answer = _kms_key_to_dict(self)
    spec = str(self.key_spec or "")
    if self.key_usage == "GENERATE_VERIFY_MAC" and spec.startswith("HMAC_"):
        answer["KeyMetadata"]["MacAlgorithms"] = ["HMAC_SHA_" + spec[len("HMAC_"):]]
    return answer


KmsKey.to_dict = kms_key_to_dict

from moto.ec2.models.tags import TagBackend

_create_tags = TagBackend.create_tags


def create_tags(self, resource_ids, tags):
    # AWS (EC2 User Guide, "Tag restrictions"): keys up to 128 and values up to 256 Unicode characters. moto stores any.
    for key, value in tags.items():
        if len(key) > 128:
            raise InvalidParameterValue(f"Tag key exceeds the maximum length of 128 characters: {key}")
        if value is not None and len(value) > 256:
            raise InvalidParameterValue(f"Tag value exceeds the maximum length of 256 characters ({len(value)} given)")
    return _create_tags(self, resource_ids, tags)


TagBackend.create_tags = create_tags
SecurityGroupBackend.authorize_security_group_ingress = authorize_security_group_ingress
SecurityGroupBackend._verify_group_will_respect_rule_count_limit = verify_group_will_respect_rule_count_limit
SecurityGroupBackend.modify_security_group_rules = modify_security_group_rules
SecurityGroups.authorize_security_group_ingress = authorize_ingress_response


class ExpectedBucketOwner:
    """AWS (S3 API Reference, ExpectedBucketOwner / x-amz-expected-bucket-owner): "If the account ID that you provide
    does not match the actual owner of the bucket, the request fails with the HTTP status code 403 Forbidden (access
    denied)." moto ignores the header. Buckets are addressed path-style here (/bucket/key)."""

    def __init__(self, app):
        self._app = app

    def __call__(self, environ, start_response):
        expected = environ.get("HTTP_X_AMZ_EXPECTED_BUCKET_OWNER")
        if expected:
            from moto.s3.models import s3_backends
            bucket = environ.get("PATH_INFO", "/").lstrip("/").split("/", 1)[0]
            owner = s3_backends.bucket_accounts.get(bucket)
            if owner is not None and owner[1] != expected:
                body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message>"
                        "<RequestId>expected-bucket-owner</RequestId></Error>").encode()
                start_response("403 Forbidden", [("Content-Type", "application/xml"), ("Content-Length", str(len(body)))])
                return [body]
        return self._app(environ, start_response)


class KmsCallLog:
    """Not a patch: the KMS actions called, for the tests that check the least-privilege policies against what the
    module calls (GET /_sgnarrower/kms-calls; POST /_sgnarrower/kms-calls/reset)."""

    def __init__(self, app):
        self._app = app
        self.calls = []

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith("/_sgnarrower/kms-calls"):
            if environ.get("REQUEST_METHOD") == "POST":
                self.calls.clear()
            body = json.dumps(self.calls).encode()
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if target.startswith("TrentService."):
            self.calls.append("kms:" + target.split(".", 1)[1])
        return self._app(environ, start_response)


class OneCallAtATime:
    """AWS applies each call atomically; moto's handlers are not safe to interleave (two revokes of the same rule
    could both pass its existence check). Requests are served one at a time."""

    def __init__(self, app):
        self._app = app
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self._lock:
            return list(self._app(environ, start_response))


def main():
    port = int(sys.argv[1])
    app = DomainDispatcherApplication(create_backend_app)
    run_simple("127.0.0.1", port, OneCallAtATime(KmsCallLog(ExpectedBucketOwner(app))), threaded=True)


if __name__ == "__main__":
    main()
