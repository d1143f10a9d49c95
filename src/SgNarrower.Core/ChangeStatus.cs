namespace SgNarrower
{
    public enum ChangeStatus
    {
        /// <summary>The open rule was removed.</summary>
        Revoked,
        /// <summary>The replacement sources were granted, then the open rule was removed.</summary>
        Narrowed,
        /// <summary>The rule (or its group) was not there, checked against EC2; nothing to do.</summary>
        AlreadyAbsent,
        /// <summary>Not changed: -WhatIf, a declined prompt, or a record line that SgNarrower did not change.</summary>
        Skipped,
        /// <summary>The change failed; Error says why. The rule is as it was, and nothing was granted or tagged for it.</summary>
        Failed,
        /// <summary>The rule was granted back from the record.</summary>
        Restored,
        /// <summary>The rule was there already, checked against EC2; nothing to do.</summary>
        AlreadyPresent,
        /// <summary>
        /// The change failed part-way and what it had done could not all be taken back: the open rule is still there, and
        /// Error names the rules or tags left for it, to remove by hand.
        /// </summary>
        Incomplete,
        /// <summary>Not changed: an exception that has not ended lets the rule stay open; Error names it, its owner and its end.</summary>
        Excepted,
    }
}
