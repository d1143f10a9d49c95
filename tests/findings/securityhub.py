"""Imports ASFF files into an emulator's Security Hub and reads the findings back, through boto3.

Usage: python3 securityhub.py URL import FILE...               answers {"imported": N, "failed": [...]}, summed over calls
       python3 securityhub.py URL findings ACCOUNT/REGION...  answers every finding held there (GetFindings, all pages)

Each file is imported with the credentials of its findings' account (a finding is imported in its own account and
region): moto's default account directly, any other through moto's STS, as world.py does.
"""

import json
import os
import sys

for name in list(os.environ):
    if name.startswith("AWS_"):
        del os.environ[name]
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "moto"))
from world import session_for  # noqa: E402


def client(url, account, region):
    return session_for(url, account).client("securityhub", endpoint_url=url, region_name=region)


def main(url, command, files):
    if command == "import":
        answer = {"imported": 0, "failed": []}
        for name in files:
            findings = json.load(open(name))
            account, region = findings[0]["AwsAccountId"], findings[0]["Resources"][0]["Region"]
            r = client(url, account, region).batch_import_findings(Findings=findings)
            answer["imported"] += r["SuccessCount"]
            answer["failed"] += r.get("FailedFindings", [])
        json.dump(answer, sys.stdout)
    elif command == "findings":
        found = []
        for scope in files:
            account, region = scope.split("/")
            sh, token = client(url, account, region), None
            while True:
                page = sh.get_findings(MaxResults=100, **({"NextToken": token} if token else {}))
                found += page["Findings"]
                token = page.get("NextToken")
                if not token:
                    break
        json.dump(found, sys.stdout, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], sys.argv[3:]))
