"""Sets up and reads moto's state for SgNarrower's tests, through boto3 (moto's own client), never through the module.

Usage: python3 world.py URL COMMAND < request.json > answer.json

  seed   {"accounts": {"123456789012": {"us-east-2": [GROUP, ...]}}, "buckets": [{"name": "audit", "region": "us-east-1", "account": ...}],
          "keys": [{"alias": "alias/records", "spec": "ECC_NIST_P256", "account": ..., "region": ...}]}
         GROUP = {"name": "web", "rules": [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIpv4": "0.0.0.0/0",
                  "Description": "ssh"}]}
         answers {"123456789012/us-east-2/web": "sg-...", "kms/alias/records": "arn:aws:kms:...", ...}
  put-object {"bucket", "key", "body", "account", "gzip"}   get-object {"bucket", "key", "account"} -> {"body"}
  rules  {"accounts": ["123456789012"], "regions": ["us-east-2"]}
         answers every ingress rule of every group: [{"Account", "Region", "GroupId", "GroupName", "SecurityGroupRuleId",
         "IpProtocol", "FromPort", "ToPort", "CidrIpv4", "CidrIpv6", "PrefixListId", "ReferencedGroupId", "Description",
         "Tags"}]

The caller's own account is moto's default (123456789012, any access key); another account is reached by assuming a
role in it through moto's STS, as the module does.
"""

import json
import os
import sys

for name in list(os.environ):
    if name.startswith("AWS_"):
        del os.environ[name]
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"

import boto3  # noqa: E402

DEFAULT_ACCOUNT = "123456789012"


def session_for(url, account):
    if account == DEFAULT_ACCOUNT:
        return boto3.session.Session(aws_access_key_id="seed", aws_secret_access_key="seed")
    sts = boto3.client("sts", endpoint_url=url, region_name="us-east-1", aws_access_key_id="seed", aws_secret_access_key="seed")
    creds = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/SgNarrowerSeed", RoleSessionName="seed")["Credentials"]
    return boto3.session.Session(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                                 aws_session_token=creds["SessionToken"])


def permission(rule):
    p = {"IpProtocol": rule["IpProtocol"]}
    if rule["IpProtocol"] not in ("-1",):
        p["FromPort"] = rule.get("FromPort", -1)
        p["ToPort"] = rule.get("ToPort", -1)
    d = {"Description": rule["Description"]} if rule.get("Description") else {}
    if rule.get("CidrIpv4"):
        p["IpRanges"] = [dict(CidrIp=rule["CidrIpv4"], **d)]
    elif rule.get("CidrIpv6"):
        p["Ipv6Ranges"] = [dict(CidrIpv6=rule["CidrIpv6"], **d)]
    elif rule.get("ReferencedGroupId"):
        p["UserIdGroupPairs"] = [dict(GroupId=rule["ReferencedGroupId"], **d)]
    return p


def seed(url, request):
    answer = {}
    for account, regions in request.get("accounts", {}).items():
        session = session_for(url, account)
        for region, groups in regions.items():
            ec2 = session.client("ec2", endpoint_url=url, region_name=region)
            vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
            for group in groups:
                gid = ec2.create_security_group(GroupName=group["name"], Description=group.get("description", group["name"]), VpcId=vpc)["GroupId"]
                answer[f"{account}/{region}/{group['name']}"] = gid
                rules = group.get("rules", [])
                for rule in rules:
                    # One call per rule, so that each rule keeps its own description.
                    ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=[permission(rule)])
    for bucket in request.get("buckets", []):
        session = session_for(url, bucket.get("account", DEFAULT_ACCOUNT))
        s3 = session.client("s3", endpoint_url=url, region_name=bucket.get("region", "us-east-1"))
        args = {"Bucket": bucket["name"]}
        if bucket.get("region", "us-east-1") != "us-east-1":
            args["CreateBucketConfiguration"] = {"LocationConstraint": bucket["region"]}
        s3.create_bucket(**args)
    # KMS keys that sign records: {"alias": "alias/x", "spec": "ECC_NIST_P256" | "HMAC_256" | ..., "account", "region"}.
    for key in request.get("keys", []):
        session = session_for(url, key.get("account", DEFAULT_ACCOUNT))
        kms = session.client("kms", endpoint_url=url, region_name=key.get("region", "us-east-1"))
        spec = key.get("spec", "ECC_NIST_P256")
        usage = "GENERATE_VERIFY_MAC" if spec.startswith("HMAC") else "SIGN_VERIFY"
        meta = kms.create_key(KeySpec=spec, KeyUsage=usage)["KeyMetadata"]
        kms.create_alias(AliasName=key["alias"], TargetKeyId=meta["KeyId"])
        answer["kms/" + key["alias"]] = meta["Arn"]
    return answer


def rules(url, request):
    answer = []
    for account in request["accounts"]:
        session = session_for(url, account)
        for region in request["regions"]:
            ec2 = session.client("ec2", endpoint_url=url, region_name=region)
            names = {g["GroupId"]: g["GroupName"] for g in ec2.describe_security_groups()["SecurityGroups"]}
            for r in ec2.describe_security_group_rules()["SecurityGroupRules"]:
                if r.get("IsEgress"):
                    continue
                answer.append({
                    "Account": account, "Region": region, "GroupId": r["GroupId"], "GroupName": names.get(r["GroupId"]),
                    "SecurityGroupRuleId": r["SecurityGroupRuleId"], "IpProtocol": r["IpProtocol"],
                    "FromPort": r.get("FromPort", -1), "ToPort": r.get("ToPort", -1),
                    "CidrIpv4": r.get("CidrIpv4"), "CidrIpv6": r.get("CidrIpv6"), "PrefixListId": r.get("PrefixListId"),
                    "ReferencedGroupId": (r.get("ReferencedGroupInfo") or {}).get("GroupId"),
                    "Description": r.get("Description") or None,
                    "Tags": {t["Key"]: t["Value"] for t in r.get("Tags", [])},
                })
    return answer


def put_object(url, request):
    """Writes an object as the given account's principal would (a log shipper, a forger with s3:PutObject)."""
    s3 = session_for(url, request.get("account", DEFAULT_ACCOUNT)).client("s3", endpoint_url=url, region_name="us-east-1")
    body = request["body"].encode("utf-8")
    if request.get("gzip"):
        # As CloudTrail delivers its log files.
        import gzip
        body = gzip.compress(body)
    s3.put_object(Bucket=request["bucket"], Key=request["key"], Body=body)
    return {}


def get_object(url, request):
    s3 = session_for(url, request.get("account", DEFAULT_ACCOUNT)).client("s3", endpoint_url=url, region_name="us-east-1")
    try:
        return {"body": s3.get_object(Bucket=request["bucket"], Key=request["key"])["Body"].read().decode("utf-8")}
    except s3.exceptions.NoSuchKey:
        return {"body": None}


def main():
    url, command = sys.argv[1], sys.argv[2]
    if not url.startswith("http://127.0.0.1:"):
        raise SystemExit("world.py talks only to a server on 127.0.0.1")
    request = json.load(sys.stdin)
    answer = {"seed": seed, "rules": rules, "put-object": put_object, "get-object": get_object}[command](url, request)
    json.dump(answer, sys.stdout)


if __name__ == "__main__":
    main()
