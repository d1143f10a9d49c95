using SgNarrower.Json;

namespace SgNarrower.Findings
{
    /// <summary>
    /// Findings as files: ASFF in batches FindingBatchImportFindings takes whole (one account and region a file, at most 100
    /// findings and 6 MB, no finding over 240 KB), OCSF as one JSON array. Names are stable, so a later export of the
    /// same scope lands beside (or, with -Force, over) the earlier one.
    /// </summary>
    public static class FindingWriter
    {
        public const int MaxFindingsPerCall = 100;
        public const int MaxFindingBytes = 240 * 1024;
        public const int MaxCallBytes = 6 * 1024 * 1024;

        public static List<FindingBatch> Asff(IReadOnlyList<FindingSubject> subjects)
        {
            var batches = new List<FindingBatch>();
            foreach (var scope in subjects.GroupBy(s => (s.Account, s.Region)))
            {
                int n = 0;
                var current = new List<string>();
                int bytes = 2;
                void Flush()
                {
                    if (current.Count == 0) return;
                    n++;
                    batches.Add(new FindingBatch($"sgnarrower-asff-{scope.Key.Account}-{scope.Key.Region}-{n:000}.json", scope.Key.Account, scope.Key.Region, current.Count, Utf8("[\n" + string.Join(",\n", current) + "\n]\n")));
                    current.Clear();
                    bytes = 2;
                }
                foreach (var subject in scope)
                {
                    var json = JsonWriter.Write(AsffFinding.Build(subject));
                    int size = Encoding.UTF8.GetByteCount(json);
                    if (size > MaxFindingBytes) throw new InvalidOperationException($"The finding for {subject.Id} is {size} bytes; Security Hub takes at most {MaxFindingBytes}.");
                    if (current.Count == MaxFindingsPerCall || bytes + size + 2 > MaxCallBytes) Flush();
                    current.Add(json);
                    bytes += size + 2;
                }
                Flush();
            }
            return batches;
        }

        public static FindingBatch Ocsf(IReadOnlyList<FindingSubject> subjects, string productVersion) =>
            new FindingBatch("sgnarrower-ocsf.json", null, null, subjects.Count,
                Utf8("[\n" + string.Join(",\n", subjects.Select(s => JsonWriter.Write(OcsfFinding.Build(s, productVersion)))) + (subjects.Count > 0 ? "\n" : "") + "]\n"));

        public static string ImportCommand(FindingBatch batch, string path) =>
            $"aws securityhub batch-import-findings --region {batch.Region} --findings file://{path}";

        private static byte[] Utf8(string text) => new UTF8Encoding(false).GetBytes(text);
    }
}
