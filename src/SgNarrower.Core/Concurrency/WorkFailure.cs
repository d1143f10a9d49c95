namespace SgNarrower.Concurrency
{
    /// <summary>
    /// A failure a worker reports, and what it was working on: an (account, region) scope, or another item (a file,
    /// a listing) named by <paramref name="Item"/>. The work goes on with the next scope or item.
    /// </summary>
    public sealed record WorkFailure(Scope? Scope, string? Item, Exception Error)
    {
        public static WorkFailure Of(Scope scope, Exception error) => new WorkFailure(scope, null, error);
        public static WorkFailure Of(string item, Exception error) => new WorkFailure(null, item, error);

        public override string ToString() => Scope?.ToString() ?? Item ?? "";
    }
}
