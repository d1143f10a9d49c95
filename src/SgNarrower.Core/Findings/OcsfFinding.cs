using SgNarrower.Reporting;

namespace SgNarrower.Findings
{
    /// <summary>
    /// An open rule as an OCSF 1.1.0 Detection Finding (class 2004, category Findings, cloud profile) for Security Lake
    /// and SIEMs, with the same id, words, severity and state as the ASFF finding: activity Create for a rule found
    /// open, Update for one a change left open or put back, Close once it is gone.
    /// </summary>
    public static class OcsfFinding
    {
        public const string SchemaVersion = "1.1.0";
        public const int ClassUid = 2004, CategoryUid = 2;

        public static List<KeyValuePair<string, object?>> Build(FindingSubject s, string productVersion)
        {
            int activity = !s.IsOpen ? 3 : s.Latest.Entry.Status == null ? 1 : 2;
            string activityName = activity == 1 ? "Create" : activity == 2 ? "Update" : "Close";
            int severityId = SeverityId(s.Severity);
            long created = Millis(s.CreatedAt), updated = Millis(s.UpdatedAt);
            var f = new List<KeyValuePair<string, object?>>();
            void Add(string key, object? value) => f.Add(new KeyValuePair<string, object?>(key, value));
            Add("activity_id", activity);
            Add("activity_name", activityName);
            Add("category_uid", CategoryUid);
            Add("category_name", "Findings");
            Add("class_uid", ClassUid);
            Add("class_name", "Detection Finding");
            Add("type_uid", ClassUid * 100 + activity);
            Add("type_name", "Detection Finding: " + activityName);
            Add("severity_id", severityId);
            Add("severity", s.Severity.ToString());
            Add("status_id", s.Suppressed ? 3 : s.IsOpen ? 1 : 4);
            Add("status", s.Suppressed ? "Suppressed" : s.IsOpen ? "New" : "Resolved");
            Add("time", updated);
            Add("time_dt", FindingSubject.Timestamp(s.UpdatedAt));
            Add("message", s.Title);
            Add("metadata", AsffFinding.Obj(
                ("version", SchemaVersion),
                ("product", AsffFinding.Obj(("name", "SgNarrower"), ("vendor_name", "SgNarrower"), ("version", productVersion))),
                ("profiles", new List<string> { "cloud" }),
                ("event_code", "open-ingress-rule")));
            Add("finding_info", AsffFinding.Obj(
                ("uid", s.Id),
                ("title", s.Title),
                ("desc", s.Description),
                ("types", new List<string> { FindingSubject.FindingType }),
                ("created_time", created),
                ("modified_time", updated)));
            Add("cloud", AsffFinding.Obj(
                ("provider", "AWS"),
                ("region", s.Region),
                ("account", AsffFinding.Obj(("uid", s.Account), ("type", "AWS Account"), ("type_id", 10)))));
            var data = new List<KeyValuePair<string, object?>>();
            foreach (var fact in s.Facts()) data.Add(new KeyValuePair<string, object?>(fact.Key.Substring("SgNarrower/".Length), fact.Value));
            var resource = AsffFinding.Obj(
                ("uid", s.GroupArn),
                ("type", "AWS::EC2::SecurityGroup"),
                ("region", s.Region),
                ("cloud_partition", s.Partition),
                ("owner", AsffFinding.Obj(("account", AsffFinding.Obj(("uid", s.Account)))) ),
                ("data", data));
            if (!string.IsNullOrWhiteSpace(s.Rule.GroupName)) resource.Insert(1, new KeyValuePair<string, object?>("name", s.Rule.GroupName));
            Add("resources", new List<object?> { resource });
            Add("remediation", AsffFinding.Obj(("desc", s.Remediation)));
            var compliance = AsffFinding.Obj(("status", s.ComplianceStatus));
            if (s.Requirement != null) compliance.Add(new KeyValuePair<string, object?>("requirements", new List<string> { s.Requirement }));
            Add("unmapped", AsffFinding.Obj(("compliance", compliance)));
            return f;
        }

        /// <summary>OCSF severity_id: 1 Informational, 2 Low, 3 Medium, 4 High, 5 Critical.</summary>
        public static int SeverityId(FindingSeverity severity) => (int)severity + 1;

        private static long Millis(DateTime t) => (long)(t.ToUniversalTime() - new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc)).TotalMilliseconds;
    }
}
