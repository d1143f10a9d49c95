using SgNarrower.Changes;

namespace SgNarrower.Audit
{
    /// <summary>
    /// Revoke's journal: the record it writes before changing rules that no record holds as they are now. It holds rules
    /// as EC2 holds them, so a restore from it is exact; a rule that came through Export-IngressAudit keeps that record's
    /// run id (AuditRunId), which is what its replacements are tagged with. One journal a run: each batch is added to it,
    /// and it is written whole each time, or not at all.
    /// </summary>
    public sealed class Journal
    {
        private readonly AuditRunInfo _run;
        private readonly string? _givenPath;
        private readonly List<PlanItem> _items = new List<PlanItem>();

        /// <param name="givenPath">-AuditPath: a file, or a folder for a new file per run; null: <see cref="DefaultFolder"/>.</param>
        /// <param name="signer">Signs the journal as Export-IngressAudit signs its records (-SigningKeyId); null: unsigned.</param>
        public Journal(AuditRunInfo run, string? givenPath, RecordSigner? signer = null)
        {
            _run = run;
            _givenPath = givenPath;
            _signer = signer;
        }

        private readonly RecordSigner? _signer;

        /// <summary>The file, once the journal has been written.</summary>
        public string? Path { get; private set; }

        /// <summary>What an error about the journal names: its file, or where it was to go.</summary>
        public string Location => Path ?? _givenPath ?? DefaultFolder();

        /// <summary>&lt;LocalApplicationData&gt;/SgNarrower/journal: ~/.local/share/... on Linux and macOS, %LOCALAPPDATA%\... on Windows.</summary>
        public static string DefaultFolder()
        {
            var baseDir = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
            if (string.IsNullOrEmpty(baseDir)) baseDir = System.IO.Path.GetTempPath();
            return System.IO.Path.Combine(baseDir, "SgNarrower", "journal");
        }

        /// <summary>
        /// Adds a batch's changes and writes the journal (the run's earlier batches too) before any of them is made;
        /// returns its file. Throws (AuditWriteException, IOException, UnauthorizedAccessException) when it cannot,
        /// and then the journal holds what it held before.
        /// </summary>
        public string Add(IReadOnlyList<PlanItem> items)
        {
            var path = Path ?? FileFor(_givenPath, _run);
            var entries = _items.Concat(items).Select(i => new AuditEntry(i.CurrentRule with { AuditUri = null }, i.Request.Identity)).ToList();
            AuditRecorder.Write(entries, _run, AuditFormat.JsonLines, new AuditDestination(FilePath: path, OverwriteFile: Path != null, Signer: _signer));
            Path = path;
            _items.AddRange(items);
            return path;
        }

        /// <summary>The file to write: the given file, or a new per-run file in the given (or default) folder, created if need be.</summary>
        private static string FileFor(string? givenPath, AuditRunInfo run)
        {
            var path = givenPath ?? DefaultFolder();
            if (givenPath != null && !Directory.Exists(path)) return path;
            Directory.CreateDirectory(path);
            return System.IO.Path.Combine(path, "revoke-" + run.FileName(AuditFormat.JsonLines));
        }
    }
}
