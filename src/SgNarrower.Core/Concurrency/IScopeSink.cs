namespace SgNarrower.Concurrency
{
    /// <summary>What a worker writes to: a queue, never the host.</summary>
    public interface IScopeSink
    {
        void Write(object item);
        void Verbose(string text);
        void Warning(string text);
        /// <summary>How far the work has come (a page scanned): shown as progress, never output.</summary>
        void Progress(string text);
        void Error(Exception error);
    }
}
