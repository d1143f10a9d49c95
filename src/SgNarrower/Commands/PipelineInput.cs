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

        private static object? Get(PSObject input, string name) => Unwrap(input.Properties[name]?.Value);

        /// <summary>The plain value behind a PSObject; a PSCustomObject (ConvertFrom-Json tags) becomes a dictionary.</summary>
        public static object? Unwrap(object? value)
        {
            if (!(value is PSObject ps)) return value;
            if (!(ps.BaseObject is PSCustomObject)) return ps.BaseObject;
            var d = new Dictionary<string, string>();
            foreach (var p in ps.Properties) d[p.Name] = p.Value?.ToString() ?? "";
            return d;
        }
    }
}
