"""Checks ASFF files against Security Hub's published definition, the AwsSecurityFinding shape of botocore's
securityhub service model, and against BatchImportFindings' limits.

Usage: python3 check_asff.py FILE... > problems.json

Each file must be a JSON array of findings: at most 100 findings and 6 MB (one BatchImportFindings call), each finding
at most 240 KB, each one valid against the model: required members present, no member the model does not define,
types, enums, patterns and length and value bounds as the model states them. Prints a JSON list of problems (empty
when all is well) and exits 0; exits 2 when the model cannot be loaded.
"""

import json
import re
import sys

import botocore.loaders

MAX_FINDINGS, MAX_CALL, MAX_FINDING = 100, 6 * 1024 * 1024, 240 * 1024


def load_shapes():
    return botocore.loaders.Loader().load_service_model("securityhub", "service-2")["shapes"]


def check(shapes, shape_name, value, path, problems):
    shape = shapes[shape_name]
    kind = shape["type"]
    if kind == "structure":
        if not isinstance(value, dict):
            problems.append(f"{path}: {shape_name} should be an object")
            return
        members = shape.get("members", {})
        for name in shape.get("required", []):
            if name not in value:
                problems.append(f"{path}: required member {name} of {shape_name} is missing")
        for name, member_value in value.items():
            if name not in members:
                problems.append(f"{path}.{name}: {shape_name} has no member {name}")
                continue
            check(shapes, members[name]["shape"], member_value, f"{path}.{name}", problems)
    elif kind == "list":
        if not isinstance(value, list):
            problems.append(f"{path}: {shape_name} should be a list")
            return
        if "min" in shape and len(value) < shape["min"]:
            problems.append(f"{path}: {shape_name} needs at least {shape['min']} items")
        if "max" in shape and len(value) > shape["max"]:
            problems.append(f"{path}: {shape_name} takes at most {shape['max']} items")
        for i, item in enumerate(value):
            check(shapes, shape["member"]["shape"], item, f"{path}[{i}]", problems)
    elif kind == "map":
        if not isinstance(value, dict):
            problems.append(f"{path}: {shape_name} should be a map")
            return
        for k, v in value.items():
            check(shapes, shape["key"]["shape"], k, f"{path}<key {k}>", problems)
            check(shapes, shape["value"]["shape"], v, f"{path}.{k}", problems)
    elif kind == "string":
        if not isinstance(value, str):
            problems.append(f"{path}: {shape_name} should be a string, not {type(value).__name__}")
            return
        if "enum" in shape and value not in shape["enum"]:
            problems.append(f"{path}: '{value}' is not one of {shape['enum']}")
        if "pattern" in shape and not re.fullmatch(shape["pattern"], value, re.DOTALL):
            problems.append(f"{path}: '{value}' does not match {shape['pattern']}")
        if "min" in shape and len(value) < shape["min"]:
            problems.append(f"{path}: shorter than {shape['min']} characters")
        if "max" in shape and len(value) > shape["max"]:
            problems.append(f"{path}: longer than {shape['max']} characters")
    elif kind in ("integer", "long"):
        if not isinstance(value, int) or isinstance(value, bool):
            problems.append(f"{path}: {shape_name} should be a whole number")
            return
        if "min" in shape and value < shape["min"]:
            problems.append(f"{path}: {value} is below {shape['min']}")
        if "max" in shape and value > shape["max"]:
            problems.append(f"{path}: {value} is above {shape['max']}")
    elif kind in ("double", "float"):
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            problems.append(f"{path}: {shape_name} should be a number")
    elif kind == "boolean":
        if not isinstance(value, bool):
            problems.append(f"{path}: {shape_name} should be true or false")
    elif kind == "timestamp":
        if not isinstance(value, str):
            problems.append(f"{path}: {shape_name} should be a timestamp string")
    else:
        problems.append(f"{path}: shape type {kind} is not checked")


def main(files):
    try:
        shapes = load_shapes()
    except Exception as e:  # noqa: BLE001
        print(f"cannot load the securityhub service model: {e}", file=sys.stderr)
        return 2
    problems = []
    for name in files:
        raw = open(name, "rb").read()
        if len(raw) > MAX_CALL:
            problems.append(f"{name}: {len(raw)} bytes, more than one BatchImportFindings call takes")
        findings = json.loads(raw)
        if not isinstance(findings, list) or not 1 <= len(findings) <= MAX_FINDINGS:
            problems.append(f"{name}: not a list of 1 to {MAX_FINDINGS} findings")
            continue
        for i, finding in enumerate(findings):
            size = len(json.dumps(finding, separators=(",", ":")).encode())
            if size > MAX_FINDING:
                problems.append(f"{name}[{i}]: {size} bytes, more than a finding may have")
            check(shapes, "AwsSecurityFinding", finding, f"{name}[{i}]", problems)
    json.dump(problems, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
