"""moto's server for SgNarrower's tests, patched where moto differs from AWS's documented behaviour.

Usage: python3 server.py PORT   (binds 127.0.0.1 only)

moto is an independent emulator: the tests run the module's main pipelines against it as well as against the
project's own endpoint. Where moto and AWS's documentation differ, the documentation wins; each patch below says
what AWS does. Nothing here changes what moto answers where it already behaves as AWS documents.
"""

import sys
import threading

from werkzeug.serving import run_simple

from moto.ec2.exceptions import InvalidParameterValue, InvalidPermissionDuplicateError
from moto.ec2.models.security_groups import SecurityGroupBackend
from moto.ec2.responses.security_groups import SecurityGroups
from moto.core.responses import ActionResult
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

MAX_DESCRIPTION = 255
PROTOCOLS = {"tcp": "tcp", "6": "tcp", "udp": "udp", "17": "udp", "icmp": "icmp", "1": "icmp", "-1": "-1", "all": "-1"}


def check_description(description):
    # AWS: a rule description is at most 255 characters (InvalidParameterValue beyond). moto stores any length.
    if description is not None and len(description) > MAX_DESCRIPTION:
        raise InvalidParameterValue(
            f"Invalid rule description. The description can be at most {MAX_DESCRIPTION} characters long."
        )


_authorize_ingress = SecurityGroupBackend.authorize_security_group_ingress


def authorize_security_group_ingress(self, *args, **kwargs):
    for key in ("ip_ranges", "source_groups", "prefix_list_ids"):
        for item in kwargs.get(key) or []:
            if isinstance(item, dict):
                check_description(item.get("Description"))
    return _authorize_ingress(self, *args, **kwargs)


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


SecurityGroupBackend.authorize_security_group_ingress = authorize_security_group_ingress
SecurityGroupBackend.modify_security_group_rules = modify_security_group_rules
SecurityGroups.authorize_security_group_ingress = authorize_ingress_response


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
    run_simple("127.0.0.1", port, OneCallAtATime(app), threaded=True)


if __name__ == "__main__":
    main()
