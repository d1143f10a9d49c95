using SgNarrower.Audit;

namespace SgNarrower.Commands
{
    /// <summary>
    /// Turns whatever came down the pipeline (our rules, change results, Import-Csv rows, ConvertFrom-Json and
    /// Import-Clixml objects) into a checked rule, read by property name. Incomplete input throws FormatException.
    /// </summary>
    internal static class PipelineInput
    {
        public static AuditEntry ToEntry(PSObject input)
        {
            if (input.BaseObject is OpenIngressRule rule) return RuleInput.FromRule(rule);
            if (input.BaseObject is IngressRuleChange change) return RuleInput.FromChange(change);
            // A row of a CSV record read with Import-Csv: its cells are escaped against spreadsheet formulas.
            bool csvRecordRow = input.Properties["RecordType"] != null && Get(input, "FormatVersion") is string;
            return RuleInput.Read(name =>
            {
                var value = Get(input, name);
                return csvRecordRow && value is string s ? AuditRecordFormat.UnescapeCsvCell(name, s) : value;
            });
        }

        private static object? Get(PSObject input, string name) => Unwrap(input.Properties[name]?.Value);

        /// <summary>The plain value behind a PSObject; a PSCustomObject (ConvertFrom-Json tags) becomes a dictionary.</summary>
        public static object? Unwrap(object? value)
        {
            // ConvertFrom-Json lists (observed sources, attached resources) hold PSObjects too.
            if (value is object[] items) return Array.ConvertAll(items, Unwrap);
            if (!(value is PSObject ps)) return value;
            if (!(ps.BaseObject is PSCustomObject)) return ps.BaseObject;
            var d = new Dictionary<string, string>();
            foreach (var p in ps.Properties) d[p.Name] = p.Value?.ToString() ?? "";
            return d;
        }
    }
}
