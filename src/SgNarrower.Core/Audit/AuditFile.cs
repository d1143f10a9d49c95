namespace SgNarrower.Audit
{
    /// <summary>Writes a record file whole or not at all: a temporary file beside it, flushed to disk, then moved in.</summary>
    public static class AuditFile
    {
        public static void WriteAtomically(string path, byte[] content, bool overwrite)
        {
            var full = Path.GetFullPath(path);
            var dir = Path.GetDirectoryName(full) ?? ".";
            if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"The folder '{dir}' does not exist.");
            if (!overwrite && File.Exists(full))
                throw new IOException($"'{full}' already exists, and an audit record is not overwritten unless you ask (-Force).");
            var temp = Path.Combine(dir, "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".tmp");
            try
            {
                using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
                {
                    stream.Write(content, 0, content.Length);
                    stream.Flush(flushToDisk: true);
                }
                if (overwrite && File.Exists(full)) File.Replace(temp, full, null);
                else File.Move(temp, full);
            }
            finally
            {
                if (File.Exists(temp)) File.Delete(temp);
            }
        }
    }
}
