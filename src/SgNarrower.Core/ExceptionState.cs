namespace SgNarrower
{
    /// <summary>Where a rule stands against the exceptions that name it. No value is 0: in PowerShell a state is never false.</summary>
    public enum ExceptionState
    {
        /// <summary>An exception that has not ended yet lets the rule stay open: it is not changed.</summary>
        Live = 1,
        /// <summary>Every exception that named the rule has ended: it is back in scope, and the note says whose ended when.</summary>
        Ended = 2,
    }
}
