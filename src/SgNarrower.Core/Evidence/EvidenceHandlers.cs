namespace SgNarrower.Evidence
{
    /// <summary>What an evidence run reports, handed to the caller on the caller's thread (a cmdlet writes it; a test collects it).</summary>
    public sealed class EvidenceHandlers
    {
        public Action<string> Verbose { get; set; } = _ => { };
        public Action<string> Warning { get; set; } = _ => { };
        /// <summary>A scope that could not be read, or a file: what failed (a Scope, or a file's name) and why; the run goes on.</summary>
        public Action<object, Exception> Error { get; set; } = (_, e) => throw e;
        /// <summary>Files read so far, of how many, and the records in them.</summary>
        public Action<int, int, long> FilesRead { get; set; } = (_, _, _) => { };
    }
}
