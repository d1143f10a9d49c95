using SgNarrower.Changes;

namespace SgNarrower.Audit
{
    /// <summary>
    /// Revoke's journal: the record it writes before changing rules that have none of their own. It holds rules as EC2
    /// holds them now, so a restore from it is exact; a rule that came through Export-IngressAudit keeps that record's
    /// run id (AuditRunId), which is what its replacements are tagged with.
    /// </summary>
    public static class Journal
    {
        /// <summary>&lt;LocalApplicationData&gt;/SgNarrower/journal: ~/.local/share/... on Linux and macOS, %LOCALAPPDATA%\... on Windows.</summary>
        public static string DefaultFolder()
        {
            var baseDir = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
            if (string.IsNullOrEmpty(baseDir)) baseDir = Path.GetTempPath();
            return Path.Combine(baseDir, "SgNarrower", "journal");
        }

        /// <summary>The file to write: the given file, or a new per-run file in the given (or default) folder, created if need be.</summary>
        public static string PathFor(string? givenPath, AuditRunInfo run)
        {
            var path = givenPath ?? DefaultFolder();
            if (givenPath != null && !Directory.Exists(path)) return path;
            Directory.CreateDirectory(path);
            return Path.Combine(path, "revoke-" + run.FileName(AuditFormat.JsonLines));
        }

        /// <summary>
        /// The planned changes that need journaling: rules without a record, and rules whose description changed since
        /// they were recorded (their record would restore the old one).
        /// </summary>
        public static List<PlanItem> ItemsToJournal(IEnumerable<GroupPlan> plans) =>
            plans.SelectMany(p => p.Pending)
                .Where(i => i.Request.Rule.AuditUri == null || (i.LiveRule != null && i.LiveRule.Description != i.Request.Rule.Description))
                .ToList();

        /// <summary>
        /// Writes the journal whole or not at all, and notes on each item where it is recorded. <paramref name="replace"/>:
        /// the run's own journal, written before with fewer items (changes made in batches), is replaced by this one.
        /// </summary>
        public static IngressAuditSummary Write(IReadOnlyList<PlanItem> items, AuditRunInfo run, string path, bool replace = false)
        {
            var entries = items.Select(i => new AuditEntry(i.CurrentRule with { AuditUri = null }, i.Request.Identity)).ToList();
            var summary = AuditRecorder.Write(entries, run, AuditFormat.JsonLines, new AuditDestination { FilePath = path, OverwriteFile = replace });
            foreach (var item in items) item.Recorded(path);
            return summary;
        }
    }
}
