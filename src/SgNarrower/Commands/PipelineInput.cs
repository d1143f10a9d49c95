using System;
using System.Collections.Generic;
using System.Management.Automation;
using SgNarrower.Audit;

namespace SgNarrower.Commands
{
    /// <summary>Turns whatever came down the pipeline (our rules, Import-Csv rows, ConvertFrom-Json objects, change results) into rules.</summary>
    internal static class PipelineInput
    {
        public static AuditEntry ToEntry(PSObject input)
        {
            if (input.BaseObject is OpenIngressRule rule) return new AuditEntry(rule);
            var status = Get(input, "Status")?.ToString();
            var error = Get(input, "Error")?.ToString();
            var fromObject = RuleInput.FromProperties(name => Get(input, name));
            return new AuditEntry(fromObject, string.IsNullOrEmpty(status) ? null : status, string.IsNullOrEmpty(error) ? null : error);
        }

        private static object? Get(PSObject input, string name)
        {
            var value = input.Properties[name]?.Value;
            if (value is PSObject ps)
            {
                if (ps.BaseObject is PSCustomObject) return ToDictionary(ps);
                value = ps.BaseObject;
            }
            return value;
        }

        private static Dictionary<string, string> ToDictionary(PSObject obj)
        {
            var d = new Dictionary<string, string>();
            foreach (var p in obj.Properties) d[p.Name] = p.Value?.ToString() ?? "";
            return d;
        }
    }
}
