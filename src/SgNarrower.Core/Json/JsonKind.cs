namespace SgNarrower.Json
{
    /// <summary>What the next value is, from its first byte.</summary>
    public enum JsonKind { End, Object, Array, String, Number, True, False, Null, Invalid }
}
