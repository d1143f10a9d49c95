namespace SgNarrower.Concurrency
{
    /// <summary>How far a piece of work has come, in words, and as a count where one is known (<paramref name="Done"/> of <paramref name="Total"/>).</summary>
    public sealed record WorkProgress(string Text, int Done = 0, int Total = 0)
    {
        /// <summary>Percent done, or -1 where no count is known.</summary>
        public int Percent => Total > 0 ? Done * 100 / Total : -1;
    }
}
