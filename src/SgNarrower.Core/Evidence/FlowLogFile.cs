using System.IO.Compression;

namespace SgNarrower.Evidence
{
    /// <summary>One flow log file: where it is, and how to open it as a stream of text (gzip undone).</summary>
    public sealed class FlowLogFile
    {
        public FlowLogFile(string name, Func<Stream> open)
        {
            Name = name;
            _open = open;
        }
        private readonly Func<Stream> _open;
        public string Name { get; }

        /// <summary>The decompressed text: a .gz file (or one that starts with gzip's magic bytes) is inflated as it is read.</summary>
        public Stream Open()
        {
            var raw = _open();
            var buffered = new BufferedStream(raw, 1 << 16);
            if (Name.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)) return new GZipStream(buffered, CompressionMode.Decompress);
            return buffered;
        }
    }
}
